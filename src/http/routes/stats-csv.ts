import { MAX_STATS_CSV_ROWS, statsCsvFileName, statsRequestFromText, transactionStatsCsv } from '../../services/stats-csv.ts';
import { statsScope, transactionStats } from '../../services/stats.ts';
import { HttpError } from '../body.ts';
import { answeringRefusals, reportCaller } from '../report-caller.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * transactionStats as CSV: `GET /reports/stats.csv?from=YYYY-MM-DD&to=YYYY-MM-DD[&timeZone=Zone][&groupBy=DAY,CURRENCY]
 * [&statuses=PAID,CAPTURED][&currencies=EUR,USD][&merchantId=<id>]`, authenticated and rate-limited like GraphQL,
 * with its rules (a merchant key sees its own merchant; merchantId and groupBy MERCHANT are for ADMIN). The columns
 * are in src/services/stats-csv.ts. Bad parameters are a 400 naming each; more than MAX_STATS_CSV_ROWS lines a 400
 * too, before the aggregate runs when the parameters already tell.
 */
export function statsCsvRoutes(deps: RouteDeps): Route[] {
  const handler: Route['handler'] = async (request, response, url) => {
    const actor = await reportCaller(deps, request, response);
    const parameter = (name: string) => url.searchParams.get(name) ?? undefined;
    // The parameters are flat here: `statuses`, not GraphQL's `filter.statuses`.
    const stats = await answeringRefusals(
      async () => {
        const text = statsRequestFromText(parameter);
        const merchantId = await statsScope(deps.db, actor, parameter('merchantId'), text.groupBy, ['merchantId']);
        return transactionStats(deps.db, { ...text, merchantId }, {
          admit: ({ rows }) => {
            if (rows > MAX_STATS_CSV_ROWS) throw new HttpError(400, `${rows} lines, more than ${MAX_STATS_CSV_ROWS}: narrow the range or group by less`);
          },
        });
      },
      (path) => path.filter((part) => part !== 'filter').join('.'),
    );
    response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${statsCsvFileName(stats)}"`,
      'cache-control': 'no-store',
    });
    response.end(transactionStatsCsv(stats));
  };
  return [{ method: 'GET', path: '/reports/stats.csv', handler }];
}
