import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createRateLimiter } from '../../src/http/rate-limit.ts';
import { createApp, type App } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { postGraphql, request, wsClient, wsExecute, type RawResponse } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const query = { query: '{ __typename }' };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function expectRateLimited(response: RawResponse, windowSeconds: number): void {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(response.json?.errors?.[0]).toMatchObject({
    message: expect.stringMatching(/rate limit exceeded/),
    extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
  });
}

let sharedDb: TestDatabase | undefined;

/** Several app instances on one database, as behind a load balancer. */
async function startInstances(count: number, env: Record<string, string>, logs?: string[]) {
  if (!sharedDb) {
    const db = await createTestDatabase();
    sharedDb = db;
    cleanups.unshift(() => db.drop());
  }
  const db = sharedDb;
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs?.push(chunk.toString());
      done();
    },
  });
  const apps: { app: App; url: string }[] = [];
  for (let index = 0; index < count; index += 1) {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', ...env });
    const app = createApp({ config, db, logger: createLogger(config.logLevel, destination) });
    const port = await app.listen(0, '127.0.0.1');
    apps.push({ app, url: `http://127.0.0.1:${port}` });
  }
  cleanups.push(async () => {
    for (const { app } of apps) await app.close();
  });
  const merchant = await createMerchant(db, 'Busy');
  const other = await createMerchant(db, 'Quiet');
  return { apps, key: merchant.secret, otherKey: other.secret };
}

describe('per-API-key rate limit, in memory', () => {
  // One server for these cases, each with merchants of its own: 3 requests per 2 seconds.
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '2' });
    cleanups.push(() => server.close());
  });

  it('answers 429 with Retry-After and RATE_LIMITED past the limit, per key', async () => {
    const busy = await server.createMerchant('Busy');
    const quiet = await server.createMerchant('Quiet');
    for (let index = 0; index < 3; index += 1) expect((await postGraphql(server.url, query, { key: busy.key })).status).toBe(200);
    expectRateLimited(await postGraphql(server.url, query, { key: busy.key }), 2);
    // Also refused: whatever the operation, before it is parsed.
    expectRateLimited(await postGraphql(server.url, { query: '{ transactions { totalCount } }' }, { key: busy.key }), 2);
    // Another key of another merchant has its own budget.
    expect((await postGraphql(server.url, query, { key: quiet.key })).status).toBe(200);
    const metrics = await request(`${server.url}/metrics`);
    expect(metrics.text).toMatch(/paystream_rate_limited_total\{transport="http"\} 2/);
    expect(metrics.text).toMatch(/paystream_http_requests_total\{method="POST",route="\/graphql",status="429"\} 2/);
  });

  it('counts WebSocket operations too', async () => {
    const merchant = await server.createMerchant('Socket');
    const client = wsClient(server.url, merchant.key);
    try {
      for (let index = 0; index < 3; index += 1) expect((await wsExecute(client, '{ __typename }')).error).toBeUndefined();
      const refused = await wsExecute(client, '{ __typename }');
      expect(JSON.stringify(refused.error)).toMatch(/RATE_LIMITED/);
    } finally {
      await client.dispose();
    }
  });

  it('opens again when the window has passed', async () => {
    const merchant = await server.createMerchant('Patient');
    for (let index = 0; index < 3; index += 1) expect((await postGraphql(server.url, query, { key: merchant.key })).status).toBe(200);
    const refused = await postGraphql(server.url, query, { key: merchant.key });
    expectRateLimited(refused, 2);
    await new Promise((resolve) => setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000 + 100));
    expect((await postGraphql(server.url, query, { key: merchant.key })).status).toBe(200);
  });

  it('RATE_LIMIT_REQUESTS=0 turns it off', async () => {
    const config = loadConfig({ RATE_LIMIT_REQUESTS: '0' });
    const limiter = createRateLimiter({ config, logger: createLogger('silent'), metrics: createMetrics() });
    expect(limiter.backend).toBe('off');
    const decisions = await Promise.all(Array.from({ length: 1_000 }, () => limiter.consume('key')));
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
  });
});

describe('per-API-key rate limit, in Redis', () => {
  it('holds across instances sharing Redis, and keys are namespaced by REDIS_KEY_PREFIX', async () => {
    const prefix = `test-${randomBytes(6).toString('hex')}:`;
    const env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REQUESTS: '4', RATE_LIMIT_WINDOW_SECONDS: '60' };
    const { apps, key, otherKey } = await startInstances(2, env);
    const [first, second] = apps.map((app) => app.url) as [string, string];
    // 4 requests spread over both instances use up the one budget...
    for (const url of [first, second, first, second]) expect((await postGraphql(url, query, { key })).status).toBe(200);
    // ...so the fifth is refused by either.
    expectRateLimited(await postGraphql(first, query, { key }), 60);
    expectRateLimited(await postGraphql(second, query, { key }), 60);
    expect((await postGraphql(second, query, { key: otherKey })).status).toBe(200);

    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBe(2);
      expect(keys.every((name) => name.startsWith(`${prefix}ratelimit:`))).toBe(true);
      // Keyed by the API key's id, never by the secret.
      expect(keys.join(' ')).not.toContain(key);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    const metrics = await request(`${first}/metrics`);
    expect(metrics.text).toMatch(/paystream_redis_up\{client="ratelimit"\} 1/);
  });

  it('keeps serving when Redis is unreachable: each instance limits on its own, with a warning', async () => {
    const logs: string[] = [];
    const env = { REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_REQUESTS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' };
    const { apps, key } = await startInstances(1, env, logs);
    const url = apps[0]?.url ?? '';
    for (let index = 0; index < 3; index += 1) expect((await postGraphql(url, query, { key })).status).toBe(200);
    expectRateLimited(await postGraphql(url, query, { key }), 60);
    const warnings = logs.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40);
    expect(warnings.map((line) => line.msg)).toContain('rate limiter: Redis unavailable, limiting per instance until it is back');
    // Logged once, not once per request or per reconnection attempt.
    expect(warnings.filter((line) => line.msg.startsWith('rate limiter')).length).toBe(1);
    const metrics = await request(`${url}/metrics`);
    expect(metrics.text).toMatch(/paystream_redis_up\{client="ratelimit"\} 0/);
  });
});
