import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MerchantClient, TransactionEventMessage } from '../../src/client/merchant-client.ts';
import { CancelTransactionDocument, CreateMerchantDocument, CreateTransactionDocument } from '../../src/client/operations.ts';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { START_OF_LOG } from '../../src/events/log.ts';
import type { TypedDocumentString } from '../../src/generated/graphql/graphql.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';
import { startServerProcess, startRedisProcess, type RedisProcess, type ServerProcess } from '../support/processes.ts';
import { startTestServer } from '../support/server.ts';
import { logCursors, sleep, testClient, waitFor } from '../support/subscriptions.ts';

// Two real server processes on one PostgreSQL and one Redis. Instance B does not LISTEN and polls only
// every minute: what it delivers promptly, it heard through Redis. The Redis is a private redis-server,
// so the outage drill can stop and restart it without touching anyone else's.

describe.skipIf(TEST_DATABASE_URL === undefined)('scale-out through Redis, two server processes', () => {
  let db: TestDatabase;
  let redis: RedisProcess;
  let instanceA: ServerProcess;
  let instanceB: ServerProcess;
  let merchantKey: string;
  let merchantId: string;
  const adminKey = `psk_${randomBytes(24).toString('base64url')}`;
  const clients: MerchantClient[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    redis = await startRedisProcess();
    const shared = {
      DATABASE_URL: db.url ?? '',
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:`,
      ADMIN_API_KEY: adminKey,
    };
    [instanceA, instanceB] = await Promise.all([
      startServerProcess(shared),
      startServerProcess({ ...shared, EVENTS_LISTEN: 'false', EVENTS_POLL_INTERVAL_MS: '60000' }),
    ]);
    const created = await graphql(instanceA, CreateMerchantDocument, { name: 'Scaled' }, adminKey);
    const payload = created.createMerchant;
    if (payload.__typename !== 'CreateMerchantSuccess') throw new Error(JSON.stringify(payload));
    merchantKey = payload.secret;
    merchantId = Buffer.from(payload.merchant.id, 'base64').toString('utf8').split(':')[1] ?? '';
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    const codes = await Promise.all([instanceA?.stop(), instanceB?.stop()]);
    await redis?.stop();
    await db?.drop();
    // Both shut down cleanly on SIGTERM.
    expect(codes).toEqual([0, 0]);
  }, 30_000);

  async function graphql<TResult, TVariables>(
    instance: ServerProcess,
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
    key: string,
  ): Promise<TResult> {
    const response = await fetch(`${instance.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
    const body = (await response.json()) as { data?: TResult; errors?: unknown };
    if (!body.data) throw new Error(JSON.stringify(body));
    return body.data;
  }

  async function createVia(instance: ServerProcess): Promise<string> {
    const result = await graphql(
      instance,
      CreateTransactionDocument,
      { input: { merchantReference: `o-${randomBytes(4).toString('hex')}`, amount: { value: '12.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      merchantKey,
    );
    if (result.createTransaction.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
    return result.createTransaction.transaction.id;
  }

  function subscribe(instance: ServerProcess): TransactionEventMessage[] {
    const received: TransactionEventMessage[] = [];
    const client = testClient(instance.url, merchantKey);
    // From the start of the (still empty) log: nothing committed before the subscription attaches is missed.
    client.transactionEvents({ after: encodeEventCursor(START_OF_LOG), onEvent: (event) => received.push(event) });
    clients.push(client);
    return received;
  }

  async function readiness(instance: ServerProcess): Promise<{ events: { listen: string; pubsub: string; redis?: string } }> {
    return (await fetch(`${instance.url}/readyz`)).json() as Promise<{ events: { listen: string; pubsub: string; redis?: string } }>;
  }

  let onA: TransactionEventMessage[];
  let onB: TransactionEventMessage[];

  it('delivers a change applied through instance A to subscribers on instance B, and back', async () => {
    expect((await readiness(instanceA)).events).toMatchObject({ listen: 'up', pubsub: 'redis', redis: 'up' });
    expect((await readiness(instanceB)).events).toMatchObject({ listen: 'off', pubsub: 'redis', redis: 'up' });
    // From the start of the log: whenever they attach, they miss nothing (no pause to let them connect).
    onA = subscribe(instanceA);
    onB = subscribe(instanceB);

    const id = await createVia(instanceA);
    await waitFor(() => onB.length >= 2, 'B to receive what A applied', 5_000);
    const cancelled = await graphql(instanceB, CancelTransactionDocument, { id }, merchantKey);
    expect(cancelled.cancelTransaction.__typename).toBe('CancelTransactionSuccess');
    await waitFor(() => onA.length >= 3 && onB.length >= 3, 'both to receive the cancel applied through B', 5_000);
    const log = await logCursors(db, merchantId);
    expect(onA.map((event) => event.cursor)).toEqual(log);
    expect(onB.map((event) => event.cursor)).toEqual(log);
    expect(onB.map((event) => [event.status, event.transaction.status])).toEqual([
      ['CREATED', 'CREATED'],
      ['REDIRECTED', 'REDIRECTED'],
      ['CANCELLED', 'CANCELLED'],
    ]);
  });

  it('keeps serving each instance from the log while Redis is down, and loses nothing when it returns', async () => {
    await redis.stop();
    await waitFor(async () => (await readiness(instanceA)).events.redis === 'down', 'A to notice', 10_000);
    await waitFor(async () => (await readiness(instanceB)).events.redis === 'down', 'B to notice', 10_000);
    const readyA = await fetch(`${instanceA.url}/readyz`);
    expect(readyA.status).toBe(200); // degraded, not unready

    const before = onA.length;
    await createVia(instanceA);
    // A's own subscribers: unaffected (A hears its commits through LISTEN).
    await waitFor(() => onA.length >= before + 2, "A's subscribers", 5_000);
    // B has no way to hear of it now (no LISTEN, Redis down, next poll in a minute): a delay, not a loss. A window,
    // not a wait for something late: with Redis up, B heard A's changes within milliseconds.
    await sleep(500);
    expect(onB.length).toBe(before);

    await redis.start();
    // Back: B reads the log on reconnecting and delivers what it had not heard of.
    await waitFor(() => onB.length >= before + 2, 'B to catch up after Redis returns', 15_000);
    // Both connected again (a hint published while A's publisher reconnects is dropped: only delayed).
    await waitFor(async () => (await readiness(instanceA)).events.redis === 'up', 'A to reconnect', 10_000);
    await waitFor(async () => (await readiness(instanceB)).events.redis === 'up', 'B to reconnect', 10_000);
    await createVia(instanceA);
    // The last change is the marker: streams deliver in log order, so a duplicate from the catch-up comes before it.
    const log = await logCursors(db, merchantId);
    await waitFor(() => onA.at(-1)?.cursor === log.at(-1) && onB.at(-1)?.cursor === log.at(-1), 'the next change on both', 10_000);
    expect(onA.map((event) => event.cursor)).toEqual(log);
    expect(onB.map((event) => event.cursor)).toEqual(log);
  }, 60_000);
});

describe('without a reachable Redis', () => {
  it('starts, serves its own subscribers from the log, and shows Redis as down', async () => {
    const server = await startTestServer({ REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` });
    try {
      const merchant = await server.createMerchant('Alone');
      const client = testClient(server.url, merchant.key);
      const received: string[] = [];
      client.transactionEvents({ after: encodeEventCursor(START_OF_LOG), onEvent: (event) => received.push(event.status) });
      const created = await server.execute(
        CreateTransactionDocument,
        { input: { merchantReference: 'alone-1', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
        merchant.key,
      );
      expect(created.data?.createTransaction.__typename).toBe('CreateTransactionSuccess');
      await waitFor(() => received.length >= 2, 'the events', 5_000);
      expect(received).toEqual(['CREATED', 'REDIRECTED']);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { events: unknown }).events).toMatchObject({ pubsub: 'redis', redis: 'down', relay: 'running' });
      await client.close();
    } finally {
      await server.close();
    }
  });
});
