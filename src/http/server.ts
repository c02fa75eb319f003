import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaInitialContext } from 'graphql-yoga';
import { WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { createEventHub, type EventHub } from '../events/hub.ts';
import type { StreamNotice } from '../events/stream.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema/index.ts';
import type { Logger } from '../logger.ts';
import { createMetrics, type Metrics } from '../observability/metrics.ts';
import { requestIdFrom, requestLogFields, type RequestContext } from '../observability/request-context.ts';
import { startExpiryRunner, type ExpiryRunner } from '../services/expiry.ts';
import { publicBaseUrl, resolveProviderSettings, type ProviderSettings } from '../providers/settings.ts';
import { authenticate, type Actor } from '../services/merchants.ts';
import { HttpError, MAX_BODY_BYTES, sendJson, sendText } from './body.ts';
import { createCredentialSweep } from './credential-sweep.ts';
import { logMaskedResult, maskAndLog, maskUnexpectedError, useMaskedErrorLog } from './masked-errors.ts';
import {
  queryLimitPlugins,
  requestContextOf,
  rateLimitedError,
  UNAUTHENTICATED_MESSAGE,
  unauthenticatedError,
  useAuthentication,
  useCsrfPrevention,
  useOperationMetrics,
  useSharedSubscriptionExecution,
  type ServerContext,
} from './graphql-plugins.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import { buildRoutes, type RouteHandler } from './routes.ts';

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  /** The instance's metrics; created when not given (main.ts passes one with process metrics on). */
  metrics?: Metrics;
  /** Gateway, keys and public URLs; resolved from config (sandbox keys from DATA_DIR) when not given. */
  providers?: ProviderSettings;
};

/** What route handlers receive: the dependencies, plus what the app itself made. */
export type AppServices = Required<Omit<AppDeps, 'providers'>> & {
  rateLimiter: RateLimiter;
  lifecycle: { readonly draining: boolean };
  /** The resolved provider settings, read per request (the URLs in them are final only once we listen). */
  providers: () => ProviderSettings;
  events: EventHub;
};

export type App = {
  server: Server;
  metrics: Metrics;
  /** Live events (started by `listen`, stopped by `close`). */
  events: EventHub;
  /** Starts listening; resolves with the bound port (PORT=0 picks a free one). */
  listen(port?: number, host?: string): Promise<number>;
  /**
   * Graceful stop: stop accepting connections, report not-ready, close WebSockets with 1012 (service
   * restart: graphql-ws clients reconnect, to another instance), end SSE streams, let in-flight requests
   * finish for up to `timeoutMs` (default SHUTDOWN_TIMEOUT_SECONDS), then cut what is left.
   * The database is the caller's to close, after this resolves.
   */
  close(options?: { timeoutMs?: number }): Promise<{ cutConnections: number }>;
  /** The provider settings in use (final once listening: URLs follow the bound port). */
  providers(): ProviderSettings;
};

/** The WebSocket close code for a shutdown: 1012 Service Restart, which graphql-ws clients retry. */
export const SHUTDOWN_CLOSE_CODE = 1012;
/** graphql-ws clients give up on 4401 (they would retry a 4403 forever with the same bad key). */
const WS_UNAUTHORIZED = 4401;
/** A peer cut off for being too slow has stopped reading and may never answer the close frame. */
const CLOSE_GRACE_MS = 5_000;

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
const KNOWN_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

