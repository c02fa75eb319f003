import { createHash } from 'node:crypto';
import { isCalendarDate } from '../domain/calendar.ts';
import { formatRatio } from '../domain/ratio.ts';
import type { TransactionStatus } from '../domain/status.ts';
import type { Database } from '../db/client.ts';
import { Prisma, type Merchant } from '../generated/prisma/client.ts';
import { ValidationFailedError, type FieldProblem } from './errors.ts';

/**
 * Reports for merchants and internal dashboards: one implementation behind GraphQL, the CSV route and the CLI.
 *
 * A report covers one calendar day in an IANA time zone. Day boundaries are computed by PostgreSQL inside
 * each query (`date::timestamp AT TIME ZONE zone`), so a DST day has its 23 or 25 hours, and every query
 * is the hand-written aggregate itself: one round trip, planned as a range scan on an index.
 *
 * - `statusRows`: the transactions CREATED that day, grouped by their CURRENT status and currency.
 * - `conversionFunnel`: how far those same transactions got, read from the event log (see ConversionFunnel).
 * - `remittance`: the transactions whose PAID event happened that day (whenever they were created), per currency.
 *
 * Sums are exact: SUM(bigint) is NUMERIC in PostgreSQL, sent as text and read with BigInt, never a float.
 * The aggregates go straight to the pg pool Prisma itself uses (`db.pool`): they are raw SQL either way,
 * and Prisma's raw-query layer only adds per-query overhead to what is a sub-millisecond query per merchant.
 * `merchantId` undefined means every merchant (callers enforce that only ADMIN gets there).
 */

export type ReportDay = Readonly<{
  date: string;
  /** The zone's name as PostgreSQL spells it (input is matched case-insensitively). */
  timeZone: string;
}>;

export type StatusRow = Readonly<{ status: TransactionStatus; currency: string; count: number; totalMinor: bigint }>;

export type RemittanceRow = Readonly<{ currency: string; count: number; totalMinor: bigint }>;

/**
 * Of the transactions created that day, how many reached each stage, by their event history.
 * The success path is cumulative (CREATED -> REDIRECTED -> CAPTURED -> PAID): a transaction that went
 * straight to PAID (a notification may skip steps) counts as redirected, captured and paid, so the
 * funnel never widens. `rejected` and `cancelled` count those that ended there (at any stage).
 * `conversionRate` = captured / created (captured includes paid: both mean the consumer paid), a decimal
 * string with 4 decimals rounded half up ("0.6667"); undefined when nothing was created.
 */
export type ConversionFunnel = Readonly<{
  created: number;
  redirected: number;
  captured: number;
  paid: number;
  rejected: number;
  cancelled: number;
  conversionRate: string | undefined;
}>;

export type MerchantDailyReport = Readonly<{
  merchant: Merchant;
  rows: readonly StatusRow[];
  funnel: ConversionFunnel;
  remittance: readonly RemittanceRow[];
}>;

export const DEFAULT_TIME_ZONE = 'UTC';

// ---------------------------------------------------------------------------------------------------------
// Validation

const TIME_ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;
// PostgreSQL's list (the system tz database) also holds copies under posix/ and right/ (leap seconds) and a
// few non-zones; none of them is an IANA zone a caller means.
const NOT_IANA = /^(?:posix\/|right\/)|^(?:posixrules|localtime|Factory)$/i;

const zoneNamesByDatabase = new WeakMap<Database, Promise<ReadonlyMap<string, string>>>();

/**
 * The IANA zone names PostgreSQL knows, by lower-cased name. Checked against this list rather than by
 * trying the name in a query, because PostgreSQL also accepts POSIX specs like "UTC+3" (which means
 * UTC-3): never what a caller meant. Loaded once per database (about 1,200 names).
 */
function zoneNames(db: Database): Promise<ReadonlyMap<string, string>> {
  let names = zoneNamesByDatabase.get(db);
  if (names === undefined) {
    names = db.prisma.$queryRaw<{ name: string }[]>`SELECT name FROM pg_timezone_names`.then((rows) => {
      const byLowerCase = new Map<string, string>();
      for (const { name } of rows) if (!NOT_IANA.test(name)) byLowerCase.set(name.toLowerCase(), name);
      return byLowerCase;
    });
    // A failed load (database briefly down) must not be remembered.
    names.catch(() => zoneNamesByDatabase.delete(db));
    zoneNamesByDatabase.set(db, names);
  }
  return names;
}

/** Validates a report's date and time zone; throws ValidationFailedError naming each bad argument. */
export async function resolveReportDay(db: Database, date: string, timeZone: string = DEFAULT_TIME_ZONE): Promise<ReportDay> {
  const problems: FieldProblem[] = [];
  if (!isCalendarDate(date)) problems.push({ path: ['date'], message: 'must be an existing date written YYYY-MM-DD' });
  let canonicalZone: string | undefined;
  if (TIME_ZONE_SHAPE.test(timeZone) && timeZone.length <= 64) {
    canonicalZone = (await zoneNames(db)).get(timeZone.toLowerCase());
  }
  if (canonicalZone === undefined) {
    problems.push({ path: ['timeZone'], message: 'must be an IANA time zone name, e.g. Europe/Berlin or UTC' });
  }
  if (problems.length > 0 || canonicalZone === undefined) throw new ValidationFailedError(problems);
  return { date, timeZone: canonicalZone };
}

