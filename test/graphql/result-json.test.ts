import fc from 'fast-check';
import { GraphQLError, GraphQLScalarType, buildSchema, parse, type GraphQLObjectType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RESULT_JSON_TYPE } from '../../src/graphql/builder.ts';
import { resultSerializer } from '../../src/graphql/result-json.ts';
import { schema as appSchema } from '../../src/graphql/schema/index.ts';

/**
 * The serializer compiled queries answer with (src/graphql/result-json.ts) must write what JSON.stringify writes, to
 * the byte. test/graphql/compiled-queries.test.ts compares whole answers of the real schema with graphql-js'; here,
 * the values JSON escapes or formats (any string, any number) and the shapes it must refuse.
 */

const schema = buildSchema(`
  scalar Instant
  scalar Opaque
  enum Status { OPEN CLOSED }
  type Item { name: String! note: String score: Float count: Int flag: Boolean status: Status at: Instant tags: [String!] }
  type Problem { message: String! count: Int }
  type Other { count: Int message: String! }
  union Outcome = Item | Problem
  union Clash = Problem | Other
  type Query { items: [Item!]! outcome: Outcome first: Item opaque: Opaque clash: Clash }
`);
(schema.getType('Instant') as GraphQLScalarType).extensions = { [RESULT_JSON_TYPE]: 'string' };

const serializerFor = (query: string) => {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  return resultSerializer(schema, schema.getQueryType() as GraphQLObjectType, operation.selectionSet);
};

const ITEM_FIELDS = 'name note score count flag status at tags';
const item = fc.record({
  name: fc.string({ unit: 'binary', maxLength: 60 }),
  note: fc.option(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme', minLength: 5000, maxLength: 6000 }))),
  score: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true })),
  count: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  flag: fc.option(fc.boolean()),
  status: fc.option(fc.constantFrom('OPEN', 'CLOSED')),
  at: fc.option(fc.date({ noInvalidDate: true }).map((date) => date.toISOString())),
  tags: fc.option(fc.array(fc.string({ unit: 'binary-ascii' }), { maxLength: 4 })),
});

describe('the compiled answer serializer', () => {
  it('writes what JSON.stringify writes, whatever the strings and numbers', () => {
    const serialize = serializerFor(`{ items { ${ITEM_FIELDS} } first { name } }`);
    expect(serialize).toBeDefined();
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), fc.option(item), (items, first) => {
        const result = { data: { items, first: first && { name: first.name } } };
        expect(serialize!(result)).toBe(JSON.stringify(result));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps aliases, repeated fields and __typename where graphql-js puts them', () => {
    const serialize = serializerFor('{ a: first { name } items { count } first { note __typename } items { name } }');
    const result = { data: { a: { name: 'x' }, items: [{ count: 1, name: 'y' }], first: { note: null, __typename: 'Item' } } };
    expect(serialize!(result)).toBe(JSON.stringify(result));
  });

  it('writes a key named __proto__ as a key (its shape has no prototype to set)', () => {
    const serialize = serializerFor('{ __proto__: first { name } first { __proto__: note } }');
    const data = JSON.parse('{"__proto__":{"name":"x"},"first":{"__proto__":"y"}}') as unknown;
    expect(serialize!({ data } as never)).toBe(JSON.stringify({ data }));
  });

  it("is told the real schema's scalars' JSON type, and Date serializes nothing but a string", () => {
    for (const name of ['DateTime', 'Date']) expect((appSchema.getType(name) as GraphQLScalarType).extensions[RESULT_JSON_TYPE]).toBe('string');
    const date = appSchema.getType('Date') as GraphQLScalarType;
    expect(date.serialize('2026-12-07')).toBe('2026-12-07');
    expect(() => date.serialize(20261207)).toThrow(/YYYY-MM-DD string/);
  });

  it('writes each member of a union with its own keys', () => {
    const serialize = serializerFor('{ outcome { ... on Item { name count } ... on Problem { count message } } }');
    for (const outcome of [{ name: 'n', count: 2 }, { count: 3, message: 'm' }, null]) {
      expect(serialize!({ data: { outcome } })).toBe(JSON.stringify({ data: { outcome } }));
    }
  });

  it('leaves answers with errors or extensions to JSON.stringify', () => {
    const serialize = serializerFor('{ first { name } }');
    const withErrors = { data: { first: null }, errors: [new GraphQLError('boom', { path: ['first', 'name'] })] };
    expect(serialize!(withErrors)).toBe(JSON.stringify(withErrors));
    const withExtensions = { data: { first: { name: 'x' } }, extensions: { cost: 3 } };
    expect(serialize!(withExtensions)).toBe(JSON.stringify(withExtensions));
  });

  it('is not made for a scalar of unknown JSON type, nor for union members whose common keys come in another order', () => {
    expect(serializerFor('{ opaque }')).toBeUndefined();
    expect(serializerFor('{ clash { ... on Problem { message count } ... on Other { count message } } }')).toBeUndefined();
    expect(serializerFor('{ clash { ... on Problem { message count } ... on Other { message count } } }')).toBeDefined();
  });
});
