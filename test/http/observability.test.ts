import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createSchema, createYoga } from 'graphql-yoga';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMerchantDocument, TransactionsDocument } from '../../src/client/operations.ts';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { useOperationMetrics } from '../../src/http/plugins/operation-metrics.ts';
import { trackStream } from '../../src/http/track-stream.ts';
import { isLoopback } from '../../src/http/routes/metrics.ts';
import { createApp, type App } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createApiKey, createMerchant } from '../../src/services/merchants.ts';
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { postGraphql, request, wsClient, wsExecute } from '../support/http.ts';
import { waitFor } from '../support/subscriptions.ts';

type LogLine = Record<string, unknown> & { level: number; msg?: string };

let db: TestDatabase;
let app: App;
let url: string;
const logs: string[] = [];
let merchant: { merchantId: string; key: string };
let adminKey: string;

beforeAll(async () => {
  db = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'trace', RATE_LIMIT_REQUESTS: '0' });
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  app = createApp({ config, db, logger: createLogger(config.logLevel, destination), metrics: createMetrics({ maxOperationNames: 20 }) });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
  const created = await createMerchant(db, 'Observed');
  merchant = { merchantId: created.merchant.id, key: created.secret };
  adminKey = (await createApiKey(db, 'ADMIN', null)).secret;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const parsedLogs = (): LogLine[] => logs.map((line) => JSON.parse(line) as LogLine);
const requestLine = (reqId: string) => parsedLogs().find((line) => line.reqId === reqId && line.msg === 'request completed');

