import { isCalendarDate } from '../domain/calendar.ts';
import { isKnownCurrency } from '../domain/money.ts';
import { formatRatio } from '../domain/ratio.ts';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../domain/status.ts';
import { TIME_UNITS, timeBuckets, timelineBetween, type OffsetTimeline, type TimeBucket, type TimeUnit } from '../domain/time-buckets.ts';
import type { Database } from '../db/client.ts';
import { STATS_FIGURES, readOffsetTimeline, sumTransactions, type StatsAmounts, type StatsFigure, type StatsSum } from '../db/sql/stats.ts';
import { hourlyFiguresServe, sumHourlyFigures } from '../db/sql/stats-hourly.ts';
import type { Merchant } from '../generated/prisma/client.ts';
import { ForbiddenError, ValidationFailedError, type FieldProblem } from './errors.ts';
import { requestedMerchantScope } from './merchant-scope.ts';
import type { Actor } from './merchants.ts';
import { canonicalTimeZone } from './reports.ts';

/**
 * transactionStats: the transactions created in a date range, bucketed by time (hour, day, ISO week, month in an
 * IANA zone) and broken down by status, currency and merchant, for dashboards. One implementation behind GraphQL,
 * the CSV route and the CLI.
 *
 * - Buckets come from the zone's UTC offsets as PostgreSQL knows them (src/domain/time-buckets.ts): a day is 23 or
 *   25 hours when the clocks change, an hour that occurs twice is two buckets.
 * - A transaction counts in the bucket of its creation, by its current status (see src/db/sql/stats.ts): `created`
 *   all of them, `captured` those that reached CAPTURED (now CAPTURED or PAID), `paid`, `cancelled`, `rejected`,
 *   and `refunded` those with money refunded. Money is per currency, never summed across currencies.
 * - Every bucket of the range is present, with zeros when empty, for every series: each status (the filter's, or
 *   all) when grouped by status, each currency and merchant that has transactions in the range (or that the filter
 *   names) when grouped by those. Every row's `amounts` lists the same currencies, so a chart needs no gap-filling.
 * - Each figure is a count and a sum (STATS_FIGURES); a new one is a line in src/db/sql/stats.ts (and stats-hourly.ts) and a field.
 */

export { STATS_FIGURES, type StatsAmounts, type StatsFigure };

