import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTransaction } from '../support/fixtures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };

const STATS = `query Stats($from: Date!, $to: Date!, $timeZone: String, $groupBy: [TransactionStatsDimension!], $filter: TransactionStatsFilter) {
  transactionStats(from: $from, to: $to, timeZone: $timeZone, groupBy: $groupBy, filter: $filter) {
    __typename
    ... on TransactionStats {
      from to timeZone groupBy currencies
      rows {
        start end date localStart status currency merchant { name }
        created captured paid cancelled rejected conversionRate
        amounts { currency created { value currency minorUnits } captured { value } paid { value } }
      }
    }
    ... on ValidationError { code message fields { path message } }
  }
}`;

type StatsRow = {
  date: string;
  localStart: string;
  status: string | null;
  currency: string | null;
  merchant: { name: string } | null;
  created: number;
  captured: number;
  paid: number;
  conversionRate: string | null;
  amounts: { currency: string; created: { value: string; minorUnits: string }; captured: { value: string }; paid: { value: string } }[];
};
type StatsData = {
  transactionStats: {
    __typename: string;
    currencies?: string[];
    timeZone?: string;
    rows?: StatsRow[];
    code?: string;
    fields?: { path: string[]; message: string }[];
  };
};

const stats = (variables: Record<string, unknown>, key: string) => server.graphql<StatsData>(STATS, variables, key);

beforeAll(async () => {
  server = await startTestServer();
  acme = await server.createMerchant('Acme');
  globex = await server.createMerchant('Globex');
  const db = server.db;
  // Europe/Berlin, the week of the spring change (2026-03-29 is 23 hours long).
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: '2026-03-28T10:00:00Z', amountMinor: 1999n, currency: 'EUR', history: [{ status: 'PAID', at: '2026-03-28T10:05:00Z' }] });
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: '2026-03-28T22:59:59.999Z', amountMinor: 1n, currency: 'EUR' }); // 23:59:59.999 CET
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: '2026-03-28T23:00:00Z', amountMinor: 500n, currency: 'JPY', history: [{ status: 'CAPTURED', at: '2026-03-28T23:01:00Z' }] }); // 00:00 on the 29th
  // Globex: an amount no Acme figure can add up to, so a leak would show.
  await insertTransaction(db, { merchantId: globex.merchantId, createdAt: '2026-03-28T12:00:00Z', amountMinor: 7319n, currency: 'EUR', history: [{ status: 'PAID', at: '2026-03-28T12:01:00Z' }] });
});
afterAll(() => server?.close());

