import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeEventCursor, type EventPosition } from '../../src/events/cursor.ts';
import { readCommittedEvents, START_OF_LOG, type CommittedEvent } from '../../src/events/log.ts';
import { EventStream, isNotice, TOO_SLOW, type StreamItem, type StreamNotice } from '../../src/events/stream.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';
import { visibleLog } from '../support/subscriptions.ts';

// The stream's hand-over from replay to live, driven step by step: the test plays the relay (it offers
// events it read from the log itself) and decides when a replay read returns.

let db: TestDatabase;
/** Each test has a merchant of its own, so its log starts empty (START_OF_LOG) and is its alone. */
let merchantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
});
beforeEach(async () => {
  merchantId = (await createMerchant(db, 'Stream')).merchant.id;
});
afterAll(() => db?.drop());

const input = () => ({ merchantReference: `o-${Math.random().toString(36).slice(2)}`, amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' });

/** This merchant's events after `after`, once all `count` of them are visible. */
async function logAfter(after: EventPosition, count: number): Promise<CommittedEvent[]> {
  return visibleLog(db, { after, limit: 10_000, merchantId }, count);
}

function openStream(options: {
  after?: EventPosition;
  livePosition?: EventPosition;
  bufferLimit: number;
  readPage?: (after: EventPosition, limit: number) => Promise<CommittedEvent[]>;
  disconnect?: (notice: StreamNotice) => void;
}): EventStream {
  return new EventStream({
    scope: { merchantId },
    filter: undefined,
    after: options.after,
    livePosition: options.livePosition ?? START_OF_LOG,
    bufferLimit: options.bufferLimit,
    pageSize: 50,
    readPage: options.readPage ?? ((after, limit) => readCommittedEvents(db, { after, limit, merchantId })),
    disconnect: options.disconnect,
    detach: () => undefined,
    onReadError: () => undefined,
  });
}

const cursorOf = (item: StreamItem | undefined) => (item && !isNotice(item) ? encodeEventCursor(item.position) : item);

async function take(stream: EventStream, count: number): Promise<(string | StreamItem | undefined)[]> {
  const taken: (string | StreamItem | undefined)[] = [];
  for (let index = 0; index < count; index += 1) {
    // A missing event shows as 'nothing' instead of a hung test.
    const result = await Promise.race([stream.next(), new Promise<'nothing'>((resolve) => setTimeout(() => resolve('nothing'), 2_000))]);
    if (result === 'nothing') {
      taken.push(result);
      break;
    }
    taken.push(result.done ? 'done' : cursorOf(result.value));
  }
  return taken;
}

describe('EventStream', () => {
  it('lets go of the live events it delivered (an idle subscriber holds none of them)', async () => {
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    await createTransaction(testServiceDeps(db), merchantId, input());
    await createTransaction(testServiceDeps(db), merchantId, input());
    const stream = openStream({ bufferLimit: 100 });
    // Offered while no one waits (queued), then read: the test keeps only weak references to them.
    const offered = async (): Promise<WeakRef<CommittedEvent>[]> => {
      const events = await logAfter(START_OF_LOG, 4);
      for (const event of events) stream.offer(event);
      // Not take(): its pending timeouts would hold the results for two seconds.
      for (const event of events) expect((await stream.next()).value).toBe(event);
      return events.map((event) => new WeakRef(event));
    };
    const references = await offered();
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    expect(references.filter((reference) => reference.deref() !== undefined)).toHaveLength(0);
    await stream.return();
  });

  it('re-reads the log when live events were dropped after its last replay read began', async () => {
    const start = START_OF_LOG;
    await createTransaction(testServiceDeps(db), merchantId, input());
    await createTransaction(testServiceDeps(db), merchantId, input());
    await logAfter(start, 4);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let reads = 0;
    let snapshotTaken: () => void = () => undefined;
    const firstReadDone = new Promise<void>((resolve) => {
      snapshotTaken = resolve;
    });
    const stream = openStream({
      after: start,
      bufferLimit: 2,
      // The first read takes its snapshot now and returns only when the test says so.
      readPage: async (after, limit) => {
        reads += 1;
        const page = await readCommittedEvents(db, { after, limit, merchantId });
        if (reads === 1) {
          snapshotTaken();
          await gate;
        }
        return page;
      },
    });
    const first = stream.next();
    await firstReadDone;
    // While that read is out, three more transactions commit (six events) and the relay offers them:
    // more than the buffer holds, so some are dropped.
    const before = (await logAfter(start, 4)).at(-1)?.position ?? start;
    for (let index = 0; index < 3; index += 1) await createTransaction(testServiceDeps(db), merchantId, input());
    for (const event of await logAfter(before, 6)) stream.offer(event);
    release();
    const firstTaken = await first;
    const expected = (await logAfter(start, 10)).map((event) => encodeEventCursor(event.position));
    expect(expected).toHaveLength(10);
    const rest = await take(stream, 9);
    expect([cursorOf(firstTaken.value), ...rest]).toEqual(expected);
    expect(reads).toBeGreaterThanOrEqual(2);
  });

  it('goes live after a short replay without delivering anything twice', async () => {
    const start = START_OF_LOG;
    await createTransaction(testServiceDeps(db), merchantId, input());
    const firstTwo = await logAfter(start, 2);
    const stream = openStream({ after: start, bufferLimit: 100 });
    // The relay offers what the replay will also read: delivered once.
    for (const event of firstTwo) stream.offer(event);
    const replayed = await take(stream, 2);
    const before = firstTwo.at(-1)?.position ?? start;
    await createTransaction(testServiceDeps(db), merchantId, input());
    for (const event of await logAfter(before, 2)) stream.offer(event);
    const live = await take(stream, 2);
    expect([...replayed, ...live]).toEqual((await logAfter(start, 4)).map((event) => encodeEventCursor(event.position)));
    const pending = stream.next();
    await stream.return();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('cuts off a live subscriber past its buffer: WebSocket through disconnect, SSE with a last notice', async () => {
    const start = START_OF_LOG;
    await createTransaction(testServiceDeps(db), merchantId, input());
    await createTransaction(testServiceDeps(db), merchantId, input());
    const events = await logAfter(start, 4);
    const disconnects: StreamNotice[] = [];
    const ws = openStream({ livePosition: start, bufferLimit: 3, disconnect: (notice) => disconnects.push(notice) });
    const sse = openStream({ livePosition: start, bufferLimit: 3 });
    for (const event of events) {
      ws.offer(event);
      sse.offer(event);
    }
    expect(disconnects).toEqual([TOO_SLOW]);
    expect(ws.ended && sse.ended).toBe(true);
    expect(await take(ws, 1)).toEqual(['done']);
    expect(await take(sse, 2)).toEqual([TOO_SLOW, 'done']);
  });

  it('hands an event straight to a waiting reader and never counts it against the buffer', async () => {
    const start = START_OF_LOG;
    await createTransaction(testServiceDeps(db), merchantId, input());
    const events = await logAfter(start, 2);
    const stream = openStream({ livePosition: start, bufferLimit: 1 });
    for (const event of events) {
      const next = stream.next();
      stream.offer(event);
      expect(cursorOf((await next).value)).toBe(encodeEventCursor(event.position));
    }
    expect(stream.ended).toBe(false);
  });
});
