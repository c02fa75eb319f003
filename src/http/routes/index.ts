import type { Route, RouteDeps, RouteHandler } from '../types.ts';
import { consoleRoutes } from './console.ts';
import { consoleSessionRoutes } from './console-session.ts';
import { healthRoutes } from './health.ts';
import { landingRoutes } from './landing.ts';
import { metricsRoutes } from './metrics.ts';
import { notificationRoutes } from './notifications.ts';
import { dailyReportCsvRoutes } from './reports-csv.ts';
import { consumerReturnRoutes } from './consumer-return.ts';
import { sandboxRoutes } from './sandbox.ts';
import { sandboxRefundRoutes } from './sandbox-refund.ts';
import { sandboxSettlementRoutes } from './sandbox-settlement.ts';
import { statsCsvRoutes } from './stats-csv.ts';

/**
 * Every HTTP route besides /graphql: path -> method -> handler (a known path with another method is a 405).
 * A path ending in `/*` stands for every path one segment below it (the handler reads the segment itself).
 */
export type Routes = ReadonlyMap<string, ReadonlyMap<string, RouteHandler>>;

/** The route (its path as registered, e.g. `/return/alipay/*`) serving `pathname`, or undefined. */
export function routePathOf(routes: Routes, pathname: string): string | undefined {
  if (routes.has(pathname)) return pathname;
  const slash = pathname.lastIndexOf('/');
  const pattern = `${pathname.slice(0, slash)}/*`;
  return slash > 0 && slash < pathname.length - 1 && routes.has(pattern) ? pattern : undefined;
}

export function buildRoutes(deps: RouteDeps): Routes {
  const all: Route[] = [
    ...landingRoutes(deps),
    ...healthRoutes(deps),
    ...metricsRoutes(deps),
    ...dailyReportCsvRoutes(deps),
    ...statsCsvRoutes(deps),
    ...notificationRoutes(deps),
    ...consumerReturnRoutes(deps),
    ...consoleRoutes(),
    ...consoleSessionRoutes(deps),
    // The sandbox plays Alipay and the bank; it exists only while no real gateway is configured.
    ...(deps.providers().sandbox !== undefined ? [...sandboxRoutes(deps), ...sandboxRefundRoutes(deps), ...sandboxSettlementRoutes(deps)] : []),
  ];
  const routes = new Map<string, Map<string, RouteHandler>>();
  for (const { method, path, handler } of all) {
    let methods = routes.get(path);
    if (!methods) {
      methods = new Map();
      routes.set(path, methods);
    }
    if (methods.has(method)) throw new Error(`route ${method} ${path} is defined twice`);
    methods.set(method, handler);
  }
  return routes;
}
