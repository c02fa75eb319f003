import {
  GraphQLError,
  Kind,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isObjectType,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  visit,
  type ASTNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { COMPILED_EXECUTION } from '../../graphql/builder.ts';
import { resultSerializer } from '../../graphql/result-json.ts';
import type { Logger } from '../../logger.ts';

/**
 * The hot paths run compiled (graphql-jit): each document is turned once into JavaScript that walks its selection
 * directly, instead of graphql-js interpreting the selection again for every row and every request. Only queries
 * and mutations whose root fields all opt in (`extensions: { compiledExecution: true }`: `transactions`,
 * `transaction`, `transactionStats`, `createTransaction`) are compiled; everything else (subscriptions, every other
 * operation) keeps the reference executor, and so does an operation graphql-jit cannot take exactly: several
 * operations in one document, a fragment with @skip/@include, an alias `__proto__` (a key of graphql-jit's answer
 * objects sets their prototype), variables graphql-js refuses (its error names why, e.g. a DateTime out of range;
 * graphql-jit's only the expected type), and a relation of a relation (a history's transaction): the prisma plugin
 * finds what a relation's rows loaded for the fields below them by the identity of graphql-js' response paths, which
 * graphql-jit builds afresh for every call, and would read it again. A relation right below a root field is found by
 * its path's text.
 *
 * graphql-jit answers a fragment's fields after the fields around it (and sibling fragments in reverse), not in
 * the order of the selection as the spec asks: the document is compiled with every fragment inlined in place, per
 * concrete type, so the answer's keys come in the order graphql-js gives them. Its errors are made graphql-js' own
 * again (Yoga rebuilds an error from its nodes or source positions, which graphql-jit's lack: the locations went).
 * An answer that is all data is written by a serializer made for the document's shape (src/graphql/result-json.ts).
 */

/** Where plugin-prisma keeps what a field selects of its row, which it resolves through its loader mappings. */
const PRISMA_SELECT = 'pothosPrismaSelect';

type Compiled = {
  operation: OperationDefinitionNode;
  query: CompiledQuery;
  document: DocumentNode;
  /** Writes an answer that is all data (src/graphql/result-json.ts); Yoga calls it instead of JSON.stringify. */
  stringify: ((result: ExecutionResult) => string) | undefined;
  nodesAt?: Map<string, ASTNode>;
};

type CompiledExecution = { compiled: Compiled; execute: (execution: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult> };

export function useCompiledQueries(logger: Logger): Plugin {
  const executions = new WeakMap<DocumentNode, CompiledExecution | null>();
  return {
    onExecute({ args, setExecuteFn }) {
      const { schema, document, operationName, variableValues } = args;
      let entry = executions.get(document);
      if (entry === undefined) {
        const compiled = compiledQuery(schema, document, logger);
        entry = compiled && { compiled, execute: compiledExecute(compiled) };
        executions.set(document, entry);
      }
      if (entry === null) return;
      const { operation } = entry.compiled;
      if (operationName != null && operationName !== operation.name?.value) return;
      const definitions = operation.variableDefinitions ?? [];
      if (definitions.length > 0 && getVariableValues(schema, definitions, variableValues ?? {}).errors !== undefined) return;
      setExecuteFn(entry.execute);
    },
  };
}

/** Made once per document: closures made per request cost more than their calls (tsx names each one as it is made). */
function compiledExecute(compiled: Compiled): CompiledExecution['execute'] {
  const serializer = compiled.stringify && { stringify: compiled.stringify };
  const asReference = (result: ExecutionResult): ExecutionResult =>
    result.errors ? referenceErrors(result, compiled) : serializer ? Object.assign(result, serializer) : result;
  return (execution) => {
    const result = compiled.query.query(execution.rootValue, execution.contextValue, execution.variableValues ?? {});
    return result instanceof Promise ? result.then(asReference) : asReference(result);
  };
}

/** The compiled form of a query this plugin runs compiled, null for one it leaves to graphql-js. */
export function compiledQuery(schema: GraphQLSchema, document: DocumentNode, logger: Logger): Compiled | null {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const [operation] = operations;
  const rootType = operation?.operation === 'query' ? schema.getQueryType() : operation?.operation === 'mutation' ? schema.getMutationType() : undefined;
  if (operations.length !== 1 || !operation || !rootType) return null;
  const compiledRoot = operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && (selection.name.value === '__typename' || rootType.getFields()[selection.name.value]?.extensions[COMPILED_EXECUTION] === true),
  );
  if (!compiledRoot) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const selectionSet = inlineFragments(schema, fragments, operation.selectionSet, rootType, false);
  if (selectionSet === null) return null;
  const inlined: DocumentNode = { kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] };
  const query = compileQuery(schema, inlined);
  if (!isCompiledQuery(query)) {
    // Yoga validated the document: a query graphql-jit cannot compile is run by graphql-js, and logged as a bug.
    logger.error({ errors: query.errors?.map((error) => error.message) }, 'graphql-jit could not compile a query');
    return null;
  }
  return { operation, query, document, stringify: resultSerializer(schema, rootType, selectionSet) };
}

