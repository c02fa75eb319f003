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
 * For fields whose contract returns a plain type rather than a result union (e.g. `dailyReport:
 * DailyReport!`): a service's UserError becomes a GraphQL error carrying the same stable `code` in
 * `extensions` (and, for validation, the `fields` with their paths), so clients branch on the code either
 * way. Anything else is rethrown untouched and masked by Yoga. No `originalError` is attached: Yoga masks a
 * GraphQLError whose original error is not itself a GraphQLError.
 */
export async function withUserErrors<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        ...(error instanceof ValidationFailedError ? { fields: error.fields } : {}),
      },
    });
  }
}
