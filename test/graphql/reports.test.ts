import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DailyReportByMerchantDocument,
  DailyReportDocument,
  MerchantsDocument,
  StuckTransactionsDocument,
} from '../../src/client/operations.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';
import { insertTransaction } from '../support/fixtures.ts';
import { ROOT } from '../support/process.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };
const DATE = '2026-03-08';
const ZONE = 'America/New_York'; // a 23-hour day: [05:00Z, next day 04:00Z)

beforeAll(async () => {
  server = await startTestServer();
  // A name that needs RFC 4180 quoting: a comma and double quotes.
  acme = await server.createMerchant('Acme, "the" shop');
  globex = await server.createMerchant('Globex');
  const on = (time: string) => `2026-03-08T${time}Z`;
  const db = server.db;
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: on('06:00:00'), amountMinor: 1999n, currency: 'EUR', history: [{ status: 'REDIRECTED', at: on('06:00:01') }] });
  await insertTransaction(db, {
    merchantId: acme.merchantId,
    createdAt: on('07:00:00'),
    amountMinor: 1n,
    currency: 'EUR',
    history: [{ status: 'REDIRECTED', at: on('07:00:01') }, { status: 'CAPTURED', at: on('07:05:00') }, { status: 'PAID', at: on('23:00:00') }],
  });
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: on('08:00:00'), amountMinor: 1500n, currency: 'JPY', history: [{ status: 'CAPTURED', at: on('08:01:00') }] });
  await insertTransaction(db, { merchantId: acme.merchantId, createdAt: on('04:59:59.999'), amountMinor: 777n, currency: 'EUR' }); // the 7th in New York
  await insertTransaction(db, { merchantId: globex.merchantId, createdAt: on('09:00:00'), amountMinor: 4200n, currency: 'EUR', history: [{ status: 'PAID', at: on('09:30:00') }] });
  // Refunds on the day, of a transaction paid the day before: one succeeded (more than the day's payments: the net
  // goes negative), one failed, one still requested; and one requested the day before that succeeded on the day.
  await insertTransaction(db, {
    merchantId: acme.merchantId,
    createdAt: '2026-03-07T10:00:00Z',
    amountMinor: 10_000n,
    currency: 'EUR',
    history: [{ status: 'CAPTURED', at: '2026-03-07T10:01:00Z' }, { status: 'PAID', at: '2026-03-07T12:00:00Z' }],
    refunds: [
      { amountMinor: 300n, requestedAt: on('10:00:00'), completedAt: on('10:05:00') },
      { amountMinor: 200n, status: 'FAILED', requestedAt: on('11:00:00'), completedAt: on('12:00:00') },
      { amountMinor: 100n, status: 'REQUESTED', requestedAt: on('13:00:00') },
      { amountMinor: 50n, requestedAt: '2026-03-07T20:00:00Z', completedAt: on('14:00:00') },
      // Requested and succeeded the day after, in New York: not this day's.
      { amountMinor: 7n, requestedAt: '2026-03-09T04:00:00Z' },
    ],
  });
  // Money captured after a cancel, given back (a capture anomaly's refund): a refund of the day, but never remitted,
  // so not deducted from the remittance.
  await insertTransaction(db, {
    merchantId: globex.merchantId,
    createdAt: '2026-03-07T10:00:00Z',
    amountMinor: 50n,
    currency: 'EUR',
    history: [{ status: 'CANCELLED', at: '2026-03-07T10:01:00Z' }],
    refunds: [{ amountMinor: 50n, requestedAt: on('15:00:00') }],
  });
});
afterAll(() => server?.close());

const merchantGlobalId = (id: string) => encodeGlobalID('Merchant', id);

