import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * CSRF prevention on /graphql. A foreign page can make a browser send a "simple" request (GET, HEAD or POST with
 * only CORS-safelisted headers and a form or text body) with the browser's ambient credentials (cookies, cached
 * HTTP authentication) and no CORS preflight, so the CORS allow-list never gets a say. Such a request must not run
 * an operation when it carries a credential. Every other request kind is preflighted by the browser: it carries a
 * header a page can only set after the preflight allowed it (a Bearer key, one of PREFLIGHT_HEADERS) or a
 * non-safelisted content type (application/json).
 *
 * The rule is checked before authentication, on what the request carries (not on which credential we accept
 * today), so it holds for every credential added later, such as a session cookie. A request with no credential
 * at all has nothing to forge: authentication answers it 401 (API.md). GET never runs a mutation (Yoga: 405).
 *
 * Yoga's @graphql-yoga/plugin-csrf-prevention does the header/content-type half of this, but counts any
 * `Authorization` (a browser re-sends cached Basic credentials on its own), has no error code, and refuses
 * credential-less requests before authentication could answer them 401.
 */

/** Headers a page cannot send cross-origin without a preflight: the ones Yoga's and Apollo's CSRF prevention accept. */
const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight', 'x-apollo-operation-name'];

/** The content types a form (or fetch in no-cors mode) may send without a preflight (Fetch: CORS-safelisted). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST']);

function mediaTypeOf(headers: Headers): string | undefined {
  return headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
}

/** A Bearer key: browsers never add one by themselves, so a page had to set it, after a preflight. */
function hasBearer(headers: Headers): boolean {
  return /^bearer\s/i.test(headers.get('authorization') ?? '');
}

/** True when a browser may have sent this request cross-origin without asking the CORS policy first. */
function couldBeCrossSiteWithoutPreflight(request: Request): boolean {
  if (!SIMPLE_METHODS.has(request.method)) return false;
  const { headers } = request;
  if (hasBearer(headers)) return false;
  if (PREFLIGHT_HEADERS.some((header) => (headers.get(header) ?? '') !== '')) return false;
  const mediaType = mediaTypeOf(headers) ?? '';
  return mediaType === '' || SIMPLE_CONTENT_TYPES.has(mediaType);
}

/** Credentials a browser attaches by itself: cookies, and cached HTTP authentication of any scheme. */
function carriesCredential(headers: Headers): boolean {
  return headers.has('cookie') || headers.has('authorization');
}

function csrfRefusedError(): GraphQLError {
  return new GraphQLError(
    'request refused by CSRF prevention: send Content-Type: application/json (POST), Authorization: Bearer <api key>, or an x-graphql-yoga-csrf header',
    { extensions: { code: 'CSRF_REFUSED', http: { status: 403 } } },
  );
}

export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      if (!carriesCredential(request.headers)) return;
      // Legitimate clients post JSON (or application/graphql); a form body or none is what a foreign page would
      // post (text/plain and multipart bodies are refused by Yoga's parsers anyway: 415).
      const mediaType = mediaTypeOf(request.headers) ?? '';
      const formPost = request.method === 'POST' && (mediaType === '' || mediaType === 'application/x-www-form-urlencoded');
      if (formPost || couldBeCrossSiteWithoutPreflight(request)) throw csrfRefusedError();
    },
  };
}
