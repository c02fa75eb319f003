/**
 * What the per-request protection costs: the per-API-key rate limit in memory and in Redis, measured
 * against the same app with the limit off, on one database, in one run; and what refusing a query bomb
 * costs against serving a trivial query. `npm run bench:protection`.
 */
import { recordServerMemory } from './support/server-memory.ts';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { createApp, type App } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMerchant } from '../src/services/merchants.ts';
import { createTestDatabase } from '../test/support/database.ts';
import { latencySummary, round, runConcurrent, writeBenchResult, type BenchRow } from './lib.ts';

const REDIS_URL = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1500);
const CONCURRENCY = 16;
const ROUNDS = 2;

process.env['DATABASE_URL'] ||= 'postgresql://postgres@127.0.0.1:5432/test';
const db = await createTestDatabase({ poolSize: 8 });
const prefix = `bench-${randomBytes(4).toString('hex')}:`;
const { secret: key } = await createMerchant(db, 'Bench');

async function start(env: Record<string, string>): Promise<{ app: App; url: string }> {
  const config = loadConfig({ NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true', LOG_LEVEL: 'silent', DATABASE_POOL_SIZE: '8', ...env });
  const app = createApp({ config, db, logger: createLogger('silent') });
  return { app, url: `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}` };
}

const variants = {
  off: await start({ RATE_LIMIT_REQUESTS: '0' }),
  memory: await start({ RATE_LIMIT_REQUESTS: '1000000000' }),
  redis: await start({ RATE_LIMIT_REQUESTS: '1000000000', REDIS_URL, REDIS_KEY_PREFIX: prefix }),
};

const trivial = JSON.stringify({ query: '{ __typename }' });
const bomb = JSON.stringify({ query: `{ transactions { ${'totalCount '.repeat(50_000)} } }` });

async function post(url: string, body: string, expected: number): Promise<void> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  await response.arrayBuffer();
  if (response.status !== expected) throw new Error(`expected ${expected}, got ${response.status}`);
}

const latencies: Record<keyof typeof variants, number[]> = { off: [], memory: [], redis: [] };
const rates: Record<keyof typeof variants, number[]> = { off: [], memory: [], redis: [] };
try {
  for (const { url } of Object.values(variants)) await runConcurrent(200, CONCURRENCY, () => post(url, trivial, 200));
  // Interleaved rounds, so a drift of the machine (other work on it) spreads over all variants alike.
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, { url }] of Object.entries(variants) as [keyof typeof variants, { url: string }][]) {
      const run = await runConcurrent(REQUESTS, CONCURRENCY, () => post(url, trivial, 200));
      latencies[name].push(...run.latenciesMs);
      rates[name].push(run.perSecond);
    }
  }
  const bombRun = await runConcurrent(300, 4, () => post(variants.off.url, bomb, 400));
  const trivialRun = await runConcurrent(300, 4, () => post(variants.off.url, trivial, 200));

  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const off = latencySummary(latencies.off);
  const rows: BenchRow[] = [];
  for (const name of ['memory', 'redis'] as const) {
    const summary = latencySummary(latencies[name]);
    rows.push(
      { figure: `rate limit in ${name}: p50`, value: round(summary.p50), unit: 'ms', baseline: 'limit off p50', baselineValue: round(off.p50) },
      { figure: `rate limit in ${name}: p99`, value: round(summary.p99), unit: 'ms', baseline: 'limit off p99', baselineValue: round(off.p99) },
      { figure: `rate limit in ${name}: throughput`, value: round(mean(rates[name]), 0), unit: 'req/s', baseline: 'limit off', baselineValue: round(mean(rates.off), 0) },
    );
  }
  const bombSummary = latencySummary(bombRun.latenciesMs);
  const trivialSummary = latencySummary(trivialRun.latenciesMs);
  rows.push({
    figure: 'refusing a 50,000-token query bomb (~550 KB): p50',
    value: round(bombSummary.p50),
    unit: 'ms',
    baseline: '{ __typename } p50',
    baselineValue: round(trivialSummary.p50),
  });
  writeBenchResult({
    name: 'protection',
    title: `Protection overhead (${REQUESTS} × ${ROUNDS} requests per variant, ${CONCURRENCY} concurrent, { __typename } with API-key auth)`,
    notes: ['Every request authenticates its API key against PostgreSQL; the rate limit adds one counter update (memory or Redis).'],
    rows,
  });
} finally {
  recordServerMemory('paystream, three variants (in the benchmark process)', process.pid);
  for (const { app } of Object.values(variants)) await app.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await db.drop();
}