describe('dailyReport', () => {
  it("gives a merchant its own day: rows by status and currency, funnel and remittance, exact money", async () => {
    const result = await server.execute(DailyReportDocument, { date: DATE, timeZone: ZONE }, acme.key);
    expect(result.errors).toBeUndefined();
    expect(result.data?.dailyReport).toEqual({
      date: DATE,
      timeZone: ZONE,
      startsAt: '2026-03-08T05:00:00.000Z',
      endsAt: '2026-03-09T04:00:00.000Z',
      rows: [
        { status: 'REDIRECTED', currency: 'EUR', count: 1, total: { value: '19.99', currency: 'EUR', minorUnits: '1999' } },
        { status: 'CAPTURED', currency: 'JPY', count: 1, total: { value: '1500', currency: 'JPY', minorUnits: '1500' } },
        { status: 'PAID', currency: 'EUR', count: 1, total: { value: '0.01', currency: 'EUR', minorUnits: '1' } },
      ],
      funnel: { created: 3, redirected: 3, captured: 2, paid: 1, rejected: 0, cancelled: 0, conversionRate: '0.6667' },
      remittance: [
        {
          currency: 'EUR',
          count: 1,
          total: { value: '0.01', currency: 'EUR', minorUnits: '1' },
          refundCount: 2,
          refunded: { value: '3.50', minorUnits: '350' },
          net: { value: '-3.49', minorUnits: '-349' },
        },
      ],
      refunds: [
        {
          currency: 'EUR',
          requested: { count: 3, total: { value: '6.00' } },
          succeeded: { count: 2, total: { value: '3.50' } },
          failed: { count: 1, total: { value: '2.00' } },
        },
      ],
    });
  });

  it('defaults to UTC and accepts a zone in any letter case', async () => {
    const utc = await server.execute(DailyReportDocument, { date: DATE }, acme.key);
    expect(utc.data?.dailyReport.timeZone).toBe('UTC');
    // In UTC the 04:59:59.999Z transaction belongs to the 8th as well.
    expect(utc.data?.dailyReport.funnel.created).toBe(4);
    const lower = await server.execute(DailyReportDocument, { date: DATE, timeZone: 'america/new_york' }, acme.key);
    expect(lower.data?.dailyReport.timeZone).toBe(ZONE);
  });

  it('gives ADMIN every merchant, one merchant, and the per-merchant breakdown', async () => {
    const all = await server.execute(DailyReportDocument, { date: DATE, timeZone: ZONE }, server.adminKey);
    expect(all.data?.dailyReport.funnel).toMatchObject({ created: 4, paid: 2 });
    expect(all.data?.dailyReport.remittance).toEqual([
      {
        currency: 'EUR',
        count: 2,
        total: { value: '42.01', currency: 'EUR', minorUnits: '4201' },
        refundCount: 2,
        refunded: { value: '3.50', minorUnits: '350' },
        net: { value: '38.51', minorUnits: '3851' },
      },
    ]);
    // Every refund of the day, the capture anomaly's included.
    expect(all.data?.dailyReport.refunds.map((row) => [row.currency, row.requested.count, row.succeeded.count, row.succeeded.total.value])).toEqual([['EUR', 4, 3, '4.00']]);

    const one = await server.execute(DailyReportDocument, { date: DATE, timeZone: ZONE, merchantId: merchantGlobalId(globex.merchantId) }, server.adminKey);
    expect(one.data?.dailyReport.rows).toEqual([{ status: 'PAID', currency: 'EUR', count: 1, total: { value: '42.00', currency: 'EUR', minorUnits: '4200' } }]);

    const breakdown = await server.execute(DailyReportByMerchantDocument, { date: DATE, timeZone: ZONE }, server.adminKey);
    expect(breakdown.errors).toBeUndefined();
    expect(breakdown.data?.dailyReport.merchant).toBeNull();
    const byMerchant = breakdown.data?.dailyReport.byMerchant ?? [];
    expect(byMerchant.map((entry) => entry.merchant.name)).toEqual(['Acme, "the" shop', 'Globex']);
    expect(byMerchant[0]?.funnel).toEqual({ created: 3, captured: 2, paid: 1, conversionRate: '0.6667' });
    expect(byMerchant[1]?.remittance).toEqual([{ currency: 'EUR', count: 1, total: { value: '42.00', minorUnits: '4200' }, net: { value: '42.00' } }]);
    expect(byMerchant[1]?.refunds).toEqual([{ currency: 'EUR', succeeded: { count: 1, total: { value: '0.50' } } }]);
    expect(byMerchant[0]?.remittance.map((row) => row.net.value)).toEqual(['-3.49']);

    const scoped = await server.execute(DailyReportByMerchantDocument, { date: DATE, timeZone: ZONE, merchantId: merchantGlobalId(acme.merchantId) }, server.adminKey);
    expect(scoped.data?.dailyReport.merchant?.id).toBe(merchantGlobalId(acme.merchantId));
    expect(scoped.data?.dailyReport.byMerchant.map((entry) => entry.merchant.name)).toEqual(['Acme, "the" shop']);
  });

  it('never shows a merchant another merchant: merchantId is FORBIDDEN to merchant keys, byMerchant shows only its own', async () => {
    const own = await server.execute(DailyReportDocument, { date: DATE, timeZone: ZONE }, globex.key);
    expect(own.data?.dailyReport.funnel.created).toBe(1);
    const theirs = await server.execute(DailyReportDocument, { date: DATE, timeZone: ZONE, merchantId: merchantGlobalId(acme.merchantId) }, globex.key);
    expect(theirs.data).toBeNull();
    expect(theirs.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    // Selecting byMerchant does not null a merchant's report (the console asks one query for every caller).
    const breakdown = await server.execute(DailyReportByMerchantDocument, { date: DATE, timeZone: ZONE }, globex.key);
    expect(breakdown.errors).toBeUndefined();
    expect(breakdown.data?.dailyReport.byMerchant.map((entry) => entry.merchant.name)).toEqual(['Globex']);
    expect(JSON.stringify(breakdown)).not.toContain('Acme');
  });

  it.each([['Mars/Olympus_Mons'], ['UTC+3'], ["'; SELECT pg_sleep(5); --"]])('refuses time zone %j with VALIDATION_FAILED on timeZone', async (timeZone) => {
    const result = await server.execute(DailyReportDocument, { date: DATE, timeZone }, acme.key);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['timeZone'] }] });
    expect(result.errors?.[0]?.message).toContain('IANA');
  });

  it('refuses a malformed merchantId from ADMIN with VALIDATION_FAILED, and dates that do not exist', async () => {
    const badId = await server.execute(DailyReportDocument, { date: DATE, merchantId: 'nope' }, server.adminKey);
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['merchantId'] }] });
    const badDate = await server.execute(DailyReportDocument, { date: '2026-02-30' }, acme.key);
    expect(badDate.data).toBeUndefined();
    expect(badDate.errors?.[0]?.message).toContain('2026-02-30');
  });

  it('needs an API key', async () => {
    const result = await server.execute(DailyReportDocument, { date: DATE }, 'psk_not-a-real-key-at-all');
    expect(result.status).toBe(401);
  });
});

