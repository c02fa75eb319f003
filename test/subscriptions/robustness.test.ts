import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { TransactionEventMessage } from '../../src/client/merchant-client.ts';
import { loadConfig } from '../../src/config.ts';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { START_OF_LOG } from '../../src/events/log.ts';
import { createApp } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { logCursors, testClient, waitFor } from '../support/subscriptions.ts';

const input = () => ({ merchantReference: `o-${Math.random().toString(36).slice(2)}`, amount: { value: '3.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' });

describe('a subscriber that stops reading', () => {
  let server: TestServer;
  beforeAll(async () => {
    // Limits raised: the test's deliberately huge messages (60 aliases) are not what it is about.
    server = await startTestServer({ SUBSCRIPTION_BUFFER_LIMIT: '5', SUBSCRIPTION_KEEPALIVE_MS: '60000', GRAPHQL_MAX_ALIASES: '100', GRAPHQL_MAX_COST: '1000000', GRAPHQL_MAX_TOKENS: '100000' });
  });
  afterAll(() => server?.close());

  it('gets a bounded buffer, then a 4008 close with a reason, and loses nothing by resuming with after', async () => {
    const merchant = await server.createMerchant('Slow');
    let socket: WebSocket | undefined;
    let closed: { code: number; reason: string } | undefined;
    const received: string[] = [];
    const client = createClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${merchant.key}` },
      retryAttempts: 0,
      on: {
        connected: (connected) => (socket = connected as WebSocket),
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          closed = { code, reason: String(reason) };
        },
      },
    });
    // Large messages (one event, the transaction 60 times over), so the socket's kernel buffers fill
    // after a few dozen events and the server's queue for this subscriber starts to grow.
    const aliases = Array.from({ length: 60 }, (_, index) => `copy${index}: transaction { ...Fields }`).join(' ');
    const query = `subscription { transactionEvents(after: "${encodeEventCursor(START_OF_LOG)}") { cursor ${aliases} } }
      fragment Fields on Transaction { id merchantReference amount { value currency minorUnits } status isFinal isCancellable redirectUrl returnUrl createdAt updatedAt }`;
    const opened = server.app.events.stats().opened;
    client.subscribe<{ transactionEvents: { cursor: string } }>(
      { query },
      { next: (value) => value.data && received.push(value.data.transactionEvents.cursor), error: () => undefined, complete: () => undefined },
    );
    await waitFor(() => server.app.events.stats().opened > opened, 'the subscription to attach');
    socket?.pause();

    let written = 0;
    while (server.app.events.stats().streams > 0 && written < 600) {
      await createTransaction(server, merchant.merchantId, input());
      written += 2;
      await server.app.events.poke();
    }
    // The server gave up on it: its stream is gone (so its queue is, too), well before the cap.
    expect(server.app.events.stats().streams).toBe(0);
    expect(written).toBeLessThan(600);

    socket?.resume();
    await waitFor(() => closed !== undefined, 'the close');
    expect(closed).toEqual({ code: 4008, reason: 'subscriber too slow: resume with after' });
    // Some of the events, or none: on a loaded machine the server can fall five behind before the first goes out.
    expect(received.length).toBeLessThan(written);

    // Resuming from the last cursor it got (or where it started): exactly the rest.
    const resumed: TransactionEventMessage[] = [];
    const merchantClient = testClient(server.url, merchant.key);
    merchantClient.transactionEvents({ after: received.at(-1) ?? encodeEventCursor(START_OF_LOG), onEvent: (event) => resumed.push(event) });
    // One more transaction as the marker: a duplicate at the resume would arrive before its events.
    await createTransaction(server, merchant.merchantId, input());
    const log = await logCursors(server.db, merchant.merchantId);
    await waitFor(() => resumed.at(-1)?.cursor === log.at(-1), 'the resumed rest and the marker');
    expect([...received, ...resumed.map((event) => event.cursor)]).toEqual(log);
    await Promise.all([client.dispose(), merchantClient.close()]);
  });
});

describe('keepalive', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ SUBSCRIPTION_KEEPALIVE_MS: '150' });
  });
  afterAll(() => server?.close());

  async function connect(autoPong: boolean) {
    const merchant = await server.createMerchant('Pings');
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { autoPong });
    let pings = 0;
    socket.on('ping', () => (pings += 1));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${merchant.key}` } }));
    return { socket, closed, pings: () => pings };
  }

  it('pings, and drops a peer that stops answering while keeping one that answers', async () => {
    const dead = await connect(false);
    const alive = await connect(true);
    // Terminated (no close frame): 1006 on the client side.
    expect(await dead.closed).toBe(1006);
    // A peer is dropped when its pong does not come back within the interval: three pings answered show it is kept.
    await waitFor(() => alive.pings() >= 3 || alive.socket.readyState !== WebSocket.OPEN, 'three pings to the live peer');
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
    expect(alive.pings()).toBeGreaterThanOrEqual(3);
    alive.socket.close();
  });
});

describe('shutdown', () => {
  it('closes WebSockets with 1012 (service restart), and the merchant client resumes on the next instance without losing anything', async () => {
    const first = await startTestServer();
    const port = Number(new URL(first.url).port);
    const merchant = await first.createMerchant('Restart');
    const closes: number[] = [];
    const received: string[] = [];
    const client = testClient(first.url, merchant.key, {
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    client.transactionEvents({ after: encodeEventCursor(START_OF_LOG), onEvent: (event) => received.push(event.cursor) });
    await createTransaction(first, merchant.merchantId, input());
    await waitFor(() => received.length >= 2, 'the first events');

    const started = performance.now();
    await first.app.close();
    // No lingering: sockets closed cleanly, not by the 5 s fallback.
    expect(performance.now() - started).toBeLessThan(2_000);
    await waitFor(() => closes.length > 0, 'the close');
    expect(closes[0]).toBe(1012);

    // While no instance runs, changes keep being committed (another process writes).
    await createTransaction(first, merchant.merchantId, input());
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const second = createApp({ config, db: first.db, logger: createLogger('silent') });
    await second.listen(port, '127.0.0.1');
    try {
      await createTransaction(first, merchant.merchantId, input());
      expect(await logCursors(first.db, merchant.merchantId)).toHaveLength(6);
      // One more transaction as the marker: a duplicate from the resume would arrive before its events.
      await createTransaction(first, merchant.merchantId, input());
      const log = await logCursors(first.db, merchant.merchantId);
      await waitFor(() => received.at(-1) === log.at(-1), 'the events after the restart and the marker');
      expect(received).toEqual(log);
    } finally {
      await client.close();
      await second.close();
      await first.db.drop();
    }
  });
});
