import type { Plugin } from 'graphql-yoga';
import type { CredentialSweep } from '../credential-sweep.ts';
import type { ServerContext } from '../types.ts';

/** Content types of the responses that stay open: SSE (subscriptions), multipart (incremental delivery). */
const STREAMING_TYPES = ['text/event-stream', 'multipart/mixed'];

/**
 * A streaming response outlives the authentication of its request: its credential (key or console session) joins the
 * credential sweep, which ends the response once the key is revoked or the session ended. Decided on the response Yoga produced, not on the request's Accept
 * header: Yoga streams SSE for `*\/*` and for no Accept at all, too.
 */
export function useStreamCredentialCheck(credentials: CredentialSweep): Plugin<Record<string, unknown>, ServerContext> {
  return {
    onResponse({ response, serverContext }) {
      const { credential, res } = serverContext;
      const contentType = response.headers.get('content-type')?.toLowerCase() ?? '';
      if (credential === undefined || !STREAMING_TYPES.some((type) => contentType.startsWith(type))) return;
      res.once('close', credentials.track(credential, () => res.destroy()));
    },
  };
}
