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

/**
 * Which leaf inputs are slots, and the literal a slot gets: `(scalar type, argument or input field name)`
 * to GraphQL literal text, or undefined for a leaf that is no slot.
 */
export type SlotFill = (scalar: string, name: string) => string | undefined;

/** Addressing slots: IDs anywhere, cursor arguments. */
function addressingFill(values: AddressingValues): SlotFill {
  return (scalar, name) => {
    if (scalar === 'ID') return JSON.stringify(values.id);
    if (scalar === 'String' && CURSOR_ARGUMENTS.has(name)) return JSON.stringify(values.cursor);
    return undefined;
  };
}

export type SweepOperation = {
  rootType: 'query' | 'mutation' | 'subscription';
  field: string;
  /** Whether any argument carried the addressing values (false: the field takes no id or cursor). */
  addressed: boolean;
  /** Which of the variants (fills) it carries. */
  variant: number;
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

function inputLiteral(type: GraphQLInputType, name: string, fill: SlotFill, required: boolean, slots: SlotCursor): Literal | undefined {
  if (isNonNullType(type)) return inputLiteral(type.ofType, name, fill, true, slots);
  if (isListType(type)) {
    const item = inputLiteral(type.ofType, name, fill, required, slots);
    if (!item || (!required && !item.addressed)) return undefined;
    return { text: `[${item.text}]`, addressed: item.addressed };
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields())
      .map((field) => [field.name, inputLiteral(field.type, field.name, fill, false, slots)] as const)
      .filter((entry): entry is readonly [string, Literal] => entry[1] !== undefined);
    const addressed = fields.some(([, literal]) => literal.addressed);
    if (!required && !addressed) return undefined;
    return { text: `{ ${fields.map(([field, literal]) => `${field}: ${literal.text}`).join(', ')} }`, addressed };
  }
  if (isEnumType(type)) return required ? { text: type.getValues()[0]?.name ?? '', addressed: false } : undefined;
  const slotText = fill(type.name, name);
  if (slotText !== undefined) return addressingSlot(slots, required, slotText);
  switch (type.name) {
    case 'ID':
    case 'String':
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
  fill: SlotFill,
  slots: SlotCursor = { target: 0, seen: 0 },
): SweepOperation {
  const args = field.args
    .map((argument) => [argument.name, inputLiteral(argument.type, argument.name, fill, false, slots)] as const)
    .filter((entry): entry is readonly [string, Literal] => entry[1] !== undefined);
  const argumentText = args.length > 0 ? `(${args.map(([name, literal]) => `${name}: ${literal.text}`).join(', ')})` : '';
  const body = selection(schema, getNamedType(field.type), 3);
  return {
    rootType,
    field: field.name,
    addressed: args.some(([, literal]) => literal.addressed),
    variant: 0,
    query: `${rootType} Sweep_${field.name} { ${field.name}${argumentText} ${body} }`,
  };
}

/**
 * For each root field of `rootType`: one operation per addressing slot and per value (a field without
 * any slot: one operation).
 */
export function sweepOperations(schema: GraphQLSchema, rootType: SweepOperation['rootType'], variants: AddressingValues[]): SweepOperation[] {
  return sweepSlots(schema, rootType, variants.map(addressingFill));
}

/**
 * The same sweep over any slots: for each root field of `rootType`, one operation per slot and per fill
 * (every fill must make the same leaves slots); a field without any slot: one operation.
 */
export function sweepSlots(schema: GraphQLSchema, rootType: SweepOperation['rootType'], fills: SlotFill[]): SweepOperation[] {
  const root: GraphQLObjectType | null | undefined =
    rootType === 'query' ? schema.getQueryType() : rootType === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return [];
  const none: SlotFill = () => undefined;
  const operations: SweepOperation[] = [];
  for (const field of Object.values(root.getFields())) {
    const census: SlotCursor = { target: -1, seen: 0 };
    operationFor(schema, rootType, field, fills[0] ?? none, census);
    if (census.seen === 0) {
      operations.push(operationFor(schema, rootType, field, fills[0] ?? none, census));
      continue;
    }
    for (let target = 0; target < census.seen; target += 1) {
      for (const [variant, fill] of fills.entries()) operations.push({ ...operationFor(schema, rootType, field, fill, { target, seen: 0 }), variant });
    }
  }
  return operations;
}

/** Root fields whose Pothos authScopes are exactly the given one (e.g. ADMIN-only fields). */
/** The checkout fields (publishable key + client secret): `checkout` scope, the root type's scopes skipped. */
export function isCheckoutField(field: GraphQLField<unknown, unknown>): boolean {
  return scopedTo(field, 'checkout');
}

function scopedTo(field: GraphQLField<unknown, unknown>, scope: 'admin' | 'merchant' | 'checkout'): boolean {
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
  return operationFor(schema, rootType, field, addressingFill({ id: 'sweep', cursor: 'sweep' }), { target: -1, seen: 0 }).query;
}
