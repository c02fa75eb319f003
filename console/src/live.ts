import { createClient, type Client } from 'graphql-ws';
import { sessionEnded } from './api.ts';
import type { TypedDocumentString } from './generated/graphql.ts';

/**
 * Live data over graphql-ws on the console's own origin (the session cookie authenticates the upgrade). The
 * client reconnects by itself with backoff, and a resumable subscription resumes after the last event it
 * delivered: its `after` variable is moved forward on every event, and graphql-ws sends the same variables
 * again when it resubscribes (src/client/merchant-client.ts does the same for Node). Nothing is missed, nothing
 * comes twice. A close with 4401 means the session ended: the console goes back to its sign-in form.
 */

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'ended';

const UNAUTHORIZED = 4401;

function closeCodeOf(event: unknown): number | undefined {
  return typeof event === 'object' && event !== null && 'code' in event && typeof event.code === 'number' ? event.code : undefined;
}

function openClient(onState: (state: ConnectionState) => void): Client {
  let connectedOnce = false;
  return createClient({
    url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: (event) => closeCodeOf(event) !== UNAUTHORIZED,
    retryWait: async (retries) => {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** retries) + Math.random() * 200));
    },
    on: {
      connecting: () => onState(connectedOnce ? 'reconnecting' : 'connecting'),
      connected: () => {
        connectedOnce = true;
        onState('live');
      },
      closed: (event) => {
        if (closeCodeOf(event) === UNAUTHORIZED) {
          onState('ended');
          sessionEnded();
        } else onState('reconnecting');
      },
    },
  });
}

/**
 * Subscribes to `document`; `cursorOf` names the resume point of a result (the `after` to send on a reconnect),
 * or undefined for a subscription that does not resume. Returns the unsubscribe.
 */
export function subscribe<TResult, TVariables extends { after?: string | null }>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  handlers: {
    onData: (data: TResult) => void;
    onState: (state: ConnectionState) => void;
    onError: (message: string) => void;
    cursorOf?: (data: TResult) => string;
  },
): () => void {
  const client = openClient(handlers.onState);
  // The same object graphql-ws re-sends on every resubscription: moving `after` forward is what resumes.
  const payloadVariables: Record<string, unknown> = { ...variables };
  const stop = client.subscribe<TResult>(
    { query: document.toString(), variables: payloadVariables },
    {
      next: (result) => {
        if (result.data) {
          if (handlers.cursorOf) payloadVariables['after'] = handlers.cursorOf(result.data);
          handlers.onData(result.data);
        }
        for (const error of result.errors ?? []) handlers.onError(error.message);
      },
      error: (error) => {
        if (closeCodeOf(error) !== UNAUTHORIZED) handlers.onError(error instanceof Error ? error.message : 'the live connection failed');
        handlers.onState('ended');
      },
      complete: () => undefined,
    },
  );
  return () => {
    stop();
    void client.dispose();
  };
}
