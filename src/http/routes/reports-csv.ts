import { encodeGlobalID } from '@pothos/plugin-relay';
import { encodeCsv } from '../../domain/csv.ts';
import { formatMinorUnits } from '../../domain/money.ts';
import { parseGlobalId } from '../../graphql/ids.ts';
import { ValidationFailedError } from '../../services/errors.ts';
import { merchantScope } from '../../services/merchant-scope.ts';
import { DEFAULT_TIME_ZONE, merchantBreakdown, resolveReportDay, type MerchantDailyReport, type ReportDay } from '../../services/reports.ts';
import { HttpError } from '../body.ts';
import { reportCaller } from '../report-caller.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * The offline daily report: `GET /reports/daily.csv?date=YYYY-MM-DD[&timeZone=Zone][&merchantId=<id>]`,
 * authenticated like GraphQL. One line per merchant, section and (status, currency):
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

export function dailyReportCsvRoutes(deps: RouteDeps): Route[] {
  const handler: Route['handler'] = async (request, response, url) => {
    const actor = await reportCaller(deps, request, response);
    const merchantIdParameter = url.searchParams.get('merchantId');
    let merchantId = merchantScope(actor);
    if (merchantIdParameter !== null) {
      if (actor.role !== 'ADMIN') throw new HttpError(403, 'merchantId is for ADMIN keys');
      merchantId = parseGlobalId(merchantIdParameter, 'Merchant');
      if (merchantId === undefined) throw new HttpError(400, 'merchantId: must be a Merchant id');
    }
    let day: ReportDay;
    try {
      day = await resolveReportDay(deps.db, url.searchParams.get('date') ?? '', url.searchParams.get('timeZone') ?? DEFAULT_TIME_ZONE);
    } catch (error) {
      if (error instanceof ValidationFailedError) {
        throw new HttpError(400, error.fields.map((field) => `${field.path.join('.')}: ${field.message}`).join('\n'));
      }
      throw error;
    }
    const csv = dailyReportCsv(day, await merchantBreakdown(deps.db, day, merchantId));
    response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="paystream-daily-${day.date}.csv"`,
      'cache-control': 'no-store',
    });
    response.end(csv);
  };
  return [{ method: 'GET', path: '/reports/daily.csv', handler }];
}
