import { GraphQLError } from 'graphql';
import { UserError, ValidationFailedError } from '../services/errors.ts';

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
