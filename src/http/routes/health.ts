import { pendingMigrations } from '../../db/migrate.ts';
import { sendJson, sendText } from '../body.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * Liveness (`/healthz`): the process serves HTTP. Never touches the database, so a database outage does not
 * get healthy instances restarted.
 * Readiness (`/readyz`): send traffic here. Not while shutting down (the load balancer should stop routing to
 * this instance before it stops listening), nor without a reachable, fully migrated database.
 */
export function healthRoutes(deps: RouteDeps): Route[] {
  return [
    { method: 'GET', path: '/healthz', handler: async (_request, response) => sendText(response, 200, 'ok') },
    {
      method: 'GET',
      path: '/readyz',
      handler: async (_request, response) => {
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
      },
    },
  ];
}
