import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

/**
 * NODE_ENV=production: no "Did you mean ...?" in any error. Suggestions help while developing; in production they
 * let anyone map the schema name by name: fields, arguments and types (validation), enum values ("Did you mean
 * the enum value CAPTURED?") and input fields, in literals (validation) and in variables (coerced at execution).
 * graphql-armor's blockFieldSuggestion only masked the quoted-name form, at validation.
 */

const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestions(errors: readonly Error[]): void {
  for (const error of errors) {
    if (error.message.includes('Did you mean')) error.message = error.message.replace(SUGGESTION, '').trim();
  }
}

function maskResult(result: unknown): void {
  if (result === null || typeof result !== 'object' || isAsyncIterable(result)) return;
  withoutSuggestions((result as ExecutionResult).errors ?? []);
}

// The hooks' callbacks are the same for every operation: made once, not per request.
const afterValidate = ({ valid, result }: { valid: boolean; result: readonly Error[] }) => {
  if (!valid) withoutSuggestions(result);
};
const afterExecute = { onExecuteDone: ({ result }: { result: unknown }) => maskResult(result) };
const afterSubscribe = { onSubscribeResult: ({ result }: { result: unknown }) => maskResult(result) };

export function useNoSuggestions(): Plugin {
  return {
    onValidate: () => afterValidate,
    onExecute: () => afterExecute,
    onSubscribe: () => afterSubscribe,
  };
}
