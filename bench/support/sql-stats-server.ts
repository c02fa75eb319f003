import { STATS_FIGURES, type StatsFigure } from '../../src/db/sql/stats.ts';
import { formatRatio } from '../../src/domain/ratio.ts';
import { startSqlBaselineServer } from './sql-baseline-server.ts';

/**
 * A one-merchant series' floor over HTTP (issue 21): bare node:http and pg, one hand-written SQL statement, and the
 * least JavaScript that writes its rows as Paystream's JSON answer to bench:stats' query (every bucket of the range,
 * every currency of the range in each row, zeros where empty). Keys map to merchants through BENCH_STATS_KEYS
 * (`{ "<key>": "<merchant id>" }`), checked by comparison; the request's variables give the range and the unit
 * (groupBy HOUR or DAY) and BENCH_TIME_ZONE the zone. bench:stats checks its answers equal to Paystream's.
 */

/** bench:stats' hand-written figures, for both of its SQL baselines (the plain statements, and this server's). */
export const HAND_WRITTEN_FIGURES = `count(*)::int AS created, count(*) FILTER (WHERE status IN ('CAPTURED', 'PAID'))::int AS captured,
  count(*) FILTER (WHERE status = 'PAID')::int AS paid, count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
  count(*) FILTER (WHERE status = 'REJECTED')::int AS rejected, count(*) FILTER (WHERE refunded_minor > 0)::int AS refunded,
  sum(amount_minor)::text AS created_minor, coalesce(sum(amount_minor) FILTER (WHERE status IN ('CAPTURED', 'PAID')), 0)::text AS captured_minor,
  coalesce(sum(amount_minor) FILTER (WHERE status = 'PAID'), 0)::text AS paid_minor, coalesce(sum(amount_minor) FILTER (WHERE status = 'CANCELLED'), 0)::text AS cancelled_minor,
  coalesce(sum(amount_minor) FILTER (WHERE status = 'REJECTED'), 0)::text AS rejected_minor, sum(refunded_minor)::text AS refunded_minor`;
// Per bucket and currency, then every bucket of the range (generated, so that empty ones have a row): absolute hours
// (in a whole-hour zone, the local hours; an hour that occurs twice is two) or local days.
const COLUMNS = ['currency', ...STATS_FIGURES, ...STATS_FIGURES.map((figure) => `${figure}_minor` as const)];
const series = (buckets: string, bucketOf: string) => `
  WITH bounds AS (SELECT $1::date::timestamp AT TIME ZONE $3::text AS lo, ($2::date + 1)::timestamp AT TIME ZONE $3::text AS hi),
  sums AS (
    SELECT ${bucketOf} AS start, currency::text AS currency, ${HAND_WRITTEN_FIGURES}
    FROM transactions, bounds WHERE merchant_id = $4::uuid AND created_at >= lo AND created_at < hi GROUP BY 1, 2
  )
  SELECT (extract(epoch FROM b.start) * 1000)::float8 AS start, ${COLUMNS.map((column) => `s.${column}`).join(', ')}
  FROM (${buckets}) AS b LEFT JOIN sums AS s USING (start) ORDER BY 1, s.currency`;
const STATEMENTS = {
  HOUR: series(`SELECT generate_series(lo, hi - interval '1 hour', interval '1 hour') AS start FROM bounds`, `date_trunc('hour', created_at, 'UTC')`),
  DAY: series(
    `SELECT local AT TIME ZONE $3::text AS start FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') AS local`,
    `date_trunc('day', created_at AT TIME ZONE $3::text) AT TIME ZONE $3::text`,
  ),
} as const;

type SeriesRow = { start: number; currency: string | null } & Record<StatsFigure, number> & Record<`${StatsFigure}_minor`, string>;

/** The rows as Paystream writes them: counts over every currency, amounts for each currency of the range. */
function answer(rows: readonly SeriesRow[]): string {
  const currencies = [...new Set(rows.flatMap((row) => (row.currency === null ? [] : [row.currency])))].sort();
  const buckets = new Map<number, SeriesRow[]>();
  for (const row of rows) {
    const sums = buckets.get(row.start) ?? [];
    if (row.currency !== null) sums.push(row);
    buckets.set(row.start, sums);
  }
  const zero = { minorUnits: '0' };
  const json = [];
  for (const [start, sums] of buckets) {
    const counts = { created: 0, captured: 0, paid: 0, cancelled: 0, rejected: 0, refunded: 0 };
    for (const sum of sums) for (const figure of STATS_FIGURES) counts[figure] += sum[figure];
    json.push({
      start: new Date(start).toISOString(),
      currency: null,
      merchant: null,
      ...counts,
      conversionRate: formatRatio(BigInt(counts.captured), BigInt(counts.created)) ?? null,
      amounts: currencies.map((currency) => {
        const sum = sums.find((row) => row.currency === currency);
        return sum === undefined
          ? { currency, created: zero, captured: zero, paid: zero, cancelled: zero, rejected: zero, refunded: zero }
          : {
              currency,
              created: { minorUnits: sum.created_minor },
              captured: { minorUnits: sum.captured_minor },
              paid: { minorUnits: sum.paid_minor },
              cancelled: { minorUnits: sum.cancelled_minor },
              rejected: { minorUnits: sum.rejected_minor },
              refunded: { minorUnits: sum.refunded_minor },
            };
      }),
    });
  }
  return JSON.stringify({ data: { transactionStats: { rows: json } } });
}

export function startSqlStatsServer(env: NodeJS.ProcessEnv): Promise<{ port: number; close(): Promise<void> }> {
  const { BENCH_STATS_KEYS: keys, BENCH_TIME_ZONE: timeZone } = env;
  if (!keys || !timeZone) throw new Error('BENCH_STATS_KEYS and BENCH_TIME_ZONE are required');
  const merchants = new Map(Object.entries(JSON.parse(keys) as Record<string, string>).map(([key, merchantId]) => [`Bearer ${key}`, merchantId]));
  return startSqlBaselineServer(env, (pool) => async ({ authorization, body }) => {
    const merchantId = merchants.get(authorization ?? '');
    if (merchantId === undefined) return undefined;
    const { variables } = JSON.parse(body.toString('utf8')) as { variables: { from: string; to: string; groupBy: string[] } };
    const unit = variables.groupBy.includes('HOUR') ? 'HOUR' : 'DAY';
    const { rows } = await pool.query<SeriesRow>({ name: `sql_stats_${unit}`, text: STATEMENTS[unit], values: [variables.from, variables.to, timeZone, merchantId] });
    return answer(rows);
  });
}
