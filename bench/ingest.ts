/**
 * Notification ingestion throughput and latency, both endpoints, at concurrency 1, 8 and 64, against
 * PostgreSQL, beside a baseline measured in the same run: the same number of bare single-row UPDATE
 * transactions (BEGIN; UPDATE transactions ... WHERE id = $1; COMMIT) through the same pool.
 * Each notification is a fresh, valid capture of its own transaction: verify, inbox, row lock, transition,
 * history row, commit, acknowledge. Signing happens before the clock starts (it is the sender's cost).
 *
 *   npm run bench:ingest            (DATABASE_URL defaults to postgresql://postgres@127.0.0.1:5432/test)
 *   BENCH_SCALE=0.5 npm run bench:ingest   fewer notifications per level
 */
import { recordServerMemory } from './support/server-memory.ts';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { seedTransactions } from '../src/db/sql/seed.ts';
import { encodeGlobalId } from '../src/domain/ids.ts';
import { generateRsaKeyPair, signAlipay, signEvent } from '../src/domain/signatures.ts';
import { createApp } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { createMerchant } from '../src/services/merchants.ts';
import type { PreparedRequest, SenderJob, SenderResult } from './ingest-sender.ts';
import { latencySummary, round, runConcurrent, writeBenchResult, type BenchRow } from './lib.ts';

process.env['DATABASE_URL'] ||= 'postgresql://postgres@127.0.0.1:5432/test';
// Imported only now: the module reads DATABASE_URL when it loads (a static import would be evaluated first).
const { createTestDatabase } = await import('../test/support/database.ts');
const SCALE = Number(process.env['BENCH_SCALE'] ?? 1);
const POOL_SIZE = 10;
const LEVELS: { concurrency: number; count: number }[] = [
  { concurrency: 1, count: Math.round(400 * SCALE) },
  { concurrency: 8, count: Math.round(2000 * SCALE) },
  { concurrency: 64, count: Math.round(6000 * SCALE) },
];
const key = { keyId: 'bench', secret: randomBytes(24).toString('hex') };
const alipayKeys = generateRsaKeyPair();

const db = await createTestDatabase({ poolSize: POOL_SIZE });
if (db.kind !== 'postgresql') throw new Error('bench:ingest measures PostgreSQL; set DATABASE_URL');
const config = loadConfig({
  NODE_ENV: 'production',
  SANDBOX_IN_PRODUCTION: 'true',
  LOG_LEVEL: 'silent',
  DATABASE_POOL_SIZE: String(POOL_SIZE),
  DATA_DIR: mkdtempSync(join(tmpdir(), 'paystream-bench-')),
  NOTIFICATION_KEYS: `${key.keyId}:${key.secret}`,
  ALIPAY_PUBLIC_KEY: alipayKeys.publicKeyPem,
});
const app = createApp({ config, db, logger: createLogger('silent') });
const port = await app.listen(0, '127.0.0.1');
const { merchant } = await createMerchant(db, 'Bench');

/** REDIRECTED transactions (CREATED and REDIRECTED in their history), seeded in bulk: their creation is not measured here. */
function redirectedTransactions(count: number): Promise<string[]> {
  return seedTransactions(
    db.sql,
    Array.from({ length: count }, () => ({ merchantId: merchant.id, amountMinor: 1999n, history: [{ status: 'REDIRECTED' as const }] })),
  );
}

type Prepared = PreparedRequest;

function signedEvent(transactionId: string): Prepared {
  const body = Buffer.from(
    JSON.stringify({
      id: `evt_${randomBytes(10).toString('hex')}`,
      type: 'payment.captured',
      created: new Date().toISOString(),
      payment: { id: encodeGlobalId('Transaction', transactionId), status: 'CAPTURED', providerReference: 'psp-1', amount: { value: '19.99', currency: 'EUR' } },
    }),
  );
  // Signed with a timestamp a little in the future of "now": the whole run stays inside the 5-minute window.
  const timestamp = Math.floor(Date.now() / 1000) + 60;
  return {
    path: '/notifications/events',
    headers: { 'content-type': 'application/json', 'x-key-id': key.keyId, 'x-timestamp': String(timestamp), 'x-signature': signEvent(key.secret, timestamp, body) },
    body,
  };
}

function alipayNotification(transactionId: string): Prepared {
  const params: Record<string, string> = {
    notify_time: '2026-11-26 12:00:00',
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    out_trade_no: transactionId,
    trade_no: `2026${randomBytes(8).toString('hex')}`,
    trade_status: 'TRADE_SUCCESS',
    total_fee: '19.99',
    currency: 'EUR',
  };
  const signed = { ...params, sign_type: 'RSA2', sign: signAlipay(params, alipayKeys.privateKeyPem) };
  return {
    path: '/notifications/alipay',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(new URLSearchParams(signed).toString()),
  };
}

// The senders run in a worker thread, like the remote systems they stand for. A worker does not inherit tsx's
// loader, so a small bootstrap registers it before importing the TypeScript module.
const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};
register();
await import(${JSON.stringify(new URL('./ingest-sender.ts', import.meta.url).href)});`;
const sender = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`));

