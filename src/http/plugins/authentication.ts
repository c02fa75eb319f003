import type { Plugin } from 'graphql-yoga';
import type { Database } from '../../db/client.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { authenticateRequest } from '../console-session.ts';
import { originMayUse } from '../../services/origins.ts';
import { merchantScope } from '../../services/merchant-scope.ts';
import { originRefusedError, publishableKeyNeedsPostError, rateLimitedError, unauthenticatedError } from '../errors.ts';
import type { RateLimiter } from '../rate-limit.ts';
import type { ServerContext } from '../types.ts';

/**
 * Authentication (an API key, or a console session: console-session.ts) and per-API-key rate limiting over HTTP (graphql-ws authenticates at connect, see
 * websocket.ts). Runs before the request body is read or parsed: an unauthenticated or rate-limited caller
 * costs one indexed lookup, and never learns anything about the schema (no validation errors for it).
 */
export function useAuthentication(deps: { db: Database; rateLimiter: RateLimiter; metrics: Metrics; corsOrigins: readonly string[] }): Plugin<Record<string, unknown>, ServerContext> {
  return {
    async onRequestParse({ request, serverContext }) {
      const authenticated = await authenticateRequest(
        deps.db,
        { authorization: request.headers.get('authorization'), cookie: request.headers.get('cookie') },
        { publishable: true },
      );
      if (!authenticated) throw unauthenticatedError();
      const { actor } = authenticated;
      // A publishable key travels with a client secret in the body (extensions.clientSecret), never in a URL.
      if (actor.role === 'PUBLISHABLE' && request.method !== 'POST') throw publishableKeyNeedsPostError();
      const origin = request.headers.get('origin');
      // The host is read only for a request with an Origin (browsers): most callers are not, and parsing the URL is not free.
      const host = origin === null ? undefined : new URL(request.url).host;
      if (!(await originMayUse(deps.db, { origin, host, corsOrigins: deps.corsOrigins }, actor))) {
        throw originRefusedError(actor.role === 'PUBLISHABLE');
      }
      const { requestContext } = serverContext;
      if (requestContext) {
        requestContext.apiKeyId = actor.apiKeyId;
        requestContext.merchantId = merchantScope(actor);
      }
      const decision = await deps.rateLimiter.consume(actor.apiKeyId);
      if (!decision.allowed) {
        deps.metrics.rateLimited.inc({ transport: 'http' });
        throw rateLimitedError(decision.retryAfterSeconds);
      }
      serverContext.actor = actor;
      serverContext.credential = authenticated.credential;
    },
  };
}
