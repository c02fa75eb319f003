import { isUuid } from '../domain/ids.ts';
import type { GraphQLContext } from './context.ts';
import { invalidArgument } from './errors.ts';

/**
 * Every connection pages with these two: `maxSize: maxPageSize`, and its resolver's query and filter through
 * `cursorPage` (test/graphql/pagination.test.ts finds every connection in the schema and holds it to both).
 */

type PageArgs = { first?: number | null; last?: number | null; after?: string | null; before?: string | null };

/**
 * A connection's filter, built once per request: Pothos hands its page and its totalCount the same args
 * object, so their lookups (a merchant's existence) run once.
 */
export function filterPerRequest<Args extends object, Where>(
  build: (context: GraphQLContext, args: Args) => Promise<Where>,
): (context: GraphQLContext, args: Args) => Promise<Where> {
  const built = new WeakMap<Args, Promise<Where>>();
  return (context, args) => {
    let where = built.get(args);
    if (where === undefined) {
      where = build(context, args);
      built.set(args, where);
    }
    return where;
  };
}

/**
 * The page size limit of every connection (GRAPHQL_MAX_PAGE_SIZE, default 100), for Pothos's `maxSize`.
 * A larger `first`/`last` is refused with a clear error rather than silently clamped: a merchant
 * reconciling who asked for 500 rows and got 100 would otherwise believe the list was complete.
 * (Negative values are refused by Pothos itself, with code VALIDATION_FAILED added in src/http/masked-errors.ts.)
 */
export function maxPageSize(args: PageArgs, context: GraphQLContext): number {
  const max = context.config.graphqlLimits.maxPageSize;
  for (const argument of ['first', 'last'] as const) {
    const requested = args[argument];
    if (requested !== null && requested !== undefined && requested > max) {
      throw invalidArgument([argument], `must be at most ${max} (the maximum page size); fetch further pages with after/before`, {
        argument,
        maxPageSize: max,
      });
    }
  }
  return max;
}

/**
 * A connection's Prisma query (Pothos's cursor, take and skip) with its filter, the cursor checked.
 *
 * - A cursor that names no row id (well-formed base64, wrong content) is VALIDATION_FAILED, not a database error.
 * - A cursor naming a row outside `scope` (another merchant's transaction) positions nothing, exactly like a row
 *   that does not exist: Prisma reads the cursor row without the page's filter, so unchecked, a foreign cursor
 *   would position the page and reveal that the row exists.
 * - The cursor row itself is always in the list Prisma pages through, filter or not: Pothos skips the first row
 *   (skip: 1) as the cursor row, so when the cursor row no longer matched the filter (a transaction that left
 *   CREATED, an anomaly resolved meanwhile) the next page used to lose a row that did.
 */
export function cursorPage<Query extends { cursor?: object }, Where extends object>(
  query: Query,
  args: PageArgs,
  where: Where,
  scope: Partial<Where> = {},
): Query & { where: Where } {
  if (query.cursor === undefined) return { ...query, where };
  const id: unknown = (query.cursor as { id?: unknown }).id;
  if (typeof id !== 'string' || !isUuid(id)) {
    throw invalidArgument([args.after != null ? 'after' : 'before'], 'not a cursor of this list (pass an edge’s `cursor` or pageInfo’s startCursor/endCursor)');
  }
  // Prisma's where inputs all take AND/OR; Where is any of them. Without a filter the cursor row is in the list
  // already, and the OR must not be written: Prisma drops an empty alternative, leaving the cursor row alone (an
  // ADMIN paging every merchant's transactions got empty pages after the first).
  const withCursorRow = (Object.keys(where).length === 0 ? { ...scope } : { ...scope, OR: [where, { ...scope, id }] }) as unknown as Where;
  return { ...query, cursor: { ...query.cursor, ...scope }, where: withCursorRow };
}