// ---------------------------------------------------------------------------------------------------------
// Queries

/** `column` within [start, end) of the report's calendar day in its time zone, computed by PostgreSQL. */
function onReportDay(column: Prisma.Sql, day: ReportDay): Prisma.Sql {
  return Prisma.sql`${column} >= (${day.date}::date)::timestamp AT TIME ZONE ${day.timeZone}
    AND ${column} < (${day.date}::date + 1)::timestamp AT TIME ZONE ${day.timeZone}`;
}

function merchantFilter(column: Prisma.Sql, merchantId: string | undefined): Prisma.Sql {
  return merchantId === undefined ? Prisma.empty : Prisma.sql`AND ${column} = ${merchantId}::uuid`;
}

type Grouping = 'total' | 'merchant';

/** Exported for the EXPLAIN test and the benchmark baseline: the exact statement `statusRows` runs. */
export function statusRowsQuery(day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total'): Prisma.Sql {
  const byMerchant = grouping === 'merchant';
  return Prisma.sql`
    SELECT ${byMerchant ? Prisma.sql`t.merchant_id::text AS merchant_id,` : Prisma.empty}
           t.status::text AS status, t.currency::text AS currency,
           count(*)::int AS count, sum(t.amount_minor)::text AS total
    FROM transactions t
    WHERE ${onReportDay(Prisma.sql`t.created_at`, day)} ${merchantFilter(Prisma.sql`t.merchant_id`, merchantId)}
    GROUP BY ${byMerchant ? Prisma.sql`t.merchant_id,` : Prisma.empty} t.status, t.currency
    ORDER BY ${byMerchant ? Prisma.sql`t.merchant_id,` : Prisma.empty} t.status, t.currency`;
}

export function conversionFunnelQuery(day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total'): Prisma.Sql {
  const byMerchant = grouping === 'merchant';
  // How far each transaction got along the success path, by its history, read off its current status wherever
  // the state machine (src/domain/status.ts) makes that exact: CAPTURED leads only to PAID, and REJECTED and
  // CANCELLED are final and reachable only from CREATED or REDIRECTED. So "captured" is CAPTURED or PAID now,
  // "paid", "rejected" and "cancelled" are that status now, and only a rejected or cancelled transaction needs its
  // history, to tell whether it was redirected first (one indexed lookup each, about a tenth of a day's rows,
  // instead of aggregating every transaction's events).
  return Prisma.sql`
    SELECT ${byMerchant ? Prisma.sql`t.merchant_id::text AS merchant_id,` : Prisma.empty}
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
    WHERE ${onReportDay(Prisma.sql`t.created_at`, day)} ${merchantFilter(Prisma.sql`t.merchant_id`, merchantId)}
    ${byMerchant ? Prisma.sql`GROUP BY t.merchant_id ORDER BY t.merchant_id` : Prisma.empty}`;
}

export function remittanceQuery(day: ReportDay, merchantId: string | undefined, grouping: Grouping = 'total'): Prisma.Sql {
  const byMerchant = grouping === 'merchant';
  return Prisma.sql`
    SELECT ${byMerchant ? Prisma.sql`e.merchant_id::text AS merchant_id,` : Prisma.empty}
           t.currency::text AS currency, count(*)::int AS count, sum(t.amount_minor)::text AS total
    FROM transaction_events e
    -- Each PAID event's transaction by primary key. LIMIT 1 keeps this a per-event lookup: as a plain
    -- join it could be planned as a hash join over every transaction.
    CROSS JOIN LATERAL (SELECT currency, amount_minor FROM transactions WHERE id = e.transaction_id LIMIT 1) t
    WHERE e.status = 'PAID' AND ${onReportDay(Prisma.sql`e.occurred_at`, day)} ${merchantFilter(Prisma.sql`e.merchant_id`, merchantId)}
    GROUP BY ${byMerchant ? Prisma.sql`e.merchant_id,` : Prisma.empty} t.currency
    ORDER BY ${byMerchant ? Prisma.sql`e.merchant_id,` : Prisma.empty} t.currency`;
}

type SumRow = { merchant_id?: string; currency: string; count: number; total: string };
type StatusSumRow = SumRow & { status: TransactionStatus };
type FunnelRow = {
  merchant_id?: string;
  created: number;
  redirected: number;
  captured: number;
  paid: number;
  rejected: number;
  cancelled: number;
};

/**
 * Runs a report statement as a named prepared statement: each pooled connection parses and plans it once, not on
 * every report (about a millisecond of a merchant-day report's few, measured with bench:reports). The name is the
 * text's hash, so the few distinct statements (three parts, per merchant or all, totals or by merchant) each get one.
 */
