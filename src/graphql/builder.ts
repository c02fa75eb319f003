import SchemaBuilder, { PothosValidationError } from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { encodeGlobalId, readGlobalId } from '../domain/ids.ts';
import type PrismaTypes from '../generated/pothos-types.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import type { GraphQLContext } from './context.ts';
import RefuseNulInputPlugin from './plugins/refuse-nul-input.ts';
import UserErrorsPlugin from './plugins/user-errors.ts';

type ScopeFailure = { readonly kind: unknown; readonly scope?: unknown; readonly failures?: readonly ScopeFailure[] };

/** The auth scopes a scope-auth failure names (`admin`, `merchant`), through any/all combinations. */
function failedScopes(failure: ScopeFailure): string[] {
  if (failure.failures) return failure.failures.flatMap(failedScopes);
  return typeof failure.scope === 'string' ? [failure.scope] : [];
}

/** Why a caller may not run a field, in words that say which key would do. */
function refusal(actor: GraphQLContext['actor'], scopes: readonly string[]): string | undefined {
  if (actor.role === 'PUBLISHABLE') {
    return 'a publishable key alone only identifies the merchant: with a client secret it reads that transaction (checkoutTransaction), nothing else';
  }
  if (actor.role === 'MERCHANT_READ_ONLY' && scopes.includes('merchant')) return 'a read-only key may query and subscribe, not change anything';
  if (scopes.length === 1 && scopes[0] === 'admin') return 'this operation needs an ADMIN key';
  if (scopes.length === 1 && scopes[0] === 'merchant') return 'this operation needs a merchant key';
  if (scopes.length === 1 && scopes[0] === 'checkout') return 'this field is for a publishable key with a client secret';
  return undefined;
}

/**
 * A root field's extension: queries and mutations made of such fields only run compiled
 * (src/http/plugins/compiled-queries.ts). Given to the hot paths (the list page, a transaction by id, stats, the
 * create), whose resolvers take graphql-jit's resolve info.
 */
export const COMPILED_EXECUTION = 'compiledExecution';

/**
 * A custom scalar's extension: the JSON type of what its `serialize` returns ('string', 'number', 'integer' or
 * 'boolean'), so compiled queries can write their answers with a serializer made for their shape
 * (src/graphql/result-json.ts). A scalar without it leaves its queries to JSON.stringify.
 */
export const RESULT_JSON_TYPE = 'resultJsonType';

/** The one schema builder. Each API area adds its types in src/graphql/schema/<area>.ts. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { admin: boolean; merchant: boolean; reader: boolean; checkout: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: string };
    ID: { Input: string; Output: string };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin, RefuseNulInputPlugin, UserErrorsPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    // admin: ADMIN keys. merchant: merchant secret keys (they may change things). reader: every merchant secret key,
    // read-only ones included. checkout: a publishable key with a valid client secret (one transaction). The root
    // types require admin or merchant (Mutation) and admin or reader (Query, Subscription) on every field; the
    // checkout fields alone skip that (schema/checkout.ts).
    authScopes: (context) => ({
      admin: context.actor.role === 'ADMIN',
      merchant: context.actor.role === 'MERCHANT',
      reader: context.actor.role === 'MERCHANT' || context.actor.role === 'MERCHANT_READ_ONLY',
      checkout: context.actor.role === 'PUBLISHABLE' && context.actor.transactionId !== undefined,
    }),
    // Checked when a subscription starts, not per event: a caller without the scope never opens a stream.
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context, _info, result) => new GraphQLError(refusal(context.actor, failedScopes(result.failure)) ?? result.message, { extensions: { code: 'FORBIDDEN' } }),
  },
  prisma: {
    client: (context) => context.db.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    // Off: the schema is built once at import, before any configuration, and the check warned on console for
    // resolvers that rightly skip the database (an id that names nothing); query-count tests guard N+1 instead.
    onUnusedQuery: null,
  },
  relay: {
    // One encoding of global ids, src/domain/ids.ts, for Pothos as for routes, services and the CLI.
    encodeGlobalID: (typename, id) => encodeGlobalId(typename, String(id)),
    decodeGlobalID: (globalId) => {
      const decoded = readGlobalId(globalId);
      if (decoded === undefined) throw new PothosValidationError(`not a global id: ${globalId}`);
      return decoded;
    },
    // node and nodes are defined in schema/node.ts: an unknown, foreign or malformed id is null there.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: { list: false, items: false }, description: 'the rows of this page, each with its cursor' },
    nodeFieldOptions: { nullable: false, description: 'the row' },
    cursorFieldOptions: { description: 'opaque; pass it as `after` (or `before`) to page on from this row' },
    pageInfoFieldOptions: { description: 'where this page sits in the whole list' },
    pageInfoTypeOptions: { description: 'Where a page sits in the whole list (Relay cursor connections)' },
    hasNextPageFieldOptions: { description: 'true when rows follow this page (ask with `after: endCursor`)' },
    hasPreviousPageFieldOptions: { description: 'true when rows precede this page (ask with `before: startCursor`)' },
    startCursorFieldOptions: { description: 'the cursor of the first row of this page; null for an empty page' },
    endCursorFieldOptions: { description: 'the cursor of the last row of this page; null for an empty page' },
    firstArgOptions: { description: 'a page of the first rows (after `after`): at most GRAPHQL_MAX_PAGE_SIZE (100 by default)' },
    lastArgOptions: { description: 'a page of the last rows (before `before`): at most GRAPHQL_MAX_PAGE_SIZE (100 by default)' },
    afterArgOptions: { description: 'rows after this cursor (an edge’s `cursor`, or pageInfo.endCursor)' },
    beforeArgOptions: { description: 'rows before this cursor (an edge’s `cursor`, or pageInfo.startCursor)' },
    nodeTypeOptions: { description: 'Anything with a global id: fetch it again with `node(id:)`' },
    idFieldOptions: { description: 'opaque global id' },
    defaultConnectionTypeOptions: { description: 'A page of a list, with its total size (Relay cursor connection)' },
    defaultEdgeTypeOptions: { description: 'A row of a page and its cursor' },
  },
  errors: {
    defaultTypes: [],
    defaultUnionOptions: { description: 'What the mutation answers: its Success type, or one of the Error types (select them too)' },
    defaultResultOptions: { description: 'The mutation succeeded' },
  },
});
