import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, maskError, type YogaInitialContext } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema/index.ts';
import type { Logger } from '../logger.ts';
import { publicBaseUrl, resolveProviderSettings, type ProviderSettings } from '../providers/settings.ts';
import { authenticate, type Actor } from '../services/merchants.ts';
import { HttpError, MAX_BODY_BYTES, sendJson, sendText } from './body.ts';
import { buildRoutes, type RouteHandler } from './routes.ts';

export type AppDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  /** Gateway, keys and public URLs; resolved from config (sandbox keys from DATA_DIR) when not given. */
  providers?: ProviderSettings;
};

export type App = {
  server: Server;
  /** Starts listening; resolves with the bound port (PORT=0 picks a free one). */
  listen(port?: number, host?: string): Promise<number>;
  /** The provider settings in use (final once listening: URLs follow the bound port). */
  providers(): ProviderSettings;
  close(): Promise<void>;
};

type ServerContext = { req: IncomingMessage; res: ServerResponse; actor?: Actor };

function unauthenticated(): GraphQLError {
  return new GraphQLError('missing, malformed, unknown or revoked API key: send Authorization: Bearer <api key>', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
}

export function createApp(deps: AppDeps): App {
  const { config, db, logger } = deps;
  // Replaced once at listen() when PORT=0 picked the port: the URLs we hand out (redirects, notify_url) must
  // point where we really listen.
  let providers = deps.providers ?? resolveProviderSettings(config);

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
    context: async ({ request, actor }: YogaInitialContext & ServerContext): Promise<GraphQLContext> => {
      const resolved = actor ?? (await authenticate(db, request.headers.get('authorization')));
      if (!resolved) throw unauthenticated();
      return { db, config, alipay: providers.alipay, actor: resolved };
    },
  });

  const routes = buildRoutes({ ...deps, providers: () => providers });

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

  type WsExtra = { request: IncomingMessage; actor?: Actor };
  const graphqlWs = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      // Authentication happens once, at connect; a refusal closes with graphql-ws's 4403 Forbidden.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.['authorization'] ?? ctx.extra.request.headers.authorization;
        const actor = await authenticate(db, typeof authorization === 'string' ? authorization : undefined);
        if (!actor) return false;
        ctx.extra.actor = actor;
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const enveloped = yoga.getEnveloped({
          req: ctx.extra.request,
          actor: ctx.extra.actor,
          params,
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
    10_000,
  );

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    server,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const bound = (server.address() as AddressInfo).port;
          if (deps.providers === undefined && config.publicBaseUrl === undefined && bound !== config.port) {
            providers = resolveProviderSettings(config, publicBaseUrl(config, bound));
          }
          resolve(bound);
        });
      });
    },
    providers: () => providers,
    async close() {
      await graphqlWs.dispose();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 5_000).unref();
      });
    },
  };
}

type YogaEnveloped = ReturnType<ReturnType<typeof createYoga>['getEnveloped']>;
type EnvelopedRoot = { execute: YogaEnveloped['execute']; subscribe: YogaEnveloped['subscribe'] };
