import { GraphQLError } from 'graphql';
import { UserError, ValidationFailedError, type FieldProblem } from '../services/errors.ts';

/**
 * A bad argument of a field whose result is not a union: VALIDATION_FAILED with the same `fields` a
 * ValidationError carries (the argument's path and what is wrong), plus any detail worth a client's code.
 */
export function invalidArgument(path: readonly string[], message: string, detail: Record<string, unknown> = {}): GraphQLError {
  const fields: FieldProblem[] = [{ path: [...path], message }];
  return new GraphQLError(`${path.join('.')}: ${message}`, { extensions: { code: 'VALIDATION_FAILED', fields, ...detail } });
}

/**
 * A service's UserError as a GraphQL error carrying the same stable `code` in `extensions` (and, for
 * validation, the `fields` with their paths), so clients branch on the code whether or not a field's result
 * is a union. No `originalError` is attached: Yoga masks a GraphQLError whose original error is not itself a
 * GraphQLError.
 */
export function userErrorAsGraphQLError(error: UserError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, ...(error instanceof ValidationFailedError ? { fields: error.fields } : {}) },
  });
}
