import { execute as executeOperation } from '@graphql-tools/executor';
import { createSourceEventStream, type DocumentNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../../graphql/context.ts';

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
    // Every part of the actor that authorisation reads: role, merchant and (checkout) transaction.
    const scope = actor.role === 'ADMIN' ? 'ADMIN' : `${actor.role}:${actor.merchantId}:${actor.role === 'PUBLISHABLE' ? (actor.transactionId ?? '') : ''}`;
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
