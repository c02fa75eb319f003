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
  merchant = await server.createMerchant('Churn');
  liveMerchant = await server.createMerchant('Churn live');
  await createTransaction(server, merchant.merchantId, input());
});
afterAll(() => server?.close());

async function cycles(count: number, concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      // Most replay the log from its start, then go live; every tenth goes live at once and is sent
      // a new event. Either way the first event received proves the subscription was attached.
      const live = next % 10 === 0;
      const client = testClient(server.url, live ? liveMerchant.key : merchant.key);
      let received = 0;
      client.transactionEvents({ ...(live ? {} : { after: encodeEventCursor(START_OF_LOG) }), onEvent: () => (received += 1) });
      if (live) {
        // A live-only subscription sees what commits after it attached, and attaching is not observable
        // from here (other workers attach too): write until one event arrives.
        for (let attempt = 0; attempt < 50 && received === 0; attempt += 1) {
          await createTransaction(server, liveMerchant.merchantId, input());
          await waitFor(() => received > 0, 'an event', 100).catch(() => undefined);
        }
      }
      await waitFor(() => received > 0, 'an event', 5_000);
      await client.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
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

const resourceCount = () => process.getActiveResourcesInfo().filter((type) => type !== 'TTYWrap').length;

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