/** graphql-js' shape of a result with errors: `errors` before `data`, each error with the document's nodes it is about. */
function referenceErrors({ errors = [], ...rest }: ExecutionResult, compiled: Compiled): ExecutionResult {
  if (!compiled.nodesAt) {
    // graphql-jit locates an error by its nodes' first tokens: the document's nodes, by where they start.
    const nodesAt = new Map<string, ASTNode>();
    visit(compiled.document, {
      enter(node) {
        const token = node.loc?.startToken;
        if (token && !nodesAt.has(`${token.line}:${token.column}`)) nodesAt.set(`${token.line}:${token.column}`, node);
      },
    });
    compiled.nodesAt = nodesAt;
  }
  const { nodesAt } = compiled;
  const located = errors.map((error) => {
    const nodes = (error.locations ?? []).map(({ line, column }) => nodesAt.get(`${line}:${column}`)).filter((node) => node !== undefined);
    return new GraphQLError(error.message, { nodes, path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  });
  return { errors: located, ...rest };
}

/**
 * The selection as graphql-js collects it for `type`: fragments whose condition matches replaced by their fields
 * in place (each fragment once, as graphql-js visits it), the others dropped; below an abstract type, one inline
 * fragment per concrete type. A selection that is left as it was keeps its nodes (resolvers that key on
 * `info.fieldNodes` see the document's own). null: a fragment carries a directive, an alias is `__proto__`, or a field
 * the prisma plugin loads (a relation, or a field with `select`) lies beneath another: left to graphql-js.
 */
function inlineFragments(
  schema: GraphQLSchema,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  beneathLoaded: boolean,
): SelectionSetNode | null {
  if (isAbstractType(type)) {
    const perType: SelectionNode[] = [];
    for (const possible of schema.getPossibleTypes(type)) {
      const selected = inlineFragments(schema, fragments, selectionSet, possible, beneathLoaded);
      if (selected === null) return null;
      perType.push({ kind: Kind.INLINE_FRAGMENT, typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: possible.name } }, directives: [], selectionSet: selected });
    }
    return { kind: Kind.SELECTION_SET, selections: perType };
  }
  const root = type === schema.getQueryType() || type === schema.getMutationType();
  const fields: FieldNode[] = [];
  const visited = new Set<string>();
  let changed = false;
  const collect = (selections: readonly SelectionNode[]): boolean => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias?.value === '__proto__') return false;
        const field = selection.name.value.startsWith('__') ? undefined : type.getFields()[selection.name.value];
        const selects = field?.extensions[PRISMA_SELECT];
        // An exposed column says `true` here; a relation or a field with `select` gives its selection.
        const loaded = !root && (typeof selects === 'function' || (typeof selects === 'object' && selects !== null));
        if (loaded && beneathLoaded) return false;
        const below = field && selection.selectionSet ? getNamedType(field.type) : undefined;
        if (below === undefined || !selection.selectionSet || !(isObjectType(below) || isAbstractType(below))) {
          fields.push(selection);
          continue;
        }
        const selectionSet = inlineFragments(schema, fragments, selection.selectionSet, below, beneathLoaded || loaded);
        if (selectionSet === null) return false;
        if (selectionSet !== selection.selectionSet) changed = true;
        fields.push(selectionSet === selection.selectionSet ? selection : { ...selection, selectionSet });
        continue;
      }
      changed = true;
      if ((selection.directives ?? []).length > 0) return false;
      let condition: string | undefined;
      let inner: SelectionSetNode | undefined;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (visited.has(selection.name.value)) continue;
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (!fragment) return false;
        if ((fragment.directives ?? []).length > 0) return false;
        condition = fragment.typeCondition.name.value;
        inner = fragment.selectionSet;
      } else {
        condition = selection.typeCondition?.name.value;
        inner = selection.selectionSet;
      }
      if (condition !== undefined && !conditionMatches(schema, condition, type)) continue;
      if (!collect(inner.selections)) return false;
    }
    return true;
  };
  if (!collect(selectionSet.selections)) return null;
  return changed ? { kind: Kind.SELECTION_SET, selections: fields } : selectionSet;
}

/** graphql-js' doesFragmentConditionMatch. */
function conditionMatches(schema: GraphQLSchema, condition: string, type: GraphQLObjectType): boolean {
  const conditional = schema.getType(condition);
  if (conditional === type) return true;
  return conditional !== undefined && isAbstractType(conditional) && schema.isSubType(conditional, type);
}
