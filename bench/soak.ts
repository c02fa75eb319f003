import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { CreateTransactionDocument, TransactionDocument, TransactionEventsDocument, TransactionsDocument } from '../src/client/operations.ts';
import { seedTransactions } from '../src/db/sql/seed.ts';
import { encodeGlobalId } from '../src/domain/ids.ts';
import { signEvent } from '../src/domain/signatures.ts';
import { hashSecret, newSecret } from '../src/services/merchants.ts';
import { createBenchDatabase, graphqlBody } from './harness.ts';
import { round, writeBenchResult, type BenchRow } from './lib.ts';
import { startBenchServer, startWriter, type MemoryFigures, type WriterChange, type WriterCommand } from './support/ipc.ts';

/**
 * Memory under mixed load (#19.5): the real server (bench/support/paystream-server.ts, --expose-gc) with SUBSCRIBERS
 * graphql-ws subscribers (FANOUT per merchant, as bench:subscriptions), while three sender processes
 * (bench/support/writer.ts) send, each at RATE per second, open loop: createTransaction; reads (transaction(id) and
 * transactions(first: 20), alternating); signed payment.captured notifications of seeded REDIRECTED transactions.
 * The run is cut in rounds of ROUND_SECONDS; after each, the server's heap and RSS are read after a forced GC (the
 * same reading as bench:subscriptions' memory per subscription).
 * Leak check: the heap at the end must not exceed the heap at the half-way point (minute 5 of 10) by more than
 * LEAK_TOLERANCE (GC noise); each point is the mean of the readings of the round ending there and its neighbour.
 *
 *   npm run bench:soak                                   10 minutes (the judged run)
 *   BENCH_SOAK_MINUTES=2 BENCH_SOAK_RATE=10 npm run bench:soak   a short look
 */

const MINUTES = Number(process.env['BENCH_SOAK_MINUTES'] ?? 10);
const SUBSCRIBERS = Number(process.env['BENCH_SOAK_SUBSCRIBERS'] ?? 1000);
const RATE = Number(process.env['BENCH_SOAK_RATE'] ?? 20);
const ROUND_SECONDS = Number(process.env['BENCH_SOAK_ROUND_SECONDS'] ?? 30);
const FANOUT = 10;
const CONNECT_CONCURRENCY = 50;
/** Heap growth from the half-way point to the end that still counts as flat: post-GC readings wander by about this. */
const LEAK_TOLERANCE = 0.03;
const MERCHANTS = Math.max(1, Math.ceil(SUBSCRIBERS / FANOUT));
const ROUNDS = Math.max(2, Math.round((MINUTES * 60) / ROUND_SECONDS));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const mib = (bytes: number) => bytes / 2 ** 20;

async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

const db = await createBenchDatabase({ poolSize: 4 });
const here = import.meta.dirname;
const notificationKey = { keyId: 'soak', secret: randomBytes(24).toString('base64url') };

// Merchants with known keys; REDIRECTED transactions for every notification of the run (seeded in bulk).
const secrets = Array.from({ length: MERCHANTS }, () => newSecret());
const merchants = await Promise.all(secrets.map((_, index) => db.prisma.merchant.create({ data: { name: `soak-${index}` }, select: { id: true } })));
await db.prisma.apiKey.createMany({
  data: secrets.map((secret, index) => ({ merchantId: merchants[index]?.id ?? null, role: 'MERCHANT' as const, prefix: secret.slice(0, 12), secretHash: hashSecret(secret) })),
});
const perRound = RATE * ROUND_SECONDS;
const capturable = await seedTransactions(
  db.sql,
  Array.from({ length: perRound * ROUNDS }, (_, index) => ({
    merchantId: merchants[index % MERCHANTS]?.id ?? '',
    amountMinor: 1000n,
    history: [{ status: 'REDIRECTED' as const }],
  })),
);

