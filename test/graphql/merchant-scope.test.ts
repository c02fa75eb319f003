import {
  getNamedType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { wsClient, wsExecute } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * One rule for every `merchantId` argument (issue #14.5), found from the schema so a new one is held to it:
 * a merchant key passing one, whatever its value, is FORBIDDEN; ADMIN passing something that is not a
 * Merchant id, or the id of no merchant, is VALIDATION_FAILED naming the argument; ADMIN passing a merchant's
 * id reads that merchant. The CSV route follows the same rule (test/graphql/reports.test.ts).
 */

type Slot = { rootType: 'query' | 'subscription'; field: GraphQLField<unknown, unknown>; path: string[] };

function merchantIdSlots(rootType: Slot['rootType']): Slot[] {
  const root = rootType === 'query' ? schema.getQueryType() : schema.getSubscriptionType();
  const slots: Slot[] = [];
  for (const field of Object.values(root?.getFields() ?? {})) {
    for (const argument of field.args) {
      if (argument.name === 'merchantId') slots.push({ rootType, field, path: ['merchantId'] });
      const input = getNamedType(argument.type);
      if (isInputObjectType(input) && 'merchantId' in input.getFields()) slots.push({ rootType, field, path: [argument.name, 'merchantId'] });
    }
  }
  return slots;
}

const slots = [...merchantIdSlots('query'), ...merchantIdSlots('subscription')];

function requiredArgument(argument: GraphQLArgument): string | undefined {
  if (!isNonNullType(argument.type)) return undefined;
  const type = getNamedType(argument.type).name;
  if (type === 'Int') return `${argument.name}: 0`;
  if (type === 'Date') return `${argument.name}: "2026-01-15"`;
  throw new Error(`merchant scope test: no value for required ${argument.name}; teach test/graphql/merchant-scope.test.ts`);
}

/** The slot's field with `merchantId` set to `value`, selecting something its resolver must compute. */
function operation({ rootType, field, path }: Slot, value: string): string {
  const literal = path.length === 1 ? `merchantId: ${JSON.stringify(value)}` : `${path[0]}: { merchantId: ${JSON.stringify(value)} }`;
  const args = [...field.args.map(requiredArgument), literal].filter(Boolean).join(', ');
  const returned = getNamedType(field.type);
  const selection = returned.name.endsWith('Connection')
    ? '{ edges { node { __typename } } }'
    : isUnionType(returned)
      ? '{ __typename ... on ValidationError { code message fields { path message } } }'
      : isObjectType(returned)
        ? '{ __typename }'
        : '';
  return `${rootType} { ${field.name}(${args}) ${selection} }`;
}

let server: TestServer;
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  acme = await server.createMerchant('Acme');
  globex = await server.createMerchant('Globex');
});
afterAll(() => server?.close());

type Outcome = { codes: unknown[]; messages: string[]; fields: unknown[] };

/** Runs the operation (HTTP for queries, graphql-ws for subscriptions) and returns its errors. */
async function run(slot: Slot, value: string, key: string): Promise<Outcome> {
  const query = operation(slot, value);
  let errors: { message: string; extensions?: Record<string, unknown> }[];
  if (slot.rootType === 'query') {
    const response = await server.graphql<Record<string, { __typename?: string; code?: string; message: string; fields?: unknown[] }>>(query, {}, key);
    errors = response.errors ?? [];
    // A field whose result union has a ValidationError answers with that member instead.
    const member = response.data?.[slot.field.name];
    if (member?.__typename === 'ValidationError') errors = [{ message: member.message, extensions: { code: member.code, fields: member.fields } }];
  } else {
    // Every case below is refused at subscribe time: a result with errors, then the stream's end.
    const client = wsClient(server.url, key);
    const { results, error } = await wsExecute(client, query);
    await client.dispose();
    if (error !== undefined) throw new Error(`subscription failed outside execution: ${JSON.stringify(error)}`);
    errors = results.flatMap((result) => (result as { errors?: typeof errors }).errors ?? []);
  }
  return {
    codes: errors.map((error) => error.extensions?.['code']),
    messages: errors.map((error) => error.message),
    fields: errors.flatMap((error) => (error.extensions?.['fields'] as unknown[] | undefined) ?? []),
  };
}

function adminOnly(field: GraphQLField<unknown, unknown>): boolean {
  const scopes = (field.extensions as { pothosOptions?: { authScopes?: Record<string, unknown> } }).pothosOptions?.authScopes;
  return scopes?.['admin'] === true && Object.keys(scopes).length === 1;
}

const ABSENT_MERCHANT = encodeGlobalId('Merchant', '0190f0f0-0000-7000-8000-00000000abcd');

describe('every merchantId argument', () => {
  it('is found in the schema (queries and subscriptions)', () => {
    expect(slots.map((slot) => `${slot.field.name}:${slot.path.join('.')}`).sort()).toEqual(
      expect.arrayContaining(['dailyReport:merchantId', 'stuckTransactions:merchantId', 'transactionEvents:merchantId', 'transactions:filter.merchantId']),
    );
  });

  describe.each(slots.map((slot) => [`${slot.rootType} ${slot.field.name}(${slot.path.join('.')})`, slot] as const))('%s', (_name, slot) => {
    const argument = slot.path.join('.');

    // An ADMIN-only field refuses a merchant key before looking at any argument.
    const refusal = adminOnly(slot.field) ? 'this operation needs an ADMIN key' : `${argument} is for ADMIN keys`;

    it('with a merchant key, whatever the id: FORBIDDEN, the same answer every time', async () => {
      const values = [encodeGlobalId('Merchant', acme.merchantId), encodeGlobalId('Merchant', globex.merchantId), ABSENT_MERCHANT, 'not-an-id'];
      for (const value of values) {
        expect(await run(slot, value, acme.key), value).toEqual({ codes: ['FORBIDDEN'], messages: [refusal], fields: [] });
      }
    });

    it.each([
      ['not a global id', 'not-an-id', 'must be a Merchant id'],
      ["a Transaction's global id", encodeGlobalId('Transaction', '0190f0f0-0000-7000-8000-00000000abcd'), 'must be a Merchant id'],
      ['the id of no merchant', ABSENT_MERCHANT, 'no merchant has this id'],
    ])('with ADMIN and %s: VALIDATION_FAILED naming the argument', async (_label, value, message) => {
      expect(await run(slot, value, server.adminKey)).toEqual({
        codes: ['VALIDATION_FAILED'],
        messages: [`${argument}: ${message}`],
        fields: [{ path: slot.path, message }],
      });
    });

    if (slot.rootType === 'query') {
      it("with ADMIN and a merchant's id: no error", async () => {
        expect(await run(slot, encodeGlobalId('Merchant', globex.merchantId), server.adminKey)).toEqual({ codes: [], messages: [], fields: [] });
      });
    }
  });
});
