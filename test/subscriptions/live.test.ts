import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CancelTransactionDocument } from '../../src/client/operations.ts';
import type { SubscriptionError, TransactionEventMessage, TransactionMessage } from '../../src/client/merchant-client.ts';
import { revokeApiKey } from '../../src/services/merchants.ts';
import { applyTransition, transition } from '../../src/services/transitions.ts';
import { readCommittedEvents, START_OF_LOG } from '../../src/events/log.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia, logCursors, relayCaughtUp, testClient, waitFor } from '../support/subscriptions.ts';

// Runs on PostgreSQL and on the embedded PGlite (`npm start` defaults): the basics must work on both.

let server: TestServer;
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  acme = await server.createMerchant('Acme');
  globex = await server.createMerchant('Globex');
});
afterAll(() => server?.close());

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1] ?? '';

/**
 * Subscribes and resolves once the subscription is attached (the stream is registered on the server).
 * Without `after` it goes live from the relay's position: first wait for the relay to pass what the
 * test committed before, so "from now" is exact.
 */
async function subscribeEvents(key: string, options: { after?: string; statuses?: TransactionEventMessage['status'][] } = {}) {
  if (options.after === undefined) await relayCaughtUp(server);
  const client = testClient(server.url, key);
  const received: TransactionEventMessage[] = [];
  const errors: SubscriptionError[] = [];
  const before = server.app.events.stats().opened;
  const handle = client.transactionEvents({ ...options, onEvent: (event) => received.push(event), onError: (error) => errors.push(error) });
  await waitFor(() => server.app.events.stats().opened > before || errors.length > 0, 'the subscription to attach');
  return { client, received, errors, handle };
}

