import type { TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, type SqlSession, type Statement } from '../session.ts';

/**
 * The daily report's aggregates (src/services/reports.ts composes them). Day boundaries are computed by
 * PostgreSQL inside each statement (`date::timestamp AT TIME ZONE zone`), so a DST day has its 23 or 25 hours,
 * and every statement is a range scan on an index, one round trip. Sums are exact: SUM(bigint) is NUMERIC,
 * sent as text and read with BigInt, never a float.
 *
 * Each statement runs as a named prepared statement: each pooled connection parses and plans it once, not on
 * every report (about a millisecond of a merchant-day report's few, measured with bench:reports).
 * Parameters: $1 the date (YYYY-MM-DD), $2 the time zone, $3 the merchant when filtered by one.
 */

export type ReportDay = Readonly<{
  date: string;
  /** The zone's name as PostgreSQL spells it. */
  timeZone: string;
}>;

/** `total`: one set of figures; `merchant`: one per merchant (each row carries its merchantId). */
export type Grouping = 'total' | 'merchant';

type Shape = { merchant: boolean; byMerchant: boolean };

/** `column` within [start, end) of the report's calendar day in its time zone. */
const onReportDay = (column: string) =>
  `${column} >= ($1::date)::timestamp AT TIME ZONE $2::text AND ${column} < ($1::date + 1)::timestamp AT TIME ZONE $2::text`;
const merchantFilter = (column: string, { merchant }: Shape) => (merchant ? `AND ${column} = $3::uuid` : '');
const merchantColumn = (column: string, { byMerchant }: Shape) => (byMerchant ? `${column}::text AS merchant_id,` : '');
const merchantFirst = (column: string, { byMerchant }: Shape) => (byMerchant ? `${column},` : '');
const statementName = (report: string, { merchant, byMerchant }: Shape) =>
  `paystream_report_${report}${merchant ? '_merchant' : ''}${byMerchant ? '_by_merchant' : ''}`;

type SumRow = { merchant_id?: string; currency: string; count: number; total: string };
type StatusSumRow = SumRow & { status: TransactionStatus };
type FunnelRow = { merchant_id?: string; created: number; redirected: number; captured: number; paid: number; rejected: number; cancelled: number };

const statusRowsStatement = (shape: Shape) =>
  sql<StatusSumRow>(
    `SELECT ${merchantColumn('t.merchant_id', shape)}
           t.status::text AS status, t.currency::text AS currency,
           count(*)::int AS count, sum(t.amount_minor)::text AS total
    FROM transactions t
    WHERE ${onReportDay('t.created_at')} ${merchantFilter('t.merchant_id', shape)}
    GROUP BY ${merchantFirst('t.merchant_id', shape)} t.status, t.currency
    ORDER BY ${merchantFirst('t.merchant_id', shape)} t.status, t.currency`,
    statementName('status_rows', shape),
  );

// How far each transaction got along the success path, by its history, read off its current status wherever
// the state machine (src/domain/status.ts) makes that exact: CAPTURED leads only to PAID, and REJECTED and
// CANCELLED are final and reachable only from CREATED or REDIRECTED. So "captured" is CAPTURED or PAID now,
// "paid", "rejected" and "cancelled" are that status now, and only a rejected or cancelled transaction needs its
// history, to tell whether it was redirected first (one indexed lookup each, about a tenth of a day's rows,
// instead of aggregating every transaction's events).
const conversionFunnelStatement = (shape: Shape) =>
  sql<FunnelRow>(
    `SELECT ${merchantColumn('t.merchant_id', shape)}
           count(*)::int AS created,
           count(*) FILTER (WHERE t.status IN ('REDIRECTED', 'CAPTURED', 'PAID')
                               OR (t.status IN ('REJECTED', 'CANCELLED')
                                   AND EXISTS (SELECT 1 FROM transaction_events e
                                               WHERE e.transaction_id = t.id AND e.status = 'REDIRECTED')))::int AS redirected,
           count(*) FILTER (WHERE t.status IN ('CAPTURED', 'PAID'))::int AS captured,
           count(*) FILTER (WHERE t.status = 'PAID')::int AS paid,
           count(*) FILTER (WHERE t.status = 'REJECTED')::int AS rejected,
           count(*) FILTER (WHERE t.status = 'CANCELLED')::int AS cancelled
    FROM transactions t
    WHERE ${onReportDay('t.created_at')} ${merchantFilter('t.merchant_id', shape)}
    ${shape.byMerchant ? 'GROUP BY t.merchant_id ORDER BY t.merchant_id' : ''}`,
    statementName('funnel', shape),
  );

