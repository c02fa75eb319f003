import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type GraphiQLOptions, type YogaInitialContext, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { EventHub } from '../events/hub.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { schema } from '../graphql/schema/index.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { RequestContext } from '../observability/request-context.ts';
import type { ProviderSettings } from '../providers/settings.ts';
import { withClientSecret } from './client-secret.ts';
import { authenticate } from '../services/merchants.ts';
import { MAX_BODY_BYTES, sendJson } from './body.ts';
import type { CredentialSweep } from './credential-sweep.ts';
import { unauthenticatedError } from './errors.ts';
import { maskUnexpectedError } from './masked-errors.ts';
import { useAuthentication } from './plugins/authentication.ts';
import { useCompiledQueries } from './plugins/compiled-queries.ts';
import { useCors } from './plugins/cors.ts';
import { useCsrfPrevention } from './plugins/csrf.ts';
import { useMaskedErrorLog } from './plugins/masked-error-log.ts';
import { useOperationMetrics } from './plugins/operation-metrics.ts';
import { useQueryCost } from './plugins/query-cost.ts';
import { queryLimitPlugins } from './plugins/query-limits.ts';
import { useSharedSubscriptionExecution } from './plugins/shared-subscription-execution.ts';
import { useStreamCredentialCheck } from './plugins/stream-credentials.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ServerContext } from './types.ts';

export const GRAPHQL_PATH = '/graphql';

export type GraphQLEndpointDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  rateLimiter: RateLimiter;
  events: EventHub;
  credentials: CredentialSweep;
  /** Read per operation: the URLs in them are final only once the server listens. */
  providers: () => ProviderSettings;
};

export type GraphQLEndpoint = {
  yoga: YogaServerInstance<ServerContext, GraphQLContext>;
  /** Serves one HTTP request to /graphql (queries, mutations, SSE subscriptions, GraphiQL). */
  handle(request: IncomingMessage, response: ServerResponse, context: RequestContext): Promise<void>;
};

/** Yoga on /graphql: the schema, the plugins (one per file under plugins/), masking, and the resolvers' context. */
export function createGraphQLEndpoint(deps: GraphQLEndpointDeps): GraphQLEndpoint {
  const { config, db, logger, metrics, rateLimiter, events, credentials } = deps;
  const yoga = createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    landingPage: false,
    // Yoga's own CORS answered every origin with credentials; plugins/cors.ts answers the allow-list only.
    cors: false,
    // GraphiQL's assets come from this server (no CDN: it works offline). Subscriptions run over SSE, so the key typed
    // in its headers pane is sent as an HTTP header (over WS it never reached connection_init).
    graphiql: graphiqlEnabled(config) ? { title: 'Paystream', subscriptionsProtocol: 'SSE' } : false,
    renderGraphiQL: renderGraphiQLOnce,
    // No file uploads in this API: one parser (and one attack surface) less.
    multipart: false,
    // The size limit is enforced in handle(): a POST must declare a Content-Length of at most MAX_BODY_BYTES, and
    // Node's parser never delivers more than it declares. Yoga's own limit would re-stream every body through a
    // TransformStream and an AbortSignal (about a tenth of the CPU of serving a small query, measured with
    // bench:read) to enforce the same bound.
    maxRequestBodySize: false,
    plugins: [
      useCors(config.corsOrigins, db),
      // Before authentication: the CSRF rule looks at the request's shape, whatever credential it carries.
      useCsrfPrevention(),
      useAuthentication({ db, rateLimiter, metrics, corsOrigins: config.corsOrigins }),
      ...queryLimitPlugins(config),
      useStreamCredentialCheck(credentials),
      useOperationMetrics(metrics),
      // After the metrics plugin: a refused operation is still counted.
      useQueryCost(config.graphqlLimits),
      useCompiledQueries(logger),
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
    context: async ({ request, params, actor, disconnect }: YogaInitialContext & ServerContext): Promise<GraphQLContext> => {
      // HTTP: useAuthentication set `actor` before the body was read; WebSocket: onConnect did (client secret included).
      let resolved = actor ?? (await authenticate(db, request.headers.get('authorization'), { publishable: true }));
      if (!resolved) throw unauthenticatedError();
      if (resolved.role === 'PUBLISHABLE' && resolved.transactionId === undefined && params.extensions?.['clientSecret'] !== undefined) {
        resolved = await withClientSecret(db, resolved, params.extensions['clientSecret']);
      }
      return { db, config, alipay: deps.providers().alipay, actor: resolved, events, disconnect };
    },
  });

  return {
    yoga,
    async handle(request, response, context) {
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
      await yoga.handle(request, response, { requestContext: context });
    },
  };
}

/** The page inlines ~9 MB of GraphiQL's code; it is the same for every request, so it is built once. */
let graphiqlPage: { options: string; html: string } | undefined;
function renderGraphiQLOnce(options?: GraphiQLOptions): string {
  const key = JSON.stringify(options ?? {});
  if (graphiqlPage?.options !== key) graphiqlPage = { options: key, html: renderGraphiQL(options) };
  return graphiqlPage.html;
}

/** GraphiQL (and `/` leading to it) everywhere but in production. */
export function graphiqlEnabled(config: Config): boolean {
  return config.nodeEnv !== 'production';
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
