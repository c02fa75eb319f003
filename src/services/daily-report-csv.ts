import { encodeGlobalID } from '@pothos/plugin-relay';
import { encodeCsv } from '../domain/csv.ts';
import { formatMinorUnits } from '../domain/money.ts';
import type { MerchantDailyReport, ReportDay } from './reports.ts';

/**
 * The offline daily report: served at `GET /reports/daily.csv` (src/http/routes/reports-csv.ts) and printed by
 * `cli report:daily`. One line per merchant, section and (status, currency):
 *
 * - section `created`: transactions created that day, by current status (dailyReport.rows);
 * - section `paid`: transactions whose PAID event happened that day, status PAID (dailyReport.remittance: count, total);
 * - section `refunded`: the refunds deducted from that remittance, status SUCCEEDED (remittance refundCount, refunded);
 * - section `net`: paid minus refunded (remittance net; count empty), negative when refunds exceed payments;
 *   the three come together for each currency of the remittance, so a deduction is never hidden;
 * - section `refunds`: refunds requested that day (status REQUESTED), succeeded that day (SUCCEEDED), failed that day
 *   (FAILED), each line only when there was one (dailyReport.refunds).
 *
 * A merchant key gets its own lines; ADMIN every merchant's (or `merchantId`'s), so finance can remit per
 * merchant. Totals are exact decimals in the currency's exponent plus the integer minor units.
 */

export const DAILY_REPORT_CSV_HEADER = [
  'date',
  'time_zone',
  'merchant_id',
  'merchant_name',
  'section',
  'status',
  'currency',
  'count',
  'total',
  'total_minor_units',
] as const;

/** RFC 4180 text of a breakdown; shared with the CLI so both print the same bytes. */
export function dailyReportCsv(day: ReportDay, breakdown: readonly MerchantDailyReport[]): string {
  const records: string[][] = [[...DAILY_REPORT_CSV_HEADER]];
  for (const { merchant, rows, remittance, refunds } of breakdown) {
    const prefix = [day.date, day.timeZone, encodeGlobalID('Merchant', merchant.id), merchant.name];
    const line = (section: string, status: string, currency: string, count: number | undefined, totalMinor: bigint) =>
      records.push([...prefix, section, status, currency, count === undefined ? '' : String(count), formatMinorUnits(totalMinor, currency), totalMinor.toString()]);
    for (const row of rows) line('created', row.status, row.currency, row.count, row.totalMinor);
    for (const row of remittance) {
      line('paid', 'PAID', row.currency, row.count, row.totalMinor);
      line('refunded', 'SUCCEEDED', row.currency, row.refundCount, row.refundedMinor);
      line('net', '', row.currency, undefined, row.netMinor);
    }
    for (const row of refunds) {
      for (const [status, tally] of [['REQUESTED', row.requested], ['SUCCEEDED', row.succeeded], ['FAILED', row.failed]] as const) {
        if (tally.count > 0) line('refunds', status, row.currency, tally.count, tally.totalMinor);
      }
    }
  }
  return encodeCsv(records);
}
