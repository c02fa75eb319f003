import fastJson, { type Schema } from 'fast-json-stringify';
import {
  Kind,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type ExecutionResult,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { RESULT_JSON_TYPE } from './builder.ts';

/**
 * A serializer made for one operation's answers (fast-json-stringify, from a JSON schema of its selection): it
 * writes the same text as JSON.stringify, keys in the same order, in about a third of the time for a page of rows.
 * Only for answers that are all data (no errors, no extensions): those keep JSON.stringify.
 *
 * The selection must be the compiled form (src/http/plugins/compiled-queries.ts): fragments inlined, one inline
 * fragment per concrete type below an abstract type. Undefined when a part has no fixed JSON shape: a custom scalar
 * without a RESULT_JSON_TYPE, or concrete types of one abstract type whose common keys differ in shape or order.
 */
export function resultSerializer(schema: GraphQLSchema, rootType: GraphQLObjectType, selectionSet: SelectionSetNode): ((result: ExecutionResult) => string) | undefined {
  const data = objectShape(schema, rootType, [selectionSet]);
  if (data === undefined) return undefined;
  const serialize = fastJson({ type: 'object', properties: { data } }) as (result: ExecutionResult) => string;
  return (result) => (result.errors === undefined && result.extensions === undefined ? serialize(result) : JSON.stringify(result));
}

type Shape = Schema;
type ObjectShape = { type: 'object'; nullable: true; properties: Record<string, Shape> };

// Every value may be null: a nullable field, or (with errors, which this serializer never sees) a non-null one.
const LEAVES: Readonly<Record<string, Shape>> = {
  string: { type: 'string', nullable: true },
  number: { type: 'number', nullable: true },
  integer: { type: 'integer', nullable: true },
  boolean: { type: 'boolean', nullable: true },
};
const BUILT_IN_SCALARS: Readonly<Record<string, string>> = { String: 'string', ID: 'string', Int: 'integer', Float: 'number', Boolean: 'boolean' };

function objectShape(schema: GraphQLSchema, type: GraphQLObjectType, selectionSets: readonly SelectionSetNode[]): ObjectShape | undefined {
  const fields = fieldsByResponseKey(selectionSets);
  if (fields === undefined) return undefined;
  // No prototype: a response key is only ever a property.
  const properties: Record<string, Shape> = Object.create(null) as Record<string, Shape>;
  for (const [key, nodes] of fields) {
    const name = nodes[0]?.name.value;
    if (name === '__typename') {
      properties[key] = LEAVES['string']!;
      continue;
    }
    const field = name === undefined ? undefined : type.getFields()[name];
    const shape = field && valueShape(schema, field.type, nodes);
    if (shape === undefined) return undefined;
    properties[key] = shape;
  }
  return { type: 'object', nullable: true, properties };
}

function valueShape(schema: GraphQLSchema, type: GraphQLOutputType, nodes: readonly FieldNode[]): Shape | undefined {
  if (isNonNullType(type)) return valueShape(schema, type.ofType, nodes);
  if (isListType(type)) {
    const items = valueShape(schema, type.ofType, nodes);
    return items && { type: 'array', nullable: true, items };
  }
  if (isEnumType(type)) return LEAVES['string'];
  if (isScalarType(type)) {
    const json = BUILT_IN_SCALARS[type.name] ?? type.extensions[RESULT_JSON_TYPE];
    return typeof json === 'string' ? LEAVES[json] : undefined;
  }
  const selectionSets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  if (isObjectType(type)) return objectShape(schema, type, selectionSets);
  if (isAbstractType(type)) return abstractShape(schema, selectionSets);
  return undefined;
}

/** One object shape for the concrete types' (their keys merged; each type's keys must keep their order in it). */
function abstractShape(schema: GraphQLSchema, selectionSets: readonly SelectionSetNode[]): ObjectShape | undefined {
  const perType = new Map<string, SelectionSetNode[]>();
  for (const selection of selectionSets.flatMap((set) => set.selections)) {
    if (selection.kind !== Kind.INLINE_FRAGMENT || selection.typeCondition === undefined) return undefined;
    const name = selection.typeCondition.name.value;
    perType.set(name, [...(perType.get(name) ?? []), selection.selectionSet]);
  }
  const merged: Record<string, Shape> = Object.create(null) as Record<string, Shape>;
  const order: string[] = [];
  for (const [name, sets] of perType) {
    const type = schema.getType(name);
    const shape = isObjectType(type) ? objectShape(schema, type, sets) : undefined;
    if (shape === undefined) return undefined;
    let last = -1;
    for (const [key, property] of Object.entries(shape.properties)) {
      const known = merged[key];
      if (known === undefined) {
        merged[key] = property;
        order.push(key);
        last = order.length - 1;
        continue;
      }
      const at = order.indexOf(key);
      if (at < last || JSON.stringify(known) !== JSON.stringify(property)) return undefined;
      last = at;
    }
  }
  return { type: 'object', nullable: true, properties: Object.fromEntries(order.map((key) => [key, merged[key]!])) };
}

/** The fields of selection sets by response key, in order of first appearance (graphql-js' field collection). */
function fieldsByResponseKey(selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> | undefined {
  const fields = new Map<string, FieldNode[]>();
  for (const selection of selectionSets.flatMap((set) => set.selections)) {
    if (selection.kind !== Kind.FIELD) return undefined;
    const key = selection.alias?.value ?? selection.name.value;
    fields.set(key, [...(fields.get(key) ?? []), selection]);
  }
  return fields;
}
