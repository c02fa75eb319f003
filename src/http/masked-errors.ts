import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, maskError, type Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import { trackStream } from './graphql-plugins.ts';
import { requestLogFields, type RequestContext } from '../observability/request-context.ts';

/**
 * Unexpected errors (a bug, a database fault) reach clients as "Unexpected error." with no detail, and reach
 * the logs in full, with the request that met them. Yoga's maskError cannot see the request, so masking and
 * logging are two steps: `maskUnexpectedError` (Yoga's maskError) remembers each masked error's original,
 * and the places that see both a result and its request log it: `useMaskedErrorLog` for HTTP (SSE streams
 * included), `logMaskedErrors` for graphql-ws. Each masked error is logged once, though a subscription
 * event's result may be shared by many subscribers (useSharedSubscriptionExecution).
 */

const originals = new WeakMap<GraphQLError, unknown>();

export function maskUnexpectedError(error: unknown, message: string): Error {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  // Pothos refuses bad connection arguments (negative first, first with before, ...): user input.
  if (error instanceof GraphQLError && original instanceof PothosValidationError) {
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      path: error.path,
      extensions: { ...error.extensions, code: 'VALIDATION_FAILED' },
    });
  }
  const masked = maskError(error, message, false);
  if (masked !== error && masked instanceof GraphQLError) originals.set(masked, original);
  return masked;
}

/** Logs the originals of the masked errors in a result (once each), with the request's fields. */
export function logMaskedErrors(logger: Logger, result: ExecutionResult, context: RequestContext | undefined): void {
  for (const error of result.errors ?? []) {
    if (!originals.has(error)) continue;
    const original = originals.get(error);
    originals.delete(error);
    logger.error({ ...(context ? requestLogFields(context) : {}), err: original }, 'unexpected error (masked)');
  }
}

/** HTTP and SSE: logs masked errors as their results are sent, single, batched or streamed. */
export function useMaskedErrorLog(logger: Logger): Plugin<Record<string, unknown>, { requestContext?: RequestContext }> {
  return {
    onResultProcess({ result, setResult, serverContext }) {
      const context = serverContext.requestContext;
      if (isAsyncIterable(result)) {
        setResult(trackStream(result, (event) => logMaskedErrors(logger, event, context), () => {}));
        return;
      }
      for (const single of Array.isArray(result) ? result : [result]) logMaskedErrors(logger, single, context);
    },
  };
}
