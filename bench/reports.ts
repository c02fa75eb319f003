/**
 * `npm run bench:reports`: dailyReport at 1,000,000 transactions (90 days, 100 merchants, ~3.4M events, ~60,000 refunds).
 *
 * Seeds bench/report-data.ts (with event histories), then times, sequentially, each over rotating days and
 * merchants:
 * - GraphQL dailyReport over real HTTP (keep-alive) against the real server in a child process (rows + funnel +
 *   remittance net of refunds + refunds),
 * - the baseline: the same four aggregates as hand-written SQL on a pg pool (run in parallel, as the
 *   GraphQL resolvers run them), for one merchant-day and for all merchants,
 * - and, for context, the fixed cost of an authenticated GraphQL request (`{ __typename }`).
 * Targets (issue 5): GraphQL within 1.5x the raw SQL; under 100 ms for a merchant-day.
 * Bounded: about 2-3 minutes on 2 cores. The schema is dropped at the end, also on failure.
 */
import { TypedDocumentString } from '../src/generated/graphql/graphql.ts';
import { createApiKey } from '../src/services/merchants.ts';
import { conversionFunnelQuery, refundsQuery, remittanceQuery, statusRowsQuery } from '../src/db/sql/reports.ts';
import { createBenchDatabase, graphqlClient, serverNodeArgsFromEnv, startServerProcess } from './harness.ts';
import { latencySummary, round, writeBenchResult, type BenchRow } from './lib.ts';
import { REPORT_DATA, dayAfter, seedReportData } from './report-data.ts';

const { transactions: TRANSACTIONS, merchants: MERCHANTS, days: DAYS, firstDay: FIRST_DAY } = REPORT_DATA;
const TIME_ZONE = 'Europe/Berlin';
const MERCHANT_DAY_RUNS = 300;
const ALL_MERCHANTS_RUNS = 60;
const WARMUP_RUNS = 20;

const REPORT_QUERY = new TypedDocumentString<{ dailyReport: { date: string } | null }, Record<string, unknown>>(`query Report($date: Date!, $timeZone: String, $merchantId: ID) {
  dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
    date
    rows { status currency count total { value currency } }
    funnel { created redirected captured paid rejected cancelled conversionRate }
    remittance { currency count total { value currency } refundCount refunded { value } net { value } }
    refunds { currency requested { count total { value } } succeeded { count total { value } } failed { count total { value } } }
  }
}`);
const TYPENAME_QUERY = new TypedDocumentString<{ __typename: string }, Record<string, never>>('{ __typename }');

// The baseline, written by hand: what a DBA would type for the same four answers.
const DAY_START = `(make_date($1, $2, $3)::timestamp AT TIME ZONE $4)`;
const DAY_END = `((make_date($1, $2, $3) + 1)::timestamp AT TIME ZONE $4)`;
const onDay = (column: string) => `${column} >= ${DAY_START} AND ${column} < ${DAY_END}`;
const baselineSql = (merchant: boolean) => ({
  rows: `SELECT status, currency, count(*), sum(amount_minor)::text FROM transactions
         WHERE ${onDay('created_at')} ${merchant ? 'AND merchant_id = $5' : ''}
         GROUP BY status, currency ORDER BY status, currency`,
  funnel: `SELECT count(*) AS created, count(*) FILTER (WHERE h.stage >= 1), count(*) FILTER (WHERE h.stage >= 2),
                  count(*) FILTER (WHERE h.stage >= 3), count(*) FILTER (WHERE h.rejected), count(*) FILTER (WHERE h.cancelled)
           FROM transactions t CROSS JOIN LATERAL (
             SELECT max(CASE e.status WHEN 'REDIRECTED' THEN 1 WHEN 'CAPTURED' THEN 2 WHEN 'PAID' THEN 3 ELSE 0 END) AS stage,
                    bool_or(e.status = 'REJECTED') AS rejected, bool_or(e.status = 'CANCELLED') AS cancelled
             FROM transaction_events e WHERE e.transaction_id = t.id AND e.kind = 'STATUS_CHANGED') h
           WHERE ${onDay('t.created_at')} ${merchant ? 'AND t.merchant_id = $5' : ''}`,
  // Paid that day and the refunds of CAPTURED or PAID transactions that succeeded that day, side by side per currency.
  remittance: `SELECT currency, sum(paid_count), sum(paid)::text, sum(refund_count), sum(refunded)::text, (sum(paid) - sum(refunded))::text FROM (
                 SELECT t.currency, 1 AS paid_count, t.amount_minor AS paid, 0 AS refund_count, 0 AS refunded
                 FROM transaction_events e JOIN transactions t ON t.id = e.transaction_id
                 WHERE e.status = 'PAID' AND e.kind = 'STATUS_CHANGED' AND ${onDay('e.occurred_at')} ${merchant ? 'AND e.merchant_id = $5' : ''}
                 UNION ALL
                 SELECT r.currency, 0, 0, 1, r.amount_minor FROM refunds r JOIN transactions t ON t.id = r.transaction_id
                 WHERE r.status = 'SUCCEEDED' AND t.status IN ('CAPTURED', 'PAID') AND ${onDay('r.completed_at')} ${merchant ? 'AND r.merchant_id = $5' : ''}
               ) AS day GROUP BY currency ORDER BY currency`,
  refunds: `SELECT currency,
                   count(*) FILTER (WHERE ${onDay('requested_at')}), sum(amount_minor) FILTER (WHERE ${onDay('requested_at')})::text,
                   count(*) FILTER (WHERE status = 'SUCCEEDED' AND ${onDay('completed_at')}),
                   sum(amount_minor) FILTER (WHERE status = 'SUCCEEDED' AND ${onDay('completed_at')})::text,
                   count(*) FILTER (WHERE status = 'FAILED' AND ${onDay('completed_at')}),
                   sum(amount_minor) FILTER (WHERE status = 'FAILED' AND ${onDay('completed_at')})::text
            FROM refunds WHERE (${onDay('requested_at')} OR ${onDay('completed_at')}) ${merchant ? 'AND merchant_id = $5' : ''}
            GROUP BY currency ORDER BY currency`,
});

