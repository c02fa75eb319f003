import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { START_OF_LOG } from '../../src/events/log.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { testClient, waitFor } from '../support/subscriptions.ts';

// 1,000 connect-subscribe-disconnect cycles must leave nothing behind: no streams, no listeners, no
// sockets, no timers, and no memory beyond noise.

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let server: TestServer;
/** Replaying subscribers read this merchant's two events; live ones get new events of `liveMerchant`. */
let merchant: { merchantId: string; key: string };
let liveMerchant: { merchantId: string; key: string };
const input = () => ({ merchantReference: `o-${Math.random().toString(36).slice(2)}`, amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' });

beforeAll(async () => {
  server = await startTestServer();
  const hub = server.app.events;
  const open = hub.openEventsStream.bind(hub);
  hub.openEventsStream = async (options) => {
    const stream = await open(options);
    if (options.merchantId === liveMerchant.merchantId) liveOpened += 1;
    return stream;
  };
  merchant = await server.createMerchant('Churn');
  liveMerchant = await server.createMerchant('Churn live');
  await createTransaction(server, merchant.merchantId, input());
});
afterAll(() => server?.close());

/** Streams opened for the live merchant: one worker alone opens them, so it knows when its own attached. */
let liveOpened = 0;

async function cycles(count: number, concurrency: number): Promise<void> {
  let next = 0;
  const cycle = async (live: boolean) => {
    const client = testClient(server.url, live ? liveMerchant.key : merchant.key);
    let received = 0;
    // Replaying ones read the log from its start, then go live; live ones start from now and are sent
    // a new event. Either way the first event received proves the subscription was attached.
    client.transactionEvents({ ...(live ? {} : { after: encodeEventCursor(START_OF_LOG) }), onEvent: () => (received += 1) });
    if (live) {
      const opened = liveOpened;
      await waitFor(() => liveOpened > opened, 'a subscription to attach', 5_000);
      await createTransaction(server, liveMerchant.merchantId, input());
    }
    await waitFor(() => received > 0, 'an event', 10_000);
    await client.close();
  };
  const replaying = async () => {
    while (next < count) {
      next += 1;
      await cycle(false);
    }
  };
  // One cycle in ten is a live one, run by a worker of its own beside the replaying ones.
  const live = async () => {
    for (let index = 0; index < count / 10; index += 1) await cycle(true);
  };
  next = count / 10;
  await Promise.all([live(), ...Array.from({ length: concurrency - 1 }, replaying)]);
  await waitFor(() => server.app.events.stats().streams === 0, 'every stream to end', 10_000);
  await waitFor(async () => (await connections()) === 0, 'every socket to close', 10_000);
}

function connections(): Promise<number> {
  return new Promise((resolve, reject) => server.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

async function settledHeap(): Promise<number> {
  for (let round = 0; round < 4; round += 1) {
    collectGarbage();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

/** Handles and timers, minus the database pool's own (its size varies with load: a socket per client, a timer per idle one). */
const resourceCount = () =>
  process.getActiveResourcesInfo().filter((type) => type !== 'TTYWrap').length - server.db.pool.totalCount - server.db.pool.idleCount;

/** Weak references to every server-side stream and socket of the measured cycles: all must be collected. */
function trackServerObjects(): WeakRef<object>[] {
  const refs: WeakRef<object>[] = [];
  const hub = server.app.events;
  const open = hub.openEventsStream.bind(hub);
  hub.openEventsStream = async (options) => {
    const stream = await open(options);
    refs.push(new WeakRef(stream));
    return stream;
  };
  server.app.server.on('connection', (socket) => refs.push(new WeakRef(socket)));
  return refs;
}

it('leaves no streams, listeners, sockets, timers or memory behind after 1,000 cycles', async () => {
  // Warm-up: the first cycles grow the heap by a megabyte or two (compiled code, query plan caches,
  // buffer pools) until it stays flat.
  await cycles(300, 20);
  const stats = server.app.events.stats();
  const poolListeners = server.db.pool.listenerCount('connect') + server.db.pool.listenerCount('error');
  const resources = resourceCount();
  const heapBefore = await settledHeap();

  const tracked = trackServerObjects();
  await cycles(1_000, 20);

  const heapAfter = await settledHeap();
  // Nothing holds on to a finished subscription: its stream and its connection were garbage collected.
  expect(tracked.length).toBeGreaterThanOrEqual(2_000);
  expect(tracked.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  expect(server.app.events.stats()).toEqual({ ...stats, opened: stats.opened + 1_000 });
  expect(server.app.events.stats()).toMatchObject({ streams: 0, merchantsWatched: 0, transactionsWatched: 0 });
  expect(server.db.pool.listenerCount('connect') + server.db.pool.listenerCount('error')).toBe(poolListeners);
  expect(await connections()).toBe(0);
  expect(resourceCount()).toBeLessThanOrEqual(resources + 2);
  const growthPerCycle = (heapAfter - heapBefore) / 1_000;
  // And the heap did not grow with them (noise, after the warm-up, is a couple of KB per cycle at most;
  // a leaked subscription with its connection state would be tens of KB).
  expect(growthPerCycle).toBeLessThan(4_096);
}, 120_000);
