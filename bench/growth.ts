import { TransactionDocument, TransactionsDocument } from '../src/client/operations.ts';
import { TypedDocumentString } from '../src/generated/graphql/graphql.ts';
import { createApiKey } from '../src/services/merchants.ts';
import { createBenchDatabase, graphqlClient, serverNodeArgsFromEnv, startServerProcess, type GraphQLClient, type ServerProcess } from './harness.ts';
import { latencySummary, round, writeBenchResult, type BenchRow } from './lib.ts';
import { REPORT_DATA, dayAfter, seedReportData } from './report-data.ts';

/**
 * Cost as data grows (issue 19.3): one merchant with 10,000, 100,000 and 1,000,000 transactions (with their
 * histories, seeded as bench:reports does), each behind its own server, and four reads measured on each, one
 * request at a time (latency, not throughput): the list page (TransactionsDocument, first 50, with totalCount),
 * transaction(id) of transactions spread over the whole data set, the list filtered by a status and a 30-day range,
 * and totalCount alone. Rounds alternate between the three sizes, so load from elsewhere falls on all of them.
 * Target: each read's median at 1,000,000 is at most 1.5× its median at 10,000.
 */

const SIZES = (process.env['BENCH_GROWTH_SIZES'] ?? '10000,100000,1000000').split(',').map(Number);
const ROUNDS = Number(process.env['BENCH_GROWTH_ROUNDS'] ?? 6);
const REQUESTS_PER_ROUND = Number(process.env['BENCH_GROWTH_REQUESTS'] ?? 25);
const TARGET_GROWTH = 1.5;
const IDS_PER_SIZE = 200;

const COUNT_ONLY = new TypedDocumentString<{ transactions: { totalCount: number; totalCountIsExact: boolean } }, Record<string, never>>(
  '{ transactions(first: 1) { totalCount totalCountIsExact } }',
);
const FILTER = { statuses: ['REJECTED' as const], createdFrom: `${dayAfter(REPORT_DATA.firstDay, 30)}T00:00:00Z`, createdTo: `${dayAfter(REPORT_DATA.firstDay, 60)}T00:00:00Z` };

type Read = 'page' | 'transaction' | 'filtered' | 'totalCount';
const READS: Record<Read, string> = {
  page: 'transactions(first: 50) with histories and totalCount',
  transaction: 'transaction(id) with its history',
  filtered: 'transactions(first: 50, status REJECTED, 30-day range) with totalCount',
  totalCount: 'transactions { totalCount } alone',
};

type Setup = { size: number; db: Awaited<ReturnType<typeof createBenchDatabase>>; server: ServerProcess; client: GraphQLClient; ids: string[]; seedSeconds: number };

