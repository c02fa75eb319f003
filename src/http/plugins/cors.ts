import type { Plugin } from 'graphql-yoga';
import type { Database } from '../../db/client.ts';
import { merchantAllowsOrigin, someMerchantAllowsOrigin } from '../../services/origins.ts';
import type { ServerContext } from '../types.ts';

/**
 * CORS on /graphql, decided per origin and key:
 * - CORS_ORIGINS (the operator's allow-list, empty by default): answered for any key;
 * - a merchant's allowed origins (setAllowedOrigins): answered only to requests made with that merchant's
 *   publishable key. A preflight carries no key, so it is answered for an origin some merchant allows; the request
 *   itself then gets CORS headers only if its key's merchant allows the origin, and the browser shows the page
 *   nothing otherwise (authentication refuses it too: src/services/origins.ts);
 * - every other origin gets no CORS headers at all, so its browser refuses the preflight.
 * Never `Access-Control-Allow-Credentials`: no client of this API needs the browser's cookies sent cross-origin
 * (GraphiQL and the console are same-origin), so a cross-origin page can never act with a visitor's session.
 * Replaces Yoga's default, which echoed any Origin with credentials.
 */

const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'authorization, content-type, accept, x-request-id, x-graphql-yoga-csrf';
const EXPOSED_HEADERS = 'x-request-id, retry-after';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export function useCors(allowedOrigins: readonly string[], db: Database): Plugin<Record<string, unknown>, ServerContext> {
  const allowed = new Set(allowedOrigins);
  const isAllowed = (origin: string | null): origin is string => origin !== null && allowed.has(origin);

  return {
    async onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      // A preflight: answered here, with permission only for an allowed origin.
      const origin = request.headers.get('origin');
      const headers = new fetchAPI.Headers({ 'content-length': '0', vary: 'Origin' });
      if (isAllowed(origin) || (origin !== null && (await someMerchantAllowsOrigin(db, origin)))) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-allow-methods', ALLOWED_METHODS);
        headers.set('access-control-allow-headers', ALLOWED_HEADERS);
        headers.set('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      endResponse(new fetchAPI.Response(null, { status: 204, headers }));
    },
    async onResponse({ request, response, serverContext }) {
      // The answer depends on Origin (and the key): caches must not hand one origin's to another.
      response.headers.append('vary', 'Origin');
      const origin = request.headers.get('origin');
      if (origin === null) return;
      const actor = serverContext.actor;
      const merchantAllows = actor?.role === 'PUBLISHABLE' && (await merchantAllowsOrigin(db, actor.merchantId, origin));
      if (!isAllowed(origin) && !merchantAllows) return;
      response.headers.set('access-control-allow-origin', origin);
      response.headers.set('access-control-expose-headers', EXPOSED_HEADERS);
    },
  };
}
