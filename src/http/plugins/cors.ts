import type { Plugin } from 'graphql-yoga';

/**
 * CORS on /graphql: an explicit allow-list (CORS_ORIGINS), empty by default. A page from an allowed origin may
 * call the API with a Bearer key it holds; every other origin gets no CORS headers at all, so its browser refuses
 * the preflight and never lets the page read an answer. Never `Access-Control-Allow-Credentials`: no client of this
 * API needs the browser's cookies sent cross-origin (GraphiQL and the console are same-origin), so a cross-origin
 * page can never act with a visitor's session. Replaces Yoga's default, which echoed any Origin with credentials.
 *
 * Issue #15 (publishable keys) extends `isAllowed` with each merchant's own origins.
 */

const ALLOWED_METHODS = 'GET, POST';
const ALLOWED_HEADERS = 'authorization, content-type, accept, x-request-id, x-graphql-yoga-csrf';
const EXPOSED_HEADERS = 'x-request-id, retry-after';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

export function useCors(allowedOrigins: readonly string[]): Plugin {
  const allowed = new Set(allowedOrigins);
  const isAllowed = (origin: string | null): origin is string => origin !== null && allowed.has(origin);

  return {
    onRequest({ request, fetchAPI, endResponse }) {
      if (request.method !== 'OPTIONS') return;
      // A preflight: answered here, with permission only for an allowed origin.
      const origin = request.headers.get('origin');
      const headers = new fetchAPI.Headers({ 'content-length': '0', vary: 'Origin' });
      if (isAllowed(origin)) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-allow-methods', ALLOWED_METHODS);
        headers.set('access-control-allow-headers', ALLOWED_HEADERS);
        headers.set('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      endResponse(new fetchAPI.Response(null, { status: 204, headers }));
    },
    onResponse({ request, response }) {
      // The answer depends on Origin whenever any origin is allowed: caches must not hand one origin's to another.
      if (allowed.size > 0) response.headers.append('vary', 'Origin');
      const origin = request.headers.get('origin');
      if (!isAllowed(origin)) return;
      response.headers.set('access-control-allow-origin', origin);
      response.headers.set('access-control-expose-headers', EXPOSED_HEADERS);
    },
  };
}
