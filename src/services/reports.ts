import { isCalendarDate } from '../domain/calendar.ts';
import { formatRatio } from '../domain/ratio.ts';
import type { Database } from '../db/client.ts';
import {
  countFunnel,
  readDayBounds,
  readTimeZoneNames,
  sumRefunds,
  sumRemittance,
  sumStatusRows,
  type FunnelCounts,
  type RefundSum,
  type RemittanceSum,
  type ReportDay,
  type StatusSum,
} from '../db/sql/reports.ts';
import type { Merchant, Prisma } from '../generated/prisma/client.ts';
import { ValidationFailedError, type FieldProblem } from './errors.ts';

/**
 * Reports for merchants and internal dashboards: one implementation behind GraphQL, the CSV route and the CLI.
 *
 * A report covers one calendar day in an IANA time zone. Day boundaries are computed by PostgreSQL inside
 * each statement (src/db/sql/reports.ts), so a DST day has its 23 or 25 hours, and every part is one
 * hand-written aggregate: one round trip, planned as a range scan on an index.
 *
 * - `statusRows`: the transactions CREATED that day, grouped by their CURRENT status and currency.
 * - `conversionFunnel`: how far those same transactions got, read from the event log (see ConversionFunnel).
 * - `remittance`: the transactions whose PAID event happened that day (whenever they were created), per currency,
 *   net of the refunds that succeeded that day (both shown: the net may be negative).
 * - `refunds`: refunds requested that day, and those that succeeded or failed that day, per currency.
 *
 * Sums are exact (bigint minor units, never a float).
 * `merchantId` undefined means every merchant (callers enforce that only ADMIN gets there).
 */

/** A calendar day in a time zone (the zone as PostgreSQL spells it; input is matched case-insensitively). */
export type { ReportDay } from '../db/sql/reports.ts';

export type StatusRow = Omit<StatusSum, 'merchantId'>;

/** Paid that day, refunds deducted that day, and `netMinor` = paid - refunded (negative when refunds exceed payments). */
export type RemittanceRow = Omit<RemittanceSum, 'merchantId'> & Readonly<{ netMinor: bigint }>;

export type RefundReportRow = Omit<RefundSum, 'merchantId'>;

/**
 * Of the transactions created that day, how many reached each stage, by their event history.
 * The success path is cumulative (CREATED -> REDIRECTED -> CAPTURED -> PAID): a transaction that went
 * straight to PAID (a notification may skip steps) counts as redirected, captured and paid, so the
 * funnel never widens. `rejected` and `cancelled` count those that ended there (at any stage); `cancelledByConsumer`
 * and `cancelledByMerchant` split `cancelled` by its statusReason.
 * `conversionRate` = captured / created (captured includes paid: both mean the consumer paid), a decimal
 * string with 4 decimals rounded half up ("0.6667"); undefined when nothing was created.
 */
export type ConversionFunnel = Omit<FunnelCounts, 'merchantId'> & Readonly<{ conversionRate: string | undefined }>;

export type MerchantDailyReport = Readonly<{
  merchant: Merchant;
  rows: readonly StatusRow[];
  funnel: ConversionFunnel;
  remittance: readonly RemittanceRow[];
  refunds: readonly RefundReportRow[];
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
    names = readTimeZoneNames(db.sql).then((all) => {
      const byLowerCase = new Map<string, string>();
      for (const name of all) if (!NOT_IANA.test(name)) byLowerCase.set(name.toLowerCase(), name);
      return byLowerCase;
    });
    // A failed load (database briefly down) must not be remembered.
    names.catch(() => zoneNamesByDatabase.delete(db));
    zoneNamesByDatabase.set(db, names);
  }
  return names;
}

/** The IANA zone's name as PostgreSQL spells it (matched case-insensitively); undefined for anything else. */
export async function canonicalTimeZone(db: Database, timeZone: string): Promise<string | undefined> {
  if (!TIME_ZONE_SHAPE.test(timeZone) || timeZone.length > 64) return undefined;
  return (await zoneNames(db)).get(timeZone.toLowerCase());
}

