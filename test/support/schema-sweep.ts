import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Builds, from the schema itself, one operation per root field with every argument that can address
 * data (IDs anywhere, cursors) filled with a given value, and a selection of everything readable a few
 * levels down. Security sweeps iterate over it, so a field added later is swept without anyone
 * remembering to add a case. A required argument of a kind it cannot fill makes it throw: teach it.
 */

export type AddressingValues = { id: string; cursor: string };

export type SweepOperation = {
  rootType: 'query' | 'mutation' | 'subscription';
  field: string;
  /** Whether any argument carried the addressing values (false: the field takes no id or cursor). */
  addressed: boolean;
  query: string;
};

const CURSOR_ARGUMENTS = new Set(['after', 'before', 'cursor']);

type Literal = { text: string; addressed: boolean };

/**
 * Addressing slots (ID arguments and input fields anywhere, cursor arguments) are numbered in schema
 * order; one operation fills slot `target` with the victim's value and leaves the others out (a
 * required one gets the victim's value too), so that, say, a refused `filter.merchantId` does not hide
 * what `after` would have returned.
 */
type SlotCursor = { target: number; seen: number };

function addressingSlot(slots: SlotCursor, required: boolean, text: string): Literal | undefined {
  const index = slots.seen;
  slots.seen += 1;
  if (index === slots.target) return { text, addressed: true };
  return required ? { text, addressed: false } : undefined;
}

function inputLiteral(type: GraphQLInputType, name: string, values: AddressingValues, required: boolean, slots: SlotCursor): Literal | undefined {
  if (isNonNullType(type)) return inputLiteral(type.ofType, name, values, true, slots);
  if (isListType(type)) {
    const item = inputLiteral(type.ofType, name, values, required, slots);
    if (!item || (!required && !item.addressed)) return undefined;
    return { text: `[${item.text}]`, addressed: item.addressed };
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields())
      .map((field) => [field.name, inputLiteral(field.type, field.name, values, false, slots)] as const)
      .filter((entry): entry is readonly [string, Literal] => entry[1] !== undefined);
    const addressed = fields.some(([, literal]) => literal.addressed);
    if (!required && !addressed) return undefined;
    return { text: `{ ${fields.map(([field, literal]) => `${field}: ${literal.text}`).join(', ')} }`, addressed };
  }
  if (isEnumType(type)) return required ? { text: type.getValues()[0]?.name ?? '', addressed: false } : undefined;
  switch (type.name) {
    case 'ID':
      return addressingSlot(slots, required, JSON.stringify(values.id));
    case 'String':
      if (CURSOR_ARGUMENTS.has(name)) return addressingSlot(slots, required, JSON.stringify(values.cursor));
      return required ? { text: '"sweep"', addressed: false } : undefined;
    case 'Int':
      return required ? { text: '10', addressed: false } : undefined;
    case 'Float':
      return required ? { text: '1.5', addressed: false } : undefined;
    case 'Boolean':
      return required ? { text: 'true', addressed: false } : undefined;
    case 'Date':
      return required ? { text: JSON.stringify(new Date().toISOString().slice(0, 10)), addressed: false } : undefined;
    case 'DateTime':
      return required ? { text: JSON.stringify(new Date().toISOString()), addressed: false } : undefined;
    default:
      if (required) throw new Error(`schema sweep: no value for required ${name}: ${type.name}; teach test/support/schema-sweep.ts`);
      return undefined;
  }
}

function selection(schema: GraphQLSchema, type: GraphQLNamedType, depth: number, aliased = false): string {
  if (isLeafType(type)) return '';
  if (isInterfaceType(type) || isUnionType(type)) {
    // Members may share field names with different types: alias them per member so the fragments never conflict.
    const possible = schema.getPossibleTypes(type).map((member) => `... on ${member.name} ${selection(schema, member, depth, true)}`);
    return `{ __typename ${possible.join(' ')} }`;
  }
  if (!isObjectType(type)) return '';
  const fields: string[] = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (field.args.some((argument) => isNonNullType(argument.type))) continue;
    // ADMIN-only fields inside a merchant's selection would null the whole answer (authentication.test.ts covers them).
    if (scopedTo(field, 'admin')) continue;
    const named = getNamedType(field.type);
    const name = aliased ? `${type.name}_${field.name}: ${field.name}` : field.name;
    if (isLeafType(named)) fields.push(name);
    else if (depth > 0) fields.push(`${name} ${selection(schema, named, depth - 1)}`);
  }
  return `{ ${fields.join(' ')} }`;
}

function operationFor(
  schema: GraphQLSchema,
  rootType: SweepOperation['rootType'],
  field: GraphQLField<unknown, unknown>,
  values: AddressingValues,
  slots: SlotCursor = { target: 0, seen: 0 },
): SweepOperation {
  const args = field.args
    .map((argument) => [argument.name, inputLiteral(argument.type, argument.name, values, false, slots)] as const)
    .filter((entry): entry is readonly [string, Literal] => entry[1] !== undefined);
  const argumentText = args.length > 0 ? `(${args.map(([name, literal]) => `${name}: ${literal.text}`).join(', ')})` : '';
  const body = selection(schema, getNamedType(field.type), 3);
  return {
    rootType,
    field: field.name,
    addressed: args.some(([, literal]) => literal.addressed),
    query: `${rootType} Sweep_${field.name} { ${field.name}${argumentText} ${body} }`,
  };
}

/**
 * For each root field of `rootType`: one operation per addressing slot and per value (a field without
 * any slot: one operation).
 */
export function sweepOperations(schema: GraphQLSchema, rootType: SweepOperation['rootType'], variants: AddressingValues[]): SweepOperation[] {
  const root: GraphQLObjectType | null | undefined =
    rootType === 'query' ? schema.getQueryType() : rootType === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return [];
  const operations: SweepOperation[] = [];
  for (const field of Object.values(root.getFields())) {
    const census: SlotCursor = { target: -1, seen: 0 };
    operationFor(schema, rootType, field, variants[0] ?? { id: '', cursor: '' }, census);
    if (census.seen === 0) {
      operations.push(operationFor(schema, rootType, field, variants[0] ?? { id: '', cursor: '' }, census));
      continue;
    }
    for (let target = 0; target < census.seen; target += 1) {
      for (const values of variants) operations.push(operationFor(schema, rootType, field, values, { target, seen: 0 }));
    }
  }
  return operations;
}

/** Root fields whose Pothos authScopes are exactly the given one (e.g. ADMIN-only fields). */
function scopedTo(field: GraphQLField<unknown, unknown>, scope: 'admin' | 'merchant'): boolean {
  const scopes = (field.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes;
  return Boolean(scopes && typeof scopes === 'object' && Object.keys(scopes).length === 1 && (scopes as Record<string, unknown>)[scope] === true);
}

export function fieldsScopedTo(schema: GraphQLSchema, scope: 'admin' | 'merchant'): { rootType: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
  const found: { rootType: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] = [];
  for (const [rootType, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (scopedTo(field, scope)) found.push({ rootType, field });
    }
  }
  return found;
}

/** The same operation, for a field, with harmless values (for authorization checks). */
export function operationWithoutAddressing(schema: GraphQLSchema, rootType: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  return operationFor(schema, rootType, field, { id: 'sweep', cursor: 'sweep' }, { target: -1, seen: 0 }).query;
}
