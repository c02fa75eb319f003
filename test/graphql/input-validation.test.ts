import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Input that used to reach the database and come back as a masked INTERNAL_SERVER_ERROR (issue #13.8) is
 * VALIDATION_FAILED. test/security/input-sweep.test.ts tries the same classes on every field of the schema.
 */

let server: TestServer;
let merchantKey: string;

beforeAll(async () => {
  server = await startTestServer();
  merchantKey = (await server.createMerchant('Careful')).key;
});
afterAll(() => server?.close());

const TRANSACTIONS = 'query($filter: TransactionFilter) { transactions(filter: $filter) { totalCount edges { cursor } } }';

describe('DateTime inputs', () => {
  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['before year 1 once in UTC', '0001-01-01T00:00:00+14:00'],
    ['after 9999 once in UTC', '9999-12-31T23:59:59-14:00'],
  ])('%s: VALIDATION_FAILED, as a variable or inline', async (_label, value) => {
    const expected = { code: 'VALIDATION_FAILED' };
    const viaVariable = await server.graphql(TRANSACTIONS, { filter: { createdFrom: value } }, merchantKey);
    expect(viaVariable.errors?.[0]?.extensions).toEqual(expected);
    expect(viaVariable.errors?.[0]?.message).toMatch(/DateTime must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z/);
    const inline = await server.graphql(`{ transactions(filter: { createdTo: ${JSON.stringify(value)} }) { totalCount } }`, {}, merchantKey);
    expect(inline.errors?.[0]?.extensions).toEqual(expected);
    const stats = await server.graphql('query($since: DateTime) { notificationStats(since: $since) { openAnomalies } }', { since: value });
    expect(stats.errors?.[0]?.extensions).toEqual(expected);
  });

  it('accepts the first and last instants of the range', async () => {
    const edges = await server.graphql(TRANSACTIONS, { filter: { createdFrom: '0001-01-01T00:00:00Z', createdTo: '9999-12-31T23:59:59.999Z' } }, merchantKey);
    expect(edges.errors).toBeUndefined();
    expect(edges.data).toEqual({ transactions: { totalCount: 0, edges: [] } });
    const stats = await server.graphql('{ notificationStats(since: "0001-01-01T00:00:00Z") { since } }');
    expect(stats.data).toEqual({ notificationStats: { since: '0001-01-01T00:00:00.000Z' } });
  });
});

describe('Date inputs', () => {
  it('refuses year 0 with VALIDATION_FAILED', async () => {
    const response = await server.graphql('{ dailyReport(date: "0000-01-01") { date } }', {}, merchantKey);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'VALIDATION_FAILED' });
  });

  it('reports the first and last days of the calendar, whose bounds leave years 1-9999 in some zones', async () => {
    const query = 'query($date: Date!, $zone: String) { dailyReport(date: $date, timeZone: $zone) { startsAt endsAt rows { count } } }';
    const last = await server.graphql(query, { date: '9999-12-31', zone: 'UTC' }, merchantKey);
    expect(last.data).toEqual({ dailyReport: { startsAt: '9999-12-31T00:00:00.000Z', endsAt: '+010000-01-01T00:00:00.000Z', rows: [] } });
    const first = await server.graphql(query, { date: '0001-01-01', zone: 'Etc/GMT-14' }, merchantKey);
    expect(first.data).toEqual({ dailyReport: { startsAt: '0000-12-31T10:00:00.000Z', endsAt: '0001-01-01T10:00:00.000Z', rows: [] } });
  });
});

describe('text inputs holding NUL (PostgreSQL text cannot)', () => {
  it('a filter: VALIDATION_FAILED naming its path', async () => {
    for (const filter of [{ merchantReference: 'order\u00001' }, { currency: 'E\u0000R' }]) {
      const response = await server.graphql(TRANSACTIONS, { filter }, merchantKey);
      const field = Object.keys(filter)[0] ?? '';
      expect(response.errors?.[0]).toMatchObject({
        message: `filter.${field}: must not contain the NUL character (U+0000)`,
        extensions: { code: 'VALIDATION_FAILED', fields: [{ path: ['filter', field], message: 'must not contain the NUL character (U+0000)' }] },
      });
    }
  });

  it('a mutation whose result has a ValidationError: that member, naming the path, nothing written', async () => {
    const before = await server.db.prisma.transaction.count();
    const response = await server.graphql(
      'mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { __typename ... on ValidationError { code fields { path message } } } }',
      { input: { merchantReference: 'order-1', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/\u0000' } },
      merchantKey,
    );
    expect(response.data).toEqual({
      createTransaction: {
        __typename: 'ValidationError',
        code: 'VALIDATION_FAILED',
        fields: [{ path: ['input', 'returnUrl'], message: 'must not contain the NUL character (U+0000)' }],
      },
    });
    expect(await server.db.prisma.transaction.count()).toBe(before);
  });

  it('an id or a cursor: VALIDATION_FAILED as well (no id or cursor of ours holds NUL)', async () => {
    expect((await server.graphql('query($id: ID!) { transaction(id: $id) { id } }', { id: 'a\u0000' }, merchantKey)).errors?.[0]?.extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const cursor = await server.graphql('query($after: String) { transactions(first: 1, after: $after) { totalCount } }', { after: 'a\u0000' }, merchantKey);
    expect(cursor.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
