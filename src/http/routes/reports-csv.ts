import { parseGlobalId } from '../../graphql/ids.ts';
import { ValidationFailedError } from '../../services/errors.ts';
import { merchantScope } from '../../services/merchant-scope.ts';
import { dailyReportCsv } from '../../services/daily-report-csv.ts';
import { DEFAULT_TIME_ZONE, merchantBreakdown, resolveReportDay, type ReportDay } from '../../services/reports.ts';
import { HttpError } from '../body.ts';
import { reportCaller } from '../report-caller.ts';
import type { Route, RouteDeps } from '../types.ts';

/** `GET /reports/daily.csv?date=YYYY-MM-DD[&timeZone=Zone][&merchantId=<id>]`, authenticated like GraphQL (src/services/daily-report-csv.ts). */
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
