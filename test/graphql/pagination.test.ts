import {
  getNamedType,
  isNonNullType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelTransactionDocument, CreateTransactionDocument, TransactionsDocument } from '../../src/client/operations.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Every connection in the schema, found from the schema itself: page sizes above GRAPHQL_MAX_PAGE_SIZE are
 * refused (issue #14.6: three connections used to clamp them silently to a hard-coded 100), cursors that
 * name no row of ours are VALIDATION_FAILED, and another merchant's cursor positions nothing, exactly like
 * one that does not exist (issue #13.7).
 */

const MAX_PAGE_SIZE = 3;
let server: TestServer;
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };

function isConnection(field: GraphQLField<unknown, unknown>): boolean {
  const names = new Set(field.args.map((argument) => argument.name));
  return getNamedType(field.type).name.endsWith('Connection') && ['first', 'last', 'after', 'before'].every((name) => names.has(name));
}

const rootConnections = Object.values(schema.getQueryType()?.getFields() ?? {}).filter(isConnection);

function requiredArgument(argument: GraphQLArgument): string {
  if (!isNonNullType(argument.type)) return '';
  if (getNamedType(argument.type).name === 'Int') return `${argument.name}: 0`;
  throw new Error(`pagination test: no value for required ${argument.name}; teach test/graphql/pagination.test.ts`);
}

/** The connection field with its required arguments and `page` (e.g. `first: 4`), selecting its cursors. */
function pageQuery(field: GraphQLField<unknown, unknown>, page: string): string {
  const args = [...field.args.map(requiredArgument), page].filter(Boolean).join(', ');
  return `{ ${field.name}(${args}) { edges { cursor } pageInfo { hasNextPage hasPreviousPage } } }`;
}

const cursor = (text: string) => Buffer.from(text).toString('base64');

async function createTransaction(key: string, reference: string): Promise<string> {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: reference, amount: { value: '5.00', currency: 'EUR' }, returnUrl: 'https://shop.example/back' } },
    key,
  );
  if (result.data?.createTransaction.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  return result.data.createTransaction.transaction.id;
}

beforeAll(async () => {
  server = await startTestServer({ GRAPHQL_MAX_PAGE_SIZE: String(MAX_PAGE_SIZE) });
  acme = await server.createMerchant('Acme');
  globex = await server.createMerchant('Globex');
  // Globex's transactions before and after Acme's, so that its cursors would position Acme's pages both ways.
  await createTransaction(globex.key, 'g-1');
  for (const reference of ['a-1', 'a-2', 'a-3', 'a-4']) await createTransaction(acme.key, reference);
  await createTransaction(globex.key, 'g-2');
});
afterAll(() => server?.close());

describe('every connection', () => {
  it('is found in the schema, and only at the root (a nested one would need a case here)', () => {
    expect(rootConnections.map((field) => field.name).sort()).toEqual(expect.arrayContaining(['anomalies', 'merchants', 'stuckTransactions', 'transactions']));
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type === schema.getQueryType()) continue;
      expect(Object.values(type.getFields()).filter(isConnection).map((field) => `${type.name}.${field.name}`)).toEqual([]);
    }
  });

  describe.each(rootConnections.map((field) => [field.name, field] as const))('%s', (_name, field) => {
    it(`accepts first/last up to GRAPHQL_MAX_PAGE_SIZE (${MAX_PAGE_SIZE})`, async () => {
      for (const page of [`first: ${MAX_PAGE_SIZE}`, `last: ${MAX_PAGE_SIZE}`]) {
        const response = await server.graphql(pageQuery(field, page));
        expect(response.errors, page).toBeUndefined();
      }
    });

    it('refuses a larger page with VALIDATION_FAILED naming the limit, never clamping it', async () => {
      for (const argument of ['first', 'last']) {
        const response = await server.graphql(pageQuery(field, `${argument}: ${MAX_PAGE_SIZE + 1}`));
        expect(response.data).toBeNull();
        expect(response.errors?.[0]).toMatchObject({
          message: `${argument}: must be at most ${MAX_PAGE_SIZE} (the maximum page size); fetch further pages with after/before`,
          extensions: { code: 'VALIDATION_FAILED', argument, maxPageSize: MAX_PAGE_SIZE, fields: [{ path: [argument] }] },
        });
      }
    });

    it('walks the whole list one row at a time, forwards and backwards, as ADMIN with no filter', async () => {
      type Page = { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean } };
      const pageOf = async (page: string) => {
        const response = await server.graphql<Record<string, Page>>(pageQuery(field, page));
        expect(response.errors, page).toBeUndefined();
        const connection = response.data?.[field.name];
        if (!connection) throw new Error(`no ${field.name} in ${JSON.stringify(response)}`);
        return connection;
      };
      const forwards: string[] = [];
      for (let page = await pageOf('first: 1'); ; ) {
        forwards.push(...page.edges.map((edge) => edge.cursor));
        if (!page.pageInfo.hasNextPage) break;
        page = await pageOf(`first: 1, after: ${JSON.stringify(forwards.at(-1))}`);
      }
      const backwards: string[] = [];
      for (let page = await pageOf('last: 1'); ; ) {
        backwards.unshift(...page.edges.map((edge) => edge.cursor));
        if (!page.pageInfo.hasPreviousPage) break;
        page = await pageOf(`last: 1, before: ${JSON.stringify(backwards[0])}`);
      }
      expect(backwards).toEqual(forwards);
      expect(new Set(forwards).size).toBe(forwards.length);
    });

    it.each([
      ['not base64 of a cursor', 'zzz'],
      ['a cursor around no uuid', cursor('GPC:S:not-a-uuid')],
      ['a numeric cursor', cursor('GPC:N:5')],
      ['a cursor with a NUL', cursor('GPC:S:a\u0000b')],
    ])('refuses %s with VALIDATION_FAILED', async (_label, value) => {
      for (const page of [`first: 1, after: ${JSON.stringify(value)}`, `last: 1, before: ${JSON.stringify(value)}`]) {
        const response = await server.graphql(pageQuery(field, page));
        expect(response.errors?.map((error) => error.extensions?.['code']), page).toEqual(['VALIDATION_FAILED']);
      }
    });
  });
});

