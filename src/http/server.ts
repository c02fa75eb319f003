import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { createEventHub, type EventHub } from '../events/hub.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { requestIdFrom, requestLogFields, type RequestContext } from '../observability/request-context.ts';
import { publicBaseUrl, resolveProviderSettings, type ProviderSettings } from '../providers/settings.ts';
import { forgetRememberedApiKeys } from '../services/merchants.ts';
import { RejectionCounter } from '../services/notifications/rejections.ts';
import { createAccessLog } from './access-log.ts';
import { HttpError, sendJson, sendText } from './body.ts';
import { createCredentialSweep } from './credential-sweep.ts';
import { createGraphQLEndpoint, GRAPHQL_PATH } from './graphql-endpoint.ts';
import { createRateLimiter } from './rate-limit.ts';
import { endpointLabel } from './routes/notifications.ts';
import { buildRoutes, routePathOf, type Routes } from './routes/index.ts';
import { prepareShutdown } from './shutdown.ts';
import type { RouteDeps } from './types.ts';
import { attachWebSockets } from './websocket.ts';

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  /** The instance's metrics; created when not given (main.ts passes one with process metrics on). */
  metrics?: Metrics;
  /** Gateway, keys and public URLs; resolved from config (sandbox keys from DATA_DIR) when not given. */
  providers?: ProviderSettings;
};

export type App = {
  server: Server;
  metrics: Metrics;
  /** The routes besides /graphql, by path and method (the security sweeps walk them). */
  routes: Routes;
  /** Live events (started by `listen`, stopped by `close`). */
  events: EventHub;
  /** Starts listening; resolves with the bound port (PORT=0 picks a free one). */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Graceful stop (see shutdown.ts), within `timeoutMs` (default SHUTDOWN_TIMEOUT_SECONDS).
   * The database is the caller's to close, after this resolves.
   */
  close(options?: { timeoutMs?: number }): Promise<{ cutConnections: number }>;
  /** The provider settings in use (final once listening: URLs follow the bound port). */
  providers(): ProviderSettings;
};

/** One port: /graphql (Yoga over HTTP and SSE, graphql-ws on the upgrade) and the routes under routes/. */
export function createApp(deps: AppDeps): App {
  const { config, db, logger } = deps;
  const metrics = deps.metrics ?? createMetrics();
  // A revocation heard from any process: forget remembered keys and end the revoked keys' streams now.
  const events = createEventHub({
    config,
    db,
    logger,
    metrics,
    onApiKeysRevoked: () => {
      forgetRememberedApiKeys(db);
      void credentials.sweep();
    },
  });
  // Replaced once at listen() when PORT=0 picked the port: the URLs we hand out (redirects, notify_url) must
  // point where we really listen.
  let providers = deps.providers ?? resolveProviderSettings(config);
  metrics.trackDatabasePool(db.pool);
  if (config.redisUrl !== undefined) metrics.trackRedis('pubsub', () => events.health().redis === 'up');
  const rateLimiter = createRateLimiter({ config, logger, metrics });
  const refusalLimiter = createRateLimiter({ config, logger, metrics }, { name: 'notification-refusals', ...config.notificationRefusals });
  const rejections = new RejectionCounter(
    {
      db,
      logger,
      onRejection: (sender, reason) => metrics.notificationSignatureFailures.inc({ endpoint: endpointLabel(sender), reason }),
    },
    config.notificationRefusals.flushSeconds * 1000,
  );
  // Subscriptions outlive their authentication: their keys are checked again while they stay open.
  const credentials = createCredentialSweep({ db, logger });
  let draining = false;
  const routeDeps: RouteDeps = {
    config,
    db,
    logger,
    metrics,
    rateLimiter,
    refusalLimiter,
    rejections,
    providers: () => providers,
    events,
    lifecycle: {
      get draining() {
        return draining;
      },
    },
  };

  const graphql = createGraphQLEndpoint({ ...routeDeps, credentials });
  const routes = buildRoutes(routeDeps);
  const accessLog = createAccessLog({ logger, metrics, routes });
  const handlers = new Set<Promise<void>>();

  const server = createServer(
    {
      // A client must send its headers within 15 s and its whole request within 30 s: slow uploads cannot
      // hold connections (and shutdowns) for Node's default 5 minutes. Responses (SSE) are not limited.
      headersTimeout: 15_000,
      requestTimeout: 30_000,
    },
    (request, response) => {
      const started = process.hrtime.bigint();
      const context: RequestContext = { requestId: requestIdFrom(request.headers['x-request-id']) };
      response.setHeader('x-request-id', context.requestId);
      // Once draining, a keep-alive connection gets its last response: the client reconnects elsewhere.
      if (draining) response.setHeader('connection', 'close');
      response.once('close', () => accessLog(request, response, context, Number(process.hrtime.bigint() - started) / 1e9));
      const handled = dispatch(request, response, context).catch((error: unknown) => {
        logger.error({ ...requestLogFields(context), err: error }, 'request failed');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.destroy();
      });
      handlers.add(handled);
      void handled.finally(() => handlers.delete(handled));
    },
  );

  async function dispatch(request: IncomingMessage, response: ServerResponse, context: RequestContext): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    context.pathname = url.pathname;
    if (url.pathname === GRAPHQL_PATH) return graphql.handle(request, response, context);
    const routePath = routePathOf(routes, url.pathname);
    const methods = routePath === undefined ? undefined : routes.get(routePath);
    const route = methods?.get(request.method ?? '');
    if (!route) {
      sendText(response, methods ? 405 : 404, methods ? 'method not allowed' : 'not found');
      return;
    }
    try {
      await route(request, response, url, logger.child({ reqId: context.requestId }));
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      if (!response.headersSent) sendText(response, error.status, error.message);
    }
  }

  const webSockets = attachWebSockets({
    server,
    yoga: graphql.yoga,
    db,
    logger,
    metrics,
    rateLimiter,
    credentials,
    keepAliveMs: config.subscriptions.keepAliveMs,
    corsOrigins: config.corsOrigins,
    isDraining: () => draining,
  });
  const shutdown = prepareShutdown({
    server,
    webSockets,
    events,
    credentials,
    rateLimiters: [rateLimiter, refusalLimiter],
    rejections,
    logger,
    handlers,
    startDraining: () => {
      draining = true;
    },
  });

  return {
    server,
    metrics,
    routes,
    events,
    async listen(port = config.port, host = config.host) {
      await events.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          if (deps.providers === undefined && config.publicBaseUrl === undefined && bound !== config.port) {
            providers = resolveProviderSettings(config, publicBaseUrl(config, bound));
          }
          credentials.start();
          resolve(bound);
        });
      });
    },
    providers: () => providers,
    close: (options = {}) => shutdown(options.timeoutMs ?? config.shutdownTimeoutSeconds * 1000),
  };
}