function send(job: SenderJob): Promise<SenderResult> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    sender.once('error', onError);
    sender.once('message', (result: SenderResult) => {
      sender.off('error', onError);
      resolve(result);
    });
    sender.postMessage(job);
  });
}

type Slice = { latenciesMs: number[]; elapsedMs: number };

async function ingestSlice(kind: 'events' | 'alipay', concurrency: number, count: number): Promise<Slice> {
  const prepare = kind === 'events' ? signedEvent : alipayNotification;
  const ids = await redirectedTransactions(count);
  const requests = ids.map(prepare);
  const run = await send({ port, concurrency, requests });
  if (run.failures.length > 0) throw new Error(`${kind} c=${concurrency}: ${run.failures.join('; ')}`);
  const applied = await db.prisma.notification.count({ where: { transactionId: { in: ids }, outcome: 'APPLIED' } });
  if (applied !== count) throw new Error(`${kind} c=${concurrency}: ${applied} of ${count} applied`);
  return { latenciesMs: run.latenciesMs, elapsedMs: (count / run.perSecond) * 1000 };
}

async function baselineSlice(concurrency: number, count: number): Promise<Slice> {
  const ids = await redirectedTransactions(count);
  const run = await runConcurrent(count, concurrency, async (index) => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('UPDATE transactions SET updated_at = now() WHERE id = $1', [ids[index]]);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  });
  return { latenciesMs: run.latenciesMs, elapsedMs: run.elapsedMs };
}

function summarise(slices: Slice[]) {
  const latencies = slices.flatMap((slice) => slice.latenciesMs);
  const elapsedMs = slices.reduce((sum, slice) => sum + slice.elapsedMs, 0);
  return { perSecond: (latencies.length / elapsedMs) * 1000, ...latencySummary(latencies) };
}

// The machine is shared and its load drifts: each level alternates short slices of the baseline and both
// endpoints, so drift affects all three alike, and each figure aggregates its slices.
const ROUNDS = 6;
const KINDS = ['baseline', 'events', 'alipay'] as const;

const rows: BenchRow[] = [];
const started = performance.now();
try {
  // Warm-up: connections, prepared statements, JIT.
  await send({ port, concurrency: 4, requests: (await redirectedTransactions(40)).map(signedEvent) });
  await send({ port, concurrency: 4, requests: (await redirectedTransactions(40)).map(alipayNotification) });
  await baselineSlice(4, 40);
  for (const { concurrency, count } of LEVELS) {
    const slices: Record<(typeof KINDS)[number], Slice[]> = { baseline: [], events: [], alipay: [] };
    const perRound = Math.max(1, Math.round(count / ROUNDS));
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotating the order as well, so no kind always runs first after the previous level.
      for (const kind of [...KINDS.slice(round % 3), ...KINDS.slice(0, round % 3)]) {
        slices[kind].push(kind === 'baseline' ? await baselineSlice(concurrency, perRound) : await ingestSlice(kind, concurrency, perRound));
      }
    }
    const baseline = summarise(slices.baseline);
    for (const kind of ['events', 'alipay'] as const) {
      const result = summarise(slices[kind]);
      const label = kind === 'events' ? 'POST /notifications/events' : 'POST /notifications/alipay';
      const share = result.perSecond / baseline.perSecond;
      const total = perRound * ROUNDS;
      rows.push(
        {
          figure: `${label} c=${concurrency} (${total}) throughput`,
          value: result.perSecond,
          unit: 'notifications/s',
          baseline: `bare UPDATE transactions c=${concurrency}`,
          baselineValue: baseline.perSecond,
          ...(concurrency === 64 ? { target: '>= 50% of baseline', pass: share >= 0.5 } : {}),
        },
        { figure: `${label} c=${concurrency} p50`, value: result.p50, unit: 'ms', baseline: `bare UPDATE c=${concurrency} p50`, baselineValue: baseline.p50 },
        { figure: `${label} c=${concurrency} p99`, value: result.p99, unit: 'ms', baseline: `bare UPDATE c=${concurrency} p99`, baselineValue: baseline.p99 },
      );
      console.log(
        `${label} c=${concurrency}: ${round(result.perSecond)}/s (${round(share * 100, 0)}% of baseline ${round(baseline.perSecond)}/s), ` +
          `p50 ${round(result.p50)} ms (baseline ${round(baseline.p50)}), p99 ${round(result.p99)} ms (baseline ${round(baseline.p99)})`,
      );
    }
  }
} finally {
  await sender.terminate();
  recordServerMemory('paystream (in the benchmark process)', process.pid);
  await app.close();
  await db.drop();
}

writeBenchResult({
  name: 'ingest',
  title: 'Notification ingestion (verify -> inbox -> transition -> commit -> acknowledge) vs bare single-row UPDATE transactions',
  notes: [
    `PostgreSQL pool of ${POOL_SIZE} shared by the server and the baseline; the senders run in a worker thread and post over loopback HTTP keep-alive.`,
    `Run time ${round((performance.now() - started) / 1000, 1)} s.`,
  ],
  rows,
});
