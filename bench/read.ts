import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { TransactionDocument, TransactionsDocument } from '../src/client/operations.ts';
import { loadConfig } from '../src/config.ts';
import { resolveProviderSettings } from '../src/providers/settings.ts';
import { createMerchant } from '../src/services/merchants.ts';
import { createTransaction } from '../src/services/transactions.ts';
import { createBenchDatabase, graphqlBody, graphqlClient, serverNodeArgsFromEnv, settleDatabase, startServerProcess, type ServerProcess } from './harness.ts';
import { latencySummary, round, runConcurrent, writeBenchResult, type BenchRow } from './lib.ts';

/**
 * The GraphQL read path under load (autocannon, in this process) against the real server (child process) on
 * PostgreSQL: `transaction(id)` and `transactions(first: 50)`, both with nested events, at several concurrencies,
 * beside a bare graphql-yoga server (child process, same node:http setup) answering `{ hello }` in the same run,
 * and, for the list page, beside its floor (issue 19): node:http + pg answering the same page with one hand-written
 * SQL statement that builds its JSON (bench/support/sql-page-server.ts), checked equal to Paystream's answer.
 * Targets (issue 19): transaction(id) at concurrency 64 reaches at least 0.8× the bare server's requests per second;
 * the list page at concurrency 16 at least half the SQL page's, with a p99 at most twice its p99. Only answers that
 * are 2xx with the expected body count as served, and only their latencies are in the percentiles.
 */

const CONCURRENCIES = [1, 16, 64] as const;
/** Per target and concurrency: ROUNDS slices of SLICE_SECONDS, interleaved with the other targets. */
const ROUNDS = 3;
const SLICE_SECONDS = Number(process.env['BENCH_READ_SLICE_SECONDS'] ?? 2);
const WARM_UP_SECONDS = 2;
const SEEDED_TRANSACTIONS = 300;
const PAGE_SIZE = 50;
const TARGET_RATIO = 0.8;
const TARGET_CONCURRENCY = 64;
const PAGE_TARGET_RATIO = 0.5;
const PAGE_TARGET_CONCURRENCY = 16;
const PAGE_TARGET_P99_RATIO = 2;

type Load = { rps: number; p50: number; p99: number; requests: number; failures: number };

const db = await createBenchDatabase({ poolSize: 4 });
let paystream: ServerProcess | undefined;
let bare: ServerProcess | undefined;
let sqlPage: ServerProcess | undefined;

