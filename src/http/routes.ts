import type { IncomingMessage, ServerResponse } from 'node:http';
import { pendingMigrations } from '../db/migrate.ts';
import type { ProviderSettings } from '../providers/settings.ts';
import { NotificationInbox } from '../services/notifications.ts';
import { sendJson, sendText } from './body.ts';
import { notificationRoutes } from './notifications.ts';
import { sandboxRoutes } from './sandbox.ts';
import type { AppDeps } from './server.ts';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** The resolved provider settings, read per request (the URLs in them are final only once we listen). */
export type RouteDeps = Omit<AppDeps, 'providers'> & { providers: () => ProviderSettings };

/** Every HTTP route besides /graphql, keyed by "METHOD /path". */
export function buildRoutes(deps: RouteDeps): Map<string, RouteHandler> {
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

  const inbox = new NotificationInbox({ db: deps.db, logger: deps.logger });
  const ingestion = () => ({ db: deps.db, logger: deps.logger, providers: deps.providers(), inbox });
  for (const [key, handler] of notificationRoutes(ingestion)) routes.set(key, handler);
  // The sandbox plays Alipay and the bank; it exists only while no real gateway is configured.
  if (deps.providers().sandbox !== undefined) {
    for (const [key, handler] of sandboxRoutes(deps)) routes.set(key, handler);
  }

  return routes;
}
