import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import WebSocket from 'ws';
import { TransactionEventsDocument } from '../src/client/operations.ts';
import { signEvent } from '../src/domain/signatures.ts';
import { hashSecret, newSecret } from '../src/services/merchants.ts';
import { createTransaction } from '../src/services/transactions.ts';
import type { TestDatabase } from '../test/support/database.ts';
import { startRedisProcess } from '../test/support/processes.ts';
import { createBenchDatabase } from './harness.ts';
import { startBenchServer, startWriter, type BenchServer, type MemoryFigures, type Writer, type WriterCommand } from './support/ipc.ts';
import { latencySummary, round, writeBenchResult, type BenchRow } from './lib.ts';

/**
 * Live status subscriptions: N graphql-ws subscribers (100, 1,000, 5,000, 10,000), spread over merchants with
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
 * Then the scale-out phase: two Paystream instances on the same PostgreSQL and Redis, BENCH_SCALE_OUT (2,500)
 * subscribers on each, changes ingested through one: latency at each, and every event exactly once on both.
 * Processes: the servers, the sender (bench/support/writer.ts) and this one (the subscribers); loopback only.
 */

/** BENCH_LEVELS=100 for a quick look; the levels by default. */
const LEVELS = (process.env['BENCH_LEVELS'] ?? '100,1000,5000,10000').split(',').filter((level) => level !== '').map(Number);
/** Subscribers on each of two instances in the scale-out phase (BENCH_SCALE_OUT=0 leaves it out). */
const SCALE_OUT_PER_INSTANCE = Number(process.env['BENCH_SCALE_OUT'] ?? 2500);
/** BENCH_SCALE_OUT_LISTEN_B=false: instance B hears of commits only through Redis (and its poll), as behind a pooler. */
const SCALE_OUT_LISTEN_B = process.env['BENCH_SCALE_OUT_LISTEN_B'] !== 'false';
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
  /** The server's CPU time per change in the steady phase (ingestion, relay, execution, every delivery). */
  serverCpuPerChangeMs: number;
  /** Other sessions' write transactions during the steady phase (Paystream only: the bare server has no database). */
  foreignWrites: ForeignWrites | undefined;
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

/** The application_name of the servers' database sessions, so the sampler can tell everyone else's apart. */
const SERVER_APPLICATION_NAME = 'paystream-bench';

/** `samples` 0 with `error`: the sampler could not run, and the shares say nothing. */
type ForeignWrites = { samples: number; openShare: number; longestMs: number; error?: string };

/**
 * While a measurement runs: how often another session on the PostgreSQL cluster (this machine's test suites and
 * other benchmarks) had a write transaction open, and the longest seen. The relay never reads past the oldest write
 * transaction in flight anywhere in the cluster (README, "Live status"), so events committed meanwhile wait for it.
 */
function sampleForeignWrites(databaseUrl: string): { stop(): Promise<ForeignWrites> } {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  const client = new pg.Client({ connectionString: url.toString() });
  let samples = 0;
  let open = 0;
  let longestMs = 0;
  let running = true;
  let error: string | undefined;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ longest: number | null }>(
        `SELECT max(extract(epoch FROM clock_timestamp() - xact_start) * 1000)::float8 AS longest FROM pg_stat_activity
          WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid() AND application_name <> $1`,
        [SERVER_APPLICATION_NAME],
      );
      const longest = rows[0]?.longest ?? null;
      samples += 1;
      if (longest !== null) {
        open += 1;
        longestMs = Math.max(longestMs, longest);
      }
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.catch((failure: unknown) => {
        error = failure instanceof Error ? failure.message : String(failure);
      });
      await client.end().catch(() => undefined);
      return { samples, openShare: samples === 0 ? 0 : open / samples, longestMs, ...(error !== undefined ? { error } : {}) };
    },
  };
}

function describeForeignWrites(writes: ForeignWrites): string {
  if (writes.error !== undefined) return `the sampler of other sessions' write transactions failed after ${writes.samples} samples (${writes.error})`;
  return `another session's write transaction was open in ${round(100 * writes.openShare, 0)}% of ${writes.samples} samples (every 20 ms), the longest ${round(writes.longestMs, 0)} ms; events committed meanwhile wait for it.`;
}