describe('transactionEvents over graphql-ws', () => {
  it('delivers each status change of the merchant, committed, in order, with nested fields', async () => {
    const acmeSub = await subscribeEvents(acme.key);
    const globexSub = await subscribeEvents(globex.key);
    const adminSub = await subscribeEvents(server.adminKey);

    const created = await createTransactionVia(server, acme.key);
    const cancelled = await server.execute(CancelTransactionDocument, { id: created.id }, acme.key);
    expect(cancelled.data?.cancelTransaction.__typename).toBe('CancelTransactionSuccess');

    await waitFor(() => acmeSub.received.length >= 3, 'three events for Acme');
    expect(acmeSub.received.map((event) => [event.sequence, event.previousStatus ?? null, event.status, event.source])).toEqual([
      [1, null, 'CREATED', 'MERCHANT_API'],
      [2, 'CREATED', 'REDIRECTED', 'MERCHANT_API'],
      [3, 'REDIRECTED', 'CANCELLED', 'MERCHANT_API'],
    ]);
    // The transaction comes as of each event, not as it is now.
    expect(acmeSub.received.map((event) => event.transaction.status)).toEqual(['CREATED', 'REDIRECTED', 'CANCELLED']);
    expect(acmeSub.received[2]?.transaction).toMatchObject({ id: created.id, amount: { value: '10.00', currency: 'EUR' }, isFinal: true });
    // Cursors are exactly the database's log for this merchant.
    expect(acmeSub.received.map((event) => event.cursor)).toEqual(await logCursors(server.db, acme.merchantId));

    await waitFor(() => adminSub.received.length >= 3, 'ADMIN to see them too');
    expect(adminSub.received.map((event) => event.transaction.id)).toEqual([created.id, created.id, created.id]);
    // Globex's own transaction comes after Acme's in the log: once Globex has it, Acme's would have come first.
    const marker = await createTransactionVia(server, globex.key);
    await waitFor(() => globexSub.received.length >= 2, "Globex's own events");
    expect(globexSub.received.map((event) => [event.transaction.id, event.status])).toEqual([
      [marker.id, 'CREATED'],
      [marker.id, 'REDIRECTED'],
    ]);
    await waitFor(() => adminSub.received.length >= 5, 'ADMIN to see those too');
    expect(adminSub.received.map((event) => event.transaction.id)).toEqual([created.id, created.id, created.id, marker.id, marker.id]);

    await Promise.all([acmeSub.client.close(), globexSub.client.close(), adminSub.client.close()]);
  });

  it('delivers changes from any writer, such as a provider notification applied by the transition service', async () => {
    const created = await createTransactionVia(server, acme.key);
    const sub = await subscribeEvents(acme.key);
    const outcome = await transition(server.db, { transactionId: uuidOf(created.id), target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    expect(outcome.kind).toBe('applied');
    await waitFor(() => sub.received.length >= 1, 'the capture');
    expect(sub.received[0]).toMatchObject({ status: 'CAPTURED', previousStatus: 'REDIRECTED', source: 'PROVIDER_NOTIFICATION' });
    await sub.client.close();
  });

  it('never publishes a change whose transaction rolled back', async () => {
    const rolledBack = await createTransactionVia(server, acme.key);
    const committed = await createTransactionVia(server, acme.key);
    const sub = await subscribeEvents(acme.key);
    await expect(
      server.db.prisma.$transaction(async (tx) => {
        const outcome = await applyTransition(tx, { transactionId: uuidOf(rolledBack.id), target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
        expect(outcome.kind).toBe('applied');
        throw new Error('abort after the event row was written');
      }),
    ).rejects.toThrow('abort');
    await transition(server.db, { transactionId: uuidOf(committed.id), target: 'PAID', source: 'SETTLEMENT' });
    // A later commit as the marker: the stream is in log order, so anything of the rolled-back one comes before it.
    const marker = await createTransactionVia(server, acme.key);
    await waitFor(() => sub.received.length >= 3, 'the committed changes');
    expect(sub.received.map((event) => [event.transaction.id, event.status])).toEqual([
      [committed.id, 'PAID'],
      [marker.id, 'CREATED'],
      [marker.id, 'REDIRECTED'],
    ]);
    await sub.client.close();
  });

  it('filters by status', async () => {
    const sub = await subscribeEvents(acme.key, { statuses: ['CANCELLED'] });
    const created = await createTransactionVia(server, acme.key);
    await server.execute(CancelTransactionDocument, { id: created.id }, acme.key);
    // A second cancellation as the marker: the filtered-out events, or a repeat, would come before it.
    const marker = await createTransactionVia(server, acme.key);
    await server.execute(CancelTransactionDocument, { id: marker.id }, acme.key);
    await waitFor(() => sub.received.length >= 2, 'both cancellations');
    expect(sub.received.map((event) => [event.transaction.id, event.status])).toEqual([
      [created.id, 'CANCELLED'],
      [marker.id, 'CANCELLED'],
    ]);
    await sub.client.close();
  });

  it('with `after`, replays what came after that cursor, then continues live, without gap or duplicate', async () => {
    const merchant = await server.createMerchant('Replay');
    const first = await createTransactionVia(server, merchant.key);
    const second = await createTransactionVia(server, merchant.key);
    const afterCursor = first.events[1]?.cursor;
    expect(afterCursor).toBeDefined();
    const sub = await subscribeEvents(merchant.key, { after: afterCursor ?? '' });
    await waitFor(() => sub.received.length >= 2, 'the replay');
    const third = await createTransactionVia(server, merchant.key);
    // A fourth as the marker: a duplicate at the hand-over from replay to live would come before it.
    const marker = await createTransactionVia(server, merchant.key);
    await waitFor(() => sub.received.length >= 6, 'the live events');
    expect(sub.received.map((event) => [event.transaction.id, event.status])).toEqual([
      [second.id, 'CREATED'],
      [second.id, 'REDIRECTED'],
      [third.id, 'CREATED'],
      [third.id, 'REDIRECTED'],
      [marker.id, 'CREATED'],
      [marker.id, 'REDIRECTED'],
    ]);
    expect(sub.handle.lastCursor).toBe(sub.received[5]?.cursor);
    await sub.client.close();
  });

  it('refuses a malformed cursor and a merchantId from a merchant key with clear errors', async () => {
    const bad = await subscribeEvents(acme.key, { after: 'not-a-cursor' });
    await waitFor(() => bad.errors.length > 0, 'the error');
    expect(bad.errors[0]).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(bad.errors[0]?.message).toMatch(/after: not an event cursor/);
    await bad.client.close();

    const client = testClient(server.url, acme.key);
    const error = await new Promise<unknown>((resolve) => {
      client.graphqlWs.subscribe(
        { query: 'subscription { transactionEvents(merchantId: "TWVyY2hhbnQ6eA==") { cursor } }' },
        { next: (value) => resolve(value), error: resolve, complete: () => undefined },
      );
    });
    expect(JSON.stringify(error)).toMatch(/FORBIDDEN/);
    await client.close();
  });

  it('lets ADMIN follow one merchant', async () => {
    const client = testClient(server.url, server.adminKey);
    const received: [string, string][] = [];
    await relayCaughtUp(server);
    const before = server.app.events.stats().opened;
    client.graphqlWs.subscribe<{ transactionEvents: { status: string; transaction: { id: string } } }>(
      { query: `subscription { transactionEvents(merchantId: "${encodeGlobalID('Merchant', globex.merchantId)}") { status transaction { id } } }` },
      {
        next: (value) => received.push([value.data?.transactionEvents.transaction.id ?? 'error', value.data?.transactionEvents.status ?? 'error']),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await waitFor(() => server.app.events.stats().opened > before, 'the subscription to attach');
    await createTransactionVia(server, acme.key);
    const globexs = await createTransactionVia(server, globex.key);
    // Another of Globex's as the marker: Acme's events, or a repeat, would come before it.
    const marker = await createTransactionVia(server, globex.key);
    await waitFor(() => received.length >= 4, "Globex's events");
    expect(received).toEqual([
      [globexs.id, 'CREATED'],
      [globexs.id, 'REDIRECTED'],
      [marker.id, 'CREATED'],
      [marker.id, 'REDIRECTED'],
    ]);
    await client.close();
  });
});

describe('the first subscriber of an instance that had none', () => {
  // Without subscribers the relay reads nothing on commit, and here its poll is a minute away: the replay and
  // the catch-up of "from now" must still be exact, and commits after the attach must wake it again.
  let quiet: TestServer;
  beforeAll(async () => {
    quiet = await startTestServer({ EVENTS_POLL_INTERVAL_MS: '60000' });
  });
  afterAll(() => quiet?.close());

  async function attach(key: string, after?: string) {
    const client = testClient(quiet.url, key);
    const received: TransactionEventMessage[] = [];
    const before = quiet.app.events.stats().opened;
    client.transactionEvents({ ...(after !== undefined ? { after } : {}), onEvent: (event) => received.push(event) });
    await waitFor(() => quiet.app.events.stats().opened > before, 'the subscription to attach');
    return { client, received };
  }

  const published = async () => (await quiet.app.metrics.eventsPublished.get()).values.find((sample) => sample.labels['transport'] === 'memory')?.value ?? 0;

  it('resuming, gets at once what committed while nobody listened, then what follows', async () => {
    const merchant = await quiet.createMerchant('Quiet');
    const before = await published();
    const first = await createTransactionVia(quiet, merchant.key);
    const second = await createTransactionVia(quiet, merchant.key);
    await quiet.app.events.poke();
    // Nobody to give them to: the relay handed out none of them (paystream_events_published_total).
    expect(await published()).toBe(before);
    const sub = await attach(merchant.key, first.events[1]?.cursor);
    // No commit after it to wake the relay: the replay brings these.
    await waitFor(() => sub.received.length >= 2, 'what committed while nobody listened', 5_000);
    const third = await createTransactionVia(quiet, merchant.key);
    await waitFor(() => sub.received.length >= 4, 'the events after the cursor', 5_000);
    expect(sub.received.map((event) => [event.transaction.id, event.status])).toEqual([
      [second.id, 'CREATED'],
      [second.id, 'REDIRECTED'],
      [third.id, 'CREATED'],
      [third.id, 'REDIRECTED'],
    ]);
    expect(sub.received.map((event) => event.cursor)).toEqual((await logCursors(quiet.db, merchant.merchantId)).slice(2));
    // The live ones came from the relay.
    expect(await published()).toBeGreaterThanOrEqual(before + 2);
    await sub.client.close();
  });

  it('from now, starts after what committed while nobody listened', async () => {
    const merchant = await quiet.createMerchant('Quiet from now');
    await createTransactionVia(quiet, merchant.key);
    // PostgreSQL's horizon is cluster-wide: let other test files' open transactions pass this commit first.
    await waitFor(async () => (await readCommittedEvents(quiet.db, { after: START_OF_LOG, limit: 10, merchantId: merchant.merchantId })).length === 2, 'the commit to be readable');
    const sub = await attach(merchant.key);
    const next = await createTransactionVia(quiet, merchant.key);
    await waitFor(() => sub.received.length >= 2, 'the next transaction', 5_000);
    expect(sub.received.map((event) => [event.transaction.id, event.status])).toEqual([
      [next.id, 'CREATED'],
      [next.id, 'REDIRECTED'],
    ]);
    await sub.client.close();
  });
});

describe('transactionUpdated over graphql-ws', () => {
  it('yields the transaction as it is now, then after each status change', async () => {
    const created = await createTransactionVia(server, acme.key);
    const client = testClient(server.url, acme.key);
    const updates: TransactionMessage[] = [];
    await relayCaughtUp(server);
    const before = server.app.events.stats().opened;
    client.transactionUpdated(created.id, { onTransaction: (transaction) => updates.push(transaction) });
    await waitFor(() => updates.length === 1 && server.app.events.stats().opened > before, 'the current state');
    await transition(server.db, { transactionId: uuidOf(created.id), target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    // Another transaction between the two changes: not this subscription's business. The stream is in log order,
    // so the PAID update arriving means its events would have arrived already.
    await createTransactionVia(server, acme.key);
    await transition(server.db, { transactionId: uuidOf(created.id), target: 'PAID', source: 'SETTLEMENT' });
    await waitFor(() => updates.length >= 3, 'the current state and two updates');
    expect(updates.map((transaction) => [transaction.id, transaction.status, transaction.isFinal])).toEqual([
      [created.id, 'REDIRECTED', false],
      [created.id, 'CAPTURED', false],
      [created.id, 'PAID', true],
    ]);
    await client.close();
  });

  it("treats another merchant's transaction exactly like a missing one", async () => {
    const theirs = await createTransactionVia(server, globex.key);
    const missing = encodeGlobalID('Transaction', '00000000-0000-4000-8000-000000000000');
    const client = testClient(server.url, acme.key);
    const errorsFor = (id: string) =>
      new Promise<SubscriptionError>((resolve) => {
        client.transactionUpdated(id, { onTransaction: () => undefined, onError: resolve });
      });
    const [foreign, absent, malformed] = await Promise.all([errorsFor(theirs.id), errorsFor(missing), errorsFor('garbage')]);
    for (const error of [foreign, absent, malformed]) expect({ code: error.code, message: error.message }).toEqual({ code: 'NOT_FOUND', message: 'transaction not found' });
    await client.close();
  });
});

describe('authentication on the WebSocket', () => {
  async function connectRaw(init: Record<string, unknown> | undefined, headers: Record<string, string> = {}) {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', { headers });
    const messages: string[] = [];
    socket.on('message', (data) => messages.push(String(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', ...(init ? { payload: init } : {}) }));
    const closed = await new Promise<{ code: number; reason: string }>((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: String(reason) }));
      socket.once('message', () => {
        socket.close(1000);
      });
    });
    return { closed, messages };
  }

  it('closes with 4401 and a reason for a missing or bad key', async () => {
    for (const init of [undefined, { authorization: 'Bearer psk_definitely_not_a_key_0000000000' }, { authorization: 'Basic abc' }]) {
      const { closed, messages } = await connectRaw(init);
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(/Unauthorized: missing, malformed, unknown or revoked API key/);
      expect(messages).toEqual([]);
    }
  });

  it('accepts the key in connectionParams or in the upgrade request header', async () => {
    expect((await connectRaw({ authorization: `Bearer ${acme.key}` })).messages[0]).toMatch(/connection_ack/);
    expect((await connectRaw(undefined, { authorization: `Bearer ${acme.key}` })).messages[0]).toMatch(/connection_ack/);
  });

  it('ends a WebSocket and an SSE stream once their key is revoked (the WebSocket with 4401), and keeps the others', async () => {
    const victim = await server.createMerchant('Revoked later');
    const keptOpen = await server.createMerchant('Still valid');
    const apiKey = await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: victim.merchantId } });
    const open = async (key: string) => {
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
      await new Promise((resolve) => socket.once('open', resolve));
      const acknowledged = new Promise((resolve) => socket.once('message', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
      await acknowledged;
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { transactionEvents { status } }' } }));
      return { socket, closed };
    };
    const revokedSocket = await open(victim.key);
    const validSocket = await open(keptOpen.key);
    const sse = await fetch(`${server.url}/graphql?query=${encodeURIComponent('subscription { transactionEvents { status } }')}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${victim.key}` },
    });
    expect(sse.status).toBe(200);
    const sseEnded = sse.text().then(
      () => 'ended',
      () => 'ended',
    );

    await revokeApiKey(server.db, apiKey.id);
    // Within the re-check interval (the API-key cache lifetime, 5 s).
    expect(await revokedSocket.closed).toEqual({ code: 4401, reason: 'Unauthorized: the API key was revoked' });
    expect(await sseEnded).toBe('ended');
    expect(validSocket.socket.readyState).toBe(WebSocket.OPEN);
    validSocket.socket.close(1000);
    // And the key no longer opens anything.
    expect((await connectRaw({ authorization: `Bearer ${victim.key}` })).closed.code).toBe(4401);
  }, 15_000);

  it('the merchant client reports the refusal once and does not retry it', async () => {
    const errors: SubscriptionError[] = [];
    let connects = 0;
    const client = testClient(server.url, 'psk_wrong_wrong_wrong_wrong_wrong', { on: { connecting: () => (connects += 1) } });
    const handle = client.transactionEvents({ onEvent: () => undefined, onError: (error) => errors.push(error) });
    await handle.done;
    expect(errors.map((error) => error.code)).toEqual([4401]);
    expect(connects).toBe(1);
    await client.close();
  });
});

describe('transactionEvents over SSE', () => {
  async function openSse(key: string | undefined, query: string) {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { accept: 'text/event-stream', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      signal: controller.signal,
    });
    return { response, controller };
  }

  async function* sseEvents(response: Response): AsyncGenerator<{ event: string; data: string }> {
    const reader = response.body?.getReader();
    if (!reader) return;
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: ?(.*)$/m.exec(block)?.[1];
        if (event) yield { event, data: data ?? '' };
        boundary = buffer.indexOf('\n\n');
      }
    }
  }

  it('streams the merchant events with the Authorization header, and ends with a notice on shutdown', async () => {
    const own = await startTestServer();
    try {
      const merchant = await own.createMerchant('Sse');
      const before = own.app.events.stats().opened;
      const controller = new AbortController();
      const response = await fetch(`${own.url}/graphql?query=${encodeURIComponent('subscription { transactionEvents { status transaction { status } } }')}`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${merchant.key}` },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      await waitFor(() => own.app.events.stats().opened > before, 'the SSE subscription to attach');
      const created = await createTransactionVia(own, merchant.key);
      const received: string[] = [];
      const events = sseEvents(response);
      while (received.length < 2) {
        const { value } = await events.next();
        if (!value) break;
        received.push(value.event === 'next' ? value.data : value.event);
      }
      expect(received.map((data) => JSON.parse(data))).toEqual([
        { data: { transactionEvents: { status: 'CREATED', transaction: { status: 'CREATED' } } } },
        { data: { transactionEvents: { status: 'REDIRECTED', transaction: { status: 'REDIRECTED' } } } },
      ]);
      expect(created.status).toBe('REDIRECTED');
      const closing = own.app.close();
      const tail: { event: string; data: string }[] = [];
      for await (const message of events) tail.push(message);
      await closing;
      expect(tail[0]?.event).toBe('next');
      expect(JSON.parse(tail[0]?.data ?? '{}').errors[0]).toMatchObject({
        message: 'server shutting down: resume with after',
        extensions: { code: 'SERVER_SHUTTING_DOWN' },
      });
      expect(tail.at(-1)?.event).toBe('complete');
    } finally {
      await own.db.drop();
    }
  });

  it('answers 401 without a key', async () => {
    const { response } = await openSse(undefined, 'subscription { transactionEvents { status } }');
    expect(response.status).toBe(401);
    await response.body?.cancel();
  });
});
