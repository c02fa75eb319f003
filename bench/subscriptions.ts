import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TransactionEventsDocument } from '../src/client/operations.ts';
import { signEvent } from '../src/domain/signatures.ts';
import { hashSecret, newSecret } from '../src/services/merchants.ts';
import { createTransaction } from '../src/services/transactions.ts';
import type { TestDatabase } from '../test/support/database.ts';
import { createBenchDatabase } from './harness.ts';
import { startBenchServer, startWriter, type BenchServer, type MemoryFigures, type Writer, type WriterCommand } from './support/ipc.ts';
import { latencySummary, round, writeBenchResult, type BenchRow } from './lib.ts';

/**
 * Live status subscriptions: N graphql-ws subscribers (100, 1,000, 5,000), spread over merchants with
 * FANOUT subscribers each (a merchant's backend replicas and dashboards), so every status change goes
 * to FANOUT sockets. Measured per N:
 * - end-to-end latency, notification POST sent -> event received by each subscriber, at RATE changes/s
 *   (and from the POST's acknowledgement, i.e. from its commit);
 * - events delivered per second, at that rate and in a burst as fast as notifications are taken;
 * - server memory per idle subscription (heap + external after GC; RSS beside it).
 * Status changes are signed provider notifications (payment.captured) POSTed to /notifications/events:
 * verify -> inbox -> transition -> commit -> acknowledge; NOTIFY -> relay -> subscribers.
 * Baseline in the same run: a bare graphql-ws server (bench/support/bare-server.ts), same payloads and
 * fan-out, published from memory on a POST.
 * Processes: the two servers, the sender (bench/support/writer.ts) and this one (the subscribers);
 * loopback only.
 */

/** BENCH_LEVELS=100 for a quick look; the levels by default. */
const LEVELS = (process.env['BENCH_LEVELS'] ?? '100,1000,5000').split(',').map(Number);
const FANOUT = 10;
const RATE = Number(process.env['BENCH_RATE'] ?? 200);
const WARMUP_SECONDS = 1;
const MEASURE_SECONDS = 4;
const BURST = 600;
const BURST_CONCURRENCY = 16;
const CONNECT_CONCURRENCY = 50;

type Seeded = { uuid: string; globalId: string; merchant: number };

type Target = {
  name: string;
  server: BenchServer;
  /** The connectionParams key of merchant `index`. */
  key(merchant: number): string;
  /** The writer's command for these changes (without pacing). */
  command(changes: Seeded[]): Omit<WriterCommand, 'type' | 'rate' | 'concurrency'>;
};

type Phase = { rate: number; burst: boolean };

