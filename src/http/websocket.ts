import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, getOperationAST } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import { WebSocket, WebSocketServer } from 'ws';
import type { Database } from '../db/client.ts';
import type { StreamNotice } from '../events/stream.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { requestIdFrom, requestLogFields, type RequestContext } from '../observability/request-context.ts';
import { merchantScope } from '../services/merchant-scope.ts';
import type { Actor } from '../services/merchants.ts';
import { originMayUse, someMerchantAllowsOrigin } from '../services/origins.ts';
import { authenticateRequest, fromSameOrigin } from './console-session.ts';
import { MAX_BODY_BYTES } from './body.ts';
import type { CredentialSweep } from './credential-sweep.ts';
import { withClientSecret } from './client-secret.ts';
import { INVALID_CLIENT_SECRET_MESSAGE, originRefusedMessage, rateLimitedError, UNAUTHENTICATED_MESSAGE } from './errors.ts';
import { logMaskedResult, maskAndLog } from './masked-errors.ts';
import type { RateLimiter } from './rate-limit.ts';
import { requestContextOf, type ServerContext } from './types.ts';

/**
 * graphql-ws on the upgrade of /graphql. Authentication happens at connect: connectionParams.authorization,
 * else the upgrade request's Authorization header; a refusal closes with 4401 and says why. While the socket
 * is open its key is checked again every few seconds (credential sweep): a revoked key's socket is closed
 * with 4401. Each subscribe counts against the key's rate limit and runs through Yoga's enveloped
 * parse/validate/execute/subscribe, so the same plugins (limits, masking, metrics) hold as over HTTP.
 */

/** The WebSocket close code for a shutdown: 1012 Service Restart, which graphql-ws clients retry. */
export const SHUTDOWN_CLOSE_CODE = 1012;
/** graphql-ws clients give up on 4401 (they would retry a 4403 forever with the same bad key). */
const WS_UNAUTHORIZED = 4401;
/** A key this page's origin may not use: retrying cannot help either. */
const WS_FORBIDDEN = 4403;
/** A peer cut off for being too slow has stopped reading and may never answer the close frame. */
const CLOSE_GRACE_MS = 5_000;

export type WebSocketDeps = {
  server: Server;
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  credentials: CredentialSweep;
  keepAliveMs: number;
  /** CORS_ORIGINS: pages the operator allows (any key). */
  corsOrigins: readonly string[];
  /** While draining, upgrades are refused: clients reconnect elsewhere. */
  isDraining: () => boolean;
};

export type WebSockets = {
  /** Asks every open socket to close (shutdown: SHUTDOWN_CLOSE_CODE). */
  closeAll(code: number, reason: string): void;
  /** Drops every socket at once (the shutdown timeout). */
  terminateAll(): void;
  dispose(): Promise<void>;
};

type WsExtra = { socket: WebSocket; request: IncomingMessage; actor?: Actor; connectionId?: string };
type YogaEnveloped = ReturnType<WebSocketDeps['yoga']['getEnveloped']>;
type EnvelopedRoot = { execute: YogaEnveloped['execute']; subscribe: YogaEnveloped['subscribe'] };

export function attachWebSockets(deps: WebSocketDeps): WebSockets {
  const { server, yoga, db, logger, metrics, rateLimiter, credentials } = deps;
  const webSockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES });
  server.on('upgrade', (request, socket, head) => {
    if (deps.isDraining() || new URL(request.url ?? '/', 'http://localhost').pathname !== '/graphql') {
      socket.destroy();
      return;
    }
    void upgradeAllowed(request).then((allowed) => {
      if (!allowed) {
        // Cross-site WebSocket hijacking: a page from an origin nobody allowed never gets a socket.
        logger.info({ transport: 'websocket', origin: request.headers.origin }, 'websocket upgrade refused: origin not allowed');
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      upgrade(request, socket, head);
    }, () => socket.destroy());
  });

  /** Before the key is known (it comes in connection_init): an origin the operator or some merchant allows, or none. */
  async function upgradeAllowed(request: IncomingMessage): Promise<boolean> {
    const origin = request.headers.origin ?? null;
    if (origin === null) return true;
    const host = request.headers.host;
    if (await originMayUse(db, { origin, host, corsOrigins: deps.corsOrigins }, { role: 'SECRET' })) return true;
    return someMerchantAllowsOrigin(db, origin);
  }

  function upgrade(request: IncomingMessage, socket: Parameters<WebSocketServer['handleUpgrade']>[1], head: Buffer): void {
    webSockets.handleUpgrade(request, socket, head, (ws) => {
      metrics.webSocketConnections.inc();
      ws.once('close', () => metrics.webSocketConnections.dec());
      webSockets.emit('connection', ws, request);
    });
  }

  const graphqlWs = useServer<Record<string, unknown> | undefined, WsExtra>(
    {
      onConnect: async (ctx) => {
        const { headers } = ctx.extra.request;
        const offered = ctx.connectionParams?.['authorization'] ?? headers.authorization;
        const authorization = typeof offered === 'string' ? offered : undefined;
        // A browser sends cookies on a cross-origin upgrade too: the console's session counts only from its own origin.
        const cookie = fromSameOrigin(headers) ? headers.cookie : undefined;
        const authenticated = await authenticateRequest(db, { authorization, cookie }, { publishable: true });
        const connectionId = requestIdFrom(headers['x-request-id']);
        if (!authenticated) {
          logger.info({ reqId: connectionId, transport: 'websocket' }, 'websocket refused: no valid API key');
          ctx.extra.socket.close(WS_UNAUTHORIZED, `Unauthorized: ${UNAUTHENTICATED_MESSAGE}`);
          return false;
        }
        let actor: Actor | null = authenticated.actor;
        const clientSecret = ctx.connectionParams?.['clientSecret'];
        if (actor.role === 'PUBLISHABLE' && clientSecret !== undefined) {
          actor = await withClientSecret(db, actor, clientSecret).catch(() => null);
          if (!actor) {
            logger.info({ reqId: connectionId, transport: 'websocket' }, 'websocket refused: client secret opens nothing');
            ctx.extra.socket.close(WS_UNAUTHORIZED, `Unauthorized: ${INVALID_CLIENT_SECRET_MESSAGE}`);
            return false;
          }
        }
        const origin = headers.origin ?? null;
        if (!(await originMayUse(db, { origin, host: headers.host, corsOrigins: deps.corsOrigins }, actor))) {
          logger.info({ reqId: connectionId, transport: 'websocket', origin }, 'websocket refused: origin may not use this key');
          ctx.extra.socket.close(WS_FORBIDDEN, `Forbidden: ${originRefusedMessage(actor.role === 'PUBLISHABLE')}`);
          return false;
        }
        ctx.extra.actor = actor;
        ctx.extra.connectionId = connectionId;
        const { socket } = ctx.extra;
        const stopWatching = credentials.track(authenticated.credential, () => {
          logger.info({ reqId: connectionId, transport: 'websocket' }, 'websocket closed: its API key was revoked or its console session ended');
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
          merchantId: actor === undefined ? undefined : merchantScope(actor),
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
    deps.keepAliveMs,
  );

  return {
    closeAll(code, reason) {
      for (const client of webSockets.clients) client.close(code, reason);
    },
    terminateAll() {
      for (const client of webSockets.clients) client.terminate();
    },
    dispose: async () => {
      await graphqlWs.dispose();
    },
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
