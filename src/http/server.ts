import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError, type YogaInitialContext } from 'graphql-yoga';
import { WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { createEventHub, type EventHub } from '../events/hub.ts';
import type { StreamNotice } from '../events/stream.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema/index.ts';
import type { Logger } from '../logger.ts';
import { authenticate, type Actor } from '../services/merchants.ts';
import { HttpError, MAX_BODY_BYTES, sendJson, sendText } from './body.ts';
import { buildRoutes, type RouteHandler } from './routes.ts';

export type AppDeps = { config: Config; db: Database; logger: Logger };

export type App = {
  server: Server;
  /** Live events (started by `listen`, stopped by `close`). */
  events: EventHub;
  /** Starts listening; resolves with the bound port (PORT=0 picks a free one). */
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
};

type ServerContext = { req: IncomingMessage; res: ServerResponse; actor?: Actor; disconnect?: (notice: StreamNotice) => void };

const UNAUTHENTICATED_MESSAGE = 'missing, malformed, unknown or revoked API key';
/** graphql-ws clients give up on 4401 (they would retry a 4403 forever with the same bad key). */
const WS_UNAUTHORIZED = 4401;
/** A peer cut off for being too slow has stopped reading and may never answer the close frame. */
const CLOSE_GRACE_MS = 5_000;

function unauthenticated(): GraphQLError {
  return new GraphQLError(`${UNAUTHENTICATED_MESSAGE}: send Authorization: Bearer <api key>`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
}

export function createApp(deps: AppDeps): App {
  const { config, db, logger } = deps;
  const events = createEventHub({ config, db, logger });

  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: config.nodeEnv === 'production' ? false : { title: 'Paystream', subscriptionsProtocol: 'WS' },
    logging: {
      debug: (...args) => logger.debug({ yoga: args.map(String) }),
      info: (...args) => logger.info({ yoga: args.map(String) }),
      warn: (...args) => logger.warn({ yoga: args.map(String) }),
      error: (...args) => logger.error({ yoga: args.map(String) }),
    },
    maskedErrors: {
      maskError(error, message) {
        const masked = maskError(error, message, false);
        if (masked !== error) {
          const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
          logger.error({ err: original }, 'unexpected error (masked)');
        }
        return masked;
      },
    },
    context: async ({ request, actor, disconnect }: YogaInitialContext & ServerContext): Promise<GraphQLContext> => {
      const resolved = actor ?? (await authenticate(db, request.headers.get('authorization')));
      if (!resolved) throw unauthenticated();
      return { db, config, actor: resolved, events, disconnect };
    },
  });

  const routes = buildRoutes({ ...deps, events });

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error({ err: error }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/graphql') {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > MAX_BODY_BYTES) {
        sendJson(response, 413, { errors: [{ message: `request body exceeds ${MAX_BODY_BYTES} bytes` }] });
        return;
      }
      if (request.method === 'POST' && request.headers['content-length'] === undefined) {
        // Without a declared length the size limit could only be enforced after buffering.
        sendJson(response, 411, { errors: [{ message: 'Content-Length is required' }] });
        return;
      }
      await yoga.requestListener(request, response);
      return;
    }
    const route: RouteHandler | undefined = routes.get(`${request.method} ${url.pathname}`);
    if (!route) {
      const knownPath = [...routes.keys()].some((key) => key.endsWith(` ${url.pathname}`));
      sendText(response, knownPath ? 405 : 404, knownPath ? 'method not allowed' : 'not found');
      return;
    }
    try {
      await route(request, response, url);
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
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.destroy();
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (ws) => webSockets.emit('connection', ws, request));
  });

  type WsExtra = { socket: WebSocket; request: IncomingMessage; actor?: Actor };
  const graphqlWs = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      // Authentication happens once, at connect: connectionParams.authorization, else the upgrade
      // request's Authorization header. A refusal closes with 4401 and says why.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.['authorization'] ?? ctx.extra.request.headers.authorization;
        const actor = await authenticate(db, typeof authorization === 'string' ? authorization : undefined);
        if (!actor) {
          ctx.extra.socket.close(WS_UNAUTHORIZED, `Unauthorized: ${UNAUTHENTICATED_MESSAGE}`);
          return false;
        }
        ctx.extra.actor = actor;
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const { socket } = ctx.extra;
        const enveloped = yoga.getEnveloped({
          req: ctx.extra.request,
          actor: ctx.extra.actor,
          params,
          disconnect: (notice: StreamNotice) => disconnectSocket(socket, notice),
        });
        const document = enveloped.parse(params.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
        return {
          schema: enveloped.schema,
          document,
          operationName: params.operationName,
          variableValues: params.variables,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
      },
      // Yoga's own enveloped execute/subscribe, so its plugins (masking, limits) apply to WebSocket too.
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
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

  return {
    server,
    events,
    async listen(port = config.port, host = config.host) {
      await events.start();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      // WebSockets first, with 1001 "Going away": graphql-ws clients reconnect (elsewhere) and resume.
      // Ending the streams first would send them "complete", and they would not come back.
      await graphqlWs.dispose();
      // SSE subscribers get a last SERVER_SHUTTING_DOWN error event; then the relay and pub/sub stop.
      await events.close();
      // Keep-alive connections become idle as their last responses (SSE streams) finish flushing.
      server.closeIdleConnections();
      const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, 5_000);
      force.unref();
      await stopped;
      clearInterval(idleSweep);
      clearTimeout(force);
    },
  };
}

/** Closes a WebSocket with the notice's code and reason; a peer that does not answer is dropped after a grace. */
function disconnectSocket(socket: WebSocket, notice: StreamNotice): void {
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.close(notice.closeCode, notice.message);
  setTimeout(() => {
    if (socket.readyState !== WebSocket.CLOSED) socket.terminate();
  }, CLOSE_GRACE_MS).unref();
}

type YogaEnveloped = ReturnType<ReturnType<typeof createYoga>['getEnveloped']>;
type EnvelopedRoot = { execute: YogaEnveloped['execute']; subscribe: YogaEnveloped['subscribe'] };