describe('structured logs', () => {
  it('one JSON line per request with request id, merchant id, operation name, status and duration', async () => {
    const response = await postGraphql(url, { query: String(TransactionsDocument), variables: { first: 5 }, operationName: 'Transactions' }, { key: merchant.key, headers: { 'x-request-id': 'req-abc.123' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-abc.123');
    expect(requestLine('req-abc.123')).toMatchObject({
      service: 'paystream',
      reqId: 'req-abc.123',
      merchantId: merchant.merchantId,
      operationName: 'Transactions',
      operationType: 'query',
      method: 'POST',
      path: '/graphql',
      status: 200,
      durationMs: expect.any(Number),
    });
  });

  it('names the operation even when the client does not send operationName', async () => {
    await postGraphql(url, { query: 'query Unnamed2 { __typename }' }, { key: merchant.key, headers: { 'x-request-id': 'no-operation-name' } });
    expect(requestLine('no-operation-name')).toMatchObject({ operationName: 'Unnamed2', operationType: 'query' });
  });

  it('one line per WebSocket operation, with the merchant and the operation', async () => {
    const client = wsClient(url, merchant.key);
    try {
      expect((await wsExecute(client, 'query OverSocket { __typename }')).error).toBeUndefined();
    } finally {
      await client.dispose();
    }
    expect(parsedLogs().find((line) => line.msg === 'websocket operation')).toMatchObject({
      transport: 'websocket',
      reqId: expect.any(String),
      merchantId: merchant.merchantId,
      operationName: 'OverSocket',
      operationType: 'query',
    });
  });

  it('an unexpected error is masked for the client and logged in full with its request (HTTP) or connection (WebSocket)', async () => {
    // A real fault: the table the query reads is gone (as after a bad deploy).
    const inlineSecret = `INLINE${randomBytes(8).toString('hex')}`;
    await db.pool.query('ALTER TABLE transactions RENAME TO transactions_moved_away');
    let socketErrors: unknown;
    try {
      // The inline argument stands for a secret typed into a query: it must not reach the logs with the error.
      const response = await postGraphql(url, { query: `query Broken { transactions(first: 1, filter: { merchantReference: "${inlineSecret}" }) { totalCount } }` }, { key: merchant.key, headers: { 'x-request-id': 'req-broken' } });
      expect(response.json?.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
      expect(JSON.stringify(response.json)).not.toContain('transactions_moved_away');
      const client = wsClient(url, merchant.key);
      try {
        socketErrors = (await wsExecute(client, `query BrokenOverSocket { transactions(first: 1, filter: { merchantReference: "${inlineSecret}" }) { totalCount } }`)).results;
      } finally {
        await client.dispose();
      }
    } finally {
      await db.pool.query('ALTER TABLE transactions_moved_away RENAME TO transactions');
    }
    expect(JSON.stringify(socketErrors)).toContain('Unexpected error.');
    expect(JSON.stringify(socketErrors)).not.toContain('transactions_moved_away');

    const maskedLines = parsedLogs().filter((line) => line.msg === 'unexpected error (masked)');
    expect(maskedLines.find((line) => line.reqId === 'req-broken')).toMatchObject({
      level: 50,
      merchantId: merchant.merchantId,
      operationName: 'Broken',
      err: expect.objectContaining({ message: expect.stringContaining('transactions') }),
    });
    const socketLine = parsedLogs().find((line) => line.msg === 'websocket operation' && line.operationName === 'BrokenOverSocket');
    expect(socketLine?.reqId).toEqual(expect.any(String));
    expect(maskedLines.find((line) => line.operationName === 'BrokenOverSocket')).toMatchObject({ reqId: socketLine?.reqId, merchantId: merchant.merchantId });
    // Logged once each, not once per hook that saw the result.
    expect(maskedLines.filter((line) => line.reqId === 'req-broken')).toHaveLength(1);
    expect(maskedLines.filter((line) => line.reqId === socketLine?.reqId)).toHaveLength(1);
    expect(logs.join('\n')).not.toContain(inlineSecret);
  });

  it('an unexpected error before execution (the API-key lookup fails) is masked and logged with its request id', async () => {
    const unseenKey = (await createApiKey(db, 'MERCHANT', merchant.merchantId)).secret; // not in the key cache yet
    await db.pool.query('ALTER TABLE api_keys RENAME TO api_keys_moved_away');
    let response;
    try {
      response = await postGraphql(url, { query: '{ __typename }' }, { key: unseenKey, headers: { 'x-request-id': 'req-no-keys' } });
    } finally {
      await db.pool.query('ALTER TABLE api_keys_moved_away RENAME TO api_keys');
    }
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.json)).toContain('Unexpected error.');
    expect(JSON.stringify(response.json)).not.toContain('api_keys');
    const line = parsedLogs().find((entry) => entry.msg === 'unexpected error (masked)' && entry.reqId === 'req-no-keys');
    expect(line).toMatchObject({ level: 50, err: expect.objectContaining({ message: expect.stringContaining('api_keys') }) });
  });

  it("a notification endpoint's own log lines carry the request id", async () => {
    const response = await request(`${url}/notifications/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-unsigned', 'x-key-id': 'k1', 'x-timestamp': '1700000000', 'x-signature': 'AAAA' },
      body: JSON.stringify({ id: 'evt_unsigned', type: 'payment.captured' }),
    });
    expect(response.status).toBe(401);
    expect(parsedLogs().find((line) => line.msg === 'notification refused' && line.reqId === 'req-unsigned')).toMatchObject({ level: 40, sender: 'SIGNED_EVENT' });
  });

  it('replaces a malformed X-Request-Id with a generated one', async () => {
    for (const hostile of ['has space', 'x'.repeat(200), '{"level":60}', 'a\u00e9b']) {
      const response = await request(`${url}/healthz`, { headers: { 'x-request-id': hostile } });
      const id = response.headers.get('x-request-id') ?? '';
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('never contains an API key, Authorization header, signature, notification body or variables', async () => {
    const marker = `SECRET${randomBytes(8).toString('hex')}`;
    const signature = Buffer.from(`sig-${marker}`).toString('base64');
    const bogusKey = `psk_${marker}${'A'.repeat(20)}`;
    // A merchant secret created (and returned) through the API.
    const created = await postGraphql(url, { query: String(CreateMerchantDocument), variables: { name: 'Logged' } }, { key: adminKey });
    const newSecret = (created.json?.data as { createMerchant: { secret: string } }).createMerchant.secret;
    expect(newSecret).toMatch(/^psk_/);
    // Keys in headers: valid, unknown, malformed; variables carrying the marker; an error carrying it.
    await postGraphql(url, { query: 'query($r: String) { transactions(filter: { merchantReference: $r }) { totalCount } }', variables: { r: marker } }, { key: merchant.key });
    await postGraphql(url, { query: '{ __typename }' }, { key: bogusKey });
    await postGraphql(url, { query: '{ __typename }' }, { headers: { authorization: `Basic ${Buffer.from(`user:${marker}`).toString('base64')}` } });
    await postGraphql(url, { query: `{ nope_${marker} }` }, { key: merchant.key });
    // Notifications (signature-authenticated) with signature headers and bodies.
    const body = JSON.stringify({ id: `evt_${marker}`, type: 'payment.captured', payment: { id: marker } });
    await request(`${url}/notifications/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-key-id': 'k1', 'x-timestamp': '1700000000', 'x-signature': signature },
      body,
    });
    await request(`${url}/notifications/alipay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `notify_id=${marker}&sign=${encodeURIComponent(signature)}&sign_type=RSA2&out_trade_no=${marker}`,
    });
    // And over WebSocket, with a bad key and with a good one.
    for (const socketKey of [bogusKey, merchant.key]) {
      const client = wsClient(url, socketKey);
      await wsExecute(client, `query Socket { transactions(filter: { merchantReference: "${marker}" }) { totalCount } }`);
      await client.dispose();
    }
    // A last request as the marker: once its completion line is logged, the lines of everything above are too.
    const last = `last-${randomBytes(4).toString('hex')}`;
    await request(`${url}/healthz`, { headers: { 'x-request-id': last } });
    await waitFor(() => requestLine(last) !== undefined, 'the last request to be logged');

    const everything = logs.join('\n');
    for (const secret of [merchant.key, adminKey, newSecret, bogusKey, marker, signature, 'Bearer ', 'Basic ']) {
      expect(everything, `log output contains ${secret}`).not.toContain(secret);
    }
    expect(parsedLogs().every((line) => line['service'] === 'paystream')).toBe(true);
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text with HTTP, GraphQL, error, latency and database pool series', async () => {
    await postGraphql(url, { query: String(TransactionsDocument), variables: { first: 1 } }, { key: merchant.key });
    const aliases = Array.from({ length: 20 }, (_, index) => `a${index}: transactions { totalCount }`).join(' ');
    await postGraphql(url, { query: `{ ${aliases} }` }, { key: merchant.key });
    await postGraphql(url, { query: '{ transactions { ' }, { key: merchant.key });
    await request(`${url}/no/such/path/${randomBytes(4).toString('hex')}`);
    const response = await request(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(text).toMatch(/paystream_http_requests_total\{method="POST",route="\/graphql",status="200"\} \d+/);
    expect(text).toMatch(/paystream_http_request_duration_seconds_bucket\{le="0.1",method="POST",route="\/graphql"\} \d+/);
    expect(text).toMatch(/paystream_graphql_operations_total\{operation_type="query",operation_name="Transactions",outcome="success"\} \d+/);
    expect(text).toMatch(/paystream_graphql_operation_duration_seconds_count\{operation_type="query",operation_name="Transactions"\} \d+/);
    expect(text).toMatch(/paystream_graphql_operations_total\{operation_type="query",operation_name="anonymous",outcome="rejected"\} \d+/);
    expect(text).toMatch(/paystream_graphql_errors_total\{code="QUERY_TOO_COMPLEX"\} 1/);
    expect(text).toMatch(/paystream_graphql_errors_total\{code="GRAPHQL_PARSE_FAILED"\} 1/);
    expect(text).toMatch(/paystream_db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/paystream_db_pool_connections\{state="waiting"\} 0/);
    // Paths clients invent never become labels.
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toMatch(/no\/such\/path/);
    // Ingestion and subscriptions series exist before their first sample.
    for (const name of ['paystream_notifications_total', 'paystream_notification_signature_failures_total', 'paystream_subscriptions_open', 'paystream_events_delivered_total', 'paystream_events_published_total']) {
      expect(text).toContain(`# TYPE ${name} `);
    }
  });

  it('bounds the number of operation names kept as labels', async () => {
    for (let index = 0; index < 25; index += 1) {
      await postGraphql(url, { query: `query Name${index} { __typename }` }, { key: merchant.key });
    }
    const text = (await request(`${url}/metrics`)).text;
    const names = new Set([...text.matchAll(/paystream_graphql_operations_total\{[^}]*operation_name="([^"]+)"/g)].map((match) => match[1]));
    // 20 kept names, then "other"; "anonymous" (no name) and "invalid" (not a GraphQL name) come on top.
    expect([...names].filter((name) => !['anonymous', 'invalid'].includes(name ?? '')).length).toBe(21);
    expect(names).toContain('other');
  });

  it('requires METRICS_TOKEN as a bearer token when one is configured', async () => {
    const protectedDb = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', METRICS_TOKEN: 'metrics-token-0123456789' });
    const protectedApp = createApp({ config, db: protectedDb, logger: createLogger('silent') });
    const base = `http://127.0.0.1:${await protectedApp.listen(0, '127.0.0.1')}`;
    try {
      expect((await request(`${base}/metrics`)).status).toBe(401);
      expect((await request(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456788' } })).status).toBe(401);
      expect((await request(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token' } })).status).toBe(401);
      expect((await request(`${base}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status).toBe(200);
    } finally {
      await protectedApp.close();
      await protectedDb.drop();
    }
  });

  it('without a token, answers loopback clients only', () => {
    for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(address)).toBe(true);
    for (const address of [undefined, '10.0.0.1', '192.168.1.1', '::ffff:10.0.0.1', '2001:db8::1', '128.0.0.1']) expect(isLoopback(address)).toBe(false);
  });
});

describe('subscription metrics', () => {
  // The schema has no Subscription type yet (it comes with live updates); the plugin is proven here on
  // a small Yoga schema, through SSE, exactly as it is installed in the app.
  const metrics = createMetrics();
  // What the next subscriber's stream does next: a tick to deliver, or its end.
  const queue: ('tick' | 'end')[] = [];
  let wake: (() => void) | undefined;
  const push = (step: 'tick' | 'end') => {
    queue.push(step);
    wake?.();
  };
  const yoga = createYoga({
    logging: false,
    plugins: [useOperationMetrics(metrics)],
    schema: createSchema({
      typeDefs: 'type Query { ok: Boolean } type Subscription { ticks: Int! }',
      resolvers: {
        Subscription: {
          ticks: {
            subscribe: async function* () {
              let count = 0;
              for (;;) {
                while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
                if (queue.shift() === 'end') return;
                count += 1;
                yield { ticks: count };
              }
            },
          },
        },
      },
    }),
  });
  const value = async (name: string, labels: Record<string, string>) => {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
    return metric?.values.find((sample) => Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected))?.value ?? 0;
  };

  it('counts open subscriptions and delivered events, and forgets a subscription when it ends', async () => {
    const response = await yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Ticks { ticks }' }),
    });
    const reader = response.body?.getReader();
    // The next SSE `data:` frame (Yoga sends `:` keep-alive comments in between).
    const read = async (): Promise<string> => {
      for (;;) {
        const chunk = new TextDecoder().decode((await reader?.read())?.value);
        if (chunk.includes('data:')) return chunk;
      }
    };
    await expect.poll(() => value('paystream_subscriptions_open', { subscription: 'ticks' })).toBe(1);
    push('tick');
    expect(await read()).toMatch(/"ticks":1/);
    push('tick');
    await read();
    expect(await value('paystream_events_delivered_total', { subscription: 'ticks' })).toBe(2);
    push('end');
    await expect.poll(() => value('paystream_subscriptions_open', { subscription: 'ticks' })).toBe(0);
    expect(await value('paystream_graphql_operations_total', { operation_name: 'Ticks', outcome: 'success' })).toBe(1);
  });

  it('forgets a subscription the client cancels', async () => {
    // Over a real socket: the client going away is what cancels the stream.
    const httpServer = createServer(yoga);
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    const controller = new AbortController();
    await fetch(`http://127.0.0.1:${(httpServer.address() as AddressInfo).port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { ticks }' }),
      signal: controller.signal,
    });
    await expect.poll(() => value('paystream_subscriptions_open', { subscription: 'ticks' })).toBe(1);
    controller.abort();
    await expect.poll(() => value('paystream_subscriptions_open', { subscription: 'ticks' })).toBe(0);
    httpServer.closeAllConnections();
    await new Promise((resolve) => httpServer.close(resolve));
  });

  it('trackStream ends exactly once, also when the stream fails', async () => {
    let ends = 0;
    let nexts = 0;
    async function* failing() {
      yield 1;
      throw new Error('boom');
    }
    const tracked = trackStream(failing(), () => (nexts += 1), () => (ends += 1));
    await tracked.next();
    await expect(tracked.next()).rejects.toThrow('boom');
    await tracked.return?.();
    expect({ nexts, ends }).toEqual({ nexts: 1, ends: 1 });
  });
});

describe('health', () => {
  async function appOn(database: Database): Promise<{ base: string; stop: () => Promise<void> }> {
    const unreachableApp = createApp({ config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), db: database, logger: createLogger('silent') });
    const base = `http://127.0.0.1:${await unreachableApp.listen(0, '127.0.0.1')}`;
    return { base, stop: () => unreachableApp.close().then(() => database.close()) };
  }

  it('/healthz is liveness only; /readyz is ready with a migrated database', async () => {
    expect(await request(`${url}/healthz`)).toMatchObject({ status: 200, text: 'ok' });
    expect(await request(`${url}/readyz`)).toMatchObject({ status: 200, json: { status: 'ready', database: 'up', pendingMigrations: [] } });
  });

  it('/readyz is 503 when the database is unreachable, /healthz stays 200', async () => {
    const unreachable = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/none', dataDir: 'memory://', poolSize: 1 });
    const { base, stop } = await appOn(unreachable);
    try {
      expect(await request(`${base}/readyz`)).toMatchObject({ status: 503, json: { status: 'unavailable', database: 'down' } });
      expect((await request(`${base}/healthz`)).status).toBe(200);
    } finally {
      await stop();
    }
  });

  // Not on the embedded database: there the relay's failing reads of the missing tables cost the single
  // pglite-socket connection (known, open). Start-up always migrates first, so `npm start` never gets here.
  it.skipIf(TEST_DATABASE_URL === undefined)('/readyz is 503 listing the migrations not applied yet', async () => {
    let database: Database;
    let dropSchema = async () => {};
    if (TEST_DATABASE_URL === undefined) {
      database = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://', poolSize: 1 });
    } else {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE SCHEMA ${schema}`);
      await admin.end();
      const schemaUrl = new URL(TEST_DATABASE_URL);
      schemaUrl.searchParams.set('schema', schema);
      database = await openDatabase({ databaseUrl: schemaUrl.toString(), dataDir: 'memory://', poolSize: 1 });
      dropSchema = async () => {
        const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await cleanup.connect();
        await cleanup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await cleanup.end();
      };
    }
    const { base, stop } = await appOn(database);
    try {
      const response = await request(`${base}/readyz`);
      expect(response.status).toBe(503);
      expect(response.json).toMatchObject({ status: 'unavailable', database: 'up' });
      expect((response.json as { pendingMigrations: string[] }).pendingMigrations.length).toBeGreaterThan(0);
    } finally {
      await stop();
      await dropSchema();
    }
  });
});
