import type { Plugin } from 'graphql-yoga';
import type { CredentialSweep } from '../credential-sweep.ts';
import type { ServerContext } from '../types.ts';

/** Content types of the responses that stay open: SSE (subscriptions), multipart (incremental delivery). */
const STREAMING_TYPES = ['text/event-stream', 'multipart/mixed'];

/**
 * A streaming response outlives the authentication of its request: its key joins the credential sweep, which
 * ends the response once the key is revoked. Decided on the response Yoga produced, not on the request's Accept
 * header: Yoga streams SSE for `*\/*` and for no Accept at all, too.
 */
export function useStreamCredentialCheck(credentials: CredentialSweep): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onResponse({ request, response, serverContext }) {
      const authorization = request.headers.get('authorization');
      const contentType = response.headers.get('content-type')?.toLowerCase() ?? '';
      if (authorization === null || !STREAMING_TYPES.some((type) => contentType.startsWith(type))) return;
      const { res } = serverContext;
      res.once('close', credentials.track(authorization, () => res.destroy()));
    },
  };
}