type LevelFigures = {
  /** From sending the change's POST to each subscriber. */
  latency: { p50: number; p99: number; mean: number };
  /** From the POST's acknowledgement (sent after the commit) to each subscriber; can be slightly negative. */
  fromCommit: { p50: number; p99: number; mean: number };
  steadyPerSecond: number;
  /** Changes acknowledged per second in the steady phase (below the rate: the ingestion path saturated). */
  committedPerSecond: number;
  burstPerSecond: number;
  heapPerSubscription: number;
  rssPerSubscription: number;
  /** Deliveries that never came, over every phase (warm-up included). */
  missing: number;
  failed: number;
  /** Why the first few POSTs were not accepted. */
  refusals: string[];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const wallClock = () => performance.timeOrigin + performance.now();

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

function seededTransactions(level: number, count: number): Seeded[] {
  return Array.from({ length: count }, (_, index) => {
    const uuid = randomUUID();
    return { uuid, globalId: encodeGlobalID('Transaction', uuid), merchant: index % (level / FANOUT) };
  });
}

/** Merchants with known keys, and REDIRECTED transactions (with their two events) for every phase. */
async function seed(db: TestDatabase): Promise<{ secrets: string[]; byLevel: Map<number, Seeded[]>; redirectUrl: string }> {
  const merchants = Math.max(...LEVELS) / FANOUT;
  const secrets = Array.from({ length: merchants }, () => newSecret());
  const merchantIds = secrets.map(() => randomUUID());
  await db.prisma.merchant.createMany({ data: merchantIds.map((id, index) => ({ id, name: `bench-${index}` })) });
  await db.prisma.apiKey.createMany({
    data: secrets.map((secret, index) => ({ merchantId: merchantIds[index] ?? null, role: 'MERCHANT' as const, prefix: secret.slice(0, 12), secretHash: hashSecret(secret) })),
  });
  // One real transaction, for a realistic redirect URL (the longest field of the payload). Imported only now:
  // test support reads DATABASE_URL when it loads, and createBenchDatabase sets it.
  const { testServiceDeps } = await import('../test/support/server.ts');
  const real = await createTransaction(testServiceDeps(db, { NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true', PORT: '4000' }), merchantIds[0] ?? '', {
    merchantReference: 'bench-real',
    amount: { value: '10.00', currency: 'EUR' },
    returnUrl: 'https://shop.example/return',
  });
  const redirectUrl = real.redirectUrl ?? '';
  const byLevel = new Map<number, Seeded[]>();
  for (const level of LEVELS) {
    const count = RATE * (WARMUP_SECONDS + MEASURE_SECONDS) + BURST;
    const seeded = seededTransactions(level, count);
    const now = new Date();
    await db.prisma.transaction.createMany({
      data: seeded.map((transaction, index) => ({
        id: transaction.uuid,
        merchantId: merchantIds[transaction.merchant] ?? '',
        merchantReference: `bench-${level}-${index}`,
        amountMinor: 1000n,
        currency: 'EUR',
        status: 'REDIRECTED' as const,
        version: 2,
        redirectUrl,
        returnUrl: 'https://shop.example/return',
        createdAt: now,
      })),
    });
    await db.prisma.transactionEvent.createMany({
      data: seeded.flatMap((transaction) => [
        { transactionId: transaction.uuid, merchantId: merchantIds[transaction.merchant] ?? '', sequence: 1, status: 'CREATED' as const, source: 'MERCHANT_API' as const },
        { transactionId: transaction.uuid, merchantId: merchantIds[transaction.merchant] ?? '', sequence: 2, status: 'REDIRECTED' as const, previousStatus: 'CREATED' as const, source: 'MERCHANT_API' as const },
      ]),
    });
    byLevel.set(level, seeded);
  }
  return { secrets, byLevel, redirectUrl };
}

async function measureLevel(writer: Writer, target: Target, level: number, transactions: Seeded[], phase: Phase): Promise<LevelFigures> {
  const sentAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  const receivedIds: string[] = [];
  const receivedAts: number[] = [];
  let errors = 0;

  // A few subscriptions first, so one-time costs (code compiled on first use, caches) are not counted per subscription.
  await connectAndClose(target, 2 * FANOUT);
  const memoryBefore: MemoryFigures = await target.server.memory();
  const clients: Client[] = [];
  let nextClient = 0;
  const connectWorker = async () => {
    while (nextClient < level) {
      const index = nextClient;
      nextClient += 1;
      await new Promise<void>((resolve) => {
        const client = createClient({
          url: `${target.server.url.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${target.key(index % (level / FANOUT))}` },
          retryAttempts: 0,
          on: { connected: () => resolve(), closed: () => resolve() },
        });
        clients.push(client);
        client.subscribe<{ transactionEvents: { transaction: { id: string } } }>(
          { query: TransactionEventsDocument.toString(), variables: {} },
          {
            next: (result) => {
              const id = result.data?.transactionEvents.transaction.id;
              if (id === undefined) return;
              receivedIds.push(id);
              receivedAts.push(wallClock());
            },
            error: () => (errors += 1),
            complete: () => undefined,
          },
        );
      });
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, connectWorker));
  await waitUntil(async () => (await target.server.attached()) >= level, 60_000);
  const memoryIdle = await target.server.memory();

  let used = 0;
  let failed = 0;
  const refusals: string[] = [];
  const take = (count: number) => {
    const taken = transactions.slice(used, used + count);
    used += count;
    return taken;
  };
  const runChanges = async (changes: Seeded[], pacing: { rate: number } | { concurrency: number }): Promise<number> => {
    const started = performance.now();
    const outcome = await writer.run({ ...target.command(changes), ...pacing }, (what, id, at) => (what === 'sent' ? sentAt : committedAt).set(id, at));
    failed += outcome.failed;
    refusals.push(...outcome.refusals.slice(0, Math.max(0, 3 - refusals.length)));
    const elapsed = performance.now() - started;
    await waitUntil(() => receivedIds.length >= used * FANOUT, 30_000);
    return (changes.length / elapsed) * 1000;
  };

  await runChanges(take(phase.rate * WARMUP_SECONDS), { rate: phase.rate });
  const steadyFrom = receivedIds.length;
  const steadyStarted = wallClock();
  const steadyChanges = phase.rate * MEASURE_SECONDS;
  const committedPerSecond = await runChanges(take(steadyChanges), { rate: phase.rate });
  const steadyTo = receivedIds.length;
  const latencies: number[] = [];
  const fromCommit: number[] = [];
  for (let index = steadyFrom; index < steadyTo; index += 1) {
    const id = receivedIds[index] ?? '';
    const receivedAt = receivedAts[index] ?? 0;
    const sent = sentAt.get(id);
    const committed = committedAt.get(id);
    if (sent !== undefined) latencies.push(receivedAt - sent);
    // Can be slightly negative: the event may reach a subscriber before the writer has heard its COMMIT answer.
    if (committed !== undefined) fromCommit.push(receivedAt - committed);
  }
  const steadyPerSecond = ((steadyTo - steadyFrom) / ((receivedAts[steadyTo - 1] ?? steadyStarted) - steadyStarted)) * 1000;

  let burstPerSecond = Number.NaN;
  if (phase.burst) {
    const burstFrom = receivedIds.length;
    const burstStarted = wallClock();
    await runChanges(take(BURST), { concurrency: BURST_CONCURRENCY });
    const burstTo = receivedIds.length;
    burstPerSecond = ((burstTo - burstFrom) / ((receivedAts[burstTo - 1] ?? burstStarted) - burstStarted)) * 1000;
  }
  const missing = used * FANOUT - receivedIds.length;
  transactions.splice(0, used); // consumed: the next phase on this level takes fresh ones

  await Promise.all(clients.map((client) => client.dispose()));
  await waitUntil(async () => (await target.server.attached()) === 0, 60_000);
  if (errors > 0) console.warn(`${target.name} @${level}: ${errors} subscription errors`);

  return {
    latency: latencySummary(latencies),
    fromCommit: latencySummary(fromCommit),
    steadyPerSecond,
    committedPerSecond,
    burstPerSecond,
    heapPerSubscription: (memoryIdle.heapUsed + memoryIdle.external - memoryBefore.heapUsed - memoryBefore.external) / level,
    rssPerSubscription: (memoryIdle.rss - memoryBefore.rss) / level,
    missing,
    failed,
    refusals,
  };
}

async function connectAndClose(target: Target, count: number): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: count }, (_, index) => {
      const client = createClient({
        url: `${target.server.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${target.key(index % FANOUT)}` },
        retryAttempts: 0,
      });
      client.subscribe({ query: TransactionEventsDocument.toString(), variables: {} }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      return client;
    }),
  );
  await waitUntil(async () => (await target.server.attached()) >= count, 30_000);
  await Promise.all(clients.map((client) => client.dispose()));
  await waitUntil(async () => (await target.server.attached()) === 0, 30_000);
}

