import { decodeGlobalId } from '../../domain/ids.ts';
import { ValidationFailedError } from '../../services/errors.ts';
import { authenticate } from '../../services/merchants.ts';
import { MAX_STATS_CSV_ROWS, statsCsvFileName, statsRequestFromText, transactionStatsCsv } from '../../services/stats-csv.ts';
import { transactionStats, type TransactionStats } from '../../services/stats.ts';
import { HttpError } from '../body.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * transactionStats as CSV: `GET /reports/stats.csv?from=YYYY-MM-DD&to=YYYY-MM-DD[&timeZone=Zone][&groupBy=DAY,CURRENCY]
 * [&statuses=PAID,CAPTURED][&currencies=EUR,USD][&merchantId=<id>]`, authenticated like GraphQL, the same rules
 * (a merchant key sees its own merchant; merchantId and groupBy MERCHANT are for ADMIN). The columns are in
 * src/services/stats-csv.ts. Bad parameters are a 400 naming each; more than MAX_STATS_CSV_ROWS lines a 400 too,
 * before the aggregate runs when the parameters already tell.
 */
export function statsCsvRoutes(deps: RouteDeps): Route[] {
  const handler: Route['handler'] = async (request, response, url) => {
    const actor = await authenticate(deps.db, request.headers.authorization);
    if (!actor) {
      response.setHeader('www-authenticate', 'Bearer');
      throw new HttpError(401, 'missing, malformed, unknown or revoked API key: send Authorization: Bearer <api key>');
    }
    const parameter = (name: string) => url.searchParams.get(name) ?? undefined;
    const merchantIdParameter = parameter('merchantId');
    let merchantId = actor.role === 'MERCHANT' ? actor.merchantId : undefined;
    if (merchantIdParameter !== undefined) {
      if (actor.role !== 'ADMIN') throw new HttpError(403, 'merchantId is for ADMIN keys');
      merchantId = decodeGlobalId(merchantIdParameter, 'Merchant');
      if (merchantId === undefined) throw new HttpError(400, 'merchantId: must be a Merchant id');
    }
    let stats: TransactionStats;
    try {
      const text = statsRequestFromText(parameter);
      if (text.groupBy.includes('MERCHANT') && actor.role !== 'ADMIN') throw new HttpError(403, 'groupBy MERCHANT is for ADMIN keys');
      stats = await transactionStats(deps.db, { ...text, merchantId }, {
        admit: ({ rows }) => {
          if (rows > MAX_STATS_CSV_ROWS) throw new HttpError(400, `${rows} lines, more than ${MAX_STATS_CSV_ROWS}: narrow the range or group by less`);
        },
      });
    } catch (error) {
      if (error instanceof ValidationFailedError) {
        // The parameters are flat here: `statuses`, not GraphQL's `filter.statuses`.
        throw new HttpError(400, error.fields.map((field) => `${field.path.filter((part) => part !== 'filter').join('.')}: ${field.message}`).join('\n'));
      }
      throw error;
    }
    response.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${statsCsvFileName(stats)}"`,
      'cache-control': 'no-store',
    });
    response.end(transactionStatsCsv(stats));
  };
  return [{ method: 'GET', path: '/reports/stats.csv', handler }];
}
