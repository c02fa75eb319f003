import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { requestLogFields, type RequestContext } from '../observability/request-context.ts';
import { GRAPHQL_PATH } from './graphql-endpoint.ts';
import { routePathOf, type Routes } from './routes/index.ts';

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export type AccessLog = (request: IncomingMessage, response: ServerResponse, context: RequestContext, seconds: number) => void;

/**
 * One metrics sample and one log line per request, labelled by route: a known path or pattern (never the query
 * string, which may hold variables) or `unmatched`, so arbitrary paths cannot grow the label set.
 */
export function createAccessLog(deps: { logger: Logger; metrics: Metrics; routes: Routes }): AccessLog {
  const { logger, metrics, routes } = deps;
  const routeOf = (request: IncomingMessage, context: RequestContext): string => {
    const pathname = context.pathname ?? new URL(request.url ?? '/', 'http://localhost').pathname;
    // A parameterised route is labelled by its pattern: the segment may be a secret (a return ticket).
    return pathname === GRAPHQL_PATH ? pathname : (routePathOf(routes, pathname) ?? 'unmatched');
  };
  return (request, response, context, seconds) => {
    const route = routeOf(request, context);
    const method = KNOWN_METHODS.has(request.method ?? '') ? (request.method ?? 'OTHER') : 'OTHER';
    const status = response.writableFinished ? response.statusCode : 499; // 499: the client went away first
    metrics.httpRequests.inc({ method, route, status: String(status) });
    metrics.httpRequestDuration.observe({ method, route }, seconds);
    const level = status >= 500 ? 'error' : QUIET_ROUTES.has(route) ? 'debug' : 'info';
    // The line is built only to be written: below the level, every request would build one for nothing.
    if (!logger.isLevelEnabled(level)) return;
    const line = {
      ...requestLogFields(context),
      operationType: context.operationType,
      method,
      path: route === 'unmatched' ? undefined : route,
      status,
      durationMs: Math.round(seconds * 1e4) / 10,
    };
    logger[level](line, status >= 500 ? 'request failed' : 'request completed');
  };
}
