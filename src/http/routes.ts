import type { IncomingMessage, ServerResponse } from 'node:http';
import { pendingMigrations } from '../db/migrate.ts';
import { NotificationInbox, type RejectionReason } from '../services/notifications.ts';
import type { NotificationSender } from '../generated/prisma/client.ts';
import { endpointLabel } from './notifications.ts';
import type { EventHub } from '../events/hub.ts';
import { sendJson, sendText } from './body.ts';
import { dailyReportCsvRoute } from './reports.ts';
import { metricsRoute } from './metrics-route.ts';
import { notificationRoutes } from './notifications.ts';
import { sandboxRoutes } from './sandbox.ts';
import type { AppServices } from './server.ts';
import type { Logger } from '../logger.ts';

/** `log` writes lines about this request (they carry its request id). */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL, log: Logger) => Promise<void>;

/** Every HTTP route besides /graphql, keyed by "METHOD /path". */
export function buildRoutes(deps: AppServices): Map<string, RouteHandler> {
  const routes = new Map<string, RouteHandler>();

  // Liveness: the process serves HTTP. Never touches the database, so a database outage does not get
  // healthy instances restarted.
  routes.set('GET /healthz', async (_request, response) => sendText(response, 200, 'ok'));

  // Readiness: send traffic here. Not while shutting down (the load balancer should stop routing to this
  // instance before it stops listening), nor without a reachable, fully migrated database.
  routes.set('GET /readyz', async (_request, response) => {
    if (deps.lifecycle.draining) {
      sendJson(response, 503, { status: 'shutting down' });
      return;
    }
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

  routes.set('GET /metrics', metricsRoute(deps));
  routes.set('GET /reports/daily.csv', dailyReportCsvRoute(deps));
  const inbox = new NotificationInbox({ db: deps.db, logger: deps.logger });
  const onRejection = (sender: NotificationSender, reason: RejectionReason) =>
    deps.metrics.notificationSignatureFailures.inc({ endpoint: endpointLabel(sender), reason });
  const ingestion = (log: Logger) => ({ db: deps.db, logger: log, providers: deps.providers(), inbox, onRejection });
  for (const [key, handler] of notificationRoutes(ingestion, deps.metrics)) routes.set(key, handler);
  // The sandbox plays Alipay and the bank; it exists only while no real gateway is configured.
  if (deps.providers().sandbox !== undefined) {
    for (const [key, handler] of sandboxRoutes(deps)) routes.set(key, handler);
  }

  return routes;
}
