import type { IncomingMessage, ServerResponse } from 'node:http';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { execute as executeOperation } from '@graphql-tools/executor';
import {
  GraphQLError,
  Kind,
  createSourceEventStream,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  type DocumentNode,
  type ExecutionResult,
  type ValidationContext,
} from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import type { StreamNotice } from '../events/stream.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { RequestContext } from '../observability/request-context.ts';
import { authenticate, type Actor } from '../services/merchants.ts';
import type { RateLimiter } from './rate-limit.ts';

/**
 * Yoga plugins that protect and observe /graphql (and, through Yoga's enveloped parse/validate/execute,
 * the WebSocket transport too):
 * - query limits (graphql-armor): depth, cost, aliases, directives and tokens, all from config;
 * - NODE_ENV=production: no introspection, no "Did you mean ...?" field suggestions;
 * - CSRF prevention on HTTP;
 * - authentication and per-API-key rate limiting, before the body is even read;
 * - operation metrics and subscription tracking.
 */

/** What the HTTP server hands Yoga for each request; `actor` is set by useAuthentication. */
export type ServerContext = {
  req: IncomingMessage;
  res: ServerResponse;
  actor?: Actor;
  /** Set on WebSocket connections: closes the connection with the notice's code and reason. */
  disconnect?: (notice: StreamNotice) => void;
  /** What the logs say about this request (HTTP) or operation (WebSocket); the plugins fill it in. */
  requestContext?: RequestContext;
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

export const UNAUTHENTICATED_MESSAGE = 'missing, malformed, unknown or revoked API key';

export function unauthenticatedError(): GraphQLError {
  return new GraphQLError(`${UNAUTHENTICATED_MESSAGE}: send Authorization: Bearer <api key>`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } },
  });
}

