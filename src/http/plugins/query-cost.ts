import {
  GraphQLError,
  TypeInfo,
  getNamedType,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLField,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Plugin } from 'graphql-yoga';

/**
 * The cost limit (GRAPHQL_MAX_COST), computed once the variables are known: a page of `transactions(first: $n)`
 * costs what it returns whether `n` is written inline or sent as a variable, and `nodes(ids:)` costs per id (at most
 * GRAPHQL_MAX_NODE_IDS of them). Checked when the operation is executed or subscribed, for HTTP, SSE and WebSocket
 * alike (websocket.ts runs Yoga's enveloped execute/subscribe). Not a validation rule: Yoga caches validation per
 * document, and the cost depends on the variables.
 *
 * The formula is graphql-armor's, which the limit was tuned with: a leaf costs 1, an object 2 plus 1.5 times its
 * selection, times the rows it stands for (`first`/`last`; a connection without them its default page of 20;
 * the number of `ids`; what a field declares as `extensions.costRows(args)`, e.g. transactionStats' buckets).
 * Fragments add no depth; of a union's members, the costliest counts. A resolver that learns its real row count only
 * as it runs re-checks the limit with it (`GraphQLContext.recheckCost`).
 */

const LEAF_COST = 1;
const OBJECT_COST = 2;
const DEPTH_FACTOR = 1.5;
/** Pothos's default page size, which every connection keeps (no first/last: 20 rows). */
const DEFAULT_PAGE_SIZE = 20;

export type QueryCostLimits = { maxCost: number; maxNodeIds: number; maxPageSize: number };

function queryTooComplex(message: string, limit: 'cost' | 'nodeIds', extensions: Record<string, number>): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'QUERY_TOO_COMPLEX', limit, ...extensions } });
}

/**
 * How many rows a field stands for, from its argument values (variables already substituted). A page larger than
 * GRAPHQL_MAX_PAGE_SIZE is refused by the connection itself, before it reads anything, with a clearer message.
 */
function rowsOf(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, isConnection: boolean, maxPageSize: number): number {
  const declared = field.extensions['costRows'];
  if (typeof declared === 'function') return Math.max(1, Number(declared(args)));
  const pageSizes = [args['first'], args['last']].filter((value): value is number => typeof value === 'number');
  if (pageSizes.length > 0) return Math.min(maxPageSize, Math.max(1, ...pageSizes));
  if (Array.isArray(args['ids'])) return Math.max(1, args['ids'].length);
  return isConnection ? DEFAULT_PAGE_SIZE : 1;
}

/**
 * Rows counted while resolving, by where their field starts in the document (compiled execution hands resolvers
 * copies of the document's nodes): they replace what the arguments told.
 */
export type MeasuredRows = ReadonlyMap<number, number>;

/** The refusal for this operation with these variables (and rows counted so far), if any. */
function costRefusal(
  limits: QueryCostLimits,
  operation: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null | undefined; variableValues?: Record<string, unknown> | null | undefined },
  measured: MeasuredRows = new Map(),
): GraphQLError | undefined {
  let tooManyIds: number | undefined;
  const estimator: ComplexityEstimator = ({ field, args, childComplexity, node }) => {
    // Introspection has its own rule (refused in production); GraphiQL's query must not count against the limit.
    if (field.name === '__schema' || field.name === '__type') return 0;
    if (Array.isArray(args['ids']) && args['ids'].length > limits.maxNodeIds) tooManyIds = Math.max(tooManyIds ?? 0, args['ids'].length);
    if (node.selectionSet === undefined) return LEAF_COST;
    const isConnection = getNamedType(field.type).name.endsWith('Connection');
    return (OBJECT_COST + DEPTH_FACTOR * childComplexity) * ((node.loc && measured.get(node.loc.start)) ?? rowsOf(field, args, isConnection, limits.maxPageSize));
  };
  let cost: number;
  try {
    cost = getComplexity({
      schema: operation.schema,
      query: operation.document,
      operationName: operation.operationName ?? undefined,
      variables: operation.variableValues ?? {},
      estimators: [estimator],
    });
  } catch (error) {
    // Bad variable or argument values: execution refuses them itself, with its own message.
    if (error instanceof GraphQLError && !/maximum allowed number of nodes/.test(error.message)) return undefined;
    return queryTooComplex('Query Cost limit exceeded: the operation expands to too many fields.', 'cost', { maxCost: limits.maxCost });
  }
  if (tooManyIds !== undefined) {
    return queryTooComplex(`nodes(ids:) takes at most ${limits.maxNodeIds} ids, got ${tooManyIds}: ask in several calls`, 'nodeIds', {
      maxNodeIds: limits.maxNodeIds,
    });
  }
  if (cost > limits.maxCost) {
    return queryTooComplex(`Query Cost limit of ${limits.maxCost} exceeded, found ${Math.round(cost)}.`, 'cost', { maxCost: limits.maxCost, cost: Math.round(cost) });
  }
  return undefined;
}

