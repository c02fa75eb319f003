import { encodeCsv } from '../domain/csv.ts';
import { encodeGlobalId } from '../domain/ids.ts';
import { formatMinorUnits } from '../domain/money.ts';
import { TRANSACTION_STATUSES, isTransactionStatus, type TransactionStatus } from '../domain/status.ts';
import { ValidationFailedError, type FieldProblem } from './errors.ts';
import { DEFAULT_TIME_ZONE } from './reports.ts';
import { STATS_DIMENSIONS, STATS_FIGURES, type StatsDimension, type StatsRequest, type TransactionStats } from './stats.ts';

/**
 * transactionStats as text, for spreadsheets: parameters from a query string or the command line, RFC 4180 CSV
 * out. Shared by GET /reports/stats.csv and `npm run cli -- report:stats`, so both print the same bytes.
 *
 * One line per row of the query, in its order. Money is wide: without CURRENCY in groupBy, one column per figure
 * and currency (`paid_amount_EUR`), since every row lists the same currencies; with it, one per figure in the
 * row's own currency. Amounts are exact decimals in the currency's exponent.
 */

/** The most lines a CSV answer holds; larger requests are refused before the aggregate runs where possible. */
export const MAX_STATS_CSV_ROWS = 100_000;

/** A comma-separated parameter as its items (empty items dropped); undefined when the parameter is absent. */
function list(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * A request from text parameters (`from`, `to`, `timeZone`, `groupBy`, `statuses`, `currencies`, comma-separated
 * lists), without its merchant scope, which the caller settles. Unknown names are a ValidationFailedError; the
 * service checks the rest.
 */
export function statsRequestFromText(parameter: (name: string) => string | undefined): Omit<StatsRequest, 'merchantId'> {
  const problems: FieldProblem[] = [];
  const groupBy = list(parameter('groupBy')) ?? [];
  const unknownDimensions = groupBy.filter((name) => !(STATS_DIMENSIONS as readonly string[]).includes(name));
  if (unknownDimensions.length > 0) {
    problems.push({ path: ['groupBy'], message: `unknown ${unknownDimensions.join(', ')}: use ${STATS_DIMENSIONS.join(', ')}` });
  }
  const statuses = list(parameter('statuses'));
  const unknownStatuses = statuses?.filter((name) => !isTransactionStatus(name)) ?? [];
  if (unknownStatuses.length > 0) {
    problems.push({ path: ['statuses'], message: `unknown ${unknownStatuses.join(', ')}: use ${TRANSACTION_STATUSES.join(', ')}` });
  }
  if (problems.length > 0) throw new ValidationFailedError(problems);
  return {
    from: parameter('from') ?? '',
    to: parameter('to') ?? '',
    timeZone: parameter('timeZone') ?? DEFAULT_TIME_ZONE,
    groupBy: groupBy as StatsDimension[],
    statuses: statuses as TransactionStatus[] | undefined,
    currencies: list(parameter('currencies')),
  };
}

/** A file name for the answer, e.g. paystream-stats-2026-03-01-2026-03-31.csv. */
export function statsCsvFileName(stats: TransactionStats): string {
  return `paystream-stats-${stats.from}-${stats.to}.csv`;
}

export function transactionStatsCsv(stats: TransactionStats): string {
  const byStatus = stats.groupBy.includes('STATUS');
  const byCurrency = stats.groupBy.includes('CURRENCY');
  const byMerchant = stats.groupBy.includes('MERCHANT');
  const header = [
    'start',
    'end',
    'date',
    'local_start',
    ...(byMerchant ? ['merchant_id', 'merchant_name'] : []),
    ...(byStatus ? ['status'] : []),
    ...(byCurrency ? ['currency'] : []),
    ...STATS_FIGURES,
    'conversion_rate',
    ...(byCurrency ? STATS_FIGURES.map((figure) => `${figure}_amount`) : stats.currencies.flatMap((currency) => STATS_FIGURES.map((figure) => `${figure}_amount_${currency}`))),
  ];
  const records = stats.rows.map((row) => [
    new Date(row.bucket.start).toISOString(),
    new Date(row.bucket.end).toISOString(),
    row.bucket.date,
    row.bucket.localStart,
    ...(byMerchant ? [row.merchant ? encodeGlobalId('Merchant', row.merchant.id) : '', row.merchant?.name ?? ''] : []),
    ...(byStatus ? [row.status ?? ''] : []),
    ...(byCurrency ? [row.currency ?? ''] : []),
    ...STATS_FIGURES.map((figure) => String(row.counts[figure])),
    row.conversionRate ?? '',
    ...row.amounts.flatMap((amounts) => STATS_FIGURES.map((figure) => formatMinorUnits(amounts[figure], amounts.currency))),
  ]);
  return encodeCsv([header, ...records]);
}
