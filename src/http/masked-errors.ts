import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, maskError } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import { trackStream } from './track-stream.ts';
import { requestLogFields, type RequestContext } from '../observability/request-context.ts';

/**
 * Unexpected errors (a bug, a database fault) reach clients as "Unexpected error." with no detail, and reach
 * the logs in full, with the request that met them. Yoga's maskError cannot see the request, so masking and
 * logging are two steps: `maskUnexpectedError` (Yoga's maskError) remembers each masked error's original,
 * and the places where results are produced, with their request at hand, log it: plugins/masked-error-log.ts for
 * HTTP (SSE streams included), `logMaskedResult` around graphql-ws's execute and subscribe (so an operation
 * the client cancelled before its answer is logged too).
 *
 * An original is logged once: a subscription event's result is shared by every identical subscription
 * (useSharedSubscriptionExecution), and each of their streams masks it again.
 */

const originals = new WeakMap<object, unknown>();
const logged = new WeakSet<object>();

const UNEXPECTED_ERROR_MESSAGE = 'Unexpected error.';

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
  if (masked !== error) originals.set(masked, original);
  return masked;
}

/** Logs the originals of the masked errors in a result (each original once), with the request's fields. */
export function logMaskedErrors(logger: Logger, result: ExecutionResult, context: RequestContext | undefined): void {
  for (const error of result.errors ?? []) {
    if (!originals.has(error)) continue;
    const original = originals.get(error);
    originals.delete(error);
    if (typeof original === 'object' && original !== null) {
      if (logged.has(original)) continue;
      logged.add(original);
    }
    logger.error({ ...(context ? requestLogFields(context) : {}), err: original }, 'unexpected error (masked)');
  }
}

/** Logs the masked errors of a result as it is produced: a single result now, a stream's as each event comes. */
export function logMaskedResult(
  logger: Logger,
  result: ExecutionResult | AsyncIterable<ExecutionResult>,
  context: RequestContext | undefined,
): ExecutionResult | AsyncIterable<ExecutionResult> {
  if (isAsyncIterable(result)) {
    return trackStream(result as AsyncIterable<ExecutionResult>, (event) => logMaskedErrors(logger, event, context), () => {});
  }
  logMaskedErrors(logger, result, context);
  return result;
}

/** Masks an error thrown outside execution (building an operation's context) and logs it like the others. */
export function maskAndLog(logger: Logger, error: unknown, context: RequestContext | undefined): GraphQLError {
  const masked = maskUnexpectedError(error, UNEXPECTED_ERROR_MESSAGE);
  const graphqlError = masked instanceof GraphQLError ? masked : new GraphQLError(masked.message);
  if (graphqlError !== masked) originals.set(graphqlError, originals.get(masked) ?? error);
  logMaskedErrors(logger, { errors: [graphqlError] }, context);
  return graphqlError;
}
