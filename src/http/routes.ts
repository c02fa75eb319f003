import type { IncomingMessage, ServerResponse } from 'node:http';
import { pendingMigrations } from '../db/migrate.ts';
import { sendJson, sendText } from './body.ts';
import { dailyReportCsvRoute } from './reports.ts';
import type { AppDeps } from './server.ts';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** Every HTTP route besides /graphql, keyed by "METHOD /path". */
export function buildRoutes(deps: AppDeps): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();

  routes.set('GET /healthz', async (_request, response) => sendText(response, 200, 'ok'));

  routes.set('GET /readyz', async (_request, response) => {
    try {
      const pending = await pendingMigrations(deps.db.pool);
      if (pending.length > 0) {
        sendJson(response, 503, { status: 'unavailable', database: 'up', pendingMigrations: pending });
        return;
      }
      sendJson(response, 200, { status: 'ready', database: 'up', pendingMigrations: [] });
    } catch {
      sendJson(response, 503, { status: 'unavailable', database: 'down' });
    }
  });

  routes.set('GET /reports/daily.csv', dailyReportCsvRoute(deps));

  return routes;
}