describe('operations queries (ADMIN only)', () => {
  it('lists stuck transactions oldest first, pages them, and refuses bad ages', async () => {
    const first = await server.execute(StuckTransactionsDocument, { olderThanMinutes: 60, first: 1 }, server.adminKey);
    expect(first.errors).toBeUndefined();
    // The REDIRECTED one from 06:00:01 and the CREATED one from 04:59:59.999, oldest change first.
    expect(first.data?.stuckTransactions.totalCount).toBe(2);
    expect(first.data?.stuckTransactions.edges.map((edge) => [edge.node.status, edge.node.updatedAt])).toEqual([['CREATED', '2026-03-08T04:59:59.999Z']]);
    const second = await server.execute(
      StuckTransactionsDocument,
      { olderThanMinutes: 60, first: 5, after: first.data?.stuckTransactions.pageInfo.endCursor },
      server.adminKey,
    );
    expect(second.data?.stuckTransactions.edges.map((edge) => [edge.node.status, edge.node.updatedAt])).toEqual([['REDIRECTED', '2026-03-08T06:00:01.000Z']]);
    expect(second.data?.stuckTransactions.pageInfo.hasNextPage).toBe(false);

    const forGlobex = await server.execute(StuckTransactionsDocument, { olderThanMinutes: 60, merchantId: merchantGlobalId(globex.merchantId) }, server.adminKey);
    expect(forGlobex.data?.stuckTransactions.totalCount).toBe(0);
    // Younger than the age: a transaction changed a minute ago is not stuck for 60 minutes.
    const fresh = await insertTransaction(server.db, { merchantId: globex.merchantId, createdAt: new Date(Date.now() - 60_000).toISOString() });
    const withFresh = await server.execute(StuckTransactionsDocument, { olderThanMinutes: 0, merchantId: merchantGlobalId(globex.merchantId) }, server.adminKey);
    expect(withFresh.data?.stuckTransactions.edges.map((edge) => edge.node.id)).toEqual([encodeGlobalID('Transaction', fresh)]);
    expect((await server.execute(StuckTransactionsDocument, { olderThanMinutes: 60, merchantId: merchantGlobalId(globex.merchantId) }, server.adminKey)).data?.stuckTransactions.totalCount).toBe(0);

    const negative = await server.execute(StuckTransactionsDocument, { olderThanMinutes: -5 }, server.adminKey);
    expect(negative.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: ['olderThanMinutes'] }] });
  });

  it('lists merchants by name with a total', async () => {
    const result = await server.execute(MerchantsDocument, { first: 10 }, server.adminKey);
    expect(result.data?.merchants.totalCount).toBe(2);
    expect(result.data?.merchants.edges.map((edge) => edge.node.name)).toEqual(['Acme, "the" shop', 'Globex']);
  });

  it('refuses merchant keys with FORBIDDEN', async () => {
    for (const [document, variables] of [
      [StuckTransactionsDocument, { olderThanMinutes: 0 }],
      [MerchantsDocument, {}],
    ] as const) {
      const result = await server.graphql(document.toString(), variables, acme.key);
      expect(result.data ?? null).toBeNull();
      expect(result.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
  });
});

