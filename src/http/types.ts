import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { EventHub } from '../events/hub.ts';
import type { StreamNotice } from '../events/stream.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { RequestContext } from '../observability/request-context.ts';
import type { ProviderSettings } from '../providers/settings.ts';
import type { Actor } from '../services/merchants.ts';
import type { RejectionCounter } from '../services/notifications/rejections.ts';
import type { RateLimiter } from './rate-limit.ts';

/** A route besides /graphql. `log` writes lines about this request (they carry its request id). */
export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL, log: Logger) => Promise<void>;

export type Route = { method: string; path: string; handler: RouteHandler };

/** What routes receive: the application's dependencies, plus what the app itself made. */
export type RouteDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  /** Refused notifications per client address (NOTIFICATION_REFUSALS_PER_ADDRESS). */
  refusalLimiter: RateLimiter;
  /** The refused-notification counters, written periodically and at shutdown. */
  rejections: RejectionCounter;
  lifecycle: { readonly draining: boolean };
  /** The resolved provider settings, read per request (the URLs in them are final only once we listen). */
  providers: () => ProviderSettings;
  events: EventHub;
};

/** What the HTTP server hands Yoga for each request (and websocket.ts for each operation). */
export type ServerContext = {
  req: IncomingMessage;
  res: ServerResponse;
  /** Set by the authentication plugin (HTTP) or at connect (WebSocket). */
  actor?: Actor;
  /** The credential `actor` came from (a Bearer authorization or a console session), for the credential sweep. */
  credential?: string;
  /** Set on WebSocket connections: closes the connection with the notice's code and reason. */
  disconnect?: (notice: StreamNotice) => void;
  /** What the logs say about this request (HTTP) or operation (WebSocket); the plugins fill it in. */
  requestContext?: RequestContext;
};

/** The request context in a GraphQL context (Yoga merges the server context in; graphql-ws operations get their own). */
export function requestContextOf(contextValue: unknown): RequestContext | undefined {
  return (contextValue as Partial<ServerContext> | undefined)?.requestContext;
}