async function aggregate<Row>(db: Database, query: Prisma.Sql): Promise<Row[]> {
  const name = `report_${createHash('sha256').update(query.text).digest('hex').slice(0, 24)}`;
  const result = await db.pool.query({ name, text: query.text, values: query.values });
  return result.rows as Row[];
}

const toStatusRow = (row: StatusSumRow): StatusRow => ({
  status: row.status,
  currency: row.currency,
  count: row.count,
  totalMinor: BigInt(row.total),
});

const toRemittanceRow = (row: SumRow): RemittanceRow => ({ currency: row.currency, count: row.count, totalMinor: BigInt(row.total) });

const EMPTY_FUNNEL_ROW: FunnelRow = { created: 0, redirected: 0, captured: 0, paid: 0, rejected: 0, cancelled: 0 };

function toFunnel(row: FunnelRow | undefined): ConversionFunnel {
  const { created, redirected, captured, paid, rejected, cancelled } = row ?? EMPTY_FUNNEL_ROW;
  return {
    created,
    redirected,
    captured,
    paid,
    rejected,
    cancelled,
    conversionRate: formatRatio(BigInt(captured), BigInt(created)),
  };
}

/** Transactions created that day, per (current status, currency), in status order then currency. */
export async function statusRows(db: Database, day: ReportDay, merchantId: string | undefined): Promise<StatusRow[]> {
  const rows = await aggregate<StatusSumRow>(db, statusRowsQuery(day, merchantId));
  return rows.map(toStatusRow);
}

export async function conversionFunnel(db: Database, day: ReportDay, merchantId: string | undefined): Promise<ConversionFunnel> {
  const [row] = await aggregate<FunnelRow>(db, conversionFunnelQuery(day, merchantId));
  return toFunnel(row);
}

/** What reached PAID that day (remittance to the merchant begins), per currency. */
export async function remittance(db: Database, day: ReportDay, merchantId: string | undefined): Promise<RemittanceRow[]> {
  const rows = await aggregate<SumRow>(db, remittanceQuery(day, merchantId));
  return rows.map(toRemittanceRow);
}

/**
 * The same report per merchant (every merchant with a transaction created or paid that day), ordered by
 * merchant name. With `merchantId`, just that merchant's (at most one entry).
 */
export async function merchantBreakdown(db: Database, day: ReportDay, merchantId: string | undefined): Promise<MerchantDailyReport[]> {
  const [statusSums, funnels, remittances] = await Promise.all([
    aggregate<StatusSumRow>(db, statusRowsQuery(day, merchantId, 'merchant')),
    aggregate<FunnelRow>(db, conversionFunnelQuery(day, merchantId, 'merchant')),
    aggregate<SumRow>(db, remittanceQuery(day, merchantId, 'merchant')),
  ]);
  const ids = new Set([...statusSums, ...funnels, ...remittances].flatMap((row) => (row.merchant_id === undefined ? [] : [row.merchant_id])));
  const merchants = await db.prisma.merchant.findMany({ where: { id: { in: [...ids] } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  return merchants.map((merchant) => ({
    merchant,
    rows: statusSums.filter((row) => row.merchant_id === merchant.id).map(toStatusRow),
    funnel: toFunnel(funnels.find((row) => row.merchant_id === merchant.id)),
    remittance: remittances.filter((row) => row.merchant_id === merchant.id).map(toRemittanceRow),
  }));
}

/** [start, end) of the report's day as instants (for display: the queries compute it themselves). */
export async function reportDayBounds(db: Database, day: ReportDay): Promise<{ start: Date; end: Date }> {
  const [bounds] = await db.prisma.$queryRaw<{ start: Date; end: Date }[]>`
    SELECT (${day.date}::date)::timestamp AT TIME ZONE ${day.timeZone} AS start,
           (${day.date}::date + 1)::timestamp AT TIME ZONE ${day.timeZone} AS "end"`;
  if (!bounds) throw new Error('day bounds query returned no row');
  return bounds;
}

// ---------------------------------------------------------------------------------------------------------
// Operations

/** Longest age `stuckTransactions` accepts: a year. */
export const MAX_STUCK_AGE_MINUTES = 366 * 24 * 60;

/**
 * CREATED or REDIRECTED for longer than `olderThanMinutes`, measured from the last status change
 * (updatedAt): the transactions whose final status has not come. Served by the (status, updated_at) index.
 */
export function stuckTransactionsWhere(
  olderThanMinutes: number,
  merchantId: string | undefined,
  now: Date = new Date(),
): Prisma.TransactionWhereInput {
  if (!Number.isInteger(olderThanMinutes) || olderThanMinutes < 0 || olderThanMinutes > MAX_STUCK_AGE_MINUTES) {
    throw new ValidationFailedError([
      { path: ['olderThanMinutes'], message: `must be a whole number of minutes from 0 to ${MAX_STUCK_AGE_MINUTES}` },
    ]);
  }
  return {
    status: { in: ['CREATED', 'REDIRECTED'] },
    updatedAt: { lt: new Date(now.getTime() - olderThanMinutes * 60_000) },
    ...(merchantId === undefined ? {} : { merchantId }),
  };
}