const server = await startBenchServer(join(here, 'support', 'paystream-server.ts'), {
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
const senders = await Promise.all([0, 1, 2].map(() => startWriter(join(here, 'support', 'writer.ts'), {})));
const [creator, reader, notifier] = senders;
if (!creator || !reader || !notifier) throw new Error('senders did not start');
const loadAtStart = loadavg();

const clients: Client[] = [];
let delivered = 0;
let subscriptionErrors = 0;
try {
  const memoryBefore = await server.memory();
  let nextClient = 0;
  await Promise.all(
    Array.from({ length: CONNECT_CONCURRENCY }, async () => {
      while (nextClient < SUBSCRIBERS) {
        const index = nextClient;
        nextClient += 1;
        await new Promise<void>((resolve) => {
          const client = createClient({
            url: `${server.url.replace('http', 'ws')}/graphql`,
            webSocketImpl: WebSocket,
            connectionParams: { authorization: `Bearer ${secrets[index % MERCHANTS] ?? ''}` },
            retryAttempts: 0,
            on: { connected: () => resolve(), closed: () => resolve() },
          });
          clients.push(client);
          client.subscribe(
            { query: TransactionEventsDocument.toString(), variables: {} },
            { next: () => void (delivered += 1), error: () => void (subscriptionErrors += 1), complete: () => undefined },
          );
        });
      }
    }),
  );
  if (!(await waitUntil(async () => (await server.attached()) >= SUBSCRIBERS, 120_000))) throw new Error(`only ${await server.attached()} of ${SUBSCRIBERS} subscribers attached`);
  const memoryAttached = await server.memory();

  const graphqlChange = (merchant: number, body: string, label: string): WriterChange => ({
    uuid: label,
    globalId: label,
    headers: { authorization: `Bearer ${secrets[merchant] ?? ''}`, accept: 'application/graphql-response+json' },
    body,
  });
  const createChanges = (turn: number): WriterChange[] =>
    Array.from({ length: perRound }, (_, index) => {
      const label = `c-${turn}-${index}`;
      return graphqlChange(
        index % MERCHANTS,
        graphqlBody(CreateTransactionDocument, { input: { merchantReference: `soak-${label}`, amount: { value: '19.99', currency: 'EUR' }, returnUrl: 'https://shop.example/return' } }),
        label,
      );
    });
  // Each read with the key of the merchant whose transaction it is (seeded transaction k is merchant k's).
  const readChanges = (turn: number): WriterChange[] =>
    Array.from({ length: perRound }, (_, index) => {
      const seeded = (turn * perRound + index) % capturable.length;
      const merchant = seeded % MERCHANTS;
      const body =
        index % 2 === 0
          ? graphqlBody(TransactionDocument, { id: encodeGlobalId('Transaction', capturable[seeded] ?? '') })
          : graphqlBody(TransactionsDocument, { first: 20 });
      return graphqlChange(merchant, body, `r-${turn}-${index}`);
    });
  const notificationChanges = (turn: number): WriterChange[] => {
    // Signed a little ahead of now: the round stays inside the 5-minute replay window.
    const timestamp = Math.floor(Date.now() / 1000) + 60;
    return capturable.slice(turn * perRound, (turn + 1) * perRound).map((uuid) => {
      const globalId = encodeGlobalId('Transaction', uuid);
      const body = JSON.stringify({
        id: `evt_${randomBytes(10).toString('hex')}`,
        type: 'payment.captured',
        created: new Date().toISOString(),
        payment: { id: globalId, status: 'CAPTURED', providerReference: 'soak', amount: { value: '10.00', currency: 'EUR' } },
      });
      return { uuid, globalId, body, headers: { 'x-key-id': notificationKey.keyId, 'x-timestamp': String(timestamp), 'x-signature': signEvent(notificationKey.secret, timestamp, body) } };
    });
  };
  const command = (path: string, expect: string, changes: WriterChange[]): Omit<WriterCommand, 'type'> => ({ mode: 'post', url: `${server.url}${path}`, expect, changes, rate: RATE });

  type Reading = MemoryFigures & { atSeconds: number };
  const readings: Reading[] = [];
  let failed = { creates: 0, reads: 0, notifications: 0 };
  const refusals: string[] = [];
  const began = performance.now();
  for (let turn = 0; turn < ROUNDS; turn += 1) {
    const results = await Promise.all([
      creator.run(command('/graphql', 'CreateTransactionSuccess', createChanges(turn)), () => undefined),
      reader.run(command('/graphql', '{"data":{"transaction', readChanges(turn)), () => undefined),
      notifier.run(command('/notifications/events', '"outcome":"APPLIED"', notificationChanges(turn)), () => undefined),
    ]);
    failed = { creates: failed.creates + results[0].failed, reads: failed.reads + results[1].failed, notifications: failed.notifications + results[2].failed };
    for (const outcome of results) if (refusals.length < 5) refusals.push(...outcome.refusals.slice(0, 5 - refusals.length));
    const memory = await server.memory();
    const atSeconds = (performance.now() - began) / 1000;
    readings.push({ ...memory, atSeconds });
    console.log(
      `soak: ${turn + 1}/${ROUNDS} at ${round(atSeconds, 0)} s: heap ${round(mib(memory.heapUsed), 1)} MiB, rss ${round(mib(memory.rss), 1)} MiB, ` +
        `failed ${failed.creates}/${failed.reads}/${failed.notifications}, delivered ${delivered}`,
    );
  }
  // Each end of the comparison: the reading at that point and the one before it (one GC reading wanders).
  const around = (index: number) => {
    const picked = readings.slice(Math.max(0, index - 1), index + 1);
    return picked.reduce((sum, reading) => sum + reading.heapUsed, 0) / picked.length;
  };
  const halfway = Math.floor(ROUNDS / 2) - 1;
  const heapAtHalf = around(halfway);
  const heapAtEnd = around(ROUNDS - 1);
  const growth = heapAtEnd / heapAtHalf - 1;
  const last = readings[readings.length - 1] as Reading;
  const halfMinute = round((readings[halfway]?.atSeconds ?? 0) / 60, 1);
  const endMinute = round(last.atSeconds / 60, 1);
  const sent = ROUNDS * perRound;
  // Each notification's event reaches its merchant's FANOUT subscribers; each create's two events too.
  const expectedDeliveries = (sent - failed.notifications + 2 * (sent - failed.creates)) * FANOUT;
  await waitUntil(() => delivered >= expectedDeliveries, 30_000);
  const leaking = growth > LEAK_TOLERANCE;
  if (leaking) console.error(`soak: LEAK? the heap grew ${round(growth * 100, 1)}% from minute ${halfMinute} to minute ${endMinute}`);

  const rows: BenchRow[] = [
    {
      figure: `server heap after GC at minute ${endMinute}`,
      value: round(mib(heapAtEnd), 1),
      unit: 'MiB',
      baseline: `the same at minute ${halfMinute}`,
      baselineValue: round(mib(heapAtHalf), 1),
      target: `no growth (≤ ${LEAK_TOLERANCE * 100}%: GC noise) from minute ${halfMinute} to ${endMinute}`,
      pass: !leaking,
    },
    {
      figure: `server RSS after the run (${endMinute} min of mixed load, after GC)`,
      value: round(mib(last.rss), 1),
      unit: 'MiB',
      baseline: `RSS with ${SUBSCRIBERS} subscribers attached, before the load`,
      baselineValue: round(mib(memoryAttached.rss), 1),
    },
    {
      figure: `server heap with ${SUBSCRIBERS} subscribers attached, before the load`,
      value: round(mib(memoryAttached.heapUsed), 1),
      unit: 'MiB',
      baseline: 'heap before any subscriber',
      baselineValue: round(mib(memoryBefore.heapUsed), 1),
    },
    {
      figure: 'requests that failed (creates + reads + notifications)',
      value: failed.creates + failed.reads + failed.notifications,
      unit: 'requests',
      baseline: 'requests sent',
      baselineValue: 3 * sent,
    },
    {
      figure: 'subscription deliveries received',
      value: delivered,
      unit: 'events',
      baseline: 'expected (10 per notification, 20 per create)',
      baselineValue: expectedDeliveries,
    },
  ];
  writeBenchResult({
    name: 'soak',
    title: `Memory under ${endMinute} minutes of mixed load with ${SUBSCRIBERS} subscribers (leak check)`,
    notes: [
      `Server: the real app (bench/support/paystream-server.ts) on PostgreSQL, pool 10, started with --expose-gc; heap and RSS are read after a forced GC (4 rounds), once per ${ROUND_SECONDS} s round, with the load paused for the reading.`,
      `Load, open loop, each from a sender process of its own (bench/support/writer.ts), ${RATE}/s each: createTransaction; reads (transaction(id) and transactions(first: 20) with TransactionFields, alternating); signed payment.captured notifications of seeded REDIRECTED transactions. ${SUBSCRIBERS} graphql-ws subscribers to transactionEvents, ${FANOUT} per merchant (${MERCHANTS} merchants).`,
      `Leak check: the mean of the readings at the end (the last two) against the mean at the half-way point (minute ${halfMinute}); growth ${round(growth * 100, 2)}%.`,
      `Heap readings (MiB, minute: heap / rss): ${readings.map((reading) => `${round(reading.atSeconds / 60, 1)}: ${round(mib(reading.heapUsed), 1)} / ${round(mib(reading.rss), 0)}`).join(', ')}.`,
      `Load average at start ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')}, at the end ${loadavg().map((value) => value.toFixed(2)).join(' / ')}; subscription errors: ${subscriptionErrors}.`,
      ...(refusals.length > 0 ? [`First failed requests: ${refusals.join('; ')}`] : []),
    ],
    rows,
  });
} finally {
  await Promise.all(clients.map((client) => client.dispose()));
  await Promise.all(senders.map((sender) => sender.close()));
  await server.close();
  await db.drop();
}
