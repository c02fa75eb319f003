import type { IncomingMessage, ServerResponse } from 'node:http';
import { pendingMigrations } from '../db/migrate.ts';
import type { EventHub } from '../events/hub.ts';
import { sendJson, sendText } from './body.ts';
import type { AppDeps } from './server.ts';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** Every HTTP route besides /graphql, keyed by "METHOD /path". */
export type RouteDeps = AppDeps & { events: EventHub };

export function buildRoutes(deps: RouteDeps): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();

  routes.set('GET /healthz', async (_request, response) => sendText(response, 200, 'ok'));

  // `events` is informational: Redis or LISTEN down degrades live delivery (slower, or this instance
  // only) but does not make the instance unready.
  routes.set('GET /readyz', async (_request, response) => {
    const events = deps.events.health();
    try {
      const pending = await pendingMigrations(deps.db.pool);
      if (pending.length > 0) {
        sendJson(response, 503, { status: 'unavailable', database: 'up', pendingMigrations: pending, events });
        return;
      }
      sendJson(response, 200, { status: 'ready', database: 'up', pendingMigrations: [], events });
    } catch {
      sendJson(response, 503, { status: 'unavailable', database: 'down', events });
    }
  });

  return routes;
}