async function main(): Promise<void> {
  const started = performance.now();
  const db = await createBenchDatabase({ poolSize: 10 });
  const notes: string[] = [];
  try {
    const seedSeconds = await seedReportData(db, { history: true });
    notes.push(`seeded ${TRANSACTIONS.toLocaleString('en')} transactions over ${DAYS} days and ${MERCHANTS} merchants in ${round(seedSeconds, 1)} s (incl. index rebuild and VACUUM ANALYZE)`);
    const { rows: counts } = await db.pool.query<{ transactions: string; events: string; refunds: string }>(
      'SELECT (SELECT count(*) FROM transactions) AS transactions, (SELECT count(*) FROM transaction_events) AS events, (SELECT count(*) FROM refunds) AS refunds',
    );
    notes.push(`tables: ${counts[0]?.transactions} transactions, ${counts[0]?.events} events, ${counts[0]?.refunds} refunds`);

    // The server in a child process, as in production: the load generator never shares its event loop.
    const server = await startServerProcess('paystream', {
      env: { DATABASE_URL: db.url, NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', EXPIRY_INTERVAL_SECONDS: '0' },
      nodeArgs: serverNodeArgsFromEnv(),
    });
    // One keep-alive client per key (node:http: far cheaper per call than fetch, so it adds little to what is measured).
    const clients = new Map<string, ReturnType<typeof graphqlClient>>();
    try {
      const { rows: merchantRows } = await db.pool.query<{ id: string }>('SELECT id FROM merchants ORDER BY name');
      const merchantIds = merchantRows.map((row) => row.id);
      const admin = await createApiKey(db, 'ADMIN', null);
      const merchantKeys = await Promise.all(merchantIds.slice(0, 20).map(async (id) => ({ id, key: (await createApiKey(db, 'MERCHANT', id)).secret })));
      const graphql = async <TResult, TVariables>(key: string, document: TypedDocumentString<TResult, TVariables>, variables: TVariables) => {
        let client = clients.get(key);
        if (!client) {
          client = graphqlClient(server.url, key, 1);
          clients.set(key, client);
        }
        const { status, payload } = await client.execute(document, variables);
        if (status !== 200 || payload.errors || !payload.data) throw new Error(`GraphQL answered ${status}: ${JSON.stringify(payload).slice(0, 500)}`);
      };
      const sql = async (merchantId: string | undefined, date: string) => {
        const [year, month, day] = date.split('-').map(Number);
        const values: unknown[] = [year, month, day, TIME_ZONE, ...(merchantId === undefined ? [] : [merchantId])];
        const statements = baselineSql(merchantId !== undefined);
        await Promise.all(Object.values(statements).map((statement) => db.pool.query(statement, values)));
      };

      // For context, not a target: the statements our resolvers run, sent directly. The funnel differs from the
      // hand-written one: it reads what the state machine makes exact off the current status (src/db/sql/reports.ts).
      const resolverSql = async (merchantId: string, date: string) => {
        const day = { date, timeZone: TIME_ZONE };
        await Promise.all([statusRowsQuery, conversionFunnelQuery, remittanceQuery, refundsQuery].map((build) => {
          const { statement, values } = build(day, merchantId);
          return db.pool.query(statement.text, values);
        }));
      };

      // Days from the middle of the range, so each has a full day of creations and of PAID events.
      const reportDate = (index: number) => dayAfter(FIRST_DAY, 10 + (index * 7) % (DAYS - 20));
      const merchantAt = (index: number) => merchantKeys[(index * 3) % merchantKeys.length]!;

      const time = async (runs: number, task: (index: number) => Promise<void>): Promise<number[]> => {
        for (let index = 0; index < WARMUP_RUNS; index += 1) await task(index);
        const latencies: number[] = [];
        for (let index = 0; index < runs; index += 1) {
          const begin = performance.now();
          await task(index);
          latencies.push(performance.now() - begin);
        }
        return latencies;
      };

      const httpOnly = latencySummary(
        await time(MERCHANT_DAY_RUNS, async () => {
          await (await fetch(`${server.url}/healthz`)).text();
        }),
      );
      const overhead = latencySummary(await time(MERCHANT_DAY_RUNS, (index) => graphql(merchantAt(index).key, TYPENAME_QUERY, {})));
      // Interleaved in blocks so both see the same machine load (2 shared cores).
      const merchantGraphql: number[] = [];
      const merchantSql: number[] = [];
      const merchantResolverSql: number[] = [];
      const allGraphql: number[] = [];
      const allSql: number[] = [];
      for (let block = 0; block < 3; block += 1) {
        merchantSql.push(...(await time(MERCHANT_DAY_RUNS / 3, (index) => sql(merchantAt(index).id, reportDate(index)))));
        merchantResolverSql.push(...(await time(MERCHANT_DAY_RUNS / 3, (index) => resolverSql(merchantAt(index).id, reportDate(index)))));
        merchantGraphql.push(...(await time(MERCHANT_DAY_RUNS / 3, (index) => graphql(merchantAt(index).key, REPORT_QUERY, { date: reportDate(index), timeZone: TIME_ZONE }))));
        allSql.push(...(await time(ALL_MERCHANTS_RUNS / 3, (index) => sql(undefined, reportDate(index)))));
        allGraphql.push(...(await time(ALL_MERCHANTS_RUNS / 3, (index) => graphql(admin.secret, REPORT_QUERY, { date: reportDate(index), timeZone: TIME_ZONE }))));
      }
      const merchant = { graphql: latencySummary(merchantGraphql), sql: latencySummary(merchantSql) };
      const all = { graphql: latencySummary(allGraphql), sql: latencySummary(allSql) };

      const rows: BenchRow[] = [
        { figure: 'dailyReport merchant-day via GraphQL/HTTP p50', value: merchant.graphql.p50, unit: 'ms', baseline: 'hand-written SQL p50', baselineValue: merchant.sql.p50, target: 'GraphQL <= 1.5x SQL', pass: merchant.graphql.p50 <= 1.5 * merchant.sql.p50 },
        { figure: 'dailyReport merchant-day via GraphQL/HTTP p99', value: merchant.graphql.p99, unit: 'ms', baseline: 'hand-written SQL p99', baselineValue: merchant.sql.p99, target: 'p99 < 100 ms', pass: merchant.graphql.p99 < 100 },
        { figure: 'dailyReport all merchants via GraphQL/HTTP p50', value: all.graphql.p50, unit: 'ms', baseline: 'hand-written SQL p50', baselineValue: all.sql.p50, target: 'GraphQL <= 1.5x SQL', pass: all.graphql.p50 <= 1.5 * all.sql.p50 },
        { figure: 'dailyReport all merchants via GraphQL/HTTP p99', value: all.graphql.p99, unit: 'ms', baseline: 'hand-written SQL p99', baselineValue: all.sql.p99, target: 'GraphQL <= 1.5x SQL', pass: all.graphql.p99 <= 1.5 * all.sql.p99 },
        { figure: 'GET /healthz p50 (the HTTP round trip alone, for context)', value: httpOnly.p50, unit: 'ms' },
        { figure: 'authenticated GraphQL request { __typename } p50 (fixed cost of any query, for context)', value: overhead.p50, unit: 'ms' },
        { figure: "merchant-day: the resolvers' own four statements sent directly p50 (for context)", value: latencySummary(merchantResolverSql).p50, unit: 'ms', baseline: 'hand-written SQL p50', baselineValue: merchant.sql.p50 },
        { figure: 'merchant-day: GraphQL p50 minus the fixed request cost', value: merchant.graphql.p50 - overhead.p50, unit: 'ms', baseline: 'hand-written SQL p50', baselineValue: merchant.sql.p50, target: '<= 1.5x SQL', pass: merchant.graphql.p50 - overhead.p50 <= 1.5 * merchant.sql.p50 },
      ];
      notes.push(`${MERCHANT_DAY_RUNS} merchant-day and ${ALL_MERCHANTS_RUNS} all-merchants reports per side, sequential, after ${WARMUP_RUNS} warm-up runs; time zone ${TIME_ZONE}`);
      notes.push(`ratios p50: merchant-day ${round(merchant.graphql.p50 / merchant.sql.p50)}x, all merchants ${round(all.graphql.p50 / all.sql.p50)}x`);
      notes.push(`total bench time ${round((performance.now() - started) / 1000, 1)} s`);
      writeBenchResult({ name: 'reports', title: `dailyReport at ${TRANSACTIONS.toLocaleString('en')} transactions`, notes, rows });
      for (const note of notes) console.log(`- ${note}`);
    } finally {
      for (const client of clients.values()) client.close();
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

await main();
process.exit(0);