describe('GET /reports/daily.csv', () => {
  const csvUrl = (query: Record<string, string>) => `${server.url}/reports/daily.csv?${new URLSearchParams(query)}`;
  const get = (query: Record<string, string>, key?: string) =>
    fetch(csvUrl(query), key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });

  const HEADER = 'date,time_zone,merchant_id,merchant_name,section,status,currency,count,total,total_minor_units\r\n';

  it("gives a merchant its own lines, RFC 4180 quoted, with exact decimals", async () => {
    const response = await get({ date: DATE, timeZone: ZONE }, acme.key);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const id = merchantGlobalId(acme.merchantId);
    const name = '"Acme, ""the"" shop"';
    expect(await response.text()).toBe(
      HEADER +
        `${DATE},${ZONE},${id},${name},created,REDIRECTED,EUR,1,19.99,1999\r\n` +
        `${DATE},${ZONE},${id},${name},created,CAPTURED,JPY,1,1500,1500\r\n` +
        `${DATE},${ZONE},${id},${name},created,PAID,EUR,1,0.01,1\r\n` +
        `${DATE},${ZONE},${id},${name},paid,PAID,EUR,1,0.01,1\r\n` +
        `${DATE},${ZONE},${id},${name},refunded,SUCCEEDED,EUR,2,3.50,350\r\n` +
        `${DATE},${ZONE},${id},${name},net,,EUR,,-3.49,-349\r\n` +
        `${DATE},${ZONE},${id},${name},refunds,REQUESTED,EUR,3,6.00,600\r\n` +
        `${DATE},${ZONE},${id},${name},refunds,SUCCEEDED,EUR,2,3.50,350\r\n` +
        `${DATE},${ZONE},${id},${name},refunds,FAILED,EUR,1,2.00,200\r\n`,
    );
  });

  it('gives ADMIN every merchant (or one) and defaults to UTC', async () => {
    const all = await (await get({ date: DATE, timeZone: ZONE }, server.adminKey)).text();
    expect(all.split('\r\n').filter((line) => line.includes(',Globex,'))).toEqual([
      `${DATE},${ZONE},${merchantGlobalId(globex.merchantId)},Globex,created,PAID,EUR,1,42.00,4200`,
      `${DATE},${ZONE},${merchantGlobalId(globex.merchantId)},Globex,paid,PAID,EUR,1,42.00,4200`,
      `${DATE},${ZONE},${merchantGlobalId(globex.merchantId)},Globex,refunded,SUCCEEDED,EUR,0,0.00,0`,
      `${DATE},${ZONE},${merchantGlobalId(globex.merchantId)},Globex,net,,EUR,,42.00,4200`,
      `${DATE},${ZONE},${merchantGlobalId(globex.merchantId)},Globex,refunds,REQUESTED,EUR,1,0.50,50`,
      `${DATE},${ZONE},${merchantGlobalId(globex.merchantId)},Globex,refunds,SUCCEEDED,EUR,1,0.50,50`,
    ]);
    const one = await (await get({ date: DATE, merchantId: merchantGlobalId(globex.merchantId) }, server.adminKey)).text();
    expect(one.split('\r\n').filter(Boolean).slice(1).every((line) => line.startsWith(`${DATE},UTC,${merchantGlobalId(globex.merchantId)},`))).toBe(true);
    const empty = await (await get({ date: '2031-01-01' }, server.adminKey)).text();
    expect(empty).toBe(HEADER);
  });

  it('answers 401 without a valid key, 403 for merchantId from a merchant, 400 for bad input', async () => {
    const anonymous = await get({ date: DATE });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect((await get({ date: DATE }, 'psk_wrong-wrong-wrong-wrong')).status).toBe(401);
    const forbidden = await get({ date: DATE, merchantId: merchantGlobalId(acme.merchantId) }, globex.key);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.text()).not.toContain('Acme');
    const badQueries: Record<string, string>[] = [{}, { date: '2026-13-01' }, { date: DATE, timeZone: 'Not/AZone' }, { date: DATE, merchantId: 'x' }];
    for (const query of badQueries) {
      const response = await get(query, server.adminKey);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(await response.text()).toMatch(/date|timeZone|merchantId/);
    }
  });
});

describe('npm run cli -- report:daily', () => {
  it.skipIf(TEST_DATABASE_URL === undefined)('prints the same CSV as the endpoint gives ADMIN', async () => {
    const { stdout } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'cli', '--', 'report:daily', '--date', DATE, '--timeZone', ZONE],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: server.db.url ?? '', LOG_LEVEL: 'warn' } },
    );
    const fromHttp = await (await fetch(`${server.url}/reports/daily.csv?date=${DATE}&timeZone=${ZONE}`, { headers: { authorization: `Bearer ${server.adminKey}` } })).text();
    expect(stdout).toBe(fromHttp);

    const { stdout: one } = await promisify(execFile)(
      'npm',
      ['run', '--silent', 'cli', '--', 'report:daily', '--date', DATE, '--merchant', merchantGlobalId(globex.merchantId)],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: server.db.url ?? '', LOG_LEVEL: 'warn' } },
    );
    expect(one.split('\r\n').filter(Boolean)).toHaveLength(7);
  }, 60_000);
});