function seededTransactions(level: number, count: number): Seeded[] {
  return Array.from({ length: count }, (_, index) => {
    const uuid = randomUUID();
    return { uuid, globalId: encodeGlobalID('Transaction', uuid), merchant: index % (level / FANOUT) };
  });
}

/** The changes one measurement uses: warm-up and steady phases, then the burst. */
const CHANGES_PER_MEASUREMENT = RATE * (WARMUP_SECONDS + MEASURE_SECONDS) + BURST;

/** Merchants with known keys, and REDIRECTED transactions (with their two events) for every measurement, by subscriber count. */
async function seed(db: TestDatabase, levels: readonly number[]): Promise<{ secrets: string[]; byLevel: Map<number, Seeded[]>; redirectUrl: string }> {
  const merchants = Math.max(...levels) / FANOUT;
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
  for (const level of new Set(levels)) {
    // A level measured twice (5,000 on one instance, then 2 x 2,500) takes fresh transactions the second time.
    const measurements = levels.filter((other) => other === level).length;
    const seeded = seededTransactions(level, CHANGES_PER_MEASUREMENT * measurements);
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

async function measureLevel(
  writer: Writer,
  target: Target,
  level: number,
  transactions: Seeded[],
  phase: Phase,
  databaseUrl?: string,
): Promise<LevelFigures> {
  const sentAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  const receivedIds: string[] = [];
  const receivedAts: number[] = [];
  let errors = 0;

  // A few subscriptions first, so one-time costs (code compiled on first use, caches) are not counted per subscription.
  await connectAndClose(target, 2 * FANOUT);
  const memoryBefore: MemoryFigures = await target.server.memory();
  const clients = await connectSubscribers(target.server.url, level, (index) => target.key(index % (level / FANOUT)), (_subscriber, id) => {
    receivedIds.push(id);
    receivedAts.push(wallClock());
  }, () => (errors += 1));
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
  const cpuBefore = await target.server.cpuMs();
  const sampler = databaseUrl === undefined ? undefined : sampleForeignWrites(databaseUrl);
  const committedPerSecond = await runChanges(take(steadyChanges), { rate: phase.rate });
  const serverCpuPerChangeMs = ((await target.server.cpuMs()) - cpuBefore) / steadyChanges;
  const foreignWrites = await sampler?.stop();
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
    serverCpuPerChangeMs,
    foreignWrites,
    heapPerSubscription: (memoryIdle.heapUsed + memoryIdle.external - memoryBefore.heapUsed - memoryBefore.external) / level,
    rssPerSubscription: (memoryIdle.rss - memoryBefore.rss) / level,
    missing,
    failed,
    refusals,
  };
}

type InstanceFigures = {
  latency: { p50: number; p99: number; mean: number };
  fromCommit: { p50: number; p99: number; mean: number };
  /** Deliveries due to this instance's subscribers (every change of their merchant, every phase). */
  expected: number;
  missing: number;
  /** Deliveries of a change a subscriber had already received. */
  duplicates: number;
  subscriptionErrors: number;
  /** This instance's CPU time per change in the steady phase (B: no ingestion, only the relay and deliveries). */
  serverCpuPerChangeMs: number;
};

type ScaleOutFigures = { ingesting: InstanceFigures; other: InstanceFigures; failed: number; refusals: string[]; foreignWrites: ForeignWrites };

/**
 * Two instances on one PostgreSQL and one Redis, `perInstance` subscribers on each (FANOUT / 2 of every merchant's on
 * each), changes POSTed to the first: latency at each instance's subscribers, and whether every subscriber received
 * every change of its merchant exactly once.
 */
async function measureScaleOut(
  writer: Writer,
  instances: { ingesting: BenchServer; other: BenchServer },
  perInstance: number,
  key: (merchant: number) => string,
  command: (changes: Seeded[]) => Omit<WriterCommand, 'type' | 'rate' | 'concurrency'>,
  transactions: Seeded[],
  databaseUrl: string,
): Promise<ScaleOutFigures> {
  const merchants = (2 * perInstance) / FANOUT;
  const sentAt = new Map<string, number>();
  const committedAt = new Map<string, number>();
  const sides = (['ingesting', 'other'] as const).map((name) => ({
    name,
    server: instances[name],
    receivedIds: [] as string[],
    receivedAts: [] as number[],
    seen: Array.from({ length: perInstance }, () => new Set<string>()),
    duplicates: 0,
    errors: 0,
    clients: [] as Client[],
  }));
  for (const side of sides) {
    side.clients = await connectSubscribers(side.server.url, perInstance, (index) => key(index % merchants), (subscriber, id) => {
      const seen = side.seen[subscriber];
      if (seen?.has(id)) side.duplicates += 1;
      seen?.add(id);
      side.receivedIds.push(id);
      side.receivedAts.push(wallClock());
    }, () => (side.errors += 1));
    await waitUntil(async () => (await side.server.attached()) >= perInstance, 60_000);
  }
  const received = () => sides.reduce((sum, side) => sum + side.receivedIds.length, 0);

  let used = 0;
  let failed = 0;
  const refusals: string[] = [];
  const run = async (pacing: { rate: number } | { concurrency: number }, count: number) => {
    const changes = transactions.slice(used, used + count);
    used += count;
    const outcome = await writer.run({ ...command(changes), ...pacing }, (what, id, at) => (what === 'sent' ? sentAt : committedAt).set(id, at));
    failed += outcome.failed;
    refusals.push(...outcome.refusals.slice(0, Math.max(0, 3 - refusals.length)));
    await waitUntil(() => received() >= used * FANOUT, 30_000);
  };

  await run({ rate: RATE }, RATE * WARMUP_SECONDS);
  const steadyFrom = sides.map((side) => side.receivedIds.length);
  const cpuBefore = await Promise.all(sides.map((side) => side.server.cpuMs()));
  const sampler = sampleForeignWrites(databaseUrl);
  await run({ rate: RATE }, RATE * MEASURE_SECONDS);
  const foreignWrites = await sampler.stop();
  const cpuAfter = await Promise.all(sides.map((side) => side.server.cpuMs()));
  const steadyTo = sides.map((side) => side.receivedIds.length);
  await run({ concurrency: BURST_CONCURRENCY }, BURST);

  // What each subscriber was due: every change of its merchant.
  const changesPerMerchant = new Map<number, number>();
  for (const change of transactions.splice(0, used)) changesPerMerchant.set(change.merchant, (changesPerMerchant.get(change.merchant) ?? 0) + 1);
  const figures = sides.map((side, index): InstanceFigures => {
    const latencies: number[] = [];
    const fromCommit: number[] = [];
    for (let at = steadyFrom[index] ?? 0; at < (steadyTo[index] ?? 0); at += 1) {
      const id = side.receivedIds[at] ?? '';
      const receivedAt = side.receivedAts[at] ?? 0;
      const sent = sentAt.get(id);
      const committed = committedAt.get(id);
      if (sent !== undefined) latencies.push(receivedAt - sent);
      if (committed !== undefined) fromCommit.push(receivedAt - committed);
    }
    let expected = 0;
    let missing = 0;
    side.seen.forEach((seen, subscriber) => {
      const due = changesPerMerchant.get(subscriber % merchants) ?? 0;
      expected += due;
      missing += Math.max(0, due - seen.size);
    });
    return {
      latency: latencySummary(latencies),
      fromCommit: latencySummary(fromCommit),
      expected,
      missing,
      duplicates: side.duplicates,
      subscriptionErrors: side.errors,
      serverCpuPerChangeMs: ((cpuAfter[index] ?? 0) - (cpuBefore[index] ?? 0)) / (RATE * MEASURE_SECONDS),
    };
  });

  for (const side of sides) {
    await Promise.all(side.clients.map((client) => client.dispose()));
    await waitUntil(async () => (await side.server.attached()) === 0, 60_000);
  }
  const [ingesting, other] = figures as [InstanceFigures, InstanceFigures];
  return { ingesting, other, failed, refusals, foreignWrites };
}

/**
 * `count` graphql-ws subscribers of the merchant client's TransactionEvents operation on `serverUrl`, CONNECT_CONCURRENCY
 * connecting at a time; `onEvent(subscriber index, transaction id)` hears each event as it arrives.
 */
async function connectSubscribers(
  serverUrl: string,
  count: number,
  keyOf: (subscriber: number) => string,
  onEvent: (subscriber: number, transactionId: string) => void,
  onError: () => void,
): Promise<Client[]> {
  const clients: Client[] = [];
  let nextClient = 0;
  const connectWorker = async () => {
    while (nextClient < count) {
      const index = nextClient;
      nextClient += 1;
      await new Promise<void>((resolve) => {
        const client = createClient({
          url: `${serverUrl.replace('http', 'ws')}/graphql`,
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${keyOf(index)}` },
          retryAttempts: 0,
          on: { connected: () => resolve(), closed: () => resolve() },
        });
        clients.push(client);
        client.subscribe<{ transactionEvents: { transaction: { id: string } } }>(
          { query: TransactionEventsDocument.toString(), variables: {} },
          {
            next: (result) => {
              const id = result.data?.transactionEvents.transaction.id;
              if (id !== undefined) onEvent(index, id);
            },
            error: onError,
            complete: () => undefined,
          },
        );
      });
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, connectWorker));
  return clients;
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
  const scaleOutLevel = 2 * SCALE_OUT_PER_INSTANCE;
  const { secrets, byLevel, redirectUrl } = await seed(db, SCALE_OUT_PER_INSTANCE > 0 ? [...LEVELS, scaleOutLevel] : LEVELS);
  const here = import.meta.dirname;
  const notificationKey = { keyId: 'bench', secret: randomBytes(24).toString('base64url') };
  const serverDatabaseUrl = new URL(db.url);
  serverDatabaseUrl.searchParams.set('application_name', SERVER_APPLICATION_NAME);
  const paystreamEnv = {
    DATABASE_URL: serverDatabaseUrl.toString(),
    DATABASE_POOL_SIZE: '10',
    NODE_ENV: 'production',
    SANDBOX_IN_PRODUCTION: 'true',
    LOG_LEVEL: 'warn',
    PORT: '0',
    NOTIFICATION_KEYS: `${notificationKey.keyId}:${notificationKey.secret}`,
    // The benchmark's own load, not abuse: the per-key rate limit stays out of the way.
    RATE_LIMIT_REQUESTS: '0',
  };
  const paystreamServer = await startBenchServer(join(here, 'support', 'paystream-server.ts'), paystreamEnv);
  const bareServer = await startBenchServer(join(here, 'support', 'bare-server.ts'), { BENCH_REDIRECT_URL: redirectUrl });
  const sender = await startWriter(join(here, 'support', 'writer.ts'), {});
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const loadBefore = loadavg()[0] ?? 0;

  /** Signed payment.captured notifications for `changes`, POSTed to the instance at `serverUrl`. */
  const notificationsCommand = (serverUrl: string, changes: Seeded[]): Omit<WriterCommand, 'type' | 'rate' | 'concurrency'> => ({
    mode: 'post',
    url: `${serverUrl}/notifications/events`,
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
  });

  const paystream: Target = {
    name: 'paystream',
    server: paystreamServer,
    key: (merchant) => secrets[merchant] ?? '',
    command: (changes) => notificationsCommand(paystreamServer.url, changes),
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
  const singleInstance = new Map<number, LevelFigures>();
  let singleInstanceOpen = true;
  const notes: string[] = [
    `Subscribers spread over merchants, ${FANOUT} per merchant: each status change reaches ${FANOUT} sockets. Subscription: the merchant client's TransactionEvents operation (event + full transaction).`,
    `Status changes: signed notifications (payment.captured) POSTed to /notifications/events by a sender process, ${RATE}/s for ${MEASURE_SECONDS} s after ${WARMUP_SECONDS} s warm-up, then a burst of ${BURST} with ${BURST_CONCURRENCY} in flight. "latency": from sending the POST; "from ack": from the POST's 200 (sent after the commit), i.e. the subscription system's share. "notifications acknowledged/s" below ${RATE} means the ingestion path saturated and POSTs queued (their wait is in "latency").`,
    'Baseline: bare graphql-ws server, same payload and fan-out, published from memory on a POST by the same sender. Servers, sender and subscribers are separate processes on loopback.',
  ];
  /** Two instances sharing PostgreSQL and a private Redis; changes ingested through the first. */
  async function scaleOut(level: number): Promise<{ rows: BenchRow[]; notes: string[] }> {
    const redis = await startRedisProcess();
    const shared = { ...paystreamEnv, REDIS_URL: redis.url, REDIS_KEY_PREFIX: `bench:${randomBytes(6).toString('hex')}:` };
    const script = join(here, 'support', 'paystream-server.ts');
    const ingesting = await startBenchServer(script, shared);
    const other = await startBenchServer(script, SCALE_OUT_LISTEN_B ? shared : { ...shared, EVENTS_LISTEN: 'false' });
    try {
      const figures = await measureScaleOut(
        sender,
        { ingesting, other },
        SCALE_OUT_PER_INSTANCE,
        (merchant) => secrets[merchant] ?? '',
        (changes) => notificationsCommand(ingesting.url, changes),
        byLevel.get(level) ?? [],
        db.url,
      );
      console.log(`2 instances x ${SCALE_OUT_PER_INSTANCE}: ${JSON.stringify(figures)}`);
      const single = singleInstance.get(level);
      const compared = single
        ? { baseline: `one instance, ${level.toLocaleString('en')} subscribers (same run)`, p50: single.latency.p50, p99: single.latency.p99, ackP99: single.fromCommit.p99 }
        : { baseline: 'instance A, where the changes are ingested', p50: figures.ingesting.latency.p50, p99: figures.ingesting.latency.p99, ackP99: figures.ingesting.fromCommit.p99 };
      const where = `2 instances x ${SCALE_OUT_PER_INSTANCE.toLocaleString('en')} subscribers @${RATE}/s`;
      const rows: BenchRow[] = [
        { figure: `p50 latency from POST, ${where}, at instance B`, value: figures.other.latency.p50, unit: 'ms', baseline: compared.baseline, baselineValue: compared.p50 },
        { figure: `p99 latency from POST, ${where}, at instance B`, value: figures.other.latency.p99, unit: 'ms', baseline: compared.baseline, baselineValue: compared.p99 },
        { figure: `p99 latency from ack, ${where}, at instance B`, value: figures.other.fromCommit.p99, unit: 'ms', baseline: compared.baseline, baselineValue: compared.ackP99 },
        { figure: `p99 latency from POST, ${where}, at instance A (ingesting)`, value: figures.ingesting.latency.p99, unit: 'ms', baseline: compared.baseline, baselineValue: compared.p99 },
        { figure: `server CPU per change, ${where}, instance A (ingests)`, value: figures.ingesting.serverCpuPerChangeMs, unit: 'ms', baseline: 'instance B (relay and deliveries only)', baselineValue: figures.other.serverCpuPerChangeMs },
      ];
      for (const [name, instance] of [['A (ingesting)', figures.ingesting], ['B', figures.other]] as const) {
        rows.push({
          figure: `events delivered exactly once, ${where}, at instance ${name}`,
          value: instance.expected - instance.missing - instance.duplicates,
          unit: `of ${instance.expected}`,
          target: 'every event once, none twice',
          pass: instance.missing === 0 && instance.duplicates === 0 && instance.expected > 0,
        });
      }
      const notes = [
        `Scale-out: two Paystream processes on the same PostgreSQL and a private redis-server (REDIS_URL), ${SCALE_OUT_PER_INSTANCE.toLocaleString('en')} subscribers on each (${FANOUT / 2} of every merchant's ${FANOUT} on each), notifications POSTed to A only, at ${RATE}/s then the burst. Instance B ${SCALE_OUT_LISTEN_B ? 'LISTENs too (the default), so Redis carries hints it also hears from PostgreSQL' : 'does not LISTEN (EVENTS_LISTEN=false): it hears of commits through Redis'}.`,
      ];
      for (const [name, instance] of [['A', figures.ingesting], ['B', figures.other]] as const) {
        if (instance.missing + instance.duplicates + instance.subscriptionErrors > 0) {
          notes.push(`scale-out instance ${name}: ${instance.missing} deliveries missing, ${instance.duplicates} twice, ${instance.subscriptionErrors} subscription errors`);
        }
      }
      notes.push(`scale-out, steady phase: ${describeForeignWrites(figures.foreignWrites)}`);
      if (figures.failed > 0) notes.push(`scale-out: ${figures.failed} POSTs not accepted (first answers: ${figures.refusals.join('; ')})`);
      return { rows, notes };
    } finally {
      await Promise.all([ingesting.close(), other.close()]);
      await redis.stop();
    }
  }

  try {
    for (const level of LEVELS) {
      const transactions = byLevel.get(level) ?? [];
      const ours = await measureLevel(sender, paystream, level, transactions, { rate: RATE, burst: true }, db.url);
      const baseline = await measureLevel(sender, bare, level, seededTransactions(level, CHANGES_PER_MEASUREMENT), { rate: RATE, burst: true });
      singleInstance.set(level, ours);
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
        { figure: `server CPU per change, ${level} subscribers @${RATE}/s`, value: ours.serverCpuPerChangeMs, unit: 'ms', baseline: 'bare graphql-ws', baselineValue: baseline.serverCpuPerChangeMs },
        {
          figure: `memory per idle subscription (heap+external), ${level}`,
          value: ours.heapPerSubscription / 1024,
          unit: 'KB',
          baseline: 'bare graphql-ws',
          baselineValue: baseline.heapPerSubscription / 1024,
          target: '< 25 KB',
          pass: ours.heapPerSubscription < 25 * 1024,
        },
        { figure: `memory per idle subscription (RSS), ${level}`, value: ours.rssPerSubscription / 1024, unit: 'KB', baseline: 'bare graphql-ws', baselineValue: baseline.rssPerSubscription / 1024 },
      );
      if (ours.foreignWrites) notes.push(`paystream, ${level} subscribers, steady phase: ${describeForeignWrites(ours.foreignWrites)}`);
      // The baseline is judged like ours: a POST it did not accept, or a delivery it lost, is reported, never hidden.
      for (const [name, figures] of [['paystream', ours], ['bare graphql-ws', baseline]] as const) {
        if (figures.missing !== 0 || figures.failed !== 0) {
          const why = figures.refusals.length > 0 ? ` (first answers: ${figures.refusals.join('; ')})` : '';
          notes.push(`${name}, ${level} subscribers: ${figures.missing} deliveries missing, ${figures.failed} POSTs not accepted${why}`);
        }
      }
    }
    if (SCALE_OUT_PER_INSTANCE > 0) {
      // The single instance would LISTEN and read the log on every commit too: it goes first.
      singleInstanceOpen = false;
      await paystreamServer.close();
      const figures = await scaleOut(scaleOutLevel);
      rows.push(...figures.rows);
      notes.push(...figures.notes);
    }
  } finally {
    loop.disable();
    await Promise.all([singleInstanceOpen ? paystreamServer.close() : undefined, bareServer.close(), sender.close()]);
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
    cpuPerChangeMs: round(figures.serverCpuPerChangeMs, 3),
    foreignSamples: figures.foreignWrites?.samples ?? 0,
    foreignOpenPercent: round(100 * (figures.foreignWrites?.openShare ?? 0), 0),
    foreignLongestMs: round(figures.foreignWrites?.longestMs ?? 0, 0),
    heapKB: round(figures.heapPerSubscription / 1024),
    rssKB: round(figures.rssPerSubscription / 1024),
    missing: figures.missing,
    failed: figures.failed,
  };
}

await main();
process.exit(0);
