import { GraphQLError } from 'graphql';
import type { GraphQLContext } from './context.ts';

/**
 * The page size limit of every connection (GRAPHQL_MAX_PAGE_SIZE, default 100), for Pothos's `maxSize`.
 * A larger `first`/`last` is refused with a clear error rather than silently clamped: a merchant
 * reconciling who asked for 500 rows and got 100 would otherwise believe the list was complete.
 * (Negative values are refused by Pothos itself, with code VALIDATION_FAILED added in src/http/masked-errors.ts.)
 */
export function maxPageSize(args: { first?: number | null; last?: number | null }, context: GraphQLContext): number {
  const max = context.config.graphqlLimits.maxPageSize;
  for (const argument of ['first', 'last'] as const) {
    const requested = args[argument];
    if (requested !== null && requested !== undefined && requested > max) {
      throw new GraphQLError(`${argument} must be at most ${max} (the maximum page size); fetch further pages with after/before`, {
        extensions: { code: 'VALIDATION_FAILED', argument, maxPageSize: max },
      });
    }
  }
  return max;
}