try {
  const { merchant, secret } = await createMerchant(db, 'Benchmark merchant');
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'paystream-bench-')) });
  const deps = { db, config, alipay: resolveProviderSettings(config).alipay };
  await runConcurrent(SEEDED_TRANSACTIONS, 4, async (index) => {
    await createTransaction(deps, merchant.id, {
      merchantReference: `seed-${index}`,
      amount: index % 3 === 0 ? { value: `${1000 + index}`, currency: 'JPY' } : { value: `${10 + (index % 90)}.${String(index % 100).padStart(2, '0')}`, currency: 'EUR' },
      returnUrl: 'https://shop.example/return',
    });
  });

  paystream = await startServerProcess('paystream', {
    env: { DATABASE_URL: db.url, LOG_LEVEL: 'warn', NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true', DATABASE_POOL_SIZE: '10' },
    nodeArgs: serverNodeArgsFromEnv(),
  });
  bare = await startServerProcess('bare');
  sqlPage = await startServerProcess('sql-page', {
    env: { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '10', BENCH_MERCHANT_ID: merchant.id, BENCH_API_KEY: secret, BENCH_PAGE_SIZE: String(PAGE_SIZE) },
  });

  // The requests, checked once for the right answer before they are fired in bulk (GraphQL errors come with 200).
  const client = graphqlClient(paystream.url, secret);
  const page = await client.execute(TransactionsDocument, { first: PAGE_SIZE });
  const firstEdge = page.payload.data?.transactions.edges[0];
  if (page.payload.data?.transactions.edges.length !== PAGE_SIZE || !firstEdge || firstEdge.node.events.length !== 2) {
    throw new Error(`transactions(first: ${PAGE_SIZE}) answered ${JSON.stringify(page.payload).slice(0, 500)}`);
  }
  // The floor answers exactly what Paystream answers.
  const floorAnswer = await fetch(`${sqlPage.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
    body: graphqlBody(TransactionsDocument, { first: PAGE_SIZE }),
  });
  const floorPage: unknown = await floorAnswer.json();
  if (!isDeepStrictEqual(floorPage, page.payload)) {
    throw new Error(`the SQL page differs from transactions(first: ${PAGE_SIZE}):\n${JSON.stringify(floorPage).slice(0, 800)}\n${JSON.stringify(page.payload).slice(0, 800)}`);
  }
  const transactionId = firstEdge.node.id;
  const single = await client.execute(TransactionDocument, { id: transactionId });
  if (single.payload.data?.transaction?.id !== transactionId || single.payload.data.transaction.events.length !== 2) {
    throw new Error(`transaction(id) answered ${JSON.stringify(single.payload).slice(0, 500)}`);
  }

  // transaction(id) asks for every seeded transaction in turn, not one id over and over: concurrent lookups are
  // batched into one statement, and a batch of one repeated id would flatter it.
  const everyId = await allTransactionIds(client);
  await settleDatabase(db.pool);
  if (everyId.length !== SEEDED_TRANSACTIONS) throw new Error(`found ${everyId.length} of ${SEEDED_TRANSACTIONS} seeded transactions`);
  const transactionBodies = everyId.map((id) => graphqlBody(TransactionDocument, { id }));
  client.close();

  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${secret}` };
  const targets: Record<'bare' | 'transaction' | 'transactions' | 'sqlPage', { url: string; bodies: readonly string[]; check: string }> = {
    bare: { url: `${bare.url}/graphql`, bodies: [JSON.stringify({ query: '{ hello }' })], check: '"hello":"world"' },
    transaction: { url: `${paystream.url}/graphql`, bodies: transactionBodies, check: '"transaction":{"id":"' },
    transactions: { url: `${paystream.url}/graphql`, bodies: [graphqlBody(TransactionsDocument, { first: PAGE_SIZE })], check: '"totalCount"' },
    sqlPage: { url: `${sqlPage.url}/graphql`, bodies: [graphqlBody(TransactionsDocument, { first: PAGE_SIZE })], check: '"totalCount"' },
  };
  type TargetName = keyof typeof targets;

  type Slice = { requests: number; seconds: number; latenciesMs: number[]; failures: number };
  const fire = (name: TargetName, connections: number, duration: number): Promise<Slice> => {
    const target = targets[name];
    // Every response is checked: a GraphQL error arrives as a 200, and a refusal (429, 503) is fast; neither is served.
    const served = (status: number, body: unknown): boolean =>
      status >= 200 && status < 300 && typeof body === 'string' && body.includes(target.check) && !body.includes('"errors"');
    const latenciesMs: number[] = [];
    let sent = 0;
    let succeeded = 0;
    return new Promise((resolve, reject) => {
      const instance = autocannon(
        {
          url: target.url,
          method: 'POST',
          headers,
          connections,
          requests: [
            {
              setupRequest: (request) => ({ ...request, body: target.bodies[(sent += 1) % target.bodies.length] }),
              onResponse: (status, body) => {
                if (served(status, body)) succeeded += 1;
              },
            },
          ],
          duration,
        },
        (error: unknown, result) => {
          if (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          resolve({ requests: succeeded, seconds: result.duration, latenciesMs, failures: result.requests.total - succeeded + result.errors + result.timeouts });
        },
      );
      instance.on('response', (_client, status, _bytes, responseTime) => {
        if (status >= 200 && status < 300) latenciesMs.push(responseTime);
      });
    });
  };

  const names: TargetName[] = ['bare', 'transaction', 'transactions', 'sqlPage'];
  for (const name of names) await fire(name, 16, WARM_UP_SECONDS);

  // Short slices in turn rather than one long run each: on a shared machine, load from elsewhere then falls on
  // the baseline and on our server alike, and the ratio stays meaningful.
  const loads = new Map<string, Load>();
  for (const connections of CONCURRENCIES) {
    const slices = new Map<TargetName, Slice[]>(names.map((name) => [name, []]));
    for (let slice = 0; slice < ROUNDS; slice += 1) {
      for (const name of names) slices.get(name)?.push(await fire(name, connections, SLICE_SECONDS));
    }
    for (const name of names) {
      const taken = slices.get(name) ?? [];
      const requests = taken.reduce((sum, slice) => sum + slice.requests, 0);
      const seconds = taken.reduce((sum, slice) => sum + slice.seconds, 0);
      const latency = latencySummary(taken.flatMap((slice) => slice.latenciesMs));
      const load: Load = {
        rps: requests / seconds,
        p50: latency.p50,
        p99: latency.p99,
        requests,
        failures: taken.reduce((sum, slice) => sum + slice.failures, 0),
      };
      loads.set(`${name}@${connections}`, load);
      console.log(`${name.padEnd(12)} c=${String(connections).padStart(2)}  ${round(load.rps, 0)} req/s  p50 ${round(load.p50)} ms  p99 ${round(load.p99)} ms  (${load.requests} served, ${load.failures} failed)`);
    }
  }

  const rows: BenchRow[] = [];
  const failures: string[] = [];
  for (const connections of CONCURRENCIES) {
    const baseline = loads.get(`bare@${connections}`);
    if (!baseline) continue;
    for (const name of ['transaction', 'transactions'] as const) {
      const load = loads.get(`${name}@${connections}`);
      if (!load) continue;
      const label = name === 'transaction' ? 'transaction(id)' : `transactions(first: ${PAGE_SIZE})`;
      const judged = name === 'transaction' && connections === TARGET_CONCURRENCY;
      rows.push({
        figure: `${label} req/s, concurrency ${connections}`,
        value: round(load.rps, 0),
        unit: 'req/s',
        baseline: `bare Yoga { hello } req/s, concurrency ${connections}`,
        baselineValue: round(baseline.rps, 0),
        ...(judged
          ? { target: `≥ ${TARGET_RATIO * 100}% of bare`, pass: load.failures === 0 && load.rps >= TARGET_RATIO * baseline.rps }
          : {}),
      });
      rows.push({
        figure: `${label} p99 latency, concurrency ${connections}`,
        value: round(load.p99, 1),
        unit: 'ms',
        baseline: `bare Yoga { hello } p99, concurrency ${connections}`,
        baselineValue: round(baseline.p99, 1),
      });
    }
    const page = loads.get(`transactions@${connections}`);
    const floor = loads.get(`sqlPage@${connections}`);
    if (page && floor) {
      const judged = connections === PAGE_TARGET_CONCURRENCY;
      rows.push({
        figure: `transactions(first: ${PAGE_SIZE}) req/s, concurrency ${connections}, against its SQL floor`,
        value: round(page.rps, 0),
        unit: 'req/s',
        baseline: `one hand-written SQL statement building the page, node:http + pg, concurrency ${connections}`,
        baselineValue: round(floor.rps, 0),
        ...(judged ? { target: `≥ ${PAGE_TARGET_RATIO * 100}% of the SQL page`, pass: page.failures === 0 && page.rps >= PAGE_TARGET_RATIO * floor.rps } : {}),
      });
      rows.push({
        figure: `transactions(first: ${PAGE_SIZE}) p99, concurrency ${connections}, against its SQL floor`,
        value: round(page.p99, 1),
        unit: 'ms',
        baseline: `the SQL page p99, concurrency ${connections}`,
        baselineValue: round(floor.p99, 1),
        ...(judged ? { target: `≤ ${PAGE_TARGET_P99_RATIO}× the SQL page's p99`, pass: page.p99 <= PAGE_TARGET_P99_RATIO * floor.p99 } : {}),
      });
    }
    for (const name of names) {
      const load = loads.get(`${name}@${connections}`);
      if (load && load.failures > 0) failures.push(`${name} at concurrency ${connections}: ${load.failures} failed beside ${load.requests} served`);
    }
  }

  writeBenchResult({
    name: 'read',
    title: 'GraphQL read path (autocannon) vs a bare graphql-yoga server',
    notes: [
      `Per figure ${ROUNDS} slices of ${SLICE_SECONDS} s, interleaved with the other targets at the same concurrency, after a ${WARM_UP_SECONDS} s warm-up; one merchant with ${SEEDED_TRANSACTIONS} transactions (2 events each); both servers in child processes, autocannon in the parent, all on one machine.`,
      'transaction(id) and transactions(first: 50) are the TransactionDocument / TransactionsDocument operations of src/client/operations.ts (all fields, nested events; the page also counts totalCount).',
      "The SQL page (the list page's floor) answers the same document with one statement building the JSON (page, histories, pageInfo, totalCount) behind bare node:http and a pg pool of the server's size (10); its answer was checked equal to Paystream's before the load.",
      `transaction(id) cycles through all ${SEEDED_TRANSACTIONS} seeded ids, so the lookups that the server batches into one statement are for different rows.`,
      'Requests per second and latencies count only answers served: 2xx with the expected data and no GraphQL error (a 429 or 503 refusal is fast, and would flatter both).',
      ...(failures.length > 0 ? [`Failed requests (non-2xx, errors, timeouts or GraphQL errors): ${failures.join('; ')}`] : ['Every response was checked: no failed request.']),
    ],
    rows,
  });
} finally {
  await paystream?.stop();
  await bare?.stop();
  await sqlPage?.stop();
  await db.drop();
}

async function allTransactionIds(client: ReturnType<typeof graphqlClient>): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await client.execute(TransactionsDocument, { first: PAGE_SIZE, ...(after === undefined ? {} : { after }) });
    const connection = page.payload.data?.transactions;
    if (!connection) throw new Error(`transactions answered ${JSON.stringify(page.payload).slice(0, 500)}`);
    ids.push(...connection.edges.map((edge) => edge.node.id));
    if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) return ids;
    after = connection.pageInfo.endCursor;
  }
}