const setups: Setup[] = [];
const databases: Setup['db'][] = [];
const notes: string[] = [];
try {
  for (const size of SIZES) {
    const db = await createBenchDatabase({ poolSize: 4 });
    databases.push(db);
    const seedSeconds = await seedReportData(db, { history: true, transactions: size, merchants: 1 });
    const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM merchants');
    const merchantId = rows[0]?.id;
    if (!merchantId) throw new Error('no merchant seeded');
    const key = await createApiKey(db, 'MERCHANT', merchantId);
    // Spread over the whole data set: the newest rows alone would sit in cache at any size.
    const { rows: sample } = await db.pool.query<{ id: string }>(`SELECT id FROM transactions TABLESAMPLE BERNOULLI ($1) LIMIT ${IDS_PER_SIZE}`, [Math.min(100, (100 * IDS_PER_SIZE * 4) / size)]);
    const server = await startServerProcess('paystream', {
      env: { DATABASE_URL: db.url, NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4', EXPIRY_INTERVAL_SECONDS: '0' },
      nodeArgs: serverNodeArgsFromEnv(),
    });
    setups.push({ size, db, server, client: graphqlClient(server.url, key.secret, 1), ids: sample.map((row) => row.id), seedSeconds });
    console.log(`seeded ${size.toLocaleString('en')} transactions (one merchant, with histories) in ${round(seedSeconds, 1)} s`);
  }

  const read = async (setup: Setup, kind: Read, index: number): Promise<void> => {
    const answer =
      kind === 'page'
        ? await setup.client.execute(TransactionsDocument, { first: 50 })
        : kind === 'transaction'
          ? await setup.client.execute(TransactionDocument, { id: Buffer.from(`Transaction:${setup.ids[index % setup.ids.length]}`).toString('base64') })
          : kind === 'filtered'
            ? await setup.client.execute(TransactionsDocument, { first: 50, filter: FILTER })
            : await setup.client.execute(COUNT_ONLY, {});
    const data = answer.payload.data as Record<string, unknown> | null | undefined;
    const ok = answer.status === 200 && !answer.payload.errors && (kind === 'transaction' ? data?.['transaction'] != null : data?.['transactions'] != null);
    if (!ok) throw new Error(`${kind} at ${setup.size} answered ${answer.status}: ${JSON.stringify(answer.payload).slice(0, 400)}`);
  };

  // What each size answers, checked once: full pages, and the count capped past 10,000.
  for (const setup of setups) {
    const page = await setup.client.execute(TransactionsDocument, { first: 50 });
    const filtered = await setup.client.execute(TransactionsDocument, { first: 50, filter: FILTER });
    const count = await setup.client.execute(COUNT_ONLY, {});
    notes.push(
      `${setup.size.toLocaleString('en')}: the page has ${page.payload.data?.transactions.edges.length} rows, totalCount ${page.payload.data?.transactions.totalCount} ` +
        `(exact: ${count.payload.data?.transactions.totalCountIsExact}); the filtered page ${filtered.payload.data?.transactions.edges.length} rows of ${filtered.payload.data?.transactions.totalCount}; ` +
        `seeded in ${round(setup.seedSeconds, 1)} s`,
    );
    for (const kind of Object.keys(READS) as Read[]) for (let index = 0; index < 10; index += 1) await read(setup, kind, index);
  }

  const latencies = new Map<string, number[]>();
  for (let roundIndex = 0; roundIndex < ROUNDS; roundIndex += 1) {
    for (const setup of roundIndex % 2 === 0 ? setups : [...setups].reverse()) {
      for (const kind of Object.keys(READS) as Read[]) {
        const taken = latencies.get(`${kind}@${setup.size}`) ?? [];
        for (let index = 0; index < REQUESTS_PER_ROUND; index += 1) {
          const began = performance.now();
          await read(setup, kind, roundIndex * REQUESTS_PER_ROUND + index);
          taken.push(performance.now() - began);
        }
        latencies.set(`${kind}@${setup.size}`, taken);
      }
    }
  }

  const rows: BenchRow[] = [];
  const smallest = setups[0]?.size;
  const largest = setups.at(-1)?.size;
  for (const kind of Object.keys(READS) as Read[]) {
    const base = latencySummary(latencies.get(`${kind}@${smallest}`) ?? []);
    for (const setup of setups) {
      const summary = latencySummary(latencies.get(`${kind}@${setup.size}`) ?? []);
      console.log(`${kind.padEnd(12)} ${String(setup.size).padStart(8)}  p50 ${round(summary.p50)} ms  p99 ${round(summary.p99)} ms`);
      if (setup.size === smallest) continue;
      const judged = setup.size === largest;
      rows.push({
        figure: `${READS[kind]}: median latency, one merchant with ${setup.size.toLocaleString('en')} transactions`,
        value: round(summary.p50, 2),
        unit: 'ms',
        baseline: `the same with ${smallest?.toLocaleString('en')} transactions`,
        baselineValue: round(base.p50, 2),
        ...(judged ? { target: `≤ ${TARGET_GROWTH}× the ${smallest?.toLocaleString('en')} figure`, pass: summary.p50 <= TARGET_GROWTH * base.p50 } : {}),
      });
    }
  }

  writeBenchResult({
    name: 'growth',
    title: 'Cost as data grows: one merchant with 10,000 to 1,000,000 transactions',
    notes: [
      `One merchant per database, with ${SIZES.map((size) => size.toLocaleString('en')).join(', ')} transactions over ${REPORT_DATA.days} days and their histories (bench/report-data.ts: ~3.4 events each), each behind its own server (pool of 4); one request at a time, ${ROUNDS} rounds of ${REQUESTS_PER_ROUND} requests per read and size, the sizes alternating.`,
      `transaction(id) reads ${IDS_PER_SIZE} ids sampled over the whole table; the filter is status REJECTED (5% of rows) created between ${FILTER.createdFrom} and ${FILTER.createdTo}.`,
      'totalCount counts up to 10,000 (TransactionConnection.totalCount; totalCountIsExact says when it stopped there).',
      ...notes,
    ],
    rows,
  });
} finally {
  for (const setup of setups) {
    setup.client.close();
    await setup.server.stop();
  }
  for (const db of databases) await db.drop();
}