describe('transactionStats over GraphQL', () => {
  it("gives a merchant its own daily series with every day present and exact money per currency", async () => {
    const result = await stats({ from: '2026-03-27', to: '2026-03-30', timeZone: 'europe/berlin', groupBy: ['DAY'] }, acme.key);
    expect(result.errors).toBeUndefined();
    const payload = result.data?.transactionStats;
    expect(payload?.timeZone).toBe('Europe/Berlin');
    expect(payload?.currencies).toEqual(['EUR', 'JPY']);
    expect(payload?.rows?.map((row) => [row.date, row.localStart, row.created, row.captured, row.paid, row.conversionRate])).toEqual([
      ['2026-03-27', '2026-03-27T00:00:00+01:00', 0, 0, 0, null],
      ['2026-03-28', '2026-03-28T00:00:00+01:00', 2, 1, 1, '0.5000'],
      ['2026-03-29', '2026-03-29T00:00:00+01:00', 1, 1, 0, '1.0000'],
      ['2026-03-30', '2026-03-30T00:00:00+02:00', 0, 0, 0, null],
    ]);
    expect(payload?.rows?.[1]?.amounts).toEqual([
      { currency: 'EUR', created: { value: '20.00', currency: 'EUR', minorUnits: '2000' }, captured: { value: '19.99' }, paid: { value: '19.99' } },
      { currency: 'JPY', created: { value: '0', currency: 'JPY', minorUnits: '0' }, captured: { value: '0' }, paid: { value: '0' } },
    ]);
    expect(JSON.stringify(result.data)).not.toContain('73.19');
  });

  it('gives ADMIN every merchant, one merchant, and the breakdown by merchant and currency', async () => {
    const all = await stats({ from: '2026-03-28', to: '2026-03-28', timeZone: 'Europe/Berlin' }, server.adminKey);
    expect(all.data?.transactionStats.rows?.map((row) => [row.created, row.amounts.map((amounts) => amounts.created.value)])).toEqual([[3, ['93.19']]]);
    const one = await stats(
      { from: '2026-03-28', to: '2026-03-28', timeZone: 'Europe/Berlin', filter: { merchantId: encodeGlobalID('Merchant', globex.merchantId) } },
      server.adminKey,
    );
    expect(one.data?.transactionStats.rows?.map((row) => row.created)).toEqual([1]);
    const breakdown = await stats({ from: '2026-03-28', to: '2026-03-29', timeZone: 'Europe/Berlin', groupBy: ['MERCHANT', 'CURRENCY'] }, server.adminKey);
    expect(breakdown.data?.transactionStats.rows?.map((row) => `${row.date} ${row.merchant?.name} ${row.currency} ${row.created} ${row.amounts[0]?.created.value}`)).toEqual([
      '2026-03-28 Acme EUR 2 20.00',
      '2026-03-28 Acme JPY 1 500',
      '2026-03-28 Globex EUR 1 73.19',
      '2026-03-28 Globex JPY 0 0',
    ]);
  });

  it('refuses merchant keys what is for ADMIN: another merchant, or a breakdown by merchant', async () => {
    const other = await stats({ from: '2026-03-28', to: '2026-03-28', filter: { merchantId: encodeGlobalID('Merchant', globex.merchantId) } }, acme.key);
    expect(other.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(other)).not.toContain('73.19');
    const byMerchant = await stats({ from: '2026-03-28', to: '2026-03-28', groupBy: ['MERCHANT'] }, acme.key);
    expect(byMerchant.errors?.map((error) => error.extensions?.['code'])).toEqual(['FORBIDDEN']);
  });

  it('answers bad arguments with a typed ValidationError naming each one', async () => {
    const result = await stats({ from: '2026-03-10', to: '2026-03-01', timeZone: 'Mars/Base', groupBy: ['DAY', 'MONTH'], filter: { currencies: ['EURO'] } }, acme.key);
    expect(result.errors).toBeUndefined();
    expect(result.data?.transactionStats.__typename).toBe('ValidationError');
    expect(result.data?.transactionStats.code).toBe('VALIDATION_FAILED');
    expect(result.data?.transactionStats.fields?.map((field) => field.path.join('.'))).toEqual(['to', 'groupBy', 'filter.currencies.0', 'timeZone']);
  });

  it('counts the buckets in the cost: a huge series is refused (HTTP 400) before it runs, a year of days is not', async () => {
    const huge = await stats({ from: '2026-03-01', to: '2026-03-31', groupBy: ['HOUR', 'STATUS'] }, acme.key);
    expect(huge.status).toBe(400);
    expect(huge.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', maxCost: 30_000 });
    expect(huge.errors?.[0]?.extensions?.['cost']).toBeGreaterThan(31 * 24 * 6 * 100);
    const year = await server.graphql<StatsData>(
      `query { transactionStats(from: "2026-01-01", to: "2026-12-31", groupBy: [DAY]) { ... on TransactionStats { rows { date created paid } } } }`,
      {},
      acme.key,
    );
    expect(year.errors).toBeUndefined();
    expect(year.data?.transactionStats.rows).toHaveLength(365);
  });

  it('checks the cost again once the series found in the range are known, before building the rows', async () => {
    // The arguments tell 90 rows (about 9,300); the range holds two merchants with two currencies each: 360 rows.
    const variables = { from: '2026-03-01', to: '2026-05-29', timeZone: 'Europe/Berlin', groupBy: ['DAY', 'MERCHANT', 'CURRENCY'] };
    const refused = await stats(variables, server.adminKey);
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(refused.errors?.[0]?.extensions?.['cost']).toBeGreaterThan(30_000);
    // With one merchant: 180 rows fit.
    const one = await stats({ ...variables, filter: { merchantId: encodeGlobalID('Merchant', acme.merchantId) } }, server.adminKey);
    expect(one.errors).toBeUndefined();
    expect(one.data?.transactionStats.rows).toHaveLength(180);
  });
});