describe("another merchant's cursor", () => {
  const ABSENT = cursor('GPC:S:0190f0f0-0000-7000-8000-00000000abcd');

  async function pageOf(key: string, variables: Record<string, unknown>) {
    const response = await server.execute(TransactionsDocument, variables, key);
    expect(response.errors).toBeUndefined();
    return response.data?.transactions;
  }

  it("reads exactly like one that does not exist, forwards and backwards, while the merchant's own cursors page", async () => {
    const globexCursors = (await pageOf(globex.key, { first: 2 }))?.edges.map((edge) => edge.cursor) ?? [];
    const acmePage = await pageOf(acme.key, { first: 3 });
    expect(acmePage?.edges).toHaveLength(3);
    // The oracle: acme's own cursors do position its pages, both ways.
    expect((await pageOf(acme.key, { first: 3, after: acmePage?.edges[1]?.cursor }))?.edges).toHaveLength(2);
    expect((await pageOf(acme.key, { last: 3, before: acmePage?.edges[2]?.cursor }))?.edges).toHaveLength(2);
    for (const foreign of globexCursors) {
      for (const direction of [{ first: 3, after: foreign }, { last: 3, before: foreign }]) {
        const absent = { ...direction, ...('after' in direction ? { after: ABSENT } : { before: ABSENT }) };
        const [viaForeign, viaAbsent] = [await pageOf(acme.key, direction), await pageOf(acme.key, absent)];
        expect(viaForeign).toEqual(viaAbsent);
        expect(viaForeign?.edges).toEqual([]);
      }
    }
  });
});

describe('a cursor whose row has left the filtered list since', () => {
  it('still positions the next page after it, losing no row (transactions by status)', async () => {
    const shop = await server.createMerchant('Leaving');
    const ids: string[] = [];
    for (const reference of ['l-1', 'l-2', 'l-3', 'l-4']) ids.push(await createTransaction(shop.key, reference));
    const newestFirst = ids.slice().reverse();
    const filter = { statuses: ['REDIRECTED' as const] };
    const first = await server.execute(TransactionsDocument, { first: 1, filter }, shop.key);
    expect(first.data?.transactions.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(0, 1));
    // The row under the cursor leaves the list (cancelled), then the next page is asked for.
    await server.execute(CancelTransactionDocument, { id: newestFirst[0] ?? '' }, shop.key);
    const next = await server.execute(TransactionsDocument, { first: 2, filter, after: first.data?.transactions.pageInfo.endCursor }, shop.key);
    expect(next.data?.transactions.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(1, 3));
    const back = await server.execute(TransactionsDocument, { last: 2, filter, before: next.data?.transactions.pageInfo.endCursor }, shop.key);
    expect(back.data?.transactions.edges.map((edge) => edge.node.id)).toEqual(newestFirst.slice(1, 2));
  });

  it('still positions the next page after it, losing no row (open anomalies)', async () => {
    const created: string[] = [];
    for (const detail of ['x-1', 'x-2', 'x-3', 'x-4']) created.push((await server.db.prisma.anomaly.create({ data: { kind: 'ORPHAN', detail } })).id);
    const page = '($after: String) { anomalies(first: 2, after: $after) { edges { node { id } } pageInfo { endCursor } } }';
    type Page = { anomalies: { edges: { node: { id: string } }[]; pageInfo: { endCursor: string } } };
    const first = await server.graphql<Page>(`query${page}`);
    const [newest, second] = first.data?.anomalies.edges.map((edge) => edge.node.id) ?? [];
    const resolved = await server.graphql(`mutation { resolveAnomaly(id: "${second}", resolution: "refunded") { __typename } }`);
    expect(resolved.data).toEqual({ resolveAnomaly: { __typename: 'ResolveAnomalySuccess' } });
    const next = await server.graphql<Page>(`query${page}`, { after: first.data?.anomalies.pageInfo.endCursor });
    const all = (await server.graphql<Page>(`query${page.replace('first: 2', 'first: 3')}`)).data?.anomalies.edges.map((edge) => edge.node.id);
    expect(all?.[0]).toBe(newest);
    expect(next.data?.anomalies.edges.map((edge) => edge.node.id)).toEqual(all?.slice(1, 3));
  });
});