export function rateLimitedError(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`rate limit exceeded for this API key; retry in ${retryAfterSeconds} s`, {
    extensions: {
      code: 'RATE_LIMITED',
      retryAfterSeconds,
      http: { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Query limits
// ---------------------------------------------------------------------------------------------

type LimitName = 'depth' | 'cost' | 'aliases' | 'directives' | 'tokens';

/** Armor words its refusals as "Syntax Error: ..."; ours name the limit and carry a stable code. */
function queryTooComplex(armorError: GraphQLError, limit: LimitName): GraphQLError {
  return new GraphQLError(armorError.message.replace(/^Syntax Error: /, ''), {
    extensions: { code: 'QUERY_TOO_COMPLEX', limit },
  });
}

/**
 * Validation-time limits are reported alongside the other validation errors; the token limit stops the
 * parser itself, before any AST is built. Both become a QUERY_TOO_COMPLEX error with HTTP 400
 * (see useQueryTooComplexStatus).
 */
function reportTo(limit: LimitName) {
  return [
    (context: ValidationContext | null, error: GraphQLError) => {
      const refusal = queryTooComplex(error, limit);
      if (context) context.reportError(refusal);
      else throw refusal;
    },
  ];
}

export function queryLimitPlugins(config: Config): Plugin[] {
  const limits = config.graphqlLimits;
  const production = config.nodeEnv === 'production';
  const plugins: Plugin[] = [
    EnvelopArmorPlugin({
      // Fragments are a way of writing a selection, not of nesting it: they add no depth and no cost.
      maxDepth: { n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: reportTo('depth') },
      costLimit: { maxCost: limits.maxCost, flattenFragments: true, propagateOnRejection: false, onReject: reportTo('cost') },
      maxAliases: { n: limits.maxAliases, propagateOnRejection: false, onReject: reportTo('aliases') },
      maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: reportTo('directives') },
      maxTokens: { n: limits.maxTokens, onReject: reportTo('tokens') },
      // Suggestions help while developing; in production they let anyone map the schema field by field.
      blockFieldSuggestion: { enabled: production, mask: '' },
    }) as Plugin,
  ];
  if (production) {
    plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(NoSchemaIntrospectionCustomRule) });
  }
  plugins.push(useQueryTooComplexStatus());
  return plugins;
}

/**
 * A refused query bomb is HTTP 400 whatever the Accept header. Yoga follows the GraphQL-over-HTTP spec
 * and answers parse and validation errors with 200 for `application/json` (also its choice when no
 * Accept is sent); for an abusive request a 400 is what rate limiters, proxies and dashboards should
 * see. Ordinary syntax and validation errors keep the spec's behaviour.
 */
function useQueryTooComplexStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      if (Array.isArray(result) || isAsyncIterable(result)) return;
      for (const error of result.errors ?? []) {
        if (error.extensions?.['code'] !== 'QUERY_TOO_COMPLEX') continue;
        // Yoga set `http: { spec: true, status: 400 }` on it; `spec` is what lets application/json turn it into 200.
        const extensions = error.extensions as { http?: { spec?: boolean; status?: number } };
        extensions.http = { ...extensions.http, spec: false, status: 400 };
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CSRF
// ---------------------------------------------------------------------------------------------


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

// ---------------------------------------------------------------------------------------------
// Authentication and rate limiting (HTTP; graphql-ws authenticates at connect, see server.ts)
// ---------------------------------------------------------------------------------------------

/**
 * Runs before the request body is read or parsed: an unauthenticated or rate-limited caller costs one
 * indexed lookup, and never learns anything about the schema (no validation errors for it).
 */
export function useAuthentication(deps: { db: Database; rateLimiter: RateLimiter; metrics: Metrics }): Plugin<Record<string, unknown>, ServerContext> {
  return {
    async onRequestParse({ request, serverContext }) {
      const actor = await authenticate(deps.db, request.headers.get('authorization'));
      if (!actor) throw unauthenticatedError();
      const { requestContext } = serverContext;
      if (requestContext) {
        requestContext.apiKeyId = actor.apiKeyId;
        if (actor.role === 'MERCHANT') requestContext.merchantId = actor.merchantId;
      }
      const decision = await deps.rateLimiter.consume(actor.apiKeyId);
      if (!decision.allowed) {
        deps.metrics.rateLimited.inc({ transport: 'http' });
        throw rateLimitedError(decision.retryAfterSeconds);
      }
      serverContext.actor = actor;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Metrics and log context
// ---------------------------------------------------------------------------------------------

const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

function describeOperation(document: DocumentNode, operationName: string | null | undefined): { type: string; name: string | undefined } {
  const operation = getOperationAST(document, operationName);
  return { type: operation?.operation ?? 'unknown', name: operation?.name?.value ?? operationName ?? undefined };
}

/** The subscription's root field (validation guarantees exactly one), named as in the schema. */
function rootFieldName(document: DocumentNode, operationName: string | null | undefined): string {
  const selection = getOperationAST(document, operationName)?.selectionSet.selections[0];
  return selection?.kind === Kind.FIELD ? selection.name.value : 'unknown';
}

/** The request context in a GraphQL context (Yoga merges the server context in; graphql-ws operations get their own). */
export function requestContextOf(contextValue: unknown): RequestContext | undefined {
  return (contextValue as Partial<ServerContext> | undefined)?.requestContext;
}

function errorCode(error: Error, fallback = 'UNCODED'): unknown {
  if (!(error instanceof GraphQLError)) return 'INTERNAL_SERVER_ERROR';
  const code = error.extensions?.['code'];
  if (code !== undefined) return code;
  if (fallback !== 'UNCODED') return fallback;
  // Not a GraphQLError underneath: unexpected, and masked before it leaves (see server.ts).
  return error.originalError && !(error.originalError instanceof GraphQLError) ? 'INTERNAL_SERVER_ERROR' : 'UNCODED';
}

/** Counts and times every operation, tracks open subscriptions, and names the operation in the logs. */
export function useOperationMetrics(metrics: Metrics): Plugin<Record<string, unknown>, ServerContext> {
  // Refusals are counted before Yoga gives them their code: `fallback` names what Yoga will call them.
  const countErrors = (errors: readonly Error[] | undefined, fallback?: string) => {
    for (const error of errors ?? []) metrics.graphqlErrors.inc({ code: metrics.errorCodeLabel(errorCode(error, fallback)) });
  };
  const rejected = (type: string, name: string | null | undefined, errors: readonly Error[], fallback: string) => {
    metrics.graphqlOperations.inc({ operation_type: type, operation_name: metrics.operationNameLabel(name), outcome: 'rejected' });
    countErrors(errors, fallback);
  };
  const nameInLogs = (requestContext: RequestContext | undefined, document: DocumentNode, operationName: string | null | undefined) => {
    if (!requestContext) return;
    const { type, name } = describeOperation(document, operationName);
    requestContext.operationType = type;
    if (name !== undefined) requestContext.operationName = GRAPHQL_NAME.test(name) ? name : '(invalid name)';
  };

  return {
    onParams({ params, context }) {
      const { requestContext } = context;
      if (requestContext && typeof params.operationName === 'string') {
        requestContext.operationName = GRAPHQL_NAME.test(params.operationName) ? params.operationName : '(invalid name)';
      }
    },
    onParse({ context }) {
      return ({ result }) => {
        if (result instanceof GraphQLError) {
          const params = (context as { params?: { operationName?: string | null } }).params;
          rejected('unknown', params?.operationName, [result], 'GRAPHQL_PARSE_FAILED');
        }
      };
    },
    onValidate({ params, context }) {
      return ({ valid, result }) => {
        if (valid) return;
        const operationName = (context as { params?: { operationName?: string | null } }).params?.operationName;
        const { type, name } = describeOperation(params.documentAST, operationName);
        rejected(type, name, result, 'GRAPHQL_VALIDATION_FAILED');
      };
    },
    onExecute({ args }) {
      nameInLogs(requestContextOf(args.contextValue), args.document, args.operationName);
      const { type, name } = describeOperation(args.document, args.operationName);
      const labels = { operation_type: type, operation_name: metrics.operationNameLabel(name) };
      const stopTimer = metrics.graphqlOperationDuration.startTimer(labels);
      return {
        onExecuteDone({ result }) {
          stopTimer();
          const errors = isAsyncIterable(result) ? undefined : (result as ExecutionResult).errors;
          metrics.graphqlOperations.inc({ ...labels, outcome: errors?.length ? 'error' : 'success' });
          countErrors(errors);
        },
      };
    },
    onSubscribe({ args }) {
      nameInLogs(requestContextOf(args.contextValue), args.document, args.operationName);
      const { type, name } = describeOperation(args.document, args.operationName);
      const labels = { operation_type: type, operation_name: metrics.operationNameLabel(name) };
      const stopTimer = metrics.graphqlOperationDuration.startTimer(labels);
      const subscription = rootFieldName(args.document, args.operationName);
      return {
        onSubscribeResult({ result, setResult }) {
          stopTimer();
          if (!isAsyncIterable(result)) {
            const errors = (result as ExecutionResult).errors;
            metrics.graphqlOperations.inc({ ...labels, outcome: errors?.length ? 'error' : 'success' });
            countErrors(errors);
            return;
          }
          metrics.graphqlOperations.inc({ ...labels, outcome: 'success' });
          metrics.subscriptionsOpen.inc({ subscription });
          setResult(
            trackStream(
              result,
              () => metrics.eventsDelivered.inc({ subscription }),
              () => metrics.subscriptionsOpen.dec({ subscription }),
            ),
          );
        },
      };
    },
  };
}

/**
 * Wraps a subscription's stream: `onNext` sees each payload, `onEnd` exactly once however it ends
 * (exhausted, cancelled by the client, errored). envelop's own onEnd misses the error case, which
 * would leave the open-subscriptions gauge counting a dead stream forever.
 */
export function trackStream<T>(source: AsyncIterable<T>, onNext: (value: T) => void, onEnd: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      try {
        const step = await iterator.next();
        if (step.done) end();
        else onNext(step.value);
        return step;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return(value?: unknown) {
      end();
      return iterator.return ? iterator.return(value) : { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      end();
      if (iterator.throw) return iterator.throw(error);
      throw error;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Subscriptions: one execution per event for identical subscriptions
// ---------------------------------------------------------------------------------------------

type ExecutionArgs = Parameters<typeof executeOperation>[0];
type EventResult = ReturnType<typeof executeOperation>;

/**
 * A merchant's event goes to every subscription of that merchant: its backend replicas, dashboards and
 * tabs, which mostly subscribe with the same document and variables. Executing the selection set once per
 * event for each of them repeats identical work (bench:subscriptions saturated a core at 2,000 deliveries a
 * second with it). This runs each event once per distinct (document, operation, variables, caller scope)
 * and hands every such subscription the same result.
 *
 * Each subscription keeps its own source stream (its own buffer, replay with `after`, slow-consumer limit
 * and end), so ordering, exactly-once and tenant isolation are untouched: only the execution of a payload
 * that two streams both yield is shared. Live events are the same object in every stream they reach (the
 * relay's), so results are remembered per payload object, and forgotten with it. Replayed events are read
 * per stream and simply executed.
 *
 * The caller's scope (role and merchant) is part of the key: field-level authorisation may differ between an
 * ADMIN and a merchant.
 */
export function useSharedSubscriptionExecution(): Plugin {
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  const resultsByPayload = new WeakMap<object, Map<string, EventResult>>();

  const sharingKey = (args: ExecutionArgs): string | undefined => {
    const context = args.contextValue as Partial<GraphQLContext> | undefined;
    const actor = context?.actor;
    if (!actor) return undefined;
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) {
      documentId = (nextDocumentId += 1);
      documentIds.set(args.document, documentId);
    }
    const scope = actor.role === 'MERCHANT' ? `MERCHANT:${actor.merchantId}` : 'ADMIN';
    return `${documentId}\u0000${args.operationName ?? ''}\u0000${JSON.stringify(args.variableValues ?? {})}\u0000${scope}`;
  };

  const executeShared = (args: ExecutionArgs, key: string | undefined, payload: unknown): EventResult => {
    if (key === undefined || typeof payload !== 'object' || payload === null) return executeOperation({ ...args, rootValue: payload });
    let results = resultsByPayload.get(payload);
    if (!results) {
      results = new Map();
      resultsByPayload.set(payload, results);
    }
    let result = results.get(key);
    if (result === undefined) {
      result = executeOperation({ ...args, rootValue: payload });
      results.set(key, result);
    }
    return result;
  };

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(async (args) => {
        const executionArgs = args as ExecutionArgs;
        // GraphQL's own algorithm (MapSourceToResponseEvent), with the per-event execution shared.
        const source = await createSourceEventStream(args);
        if (!isAsyncIterable(source)) return source;
        const key = sharingKey(executionArgs);
        return mapEvents(source[Symbol.asyncIterator](), (payload) => executeShared(executionArgs, key, payload));
      });
    },
  };
}

/**
 * `source` mapped through `map`, one event at a time. An explicit iterator, not an async generator: `return()`
 * must reach the source at once (ending its stream and freeing its buffer), even while a `next()` is waiting.
 */
function mapEvents<T, R>(source: AsyncIterator<T>, map: (value: T) => R | Promise<R>): AsyncIterableIterator<Awaited<R>> {
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      const step = await source.next();
      if (step.done) return { done: true, value: undefined };
      return { done: false, value: await map(step.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
  };
}