const remittanceStatement = (shape: Shape) =>
  sql<SumRow>(
    `SELECT ${merchantColumn('e.merchant_id', shape)}
           t.currency::text AS currency, count(*)::int AS count, sum(t.amount_minor)::text AS total
    FROM transaction_events e
    -- Each PAID event's transaction by primary key. LIMIT 1 keeps this a per-event lookup: as a plain
    -- join it could be planned as a hash join over every transaction.
    CROSS JOIN LATERAL (SELECT currency, amount_minor FROM transactions WHERE id = e.transaction_id LIMIT 1) t
    WHERE e.status = 'PAID' AND e.kind = 'STATUS_CHANGED' AND ${onReportDay('e.occurred_at')} ${merchantFilter('e.merchant_id', shape)}
    GROUP BY ${merchantFirst('e.merchant_id', shape)} t.currency
    ORDER BY ${merchantFirst('e.merchant_id', shape)} t.currency`,
    statementName('remittance', shape),
  );

/** Every shape of a report statement, built once: [merchant filter][grouping by merchant]. */
function eachShape<Row>(build: (shape: Shape) => Statement<Row>): (shape: Shape) => Statement<Row> {
  const built = [false, true].map((merchant) => [false, true].map((byMerchant) => build({ merchant, byMerchant })));
  return ({ merchant, byMerchant }) => built[Number(merchant)]?.[Number(byMerchant)] as Statement<Row>;
}

const STATUS_ROWS = eachShape(statusRowsStatement);
const CONVERSION_FUNNEL = eachShape(conversionFunnelStatement);
const REMITTANCE = eachShape(remittanceStatement);

type Bound<Row> = { statement: Statement<Row>; values: unknown[] };

function bind<Row>(statements: (shape: Shape) => Statement<Row>, day: ReportDay, merchantId: string | undefined, grouping: Grouping): Bound<Row> {
  const statement = statements({ merchant: merchantId !== undefined, byMerchant: grouping === 'merchant' });
  return { statement, values: merchantId === undefined ? [day.date, day.timeZone] : [day.date, day.timeZone, merchantId] };
}

/** Exported for the EXPLAIN test and the benchmark: the exact statements the report runs, with their values. */
export const statusRowsQuery = (day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total') => bind(STATUS_ROWS, day, merchantId, grouping);
export const conversionFunnelQuery = (day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total') =>
  bind(CONVERSION_FUNNEL, day, merchantId, grouping);
export const remittanceQuery = (day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total') => bind(REMITTANCE, day, merchantId, grouping);

async function run<Row>({ statement, values }: Bound<Row>, session: SqlSession): Promise<Row[]> {
  return session.query(statement, values);
}

export type StatusSum = Readonly<{ merchantId: string | undefined; status: TransactionStatus; currency: string; count: number; totalMinor: bigint }>;
export type RemittanceSum = Readonly<{ merchantId: string | undefined; currency: string; count: number; totalMinor: bigint }>;
export type FunnelCounts = Readonly<{
  merchantId: string | undefined;
  created: number;
  redirected: number;
  captured: number;
  paid: number;
  rejected: number;
  cancelled: number;
}>;

/** Transactions created that day, per (current status, currency), in status order then currency. */
export async function sumStatusRows(session: SqlSession, day: ReportDay, merchantId: string | undefined, grouping: Grouping): Promise<StatusSum[]> {
  const rows = await run(statusRowsQuery(day, merchantId, grouping), session);
  return rows.map((row) => ({ merchantId: row.merchant_id, status: row.status, currency: row.currency, count: row.count, totalMinor: BigInt(row.total) }));
}

/** How far the transactions created that day got (one row per merchant, or one in all; none when empty and grouped). */
export async function countFunnel(session: SqlSession, day: ReportDay, merchantId: string | undefined, grouping: Grouping): Promise<FunnelCounts[]> {
  const rows = await run(conversionFunnelQuery(day, merchantId, grouping), session);
  return rows.map(({ merchant_id, ...counts }) => ({ merchantId: merchant_id, ...counts }));
}

/** What reached PAID that day, per currency. */
export async function sumRemittance(session: SqlSession, day: ReportDay, merchantId: string | undefined, grouping: Grouping): Promise<RemittanceSum[]> {
  const rows = await run(remittanceQuery(day, merchantId, grouping), session);
  return rows.map((row) => ({ merchantId: row.merchant_id, currency: row.currency, count: row.count, totalMinor: BigInt(row.total) }));
}

const TIME_ZONE_NAMES = sql<{ name: string }>(`SELECT name FROM pg_timezone_names`);

/** Every time zone name PostgreSQL knows (the system tz database's, about 1,200, aliases and POSIX copies included). */
export async function readTimeZoneNames(session: SqlSession): Promise<string[]> {
  return (await session.query(TIME_ZONE_NAMES)).map((row) => row.name);
}

const DAY_BOUNDS = sql<{ start: Date; end: Date }>(
  `SELECT ($1::date)::timestamp AT TIME ZONE $2::text AS start, ($1::date + 1)::timestamp AT TIME ZONE $2::text AS "end"`,
);

/** [start, end) of the report's day as instants. */
export async function readDayBounds(session: SqlSession, day: ReportDay): Promise<{ start: Date; end: Date }> {
  const [bounds] = await session.query(DAY_BOUNDS, [day.date, day.timeZone]);
  if (!bounds) throw new Error('day bounds query returned no row');
  return bounds;
}
