import { CANCELLED_BY_CONSUMER, CANCELLED_BY_MERCHANT } from '../../domain/status.ts';
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
type RemittanceRow = SumRow & { refund_count: number; refunded: string };
type RefundRow = {
  merchant_id?: string;
  currency: string;
  requested_count: number;
  requested_total: string;
  succeeded_count: number;
  succeeded_total: string;
  failed_count: number;
  failed_total: string;
};
type FunnelRow = { merchant_id?: string } & Omit<FunnelCounts, 'merchantId'>;

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
           count(*) FILTER (WHERE t.status = 'CANCELLED')::int AS cancelled,
           count(*) FILTER (WHERE t.status = 'CANCELLED' AND t.status_reason = '${CANCELLED_BY_CONSUMER}')::int AS "cancelledByConsumer",
           count(*) FILTER (WHERE t.status = 'CANCELLED' AND t.status_reason = '${CANCELLED_BY_MERCHANT}')::int AS "cancelledByMerchant"
    FROM transactions t
    WHERE ${onReportDay('t.created_at')} ${merchantFilter('t.merchant_id', shape)}
    ${shape.byMerchant ? 'GROUP BY t.merchant_id ORDER BY t.merchant_id' : ''}`,
    statementName('funnel', shape),
  );

// What reached PAID that day, beside the refunds that succeeded that day and come off the merchant's remittance:
// those of transactions on the success path (CAPTURED or PAID). A refund of a CANCELLED or REJECTED transaction gives
// back money captured after it closed (a capture anomaly), which was never remitted, so it is not deducted. A
// currency with only refunds that day still has its row (paid count 0), so the deduction is never hidden.
const remittanceStatement = (shape: Shape) => {
  const merchant = shape.byMerchant ? 'merchant_id, ' : '';
  return sql<RemittanceRow>(
    `WITH paid AS (
      SELECT ${shape.byMerchant ? 'e.merchant_id,' : ''} t.currency, count(*)::int AS count, sum(t.amount_minor) AS total
      FROM transaction_events e
      -- Each PAID event's transaction by primary key. LIMIT 1 keeps this a per-event lookup: as a plain
      -- join it could be planned as a hash join over every transaction.
      CROSS JOIN LATERAL (SELECT currency, amount_minor FROM transactions WHERE id = e.transaction_id LIMIT 1) t
      WHERE e.status = 'PAID' AND e.kind = 'STATUS_CHANGED' AND ${onReportDay('e.occurred_at')} ${merchantFilter('e.merchant_id', shape)}
      GROUP BY ${merchantFirst('e.merchant_id', shape)} t.currency
    ), refunded AS (
      SELECT ${shape.byMerchant ? 'r.merchant_id,' : ''} r.currency, count(*)::int AS count, sum(r.amount_minor) AS total
      FROM refunds r
      CROSS JOIN LATERAL (SELECT status FROM transactions WHERE id = r.transaction_id LIMIT 1) t
      WHERE r.status = 'SUCCEEDED' AND t.status IN ('CAPTURED', 'PAID') AND ${onReportDay('r.completed_at')} ${merchantFilter('r.merchant_id', shape)}
      GROUP BY ${merchantFirst('r.merchant_id', shape)} r.currency
    )
    SELECT ${shape.byMerchant ? 'merchant_id::text AS merchant_id,' : ''} currency::text AS currency,
           coalesce(paid.count, 0) AS count, coalesce(paid.total, 0)::text AS total,
           coalesce(refunded.count, 0) AS refund_count, coalesce(refunded.total, 0)::text AS refunded
    FROM paid FULL JOIN refunded USING (${merchant}currency)
    ORDER BY ${merchant}currency`,
    statementName('remittance', shape),
  );
};

// Refunds by the day of each change: requested that day (whatever became of them since), and succeeded or failed
// that day (whenever requested). Two range scans on the refunds' requested_at and completed_at indexes.
const refundsStatement = (shape: Shape) =>
  sql<RefundRow>(
    `SELECT ${merchantColumn('r.merchant_id', shape)} r.currency::text AS currency,
           count(*) FILTER (WHERE r.figure = 'REQUESTED')::int AS requested_count,
           coalesce(sum(r.amount_minor) FILTER (WHERE r.figure = 'REQUESTED'), 0)::text AS requested_total,
           count(*) FILTER (WHERE r.figure = 'SUCCEEDED')::int AS succeeded_count,
           coalesce(sum(r.amount_minor) FILTER (WHERE r.figure = 'SUCCEEDED'), 0)::text AS succeeded_total,
           count(*) FILTER (WHERE r.figure = 'FAILED')::int AS failed_count,
           coalesce(sum(r.amount_minor) FILTER (WHERE r.figure = 'FAILED'), 0)::text AS failed_total
    FROM (
      SELECT merchant_id, currency, amount_minor, 'REQUESTED' AS figure FROM refunds
      WHERE ${onReportDay('requested_at')} ${merchantFilter('merchant_id', shape)}
      UNION ALL
      SELECT merchant_id, currency, amount_minor, status::text FROM refunds
      WHERE status IN ('SUCCEEDED', 'FAILED') AND ${onReportDay('completed_at')} ${merchantFilter('merchant_id', shape)}
    ) r
    GROUP BY ${merchantFirst('r.merchant_id', shape)} r.currency
    ORDER BY ${merchantFirst('r.merchant_id', shape)} r.currency`,
    statementName('refunds', shape),
  );

/** Every shape of a report statement, built once: [merchant filter][grouping by merchant]. */
function eachShape<Row>(build: (shape: Shape) => Statement<Row>): (shape: Shape) => Statement<Row> {
  const built = [false, true].map((merchant) => [false, true].map((byMerchant) => build({ merchant, byMerchant })));
  return ({ merchant, byMerchant }) => built[Number(merchant)]?.[Number(byMerchant)] as Statement<Row>;
}

const STATUS_ROWS = eachShape(statusRowsStatement);
const CONVERSION_FUNNEL = eachShape(conversionFunnelStatement);
const REMITTANCE = eachShape(remittanceStatement);
const REFUNDS = eachShape(refundsStatement);

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
export const refundsQuery = (day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total') => bind(REFUNDS, day, merchantId, grouping);

async function run<Row>({ statement, values }: Bound<Row>, session: SqlSession): Promise<Row[]> {
  return session.query(statement, values);
}

export type StatusSum = Readonly<{ merchantId: string | undefined; status: TransactionStatus; currency: string; count: number; totalMinor: bigint }>;
/** `count`/`totalMinor`: reached PAID that day; `refundCount`/`refundedMinor`: refunds deducted that day. */
export type RemittanceSum = Readonly<{
  merchantId: string | undefined;
  currency: string;
  count: number;
  totalMinor: bigint;
  refundCount: number;
  refundedMinor: bigint;
}>;
export type Tally = Readonly<{ count: number; totalMinor: bigint }>;
export type RefundSum = Readonly<{ merchantId: string | undefined; currency: string; requested: Tally; succeeded: Tally; failed: Tally }>;
export type FunnelCounts = Readonly<{
  merchantId: string | undefined;
  created: number;
  redirected: number;
  captured: number;
  paid: number;
  rejected: number;
  cancelled: number;
  /** Of `cancelled`: by the consumer on the payment page, and by the merchant (told apart by statusReason). */
  cancelledByConsumer: number;
  cancelledByMerchant: number;
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

/** What reached PAID that day, and the refunds that come off it, per currency. */
export async function sumRemittance(session: SqlSession, day: ReportDay, merchantId: string | undefined, grouping: Grouping): Promise<RemittanceSum[]> {
  const rows = await run(remittanceQuery(day, merchantId, grouping), session);
  return rows.map((row) => ({
    merchantId: row.merchant_id,
    currency: row.currency,
    count: row.count,
    totalMinor: BigInt(row.total),
    refundCount: row.refund_count,
    refundedMinor: BigInt(row.refunded),
  }));
}

/** Refunds requested, succeeded and failed that day, per currency. */
export async function sumRefunds(session: SqlSession, day: ReportDay, merchantId: string | undefined, grouping: Grouping): Promise<RefundSum[]> {
  const rows = await run(refundsQuery(day, merchantId, grouping), session);
  return rows.map((row) => ({
    merchantId: row.merchant_id,
    currency: row.currency,
    requested: { count: row.requested_count, totalMinor: BigInt(row.requested_total) },
    succeeded: { count: row.succeeded_count, totalMinor: BigInt(row.succeeded_total) },
    failed: { count: row.failed_count, totalMinor: BigInt(row.failed_total) },
  }));
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