async function main(): Promise<void> {
  const db = await createBenchDatabase({ poolSize: 4 });
  const { secrets, byLevel, redirectUrl } = await seed(db);
  const here = import.meta.dirname;
  const notificationKey = { keyId: 'bench', secret: randomBytes(24).toString('base64url') };
  const paystreamServer = await startBenchServer(join(here, 'support', 'paystream-server.ts'), {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '10',
    NODE_ENV: 'production',
    SANDBOX_IN_PRODUCTION: 'true',
    LOG_LEVEL: 'warn',
    PORT: '0',
    NOTIFICATION_KEYS: `${notificationKey.keyId}:${notificationKey.secret}`,
    // The benchmark's own load, not abuse: the per-key rate limit stays out of the way.
    RATE_LIMIT_REQUESTS: '0',
  });
  const bareServer = await startBenchServer(join(here, 'support', 'bare-server.ts'), { BENCH_REDIRECT_URL: redirectUrl });
  const sender = await startWriter(join(here, 'support', 'writer.ts'), {});
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const loadBefore = loadavg()[0] ?? 0;

  const paystream: Target = {
    name: 'paystream',
    server: paystreamServer,
    key: (merchant) => secrets[merchant] ?? '',
    command: (changes) => ({
      mode: 'post',
      url: `${paystreamServer.url}/notifications/events`,
      expect: '"outcome":"APPLIED"',
      changes: changes.map((change) => {
        const body = JSON.stringify({
          id: `evt_${randomBytes(10).toString('hex')}`,
          type: 'payment.captured',
          created: new Date().toISOString(),
          payment: { id: change.globalId, status: 'CAPTURED', providerReference: 'bench', amount: { value: '10.00', currency: 'EUR' } },
        });
        // A little in the future: the whole phase stays inside the 5-minute replay window.
        const timestamp = Math.floor(Date.now() / 1000) + 60;
        return {
          ...change,
          body,
          headers: { 'x-key-id': notificationKey.keyId, 'x-timestamp': String(timestamp), 'x-signature': signEvent(notificationKey.secret, timestamp, body) },
        };
      }),
    }),
  };
  const bare: Target = {
    name: 'bare graphql-ws',
    server: bareServer,
    key: (merchant) => `m${merchant}`,
    command: (changes) => ({
      mode: 'post',
      url: `${bareServer.url}/publish`,
      expect: 'ok',
      changes: changes.map((change) => ({ ...change, body: JSON.stringify({ merchant: `m${change.merchant}`, transactionId: change.globalId, sequence: 3 }) })),
    }),
  };

  const rows: BenchRow[] = [];
  const notes: string[] = [
    `Subscribers spread over merchants, ${FANOUT} per merchant: each status change reaches ${FANOUT} sockets. Subscription: the merchant client's TransactionEvents operation (event + full transaction).`,
    `Status changes: signed notifications (payment.captured) POSTed to /notifications/events by a sender process, ${RATE}/s for ${MEASURE_SECONDS} s after ${WARMUP_SECONDS} s warm-up, then a burst of ${BURST} with ${BURST_CONCURRENCY} in flight. "latency": from sending the POST; "from ack": from the POST's 200 (sent after the commit), i.e. the subscription system's share. "notifications acknowledged/s" below ${RATE} means the ingestion path saturated and POSTs queued (their wait is in "latency").`,
    'Baseline: bare graphql-ws server, same payload and fan-out, published from memory on a POST by the same sender. Servers, sender and subscribers are separate processes on loopback.',
  ];
  try {
    for (const level of LEVELS) {
      const transactions = byLevel.get(level) ?? [];
      const ours = await measureLevel(sender, paystream, level, transactions, { rate: RATE, burst: true });
      const baseline = await measureLevel(sender, bare, level, seededTransactions(level, RATE * (WARMUP_SECONDS + MEASURE_SECONDS) + BURST), { rate: RATE, burst: true });
      console.log(`${level} subscribers: paystream ${JSON.stringify(roundAll(ours))}\n  bare ${JSON.stringify(roundAll(baseline))}`);
      rows.push(
        { figure: `p50 latency from POST, ${level} subscribers @${RATE}/s`, value: ours.latency.p50, unit: 'ms', baseline: 'bare graphql-ws', baselineValue: baseline.latency.p50 },
        {
          figure: `p99 latency from POST, ${level} subscribers @${RATE}/s`,
          value: ours.latency.p99,
          unit: 'ms',
          baseline: 'bare graphql-ws',
          baselineValue: baseline.latency.p99,
          ...latencyTarget(level, ours.latency.p99),
        },
        { figure: `p50 latency from ack, ${level} subscribers @${RATE}/s`, value: ours.fromCommit.p50, unit: 'ms', baseline: 'bare graphql-ws', baselineValue: baseline.fromCommit.p50 },
        { figure: `p99 latency from ack, ${level} subscribers @${RATE}/s`, value: ours.fromCommit.p99, unit: 'ms', baseline: 'bare graphql-ws', baselineValue: baseline.fromCommit.p99 },
        { figure: `notifications acknowledged/s, ${level} subscribers, sent ${RATE}/s`, value: ours.committedPerSecond, unit: 'changes/s', baseline: 'bare graphql-ws', baselineValue: baseline.committedPerSecond },
        { figure: `events delivered/s, ${level} subscribers @${RATE}/s`, value: ours.steadyPerSecond, unit: 'events/s', baseline: 'bare graphql-ws', baselineValue: baseline.steadyPerSecond },
        { figure: `events delivered/s, ${level} subscribers, burst`, value: ours.burstPerSecond, unit: 'events/s', baseline: 'bare graphql-ws', baselineValue: baseline.burstPerSecond },
        {
          figure: `memory per idle subscription (heap+external), ${level}`,
          value: ours.heapPerSubscription / 1024,
          unit: 'KB',
          baseline: 'bare graphql-ws',
          baselineValue: baseline.heapPerSubscription / 1024,
          target: '< 50 KB',
          pass: ours.heapPerSubscription < 50 * 1024,
        },
        { figure: `memory per idle subscription (RSS), ${level}`, value: ours.rssPerSubscription / 1024, unit: 'KB', baseline: 'bare graphql-ws', baselineValue: baseline.rssPerSubscription / 1024 },
      );
      // The baseline is judged like ours: a POST it did not accept, or a delivery it lost, is reported, never hidden.
      for (const [name, figures] of [['paystream', ours], ['bare graphql-ws', baseline]] as const) {
        if (figures.missing !== 0 || figures.failed !== 0) {
          const why = figures.refusals.length > 0 ? ` (first answers: ${figures.refusals.join('; ')})` : '';
          notes.push(`${name}, ${level} subscribers: ${figures.missing} deliveries missing, ${figures.failed} POSTs not accepted${why}`);
        }
      }
    }
  } finally {
    loop.disable();
    await Promise.all([paystreamServer.close(), bareServer.close(), sender.close()]);
    await db.drop();
  }
  notes.push(
    `Machine load average (1 min) ${round(loadBefore)} before, ${round(loadavg()[0] ?? 0)} after (2 cores, shared); subscriber process event-loop delay p99 ${round(loop.percentile(99) / 1e6)} ms.`,
  );
  writeBenchResult({ name: 'subscriptions', title: 'Live status subscriptions (graphql-ws)', notes, rows });
}

/** The targets for p99 from the POST: under 20 ms at 1,000 subscribers, under 50 ms at 5,000. */
function latencyTarget(level: number, p99: number): { target: string; pass: boolean } | Record<string, never> {
  const limitMs = level === 1_000 ? 20 : level === 5_000 ? 50 : undefined;
  if (limitMs === undefined) return {};
  return { target: `p99 < ${limitMs} ms at ${level.toLocaleString('en')} subscribers, ${RATE} changes/s`, pass: p99 < limitMs };
}

function roundAll(figures: LevelFigures): Record<string, number> {
  return {
    p50: round(figures.latency.p50),
    p99: round(figures.latency.p99),
    commitP50: round(figures.fromCommit.p50),
    commitP99: round(figures.fromCommit.p99),
    steady: round(figures.steadyPerSecond),
    committed: round(figures.committedPerSecond),
    burst: round(figures.burstPerSecond),
    heapKB: round(figures.heapPerSubscription / 1024),
    rssKB: round(figures.rssPerSubscription / 1024),
    missing: figures.missing,
    failed: figures.failed,
  };
}

await main();
process.exit(0);