/** The arguments whose values multiply a cost (see rowsOf), besides all of a field declaring `costRows`. */
const COST_ARGUMENTS = new Set(['first', 'last', 'ids']);
/**
 * Distinct values of a document's cost variables (and rechecked row counts) remembered at once (past it, the memory
 * starts over): enough for a dashboard's date ranges, each asked with its recheck (a few hundred short strings).
 */
const REMEMBERED_PER_DOCUMENT = 512;

/**
 * The variables whose values can change an operation's cost: those inside `first`, `last` and `ids` arguments,
 * inside any argument of a field declaring `costRows`, and in @skip/@include conditions. The verdict is remembered
 * per document and per values of these variables only: computing it took ~150 µs for the client's Transactions
 * operation, too much to repeat for every request.
 */
function costVariables(schema: GraphQLSchema, document: DocumentNode): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode) =>
    visit(value, {
      Variable(node) {
        names.add(node.name.value);
      },
    });
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const declaresRows = typeof typeInfo.getFieldDef()?.extensions['costRows'] === 'function';
        for (const argument of node.arguments ?? []) if (declaresRows || COST_ARGUMENTS.has(argument.name.value)) collect(argument.value);
      },
      Directive(node) {
        if (node.name.value === 'skip' || node.name.value === 'include') for (const argument of node.arguments ?? []) collect(argument.value);
      },
    }),
  );
  return [...names];
}

type RememberedRefusal = { message: string; extensions: GraphQLError['extensions'] } | undefined;

export function useQueryCost(limits: QueryCostLimits): Plugin {
  const verdicts = new WeakMap<DocumentNode, { variables: string[]; refusals: Map<string, RememberedRefusal> }>();

  /**
   * The refusal for this operation (with the rows resolvers counted, when rechecking): remembered, or computed; a
   * fresh error each time. Rechecks are remembered too: a dashboard asks the same few series again and again.
   */
  const refusalOf = (args: ExecutionArgs, measured?: MeasuredRows): GraphQLError | undefined => {
    let known = verdicts.get(args.document);
    if (!known) {
      known = { variables: costVariables(args.schema, args.document), refusals: new Map() };
      verdicts.set(args.document, known);
    }
    const values = args.variableValues ?? {};
    // [] for a variable not sent (its default applies), [value] for one sent, null included; counted rows by the
    // place of their field in the document (the document is the same object for every request with its text).
    const key = JSON.stringify([
      args.operationName ?? null,
      ...known.variables.map((name) => (Object.hasOwn(values, name) ? [values[name]] : [])),
      ...[...(measured ?? [])],
    ]);
    let remembered = known.refusals.get(key);
    if (!known.refusals.has(key)) {
      const refusal = costRefusal(limits, args, measured);
      remembered = refusal && { message: refusal.message, extensions: refusal.extensions };
      if (known.refusals.size >= REMEMBERED_PER_DOCUMENT) known.refusals.clear();
      known.refusals.set(key, remembered);
    }
    return remembered && new GraphQLError(remembered.message, { extensions: remembered.extensions });
  };

  const refuse = (args: ExecutionArgs, stop: (result: { errors: GraphQLError[] }) => void) => {
    const refusal = refusalOf(args);
    if (refusal) stop({ errors: [refusal] });
    else if (args.contextValue !== null && typeof args.contextValue === 'object') {
      (args.contextValue as { recheckCost?: (measured: MeasuredRows) => GraphQLError | undefined }).recheckCost = (measured) => refusalOf(args, measured);
    }
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      refuse(args, setResultAndStopExecution);
    },
  };
}