/** Validates a report's date and time zone; throws ValidationFailedError naming each bad argument. */
export async function resolveReportDay(db: Database, date: string, timeZone: string = DEFAULT_TIME_ZONE): Promise<ReportDay> {
  const problems: FieldProblem[] = [];
  if (!isCalendarDate(date)) problems.push({ path: ['date'], message: 'must be an existing date written YYYY-MM-DD' });
  const canonicalZone = await canonicalTimeZone(db, timeZone);
  if (canonicalZone === undefined) {
    problems.push({ path: ['timeZone'], message: 'must be an IANA time zone name, e.g. Europe/Berlin or UTC' });
  }
  if (problems.length > 0 || canonicalZone === undefined) throw new ValidationFailedError(problems);
  return { date, timeZone: canonicalZone };
}

// ---------------------------------------------------------------------------------------------------------
// Queries (the statements are in src/db/sql/reports.ts)

const toStatusRow = ({ status, currency, count, totalMinor }: StatusSum): StatusRow => ({ status, currency, count, totalMinor });

const toRemittanceRow = ({ currency, count, totalMinor, refundCount, refundedMinor }: RemittanceSum): RemittanceRow => ({
  currency,
  count,
  totalMinor,
  refundCount,
  refundedMinor,
  netMinor: totalMinor - refundedMinor,
});

const toRefundRow = ({ currency, requested, succeeded, failed }: RefundSum): RefundReportRow => ({ currency, requested, succeeded, failed });

function toFunnel(counts: FunnelCounts | undefined): ConversionFunnel {
  const { created = 0, redirected = 0, captured = 0, paid = 0, rejected = 0, cancelled = 0, cancelledByConsumer = 0, cancelledByMerchant = 0 } = counts ?? {};
  return {
    created,
    redirected,
    captured,
    paid,
    rejected,
    cancelled,
    cancelledByConsumer,
    cancelledByMerchant,
    conversionRate: formatRatio(BigInt(captured), BigInt(created)),
  };
}

/** Transactions created that day, per (current status, currency), in status order then currency. */
export async function statusRows(db: Database, day: ReportDay, merchantId: string | undefined): Promise<StatusRow[]> {
  return (await sumStatusRows(db.sql, day, merchantId, 'total')).map(toStatusRow);
}

export async function conversionFunnel(db: Database, day: ReportDay, merchantId: string | undefined): Promise<ConversionFunnel> {
  const [counts] = await countFunnel(db.sql, day, merchantId, 'total');
  return toFunnel(counts);
}

/** What reached PAID that day (remittance to the merchant begins) net of that day's refunds, per currency. */
export async function remittance(db: Database, day: ReportDay, merchantId: string | undefined): Promise<RemittanceRow[]> {
  return (await sumRemittance(db.sql, day, merchantId, 'total')).map(toRemittanceRow);
}

/** Refunds requested, succeeded and failed that day, per currency. */
export async function refundRows(db: Database, day: ReportDay, merchantId: string | undefined): Promise<RefundReportRow[]> {
  return (await sumRefunds(db.sql, day, merchantId, 'total')).map(toRefundRow);
}

/**
 * The same report per merchant (every merchant with a transaction created or paid, or a refund, that day), ordered by
 * merchant name. With `merchantId`, just that merchant's (at most one entry).
 */
export async function merchantBreakdown(db: Database, day: ReportDay, merchantId: string | undefined): Promise<MerchantDailyReport[]> {
  const [statusSums, funnels, remittances, refunds] = await Promise.all([
    sumStatusRows(db.sql, day, merchantId, 'merchant'),
    countFunnel(db.sql, day, merchantId, 'merchant'),
    sumRemittance(db.sql, day, merchantId, 'merchant'),
    sumRefunds(db.sql, day, merchantId, 'merchant'),
  ]);
  const ids = new Set([...statusSums, ...funnels, ...remittances, ...refunds].flatMap((row) => (row.merchantId === undefined ? [] : [row.merchantId])));
  const merchants = await db.prisma.merchant.findMany({ where: { id: { in: [...ids] } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  return merchants.map((merchant) => ({
    merchant,
    rows: statusSums.filter((row) => row.merchantId === merchant.id).map(toStatusRow),
    funnel: toFunnel(funnels.find((row) => row.merchantId === merchant.id)),
    remittance: remittances.filter((row) => row.merchantId === merchant.id).map(toRemittanceRow),
    refunds: refunds.filter((row) => row.merchantId === merchant.id).map(toRefundRow),
  }));
}

/** [start, end) of the report's day as instants (for display: the queries compute it themselves). */
export function reportDayBounds(db: Database, day: ReportDay): Promise<{ start: Date; end: Date }> {
  return readDayBounds(db.sql, day);
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
