import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Headers a browser will not send cross-origin without a CORS preflight. `authorization` is one of
 * them (it is not CORS-safelisted): every authenticated request therefore already proves it was
 * preflighted, and browsers never add a Bearer credential on their own. The others are the ones
 * Yoga's and Apollo's CSRF prevention accept, for clients that already send them.
 */
const PREFLIGHT_HEADERS = ['authorization', 'x-graphql-yoga-csrf', 'graphql-preflight', 'apollo-require-preflight', 'x-apollo-operation-name'];

/**
 * Runs after authentication (API.md: a missing or bad key is a 401, whatever else is wrong), so it sees
 * only requests that carry our bearer key, which a browser never adds on its own. What it still refuses
 * (403) is a request shaped like a cross-site form: a POST with a form body or none (legitimate clients
 * send JSON), or a GET without any preflight-forcing header. The notification endpoints are not /graphql:
 * their signature is their authentication.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
      const hasPreflightHeader = PREFLIGHT_HEADERS.some((header) => (request.headers.get(header) ?? '') !== '');
      // text/plain and multipart are refused by the parser itself (415); a form body Yoga would parse.
      const formShapedPost = request.method === 'POST' && (mediaType === '' || mediaType === 'application/x-www-form-urlencoded');
      if (formShapedPost || !hasPreflightHeader) {
        throw new GraphQLError(
          'request refused by CSRF prevention: POST with Content-Type: application/json, or GET with an Authorization header',
          { extensions: { code: 'CSRF_REFUSED', http: { status: 403 } } },
        );
      }
    },
  };
}