export const STATS_DIMENSIONS = [...TIME_UNITS, 'STATUS', 'CURRENCY', 'MERCHANT'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

/** Longest range (from and to inclusive), and the longest one with hourly buckets. */
export const MAX_RANGE_DAYS = 366;
export const MAX_HOURLY_RANGE_DAYS = 31;

export type StatsRequest = Readonly<{
  /** Local calendar dates, both inclusive (YYYY-MM-DD). */
  from: string;
  to: string;
  timeZone: string;
  groupBy: readonly StatsDimension[];
  /** Only transactions whose current status is one of these; undefined: all. */
  statuses?: readonly TransactionStatus[] | undefined;
  /** Only these currencies; undefined: all. */
  currencies?: readonly string[] | undefined;
  /** Undefined: every merchant (callers allow that only to ADMIN). */
  merchantId: string | undefined;
}>;

export type StatsCounts = Readonly<Record<StatsFigure, number>>;

export type StatsRow = Readonly<{
  bucket: TimeBucket;
  /** Set when grouped by that dimension. */
  status: TransactionStatus | undefined;
  currency: string | undefined;
  merchant: Merchant | undefined;
  counts: StatsCounts;
  /** captured / created, 4 decimals rounded half up ("0.6667"); undefined when nothing was created. */
  conversionRate: string | undefined;
  /** One per currency of the result (only the row's own when grouped by currency), in code order. */
  amounts: readonly StatsAmounts[];
}>;

export type TransactionStats = Readonly<{
  from: string;
  to: string;
  /** As PostgreSQL spells it. */
  timeZone: string;
  groupBy: readonly StatsDimension[];
  /** Every currency of the result, in code order: the currencies of each row's amounts. */
  currencies: readonly string[];
  /** In bucket order, then merchant name, status, currency. */
  rows: readonly StatsRow[];
}>;

/**
 * What a result will hold: `admit` sees it before the aggregate runs (`exact` false: the buckets times the series the
 * request lists, a lower bound) and once the series found in the range are known (`exact` true).
 */
export type StatsSize = Readonly<{ rows: number; amountsPerRow: number; exact: boolean }>;

export type StatsOptions = Readonly<{
  /** Throws to refuse a result too large for the caller (GraphQL: the query cost; CSV: a row limit). */
  admit?: (size: StatsSize) => void;
}>;

// ---------------------------------------------------------------------------------------------------------
// Scope and validation

/**
 * The merchant a request reads, by the one rule for `merchantId` (src/services/merchant-scope.ts), and the rule of
 * its own: a breakdown by merchant is for ADMIN keys (FORBIDDEN otherwise).
 */
export async function statsScope(
  db: Database,
  actor: Actor,
  merchantId: string | null | undefined,
  groupBy: readonly StatsDimension[],
  path: readonly string[] = ['filter', 'merchantId'],
): Promise<string | undefined> {
  if (groupBy.includes('MERCHANT') && actor.role !== 'ADMIN') throw new ForbiddenError('groupBy MERCHANT is for ADMIN keys');
  return requestedMerchantScope(db, actor, merchantId, path);
}

type ValidRequest = StatsRequest & { unit: TimeUnit | undefined; statuses: readonly TransactionStatus[]; currencies: readonly string[] };

function daysBetween(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;
}

/** The series a request lists itself: statuses when grouped by them, listed currencies when grouped by currency. */
function listedSeries(request: Pick<StatsRequest, 'groupBy' | 'statuses' | 'currencies'>): number {
  const statuses = request.groupBy.includes('STATUS') ? new Set(request.statuses ?? TRANSACTION_STATUSES).size : 1;
  const currencies = request.groupBy.includes('CURRENCY') ? Math.max(1, new Set(request.currencies ?? []).size) : 1;
  return statuses * currencies;
}

/**
 * The rows a request asks for as far as its arguments tell, without the database (for the query cost, before
 * anything runs): calendar buckets, hours counted 24 a day, ranges cut to their caps (a longer one is refused by
 * validation, with a clearer message), times the series it lists. Currencies and merchants found in the range count
 * once they are known (StatsSize with `exact`).
 */
export function rowsAskedFor(request: Pick<StatsRequest, 'from' | 'to' | 'groupBy' | 'statuses' | 'currencies'>): number {
  const { from, to, groupBy } = request;
  if (!isCalendarDate(from) || !isCalendarDate(to) || to < from) return 1;
  const unit = TIME_UNITS.find((candidate) => groupBy.includes(candidate));
  const days = Math.min(daysBetween(from, to) + 1, unit === 'HOUR' ? MAX_HOURLY_RANGE_DAYS : MAX_RANGE_DAYS);
  const last = Date.parse(`${from}T00:00:00Z`) + (days - 1) * 86_400_000;
  const week = (instant: number) => Math.floor((instant / 86_400_000 + 3) / 7);
  const month = (instant: number) => new Date(instant).getUTCFullYear() * 12 + new Date(instant).getUTCMonth();
  const first = Date.parse(`${from}T00:00:00Z`);
  const buckets = { HOUR: days * 24, DAY: days, WEEK: week(last) - week(first) + 1, MONTH: month(last) - month(first) + 1 }[unit ?? 'DAY'];
  return (unit === undefined ? 1 : buckets) * listedSeries(request);
}

async function validate(db: Database, request: StatsRequest): Promise<ValidRequest> {
  const problems: FieldProblem[] = [];
  const { from, to, groupBy } = request;
  const datesValid = isCalendarDate(from) && isCalendarDate(to);
  if (!isCalendarDate(from)) problems.push({ path: ['from'], message: 'must be an existing date written YYYY-MM-DD' });
  if (!isCalendarDate(to)) problems.push({ path: ['to'], message: 'must be an existing date written YYYY-MM-DD' });
  const days = datesValid ? daysBetween(from, to) + 1 : 0;
  if (datesValid && days < 1) problems.push({ path: ['to'], message: 'must not be before from' });
  if (days > MAX_RANGE_DAYS) problems.push({ path: ['to'], message: `the range is at most ${MAX_RANGE_DAYS} days (from and to inclusive)` });

  const units = TIME_UNITS.filter((unit) => groupBy.includes(unit));
  if (new Set(groupBy).size !== groupBy.length) problems.push({ path: ['groupBy'], message: 'names a dimension twice' });
  if (units.length > 1) problems.push({ path: ['groupBy'], message: `at most one of ${TIME_UNITS.join(', ')}` });
  if (units[0] === 'HOUR' && days > MAX_HOURLY_RANGE_DAYS) {
    problems.push({ path: ['groupBy'], message: `HOUR needs a range of at most ${MAX_HOURLY_RANGE_DAYS} days` });
  }

  const { statuses, currencies } = request;
  if (statuses?.length === 0) problems.push({ path: ['filter', 'statuses'], message: 'must name at least one status (omit it for all)' });
  if (currencies?.length === 0) problems.push({ path: ['filter', 'currencies'], message: 'must name at least one currency (omit it for all)' });
  currencies?.forEach((currency, index) => {
    if (!isKnownCurrency(currency)) problems.push({ path: ['filter', 'currencies', String(index)], message: `${currency} is not an ISO 4217 currency code` });
  });

  const timeZone = await canonicalTimeZone(db, request.timeZone);
  if (timeZone === undefined) problems.push({ path: ['timeZone'], message: 'must be an IANA time zone name, e.g. Europe/Berlin or UTC' });
  if (problems.length > 0 || timeZone === undefined) throw new ValidationFailedError(problems);
  return {
    ...request,
    timeZone,
    unit: units[0],
    statuses: TRANSACTION_STATUSES.filter((status) => statuses === undefined || statuses.includes(status)),
    currencies: [...new Set(currencies ?? [])].sort(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Buckets

const TIMELINE_CACHE_SIZE = 256;
const ZONE_YEARS_CACHE_SIZE = 64;
const DAY_MS = 86_400_000;
const zoneYearsByDatabase = new WeakMap<Database, Map<string, Promise<OffsetTimeline>>>();

/**
 * The zone's offsets over the calendar years from `from`'s to `to`'s, read once per database (least recently used
 * first out) and shared by every range in those years: a dashboard moving to a range it has not asked for yet
 * costs no round trip for its buckets.
 */
function zoneYears(db: Database, timeZone: string, from: string, to: string): Promise<OffsetTimeline> {
  let cache = zoneYearsByDatabase.get(db);
  if (cache === undefined) {
    cache = new Map();
    zoneYearsByDatabase.set(db, cache);
  }
  const [first, last] = [from.slice(0, 4), to.slice(0, 4)];
  const key = `${timeZone} ${first} ${last}`;
  let years = cache.get(key);
  if (years === undefined) {
    years = readOffsetTimeline(db.sql, `${first}-01-01`, `${last}-12-31`, timeZone);
    // A failed read (database briefly down) must not be remembered.
    const remembered = cache;
    years.catch(() => remembered.delete(key));
    if (cache.size >= ZONE_YEARS_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(key);
  }
  cache.set(key, years);
  return years;
}

/** A range's buckets, and their starts then the last one's end (what the aggregate is given). */
type RangeBuckets = { buckets: readonly TimeBucket[]; boundaries: readonly number[] };
type RememberedRange = { timeline: Promise<OffsetTimeline>; buckets: Map<TimeUnit | 'range', RangeBuckets> };
const rangesByDatabase = new WeakMap<Database, Map<string, RememberedRange>>();

/**
 * The range's buckets, from the zone's offsets around it, remembered per database (least recently used first out):
 * dashboards ask for the same few ranges again and again, and then the aggregate is the request's only round trip
 * and nothing is computed twice. Offsets of a past range never change; a time zone database update reaches a running
 * instance at its next start.
 */
async function bucketsOf(db: Database, { from, to, timeZone, unit }: Pick<ValidRequest, 'from' | 'to' | 'timeZone' | 'unit'>): Promise<RangeBuckets> {
  let cache = rangesByDatabase.get(db);
  if (cache === undefined) {
    cache = new Map();
    rangesByDatabase.set(db, cache);
  }
  const key = `${timeZone} ${from} ${to}`;
  let range = cache.get(key);
  if (range === undefined) {
    // The range with more than a day to spare on both sides whatever the zone's offset (timeBuckets needs one).
    const span = [Date.parse(`${from}T00:00:00Z`) - 2 * DAY_MS, Date.parse(`${to}T00:00:00Z`) + 3 * DAY_MS] as const;
    range = { timeline: zoneYears(db, timeZone, from, to).then((years) => timelineBetween(years, ...span)), buckets: new Map() };
    // A failed read (database briefly down) must not be remembered.
    const remembered = cache;
    range.timeline.catch(() => remembered.delete(key));
    if (cache.size >= TIMELINE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  } else {
    cache.delete(key);
  }
  cache.set(key, range);
  const timeline = await range.timeline;
  let buckets = range.buckets.get(unit ?? 'range');
  if (buckets === undefined) {
    const list = timeBuckets({ from, to }, unit, timeline);
    buckets = { buckets: list, boundaries: [...list.map((bucket) => bucket.start), list[list.length - 1]?.end ?? 0] };
    range.buckets.set(unit ?? 'range', buckets);
  }
  return buckets;
}

// ---------------------------------------------------------------------------------------------------------
// The query

type Accumulator = { counts: Record<StatsFigure, number>; amounts: Map<string, { currency: string } & Record<StatsFigure, bigint>> };

const ZERO_COUNTS: StatsCounts = Object.freeze({ created: 0, captured: 0, paid: 0, cancelled: 0, rejected: 0, refunded: 0 });
const zeroAmounts = (currency: string): StatsAmounts => Object.freeze({ currency, created: 0n, captured: 0n, paid: 0n, cancelled: 0n, rejected: 0n, refunded: 0n });

function seriesKey(bucket: number, status: string | undefined, currency: string | undefined, merchantId: string | undefined): string {
  return `${bucket} ${status ?? ''} ${currency ?? ''} ${merchantId ?? ''}`;
}

/** Adds one aggregate entry into its accumulator (counts summed over currencies, money kept per currency). */
function accumulate(accumulator: Accumulator, sum: StatsSum): void {
  const amounts = accumulator.amounts.get(sum.amounts.currency);
  if (amounts === undefined) accumulator.amounts.set(sum.amounts.currency, { ...sum.amounts });
  for (const figure of STATS_FIGURES) {
    accumulator.counts[figure] += sum.counts[figure];
    if (amounts !== undefined) amounts[figure] += sum.amounts[figure];
  }
}

/** Runs transactionStats for a request whose merchant scope the caller has settled. */
export async function transactionStats(db: Database, request: StatsRequest, options: StatsOptions = {}): Promise<TransactionStats> {
  const valid = await validate(db, request);
  const { groupBy, statuses, merchantId } = valid;
  const byStatus = groupBy.includes('STATUS');
  const byCurrency = groupBy.includes('CURRENCY');
  const byMerchant = groupBy.includes('MERCHANT');

  const { buckets, boundaries } = await bucketsOf(db, valid);
  options.admit?.({ rows: buckets.length * listedSeries(valid), amountsPerRow: byCurrency ? 1 : valid.currencies.length, exact: false });

  const filter = { statuses, currencies: valid.currencies, merchantId };
  // One merchant's whole-hour buckets come from the hourly figures (src/services/stats-hourly.ts), the rest from the transactions.
  const grouping = { time: buckets.length > 1, status: byStatus, merchant: byMerchant };
  const sum = hourlyFiguresServe(boundaries, filter) ? sumHourlyFigures : sumTransactions;
  const sums = buckets.length === 0 ? [] : await sum(db.sql, boundaries, grouping, filter);

  const currencies = valid.currencies.length > 0 ? valid.currencies : [...new Set(sums.map((sum) => sum.amounts.currency))].sort();
  const merchants = byMerchant ? await merchantsOf(db, merchantId === undefined ? sums.map((sum) => sum.merchantId) : [merchantId]) : [undefined];
  const statusSeries = byStatus ? statuses : [undefined];
  const currencySeries = byCurrency ? currencies : [undefined];
  const rowCount = buckets.length * statusSeries.length * currencySeries.length * merchants.length;
  options.admit?.({ rows: rowCount, amountsPerRow: byCurrency ? 1 : currencies.length, exact: true });

  const accumulators = new Map<string, Accumulator>();
  for (const sum of sums) {
    const key = seriesKey(sum.bucket, byStatus ? sum.status : undefined, byCurrency ? sum.amounts.currency : undefined, byMerchant ? sum.merchantId : undefined);
    let accumulator = accumulators.get(key);
    if (accumulator === undefined) {
      accumulator = { counts: { ...ZERO_COUNTS }, amounts: new Map() };
      accumulators.set(key, accumulator);
    }
    accumulate(accumulator, sum);
  }

  // Empty buckets and currencies share one frozen zero each.
  const zeros = new Map(currencies.map((currency) => [currency, zeroAmounts(currency)]));
  const zeroOf = (currency: string) => zeros.get(currency) ?? zeroAmounts(currency);
  const rows: StatsRow[] = [];
  buckets.forEach((bucket, index) => {
    for (const merchant of merchants) {
      for (const status of statusSeries) {
        for (const currency of currencySeries) {
          const key = seriesKey(index, status, currency, merchant?.id);
          const accumulator = accumulators.get(key);
          accumulators.delete(key);
          const counts = accumulator?.counts ?? ZERO_COUNTS;
          rows.push({
            bucket,
            status,
            currency,
            merchant,
            counts,
            conversionRate: formatRatio(BigInt(counts.captured), BigInt(counts.created)),
            amounts: (currency === undefined ? currencies : [currency]).map((code) => accumulator?.amounts.get(code) ?? zeroOf(code)),
          });
        }
      }
    }
  });
  // Every aggregate row has found its place: anything left would be a bucket or series this code failed to list.
  if (accumulators.size > 0) throw new Error(`transactionStats: ${accumulators.size} aggregate rows outside the listed buckets and series`);
  return { from: valid.from, to: valid.to, timeZone: valid.timeZone, groupBy: [...groupBy], currencies, rows };
}

/** The merchants by name (then id), each once. */
async function merchantsOf(db: Database, ids: readonly (string | undefined)[]): Promise<Merchant[]> {
  const wanted = [...new Set(ids.filter((id) => id !== undefined))];
  if (wanted.length === 0) return [];
  return db.prisma.merchant.findMany({ where: { id: { in: wanted } }, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
}