export function createApp(deps: AppDeps): App {
  const { config, db, logger } = deps;
  const events = createEventHub({ config, db, logger });
  // Replaced once at listen() when PORT=0 picked the port: the URLs we hand out (redirects, notify_url) must
  // point where we really listen.
  let providers = deps.providers ?? resolveProviderSettings(config);
  const metrics = deps.metrics ?? createMetrics();
  metrics.trackDatabasePool(db.pool);
  if (config.redisUrl !== undefined) metrics.trackRedis('pubsub', () => events.health().redis === 'up');
  const rateLimiter = createRateLimiter({ config, logger, metrics });
  // Subscriptions outlive their authentication: their keys are checked again while they stay open.
  const credentials = createCredentialSweep({ db, logger });
  let draining = false;
  const services: AppServices = {
    config,
    db,
    logger,
    metrics,
    rateLimiter,
    providers: () => providers,
    events,
    lifecycle: {
      get draining() {
        return draining;
      },
    },
  };

  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.nodeEnv === 'production' ? false : { title: 'Paystream', subscriptionsProtocol: 'WS' },
    // No file uploads in this API: one parser (and one attack surface) less.
    multipart: false,
    // The size limit is enforced in handle(): a POST must declare a Content-Length of at most MAX_BODY_BYTES, and
    // Node's parser never delivers more than it declares. Yoga's own limit would re-stream every body through a
    // TransformStream and an AbortSignal (about a tenth of the CPU of serving a small query, measured with
    // bench:read) to enforce the same bound.
    maxRequestBodySize: false,
    plugins: [
      useAuthentication({ db, rateLimiter, metrics }),
      useCsrfPrevention(),
      ...queryLimitPlugins(config),
      useOperationMetrics(metrics),
      useSharedSubscriptionExecution(),
      useMaskedErrorLog(logger),
    ],
    logging: {
      // Yoga's debug lines include request parameters (variables): not for the logs.
      debug: () => {},
      info: yogaLog(logger, 'info'),
      warn: yogaLog(logger, 'warn'),
      error: yogaLog(logger, 'error'),
    },
    maskedErrors: { maskError: maskUnexpectedError },
    context: async ({ request, actor, disconnect }: YogaInitialContext & ServerContext): Promise<GraphQLContext> => {
      // HTTP: useAuthentication set `actor` before the body was read; WebSocket: onConnect did.
      const resolved = actor ?? (await authenticate(db, request.headers.get('authorization')));
      if (!resolved) throw unauthenticatedError();
      return { db, config, alipay: providers.alipay, actor: resolved, events, disconnect };
    },
  });

  const routes = buildRoutes(services);
  // Handlers still running, even for clients that hung up (their sockets are closed, their work is not):
  // shutdown waits for them before the database is closed under them.
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
      response.once('close', () => {
        record(request, response, context, Number(process.hrtime.bigint() - started) / 1e9);
      });
      const handled = handle(request, response, context).catch((error: unknown) => {
        logger.error({ ...requestLogFields(context), err: error }, 'request failed');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.destroy();
      });
      handlers.add(handled);
      void handled.finally(() => handlers.delete(handled));
    },
  );

  function routeOf(request: IncomingMessage): string {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/graphql') return pathname;
    return [...routes.keys()].some((key) => key.endsWith(` ${pathname}`)) ? pathname : 'unmatched';
  }

  /** One metrics sample and one log line per request; the path without its query string (it may hold variables). */
  function record(request: IncomingMessage, response: ServerResponse, context: RequestContext, seconds: number): void {
    const route = routeOf(request);
    const method = KNOWN_METHODS.has(request.method ?? '') ? (request.method ?? 'OTHER') : 'OTHER';
    const status = response.writableFinished ? response.statusCode : 499; // 499: the client went away first
    metrics.httpRequests.inc({ method, route, status: String(status) });
    metrics.httpRequestDuration.observe({ method, route }, seconds);
    const line = {
      ...requestLogFields(context),
      operationType: context.operationType,
      method,
      path: route === 'unmatched' ? undefined : route,
      status,
      durationMs: Math.round(seconds * 1e4) / 10,
    };
    if (status >= 500) logger.error(line, 'request failed');
    else if (QUIET_ROUTES.has(route)) logger.debug(line, 'request completed');
    else logger.info(line, 'request completed');
  }

  async function handle(request: IncomingMessage, response: ServerResponse, context: RequestContext): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/graphql') {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        sendJson(response, 413, { errors: [{ message: `request body exceeds ${MAX_BODY_BYTES} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
        return;
      }
      if (request.method === 'POST' && request.headers['content-length'] === undefined) {
        // Without a declared length the size limit could only be enforced after buffering.
        sendJson(response, 411, { errors: [{ message: 'Content-Length is required', extensions: { code: 'LENGTH_REQUIRED' } }] });
        return;
      }
      const authorization = request.headers.authorization;
      if (authorization !== undefined && request.headers.accept?.includes('text/event-stream')) {
        // An SSE stream whose key is revoked is cut; reconnecting with that key is then a 401.
        response.once('close', credentials.track(authorization, () => response.destroy()));
      }
      await yoga.handle(request, response, { requestContext: context });
      return;
    }
    const route: RouteHandler | undefined = routes.get(`${request.method} ${url.pathname}`);
    if (!route) {
      const knownPath = [...routes.keys()].some((key) => key.endsWith(` ${url.pathname}`));
      sendText(response, knownPath ? 405 : 404, knownPath ? 'method not allowed' : 'not found');
      return;
    }
    try {
      await route(request, response, url, logger.child({ reqId: context.requestId }));
    } catch (error) {
      if (error instanceof HttpError) {
        if (!response.headersSent) sendText(response, error.status, error.message);
        return;
      }
      throw error;
    }
  }

  const webSockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (request, socket, head) => {
    if (draining || new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.destroy();
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (ws) => {
      metrics.webSocketConnections.inc();
      ws.once('close', () => metrics.webSocketConnections.dec());
      webSockets.emit('connection', ws, request);
    });
  });

  type WsExtra = { socket: WebSocket; request: IncomingMessage; actor?: Actor; connectionId?: string };
  const graphqlWs = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      // Authentication happens at connect: connectionParams.authorization, else the upgrade request's
      // Authorization header. A refusal closes with 4401 and says why. While the socket is open its key is
      // checked again every few seconds (credential sweep): a revoked key's socket is closed with 4401.
      onConnect: async (ctx) => {
        const offered = ctx.connectionParams?.['authorization'] ?? ctx.extra.request.headers.authorization;
        const authorization = typeof offered === 'string' ? offered : undefined;
        const actor = await authenticate(db, authorization);
        const connectionId = requestIdFrom(ctx.extra.request.headers['x-request-id']);
        if (!actor || authorization === undefined) {
          logger.info({ reqId: connectionId, transport: 'websocket' }, 'websocket refused: no valid API key');
          ctx.extra.socket.close(WS_UNAUTHORIZED, `Unauthorized: ${UNAUTHENTICATED_MESSAGE}`);
          return false;
        }
        ctx.extra.actor = actor;
        ctx.extra.connectionId = connectionId;
        const { socket } = ctx.extra;
        const stopWatching = credentials.track(authorization, () => {
          logger.info({ reqId: connectionId, transport: 'websocket' }, 'websocket closed: its API key was revoked');
          disconnectSocket(socket, WS_UNAUTHORIZED, 'Unauthorized: the API key was revoked');
        });
        socket.once('close', stopWatching);
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        // Each subscribe counts against the key's rate limit, as an HTTP request does.
        const actor = ctx.extra.actor;
        if (actor) {
          const decision = await rateLimiter.consume(actor.apiKeyId);
          if (!decision.allowed) {
            metrics.rateLimited.inc({ transport: 'websocket' });
            return [rateLimitedError(decision.retryAfterSeconds)];
          }
        }
        const { socket } = ctx.extra;
        // One log context per operation on a socket, with the connection's id standing in for a request id.
        const requestContext: RequestContext = {
          requestId: ctx.extra.connectionId ?? requestIdFrom(undefined),
          apiKeyId: actor?.apiKeyId,
          merchantId: actor?.role === 'MERCHANT' ? actor.merchantId : undefined,
        };
        const enveloped = yoga.getEnveloped({
          req: ctx.extra.request,
          actor,
          params,
          disconnect: (notice: StreamNotice) => disconnectSocket(socket, notice.closeCode, notice.message),
          requestContext,
        });
        let document;
        try {
          document = enveloped.parse(params.query);
        } catch (error) {
          // A syntax error or the token limit: an error message for this operation, the socket stays open.
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = enveloped.validate(enveloped.schema, document);
        const operation = getOperationAST(document, params.operationName);
        requestContext.operationName = operation?.name?.value ?? params.operationName ?? undefined;
        requestContext.operationType = operation?.operation;
        logger.info(
          {
            ...requestLogFields(requestContext),
            transport: 'websocket',
            operationType: requestContext.operationType,
            refused: errors.length > 0 ? true : undefined,
          },
          'websocket operation',
        );
        if (errors.length > 0) return errors;
        let contextValue;
        try {
          contextValue = await enveloped.contextFactory();
        } catch (error) {
          return [maskAndLog(logger, error, requestContext)];
        }
        return {
          schema: enveloped.schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
      // Yoga's own enveloped execute/subscribe, so its plugins (masking, limits) apply to WebSocket too.
      execute: async (args) => logMaskedResult(logger, await (args.rootValue as EnvelopedRoot).execute(args), requestContextOf(args.contextValue)),
      subscribe: async (args) => logMaskedResult(logger, await (args.rootValue as EnvelopedRoot).subscribe(args), requestContextOf(args.contextValue)),
    },
    webSockets,
    // graphql-ws pings every interval and terminates a socket whose pong does not come back within it.
    config.subscriptions.keepAliveMs,
  );

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  // Background work of a running server: started by listen(), stopped by close().
  let expiryRunner: ExpiryRunner | undefined;

  let closing: Promise<{ cutConnections: number }> | undefined;

  async function shutdown(timeoutMs: number): Promise<{ cutConnections: number }> {
    draining = true;
    credentials.stop();
    await expiryRunner?.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const client of webSockets.clients) client.close(SHUTDOWN_CLOSE_CODE, 'server restarting');
    // SSE subscribers get a last SERVER_SHUTTING_DOWN event, which ends their streams (clients reconnect to
    // another instance and resume); then the relay and pub/sub stop. What still hangs is cut at the timeout.
    await events.close();
    server.closeIdleConnections();
    // Keep-alive connections turn idle as their in-flight request completes: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const drained = closed.then(() => Promise.all(handlers)).then(() => 'drained' as const);
    const outcome = await Promise.race([drained, timedOut]);
    clearInterval(sweep);
    clearTimeout(timer);
    const cutConnections = outcome === 'timeout' ? sockets.size : 0;
    if (outcome === 'timeout') {
      logger.warn({ connections: sockets.size }, 'shutdown timeout reached; cutting the remaining connections');
      for (const client of webSockets.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await closed;
    }
    await graphqlWs.dispose();
    await rateLimiter.close();
    return { cutConnections };
  }

  return {
    server,
    metrics,
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
          expiryRunner ??= startExpiryRunner({ db, config, logger });
          credentials.start();
          resolve(bound);
        });
      });
    },
    providers: () => providers,
    close(options = {}) {
      closing ??= shutdown(options.timeoutMs ?? config.shutdownTimeoutSeconds * 1000);
      return closing;
    },
  };
}

/**
 * Yoga's own log lines, without the errors it logs: those are the masked ones, which masked-errors.ts logs
 * with their request; Yoga would print them with the operation's source text, inline arguments included.
 */
function yogaLog(logger: Logger, level: 'info' | 'warn' | 'error'): (...args: unknown[]) => void {
  return (...args) => {
    const text = args.filter((arg) => !(arg instanceof Error)).map(String);
    if (text.length > 0) logger[level]({ yoga: text });
  };
}

/** Closes a WebSocket with this code and reason; a peer that does not answer is dropped after a grace. */
function disconnectSocket(socket: WebSocket, closeCode: number, reason: string): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.close(closeCode, reason);
  setTimeout(() => {
    if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
  }, CLOSE_GRACE_MS).unref();
}

type YogaEnveloped = ReturnType<ReturnType<typeof createYoga>['getEnveloped']>;
type EnvelopedRoot = { execute: YogaEnveloped['execute']; subscribe: YogaEnveloped['subscribe'] };
