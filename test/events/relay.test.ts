import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SqlSession } from '../../src/db/session.ts';
import { READ_LOG_HEAD } from '../../src/db/sql/events.ts';
import { decodeEventCursor, encodeEventCursor, type EventPosition } from '../../src/events/cursor.ts';
import { START_OF_LOG, type CommittedEvent } from '../../src/events/log.ts';
import { createInProcessPubSub, type EventPubSub, type RelayHint } from '../../src/events/pubsub.ts';
import { EventRelay } from '../../src/events/relay.ts';
import { createLogger } from '../../src/logger.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';
import { sleep, visibleLog, waitFor } from '../support/subscriptions.ts';

// The relay without subscribers: it does not read the events nobody takes, and hands over to the first
// subscriber from the position it had reached, so that one misses nothing.

let db: TestDatabase;
let merchantId: string;
const relays: EventRelay[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  merchantId = (await createMerchant(db, 'Relay')).merchant.id;
});
afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.close()));
});
afterAll(() => db?.drop());

const input = () => ({ merchantReference: `o-${Math.random().toString(36).slice(2)}`, amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' });
const create = () => createTransaction(testServiceDeps(db), merchantId, input());

async function startRelay(options: {
  subscribed: () => boolean;
  pubsub?: EventPubSub;
  listen?: boolean;
  sql?: SqlSession;
}): Promise<{ relay: EventRelay; dispatched: CommittedEvent[] }> {
  const dispatched: CommittedEvent[] = [];
  const relay = new EventRelay({
    db: options.sql ? { ...db, sql: options.sql } : db,
    pubsub: options.pubsub ?? createInProcessPubSub(),
    logger: createLogger('silent'),
    listen: options.listen ?? true,
    // Only what the test does moves the relay: no poll during a test.
    pollIntervalMs: 600_000,
    dispatch: (event) => dispatched.push(event),
    hasSubscribers: options.subscribed,
  });
  relays.push(relay);
  await relay.start();
  return { relay, dispatched };
}

const positionOf = (relay: EventRelay): EventPosition | undefined => decodeEventCursor(relay.health().position);

/** A Redis-like pub/sub that records what the relay publishes (another instance's relay would hear it). */
function recordingPubSub(): EventPubSub & { published: RelayHint[] } {
  const published: RelayHint[] = [];
  return { ...createInProcessPubSub(), kind: 'redis', published, publish: (hint) => published.push(hint) };
}

describe('EventRelay without subscribers', () => {
  it('leaves commits unread on one instance, then moves to the head without dispatching when woken', async () => {
    const { relay, dispatched } = await startRelay({ subscribed: () => false });
    const start = positionOf(relay) ?? START_OF_LOG;
    await create();
    await create();
    const committed = await visibleLog(db, { after: start, limit: 100 }, 4);
    // Their commit notices have come and gone (LISTEN delivers within milliseconds): nothing was read.
    await sleep(300);
    expect(positionOf(relay)).toEqual(start);

    await relay.wake();
    expect(positionOf(relay)).toEqual(committed.at(-1)?.position);
    expect(dispatched).toEqual([]);
  });

  it('with other instances to tell, follows commits to the head and publishes it, still dispatching nothing', async () => {
    const pubsub = recordingPubSub();
    const { relay, dispatched } = await startRelay({ subscribed: () => false, pubsub });
    const start = positionOf(relay) ?? START_OF_LOG;
    await create();
    const head = (await visibleLog(db, { after: start, limit: 100 }, 2)).at(-1)?.position ?? START_OF_LOG;
    // Should an open transaction elsewhere hold the head back, the relay looks again by itself (no poll here).
    await waitFor(() => pubsub.published.some((hint) => hint.cursor === encodeEventCursor(head)), 'a hint at the head');
    expect(positionOf(relay)).toEqual(head);
    expect(dispatched).toEqual([]);
  });

  it('gives a subscriber that attaches while it reads the head everything after the position it had', async () => {
    let subscribed = false;
    let release: () => void = () => undefined;
    let headReadStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      headReadStarted = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let armed = false;
    // Once armed, the head read takes its snapshot, then returns only when the test says so.
    const gatedSql: SqlSession = {
      async query(statement, values) {
        const rows = await db.sql.query(statement, values);
        if (armed && statement.name === READ_LOG_HEAD.name) {
          armed = false;
          headReadStarted();
          await gate;
        }
        return rows;
      },
    };
    const { relay, dispatched } = await startRelay({ subscribed: () => subscribed, listen: false, sql: gatedSql });
    const before = positionOf(relay) ?? START_OF_LOG;
    await create();
    await create();
    const committed = await visibleLog(db, { after: before, limit: 100 }, 4);

    armed = true;
    const woken = relay.wake();
    await started;
    // A stream attaches now, live from the relay's position (the one before these commits).
    expect(positionOf(relay)).toEqual(before);
    subscribed = true;
    release();
    await woken;
    expect(dispatched.map((event) => event.position)).toEqual(committed.map((event) => event.position));
    expect(positionOf(relay)).toEqual(committed.at(-1)?.position);
  });

  it('reads and dispatches every commit again once it has a subscriber', async () => {
    let subscribed = false;
    const { relay, dispatched } = await startRelay({ subscribed: () => subscribed });
    await create();
    await visibleLog(db, { after: positionOf(relay) ?? START_OF_LOG, limit: 100 }, 2);
    await relay.wake();
    const from = positionOf(relay) ?? START_OF_LOG;
    subscribed = true;
    await create();
    await create();
    const expected = await visibleLog(db, { after: from, limit: 100 }, 4);
    // Woken by the commits alone.
    await waitFor(() => dispatched.length >= 4, 'the four events');
    expect(dispatched.map((event) => event.position)).toEqual(expected.map((event) => event.position));
  });
});
