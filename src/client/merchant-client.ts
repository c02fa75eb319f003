import { createClient, type Client, type ClientOptions, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import type {
  CancelTransactionMutation,
  CheckoutTransactionUpdatedSubscription,
  CreateTransactionInput,
  CreateTransactionMutation,
  TransactionEventsSubscription,
  TransactionEventKind,
  TransactionEventsSubscriptionVariables,
  TransactionStatus,
  TransactionUpdatedSubscription,
  TypedDocumentString,
} from '../generated/graphql/graphql.ts';
import {
  CancelTransactionDocument,
  CheckoutTransactionUpdatedDocument,
  CreateTransactionDocument,
  TransactionEventsDocument,
  TransactionUpdatedDocument,
} from './operations.ts';

/**
 * A typed merchant client for live status over graphql-ws. It reconnects by itself (backoff with
 * jitter; the server's "too slow", "going away" and network drops are all retried) and resumes the
 * event stream from the last cursor it received, so a subscriber sees every event once, in order,
 * across disconnects. Authentication failures and rejected subscriptions are not retried: they are
 * reported to `onError` and end the subscription.
 *
 *   const client = createMerchantClient({ url: 'ws://127.0.0.1:4000/graphql', apiKey });
 *   client.transactionEvents({ onEvent: (event) => console.log(event.status, event.transaction.id) });
 *
 * In a merchant's page (browser mode), `createCheckoutClient` uses the publishable key and one transaction's client
 * secret instead (docs/FRONTEND.md); it never holds a secret key.
 */

export type TransactionEventMessage = TransactionEventsSubscription['transactionEvents'];
export type TransactionMessage = TransactionUpdatedSubscription['transactionUpdated'];

export type CheckoutMessage = CheckoutTransactionUpdatedSubscription['checkoutTransactionUpdated'];

type ConnectionOptions = {
  /** ws(s)://host:port/graphql; http(s):// is accepted and converted. */
  url: string;
  /** Waits before reconnect attempt `retries` (0, 1, ...). Default: 100 ms doubling up to 5 s, plus jitter. */
  retryWait?: (retries: number) => Promise<void>;
  /** Consecutive failed reconnects before giving up. Default: never give up. */
  retryAttempts?: number;
  /** Connection lifecycle listeners (connecting, connected, closed, ...), passed to graphql-ws. */
  on?: ClientOptions['on'];
  /** The WebSocket class; default: the browser's own in a page, else `ws`. */
  webSocketImpl?: unknown;
};

export type MerchantClientOptions = ConnectionOptions & { apiKey: string };

export type CheckoutClientOptions = ConnectionOptions & {
  /** The merchant's publishable key (`pk_…`). */
  publishableKey: string;
  /** The transaction's client secret, from the merchant's backend (createTransaction). */
  clientSecret: string;
};

export type SubscriptionHandle = {
  unsubscribe(): void;
  /** Settles when the subscription ends: after unsubscribe, or a fatal error (also given to onError). */
  readonly done: Promise<void>;
};

export type EventsSubscriptionHandle = SubscriptionHandle & {
  /** The cursor of the last event received: where the next (re)subscription resumes. */
  readonly lastCursor: string | undefined;
};

export type SubscriptionErrorHandler = (error: SubscriptionError) => void;

/** Why a subscription ended or what the server reported inside it. */
export class SubscriptionError extends Error {
  override name = 'SubscriptionError';
  constructor(
    message: string,
    /** A GraphQL error code (NOT_FOUND, VALIDATION_FAILED, ...) or the WebSocket close code. */
    readonly code: string | number | undefined,
  ) {
    super(message);
  }
}

export type MerchantClient = {
  /**
   * The merchant's event stream. With `after`, starts after that cursor (replayed from the server's log);
   * without, from now. Every reconnect resumes after the last event received.
   */
  transactionEvents(options: {
    after?: string;
    /** Only status changes into these (refund events are left out unless `kinds` asks for them). */
    statuses?: TransactionStatus[];
    /** Only events of these kinds. */
    kinds?: TransactionEventKind[];
    onEvent: (event: TransactionEventMessage) => void;
    onError?: SubscriptionErrorHandler;
  }): EventsSubscriptionHandle;
  /**
   * One transaction as it is now, then after each status or refund change. After a reconnect the first message is
   * again the current state, so nothing that happened while disconnected is missed (only intermediate states).
   */
  transactionUpdated(
    id: string,
    handlers: { onTransaction: (transaction: TransactionMessage) => void; onError?: SubscriptionErrorHandler },
  ): SubscriptionHandle;
  /** createTransaction over the same connection: the answer (a transaction and its clientSecret, or a typed error). */
  createTransaction(input: CreateTransactionInput): Promise<CreateTransactionMutation['createTransaction']>;
  /** cancelTransaction over the same connection. */
  cancelTransaction(id: string): Promise<CancelTransactionMutation['cancelTransaction']>;
  /** The underlying graphql-ws client (connection events, custom operations). */
  readonly graphqlWs: Client;
  close(): Promise<void>;
};

async function defaultRetryWait(retries: number): Promise<void> {
  const delay = Math.min(5_000, 100 * 2 ** retries) + Math.random() * 100;
  await new Promise((resolve) => setTimeout(resolve, delay));
}

function connect(options: ConnectionOptions, connectionParams: Record<string, string>): Client {
  return createClient({
    url: options.url.replace(/^http/, 'ws'),
    connectionParams,
    // In a browser page its own WebSocket; in Node, `ws`.
    webSocketImpl: options.webSocketImpl ?? ('document' in globalThis ? globalThis.WebSocket : WebSocket),
    retryAttempts: options.retryAttempts ?? Number.POSITIVE_INFINITY,
    retryWait: options.retryWait ?? defaultRetryWait,
    // graphql-ws never retries the fatal close codes (4401 bad key, 4400, 4500, ...); everything else
    // (server restart, too slow, network errors) is worth another attempt.
    shouldRetry: () => true,
    ...(options.on ? { on: options.on } : {}),
  });
}

function run<TResult, TVariables extends Record<string, unknown>>(
  graphqlWs: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  onError: SubscriptionErrorHandler | undefined,
): SubscriptionHandle {
  let settle: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const unsubscribe = graphqlWs.subscribe<TResult>(
    // graphql-ws sends this same payload object again on every reconnect: whatever `variables` holds
    // then (the latest `after`) is what the new subscription asks for.
    { query: document.toString(), variables },
    {
      next(result: FormattedExecutionResult<TResult>) {
        if (result.data) onData(result.data);
        for (const error of result.errors ?? []) {
          onError?.(new SubscriptionError(error.message, codeOf(error.extensions)));
        }
      },
      error(error: unknown) {
        onError?.(toSubscriptionError(error));
        settle();
      },
      complete: () => settle(),
    },
  );
  return { unsubscribe, done };
}

/** One query or mutation over the connection: its data, or the first error as a SubscriptionError. */
async function once<TResult, TVariables extends Record<string, unknown>>(
  graphqlWs: Client,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  for await (const result of graphqlWs.iterate<TResult>({ query: document.toString(), variables })) {
    const [error] = result.errors ?? [];
    if (error) throw new SubscriptionError(error.message, codeOf(error.extensions));
    if (result.data) return result.data;
  }
  throw new SubscriptionError('no answer', undefined);
}

export function createMerchantClient(options: MerchantClientOptions): MerchantClient {
  const graphqlWs = connect(options, { authorization: `Bearer ${options.apiKey}` });

  return {
    graphqlWs,
    transactionEvents({ after, statuses, kinds, onEvent, onError }) {
      const variables: TransactionEventsSubscriptionVariables = {
        ...(after !== undefined ? { after } : {}),
        ...(statuses !== undefined ? { statuses } : {}),
        ...(kinds !== undefined ? { kinds } : {}),
      };
      const handle = run(
        graphqlWs,
        TransactionEventsDocument,
        variables,
        (data) => {
          variables.after = data.transactionEvents.cursor;
          onEvent(data.transactionEvents);
        },
        onError,
      );
      return {
        ...handle,
        get lastCursor() {
          return variables.after ?? undefined;
        },
      };
    },
    transactionUpdated(id, { onTransaction, onError }) {
      return run(graphqlWs, TransactionUpdatedDocument, { id }, (data) => onTransaction(data.transactionUpdated), onError);
    },
    createTransaction: async (input) => (await once(graphqlWs, CreateTransactionDocument, { input })).createTransaction,
    cancelTransaction: async (id) => (await once(graphqlWs, CancelTransactionDocument, { id })).cancelTransaction,
    async close() {
      await graphqlWs.dispose();
    },
  };
}

export type CheckoutClient = {
  /**
   * The transaction now, then after each change. After a reconnect the first message is again the current state
   * (`version` orders them), so nothing is missed.
   */
  checkoutTransactionUpdated(handlers: { onTransaction: (transaction: CheckoutMessage) => void; onError?: SubscriptionErrorHandler }): SubscriptionHandle;
  readonly graphqlWs: Client;
  close(): Promise<void>;
};

/** Browser mode: a merchant's page following one payment with the publishable key and its client secret. */
export function createCheckoutClient(options: CheckoutClientOptions): CheckoutClient {
  // Both in connection_init, never in the URL.
  const graphqlWs = connect(options, { authorization: `Bearer ${options.publishableKey}`, clientSecret: options.clientSecret });
  return {
    graphqlWs,
    checkoutTransactionUpdated({ onTransaction, onError }) {
      let version = -1;
      return run(
        graphqlWs,
        CheckoutTransactionUpdatedDocument,
        {},
        (data) => {
          // A reconnect starts again with the current state: only newer states go out.
          if (data.checkoutTransactionUpdated.version <= version) return;
          version = data.checkoutTransactionUpdated.version;
          onTransaction(data.checkoutTransactionUpdated);
        },
        onError,
      );
    },
    async close() {
      await graphqlWs.dispose();
    },
  };
}

function codeOf(extensions: Record<string, unknown> | undefined): string | undefined {
  const code = extensions?.['code'];
  return typeof code === 'string' ? code : undefined;
}

function toSubscriptionError(error: unknown): SubscriptionError {
  if (Array.isArray(error)) {
    const first = error[0] as { message?: unknown; extensions?: Record<string, unknown> } | undefined;
    return new SubscriptionError(typeof first?.message === 'string' ? first.message : 'subscription rejected', codeOf(first?.extensions));
  }
  if (typeof error === 'object' && error !== null && 'code' in error && 'reason' in error) {
    const { code, reason } = error as { code: unknown; reason: unknown };
    return new SubscriptionError(`connection closed: ${String(reason) || 'no reason'}`, typeof code === 'number' ? code : undefined);
  }
  return new SubscriptionError(error instanceof Error ? error.message : 'connection failed', undefined);
}
