import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { SubscriptionError, TransactionEventMessage } from '../../src/client/merchant-client.ts';
import { comparePositions, decodeEventCursor, encodeEventCursor } from '../../src/events/cursor.ts';
import { readCommittedEvents, START_OF_LOG } from '../../src/events/log.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { applyTransition, transition } from '../../src/services/transitions.ts';
import type { TransactionStatus } from '../../src/generated/prisma/client.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { logCursors, sleep, testClient, waitFor } from '../support/subscriptions.ts';

// Concurrent writers need concurrent sessions: PostgreSQL only (the embedded PGlite is one session).
describe.skipIf(TEST_DATABASE_URL === undefined)('resume without gaps while writers commit out of order', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  const input = () => ({
    merchantReference: `order-${Math.random().toString(36).slice(2)}`,
    amount: { value: '5.00', currency: 'EUR' },
    returnUrl: 'https://shop.example/return',
  });

  it('holds back a later commit while an earlier writer is still open, then delivers both in position order', async () => {
    const merchant = await server.createMerchant('Horizon');
    const early = await createTransaction(server, merchant.merchantId, input());
    const late = await createTransaction(server, merchant.merchantId, input());
    const received: TransactionEventMessage[] = [];
    const client = testClient(server.url, merchant.key);
    const opened = server.app.events.stats().opened;
    client.transactionEvents({ after: (await logCursors(server.db, merchant.merchantId)).at(-1), onEvent: (event) => received.push(event) });
    await waitFor(() => server.app.events.stats().opened > opened, 'the subscription to attach');

    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let written: () => void = () => undefined;
    const earlyWritten = new Promise<void>((resolve) => {
      written = resolve;
    });
    // The early writer takes its transaction id (and event position) first and keeps its transaction open.
    const earlyWriter = server.db.prisma.$transaction(async (tx) => {
      await applyTransition(tx, { transactionId: early.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
      written();
      await held;
    });
    await earlyWritten;
    // A later writer commits first.
    const lateCapture = await transition(server.db, { transactionId: late.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    if (lateCapture.kind !== 'applied') throw new Error(`the late capture was ${lateCapture.kind}`);

    // poke() resolves after a whole read of the log begun after that commit: the relay saw it and stopped before
    // it, so it dispatched nothing a subscriber could have received (no pause needed to let something show up).
    await server.app.events.poke();
    const relayPosition = decodeEventCursor(server.app.events.health().position);
    const latePosition = { txid: lateCapture.event.txid ?? 0n, id: lateCapture.event.id };
    expect(relayPosition !== undefined && comparePositions(relayPosition, latePosition) < 0).toBe(true);
    // Delivering the later event now would hand out a cursor past a position the open writer then fills:
    // a client resuming from it would never see the early event.
    expect(received).toEqual([]);
    const afterLate = await readCommittedEvents(server.db, { after: START_OF_LOG, limit: 10_000, merchantId: merchant.merchantId });
    // The log reader, too, stops before it (it may stop earlier still: the horizon is cluster-wide).
    expect(afterLate.filter((event) => event.event.status === 'CAPTURED')).toEqual([]);

    release();
    await earlyWriter;
    await waitFor(() => received.length >= 2, 'both captures');
    expect(received.map((event) => [event.transaction.id.length > 0, event.status])).toEqual([
      [true, 'CAPTURED'],
      [true, 'CAPTURED'],
    ]);
    const rows = await server.db.prisma.transactionEvent.findMany({
      where: { merchantId: merchant.merchantId, status: 'CAPTURED' },
      orderBy: { id: 'asc' },
    });
    const [earlyRow, lateRow] = [rows.find((row) => row.transactionId === early.id), rows.find((row) => row.transactionId === late.id)];
    // The scenario is real: the early writer has the smaller txid and committed last.
    expect(earlyRow && lateRow && earlyRow.txid < lateRow.txid).toBe(true);
    expect(received.map((event) => event.cursor)).toEqual([earlyRow, lateRow].map((row) => row && encodeEventCursor(row)));
    await client.close();
  });

  it('gives every client exactly the log of its merchant, in order, once, across disconnects and resumes', async () => {
    await scenario(server);
  }, 60_000);

  it('still does with a tiny buffer, where subscribers are cut off as too slow and replays overflow', async () => {
    const tiny = await startTestServer({ SUBSCRIPTION_BUFFER_LIMIT: '2' });
    try {
      const { tooSlow } = await scenario(tiny);
      expect(tooSlow).toBeGreaterThan(0);
    } finally {
      await tiny.close();
    }
  }, 60_000);

  async function scenario(server: TestServer): Promise<{ tooSlow: number }> {
    let tooSlow = 0;
    const merchants = await Promise.all(['North', 'South', 'East'].map((name) => server.createMerchant(name)));
    type Watcher = {
      name: string;
      merchantId: string | undefined;
      statuses: TransactionStatus[] | undefined;
      received: string[];
      errors: SubscriptionError[];
      socket: WebSocket | undefined;
      stop: () => Promise<void>;
      restart: () => void;
    };
    const watchers: Watcher[] = [];
    const start = encodeEventCursor(START_OF_LOG);

    function watch(name: string, key: string, merchantId: string | undefined, statuses?: TransactionStatus[]): Watcher {
      const watcher: Watcher = { name, merchantId, statuses, received: [], errors: [], socket: undefined, stop: async () => undefined, restart: () => undefined };
      const client = testClient(server.url, key, {
        on: {
          connected: (socket) => (watcher.socket = socket as WebSocket),
          closed: (event) => {
            if ((event as { code?: number }).code === 4008) tooSlow += 1;
          },
        },
      });
      let handle = client.transactionEvents({
        after: start,
        ...(statuses ? { statuses } : {}),
        onEvent: (event) => watcher.received.push(event.cursor),
        onError: (error) => watcher.errors.push(error),
      });
      watcher.stop = async () => {
        handle.unsubscribe();
        await client.close();
      };
      // Some watchers also restart from scratch, like a new process resuming from a stored cursor.
      watcher.restart = () => {
        const after = handle.lastCursor ?? start;
        handle.unsubscribe();
        handle = client.transactionEvents({
          after,
          ...(statuses ? { statuses } : {}),
          onEvent: (event) => watcher.received.push(event.cursor),
          onError: (error) => watcher.errors.push(error),
        });
      };
      watchers.push(watcher);
      return watcher;
    }
    for (const [index, merchant] of merchants.entries()) {
      for (let copy = 0; copy < 3; copy += 1) watch(`merchant${index}-${copy}`, merchant.key, merchant.merchantId);
    }
    const filtered = watch('captures-of-merchant0', merchants[0]?.key ?? '', merchants[0]?.merchantId, ['CAPTURED', 'PAID']);
    const admin = watch('admin', server.adminKey, undefined);

    // Concurrent writers: creates (two events per transaction), transitions that keep their transaction
    // open for a while (so commits come out of position order), and rolled-back changes.
    let writing = true;
    let operations = 0;
    const created: { id: string; merchantIndex: number }[] = [];
    const writer = async (seed: number) => {
      let step = seed;
      while (writing) {
        step += 1;
        operations += 1;
        const merchantIndex = step % merchants.length;
        const merchant = merchants[merchantIndex];
        if (!merchant) continue;
        const existing = created.filter((entry) => entry.merchantIndex === merchantIndex);
        const target = existing[Math.floor(Math.random() * existing.length)];
        const choice = Math.random();
        if (choice < 0.35 || !target) {
          const transaction = await createTransaction(server, merchant.merchantId, input());
          created.push({ id: transaction.id, merchantIndex });
        } else if (choice < 0.85) {
          const status = (['CAPTURED', 'PAID', 'CANCELLED', 'REJECTED'] as const)[Math.floor(Math.random() * 4)] ?? 'PAID';
          await server.db.prisma.$transaction(async (tx) => {
            await applyTransition(tx, { transactionId: target.id, target: status, source: 'PROVIDER_NOTIFICATION' });
            await sleep(Math.random() * 40);
          });
        } else {
          await server.db.prisma
            .$transaction(async (tx) => {
              await applyTransition(tx, { transactionId: target.id, target: 'PAID', source: 'SETTLEMENT' });
              await sleep(Math.random() * 20);
              throw new Error('rolled back on purpose');
            })
            .catch(() => undefined);
        }
      }
    };
    // Meanwhile, connections drop (abruptly, as networks do) and some subscribers start over from their cursor.
    let drops = 0;
    let restarts = 0;
    const disruptor = async () => {
      while (writing) {
        await sleep(40 + Math.random() * 60);
        const victim = watchers[Math.floor(Math.random() * watchers.length)];
        if (!victim) continue;
        // Two drops, then a restart: both kinds happen however fast the run goes.
        if ((drops + restarts) % 3 !== 2) {
          victim.socket?.terminate();
          drops += 1;
        } else {
          victim.restart();
          restarts += 1;
        }
      }
    };
    const running = Promise.all([writer(0), writer(1), writer(2), writer(3), disruptor()]);
    // Bounded by work done and disruptions made, not by time (the machine is shared), with a time cap.
    const deadline = Date.now() + 15_000;
    await waitFor(() => (operations >= 160 && drops > 5 && restarts > 1) || Date.now() > deadline, 'the writers', 20_000);
    writing = false;
    await running;

    // One last change per merchant as the marker (merchant 0's a capture, which its filtered watcher follows): streams
    // deliver in log order, so a duplicate or a stray event arrives before the marker, and no pause is needed.
    for (const merchant of merchants) {
      const marker = await createTransaction(server, merchant.merchantId, input());
      if (merchant === merchants[0]) await transition(server.db, { transactionId: marker.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    }

    const expected = new Map<Watcher, string[]>();
    const logs = await Promise.all(merchants.map((merchant) => logCursors(server.db, merchant.merchantId)));
    const filteredLog = (
      await server.db.prisma.transactionEvent.findMany({
        where: { merchantId: merchants[0]?.merchantId, status: { in: ['CAPTURED', 'PAID'] } },
        orderBy: [{ txid: 'asc' }, { id: 'asc' }],
        select: { txid: true, id: true },
      })
    ).map((row) => encodeEventCursor(row));
    for (const watcher of watchers) {
      if (watcher === admin) expected.set(watcher, await logCursors(server.db));
      else if (watcher === filtered) expected.set(watcher, filteredLog);
      else expected.set(watcher, logs[merchants.findIndex((merchant) => merchant.merchantId === watcher.merchantId)] ?? []);
    }
    await waitFor(
      () => watchers.every((watcher) => watcher.received.includes(expected.get(watcher)?.at(-1) ?? '')),
      'every watcher to receive the marker',
      20_000,
    );
    for (const watcher of watchers) {
      expect(watcher.errors, watcher.name).toEqual([]);
      expect(watcher.received, watcher.name).toEqual(expected.get(watcher));
    }
    // The run exercised what it claims to.
    expect(drops).toBeGreaterThan(5);
    expect(restarts).toBeGreaterThan(1);
    expect(logs.every((log) => log.length > 20)).toBe(true);
    expect(filteredLog.length).toBeGreaterThan(0);
    await Promise.all(watchers.map((watcher) => watcher.stop()));
    return { tooSlow };
  }
});
