import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_TRANSITIONS, type TransactionStatus } from '../../src/domain/status.ts';
import { ValidationFailedError } from '../../src/services/errors.ts';
import { conversionFunnelQuery, refundsQuery, remittanceQuery, statusRowsQuery } from '../../src/db/sql/reports.ts';
import {
  conversionFunnel,
  merchantBreakdown,
  refundRows,
  remittance,
  reportDayBounds,
  resolveReportDay,
  statusRows,
  type ReportDay,
} from '../../src/services/reports.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { insertMerchant, insertTransaction } from '../support/fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const day = (date: string, timeZone: string): ReportDay => ({ date, timeZone });
const simplified = (rows: { status: string; currency: string; count: number; totalMinor: bigint }[]) =>
  rows.map((row) => `${row.status} ${row.currency} ${row.count} ${row.totalMinor}`);

describe('resolveReportDay', () => {
  it('accepts IANA names case-insensitively and answers the canonical spelling', async () => {
    expect(await resolveReportDay(db, '2026-03-08', 'america/new_york')).toEqual({ date: '2026-03-08', timeZone: 'America/New_York' });
    expect(await resolveReportDay(db, '2026-03-08')).toEqual({ date: '2026-03-08', timeZone: 'UTC' });
    expect((await resolveReportDay(db, '2026-03-08', 'Etc/GMT-8')).timeZone).toBe('Etc/GMT-8');
  });

  it.each([
    ['Mars/Olympus_Mons'],
    // PostgreSQL would take these as POSIX specs ("UTC+3" is UTC-3): not IANA names, so refused.
    ['UTC+3'],
    ['+08:00'],
    ['EST5EDT,M3.2.0,M11.1.0'],
    ['posix/Europe/Berlin'],
    ['localtime'],
    [''],
    ["Europe/Berlin'; DROP TABLE transactions; --"],
    ['x'.repeat(300)],
  ])('refuses time zone %j with a ValidationFailedError on timeZone', async (timeZone) => {
    const error = await resolveReportDay(db, '2026-03-08', timeZone).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).fields.map((field) => field.path)).toEqual([['timeZone']]);
  });

  it('refuses impossible dates, naming every bad argument', async () => {
    const error = await resolveReportDay(db, '2026-02-29', 'Nowhere/Land').catch((caught: unknown) => caught);
    expect((error as ValidationFailedError).fields.map((field) => field.path)).toEqual([['date'], ['timeZone']]);
  });
});

describe('day boundaries', () => {
  it('makes a DST day 23 hours long (America/New_York, 2026-03-08) and counts exactly the local day', async () => {
    const merchantId = await insertMerchant(db, 'DST');
    const newYork = day('2026-03-08', 'America/New_York');
    expect(await reportDayBounds(db, newYork)).toEqual({ start: new Date('2026-03-08T05:00:00Z'), end: new Date('2026-03-09T04:00:00Z') });
    const at = async (createdAt: string, amountMinor: bigint) => insertTransaction(db, { merchantId, createdAt, amountMinor, currency: 'USD' });
    await at('2026-03-08T04:59:59.999Z', 1n); // 23:59:59.999 EST on the 7th
    await at('2026-03-08T05:00:00.000Z', 10n); // midnight EST: first instant of the 8th
    await at('2026-03-09T03:59:59.999Z', 100n); // 23:59:59.999 EDT: last instant of the 8th
    await at('2026-03-09T04:00:00.000Z', 1000n); // midnight EDT: the 9th (a naive 24-hour day would take it)
    await at('2026-03-09T04:30:00.000Z', 10000n);
    expect(simplified(await statusRows(db, newYork, merchantId))).toEqual(['CREATED USD 2 110']);
    expect(simplified(await statusRows(db, day('2026-03-07', 'America/New_York'), merchantId))).toEqual(['CREATED USD 1 1']);
    expect(simplified(await statusRows(db, day('2026-03-09', 'America/New_York'), merchantId))).toEqual(['CREATED USD 2 11000']);
  });

  it('makes the autumn DST day 25 hours long', async () => {
    expect(await reportDayBounds(db, day('2026-11-01', 'America/New_York'))).toEqual({
      start: new Date('2026-11-01T04:00:00Z'),
      end: new Date('2026-11-02T05:00:00Z'),
    });
  });

  it('puts transactions on the Asia/Shanghai calendar day, not the UTC one', async () => {
    const merchantId = await insertMerchant(db, 'Shanghai');
    const shanghai = day('2026-05-01', 'Asia/Shanghai');
    const at = async (createdAt: string, amountMinor: bigint) => insertTransaction(db, { merchantId, createdAt, amountMinor, currency: 'CNY' });
    await at('2026-04-30T15:59:59.999Z', 1n); // 23:59:59.999 on 30 April in Shanghai
    await at('2026-04-30T16:00:00.000Z', 10n); // 00:00 on 1 May in Shanghai (still 30 April in UTC)
    await at('2026-05-01T15:59:59.999Z', 100n);
    await at('2026-05-01T16:00:00.000Z', 1000n); // 2 May in Shanghai
    expect(simplified(await statusRows(db, shanghai, merchantId))).toEqual(['CREATED CNY 2 110']);
    expect(simplified(await statusRows(db, day('2026-05-01', 'UTC'), merchantId))).toEqual(['CREATED CNY 2 1100']);
    expect(simplified(await statusRows(db, day('2026-04-30', 'UTC'), merchantId))).toEqual(['CREATED CNY 2 11']);
  });
});

describe('daily report contents', () => {
  let merchantId: string;
  let otherMerchantId: string;
  const report = day('2026-06-15', 'Europe/Berlin'); // [2026-06-14T22:00Z, 2026-06-15T22:00Z)

  beforeAll(async () => {
    merchantId = await insertMerchant(db, 'Contents');
    otherMerchantId = await insertMerchant(db, 'Other');
    const on = (time: string) => `2026-06-15T${time}Z`;
    // Sums beyond int64: NUMERIC in SQL, bigint here, never a float.
    const huge = 9_000_000_000_000_000_000n;
    await insertTransaction(db, { merchantId, createdAt: on('08:00:00'), amountMinor: huge, currency: 'EUR' });
    await insertTransaction(db, { merchantId, createdAt: on('08:01:00'), amountMinor: huge, currency: 'EUR' });
    await insertTransaction(db, { merchantId, createdAt: on('08:02:00'), amountMinor: 1999n, currency: 'JPY', history: [{ status: 'REDIRECTED', at: on('08:02:01') }] });
    await insertTransaction(db, {
      merchantId,
      createdAt: on('09:00:00'),
      amountMinor: 1234n,
      currency: 'KWD',
      history: [
        { status: 'REDIRECTED', at: on('09:00:01') },
        { status: 'CAPTURED', at: on('09:05:00') },
        { status: 'PAID', at: on('20:00:00') },
      ],
    });
    // Straight to PAID (a notification skipped steps): still counts as redirected and captured.
    await insertTransaction(db, { merchantId, createdAt: on('10:00:00'), amountMinor: 500n, currency: 'KWD', history: [{ status: 'PAID', at: on('10:30:00') }] });
    await insertTransaction(db, {
      merchantId,
      createdAt: on('11:00:00'),
      amountMinor: 700n,
      currency: 'EUR',
      history: [{ status: 'REDIRECTED', at: on('11:00:01') }, { status: 'CAPTURED', at: on('11:10:00') }],
    });
    await insertTransaction(db, {
      merchantId,
      createdAt: on('12:00:00'),
      amountMinor: 300n,
      currency: 'EUR',
      history: [{ status: 'REDIRECTED', at: on('12:00:01') }, { status: 'CANCELLED', at: on('12:01:00'), source: 'MERCHANT_API', reason: 'CANCELLED_BY_MERCHANT' }],
    });
    // The consumer's cancel on the payment page (#22): cancelled, not rejected, and told apart by its reason.
    await insertTransaction(db, {
      merchantId,
      createdAt: on('12:30:00'),
      amountMinor: 350n,
      currency: 'EUR',
      history: [{ status: 'REDIRECTED', at: on('12:30:01') }, { status: 'CANCELLED', at: on('12:31:00'), source: 'CONSUMER', reason: 'CANCELLED_BY_CONSUMER' }],
    });
    await insertTransaction(db, { merchantId, createdAt: on('13:00:00'), amountMinor: 400n, currency: 'EUR', history: [{ status: 'REJECTED', at: on('13:01:00') }] });
    // Created the day before, paid on the report day: remittance, not rows.
    await insertTransaction(db, {
      merchantId,
      createdAt: '2026-06-14T10:00:00Z',
      amountMinor: 2500n,
      currency: 'EUR',
      history: [{ status: 'CAPTURED', at: '2026-06-14T10:05:00Z' }, { status: 'PAID', at: on('07:00:00') }],
    });
    // Created on the report day, paid the day after: in rows (as PAID, its current status) and the funnel,
    // not in this day's remittance.
    await insertTransaction(db, {
      merchantId,
      createdAt: on('21:59:59.999'),
      amountMinor: 800n,
      currency: 'EUR',
      history: [{ status: 'CAPTURED', at: on('21:59:59.999') }, { status: 'PAID', at: '2026-06-15T22:00:00Z' }],
    });
    await insertTransaction(db, { merchantId: otherMerchantId, createdAt: on('09:00:00'), amountMinor: 5n, currency: 'EUR', history: [{ status: 'PAID', at: on('09:30:00') }] });
  });

  it('groups the day created transactions by current status and currency with exact totals', async () => {
    expect(simplified(await statusRows(db, report, merchantId))).toEqual([
      'CREATED EUR 2 18000000000000000000',
      'REDIRECTED JPY 1 1999',
      'CAPTURED EUR 1 700',
      'PAID EUR 1 800',
      'PAID KWD 2 1734',
      'REJECTED EUR 1 400',
      'CANCELLED EUR 2 650',
    ]);
  });

  it('reads the funnel from the event log, cumulatively along the success path', async () => {
    expect(await conversionFunnel(db, report, merchantId)).toEqual({
      created: 10,
      // Not the two CREATED ones nor the one rejected from CREATED; the straight-to-PAID one counts.
      redirected: 7,
      captured: 4,
      paid: 3,
      rejected: 1,
      cancelled: 2,
      cancelledByConsumer: 1,
      cancelledByMerchant: 1,
      conversionRate: '0.4000',
    });
    expect(await conversionFunnel(db, day('2030-01-01', 'UTC'), merchantId)).toMatchObject({ created: 0, conversionRate: undefined });
  });

  it('agrees with the funnel computed from the full history, for every path the state machine allows', async () => {
    // Every legal history from CREATED (the funnel query reads most of it off the current status).
    const paths: TransactionStatus[][] = [];
    const walk = (path: TransactionStatus[]) => {
      paths.push(path);
      for (const next of ALLOWED_TRANSITIONS[path.at(-1) ?? 'CREATED']) walk([...path, next]);
    };
    walk(['CREATED']);
    const pathsMerchant = await insertMerchant(db, 'Every path');
    for (const [index, path] of paths.entries()) {
      const minute = String(index % 60).padStart(2, '0');
      await insertTransaction(db, {
        merchantId: pathsMerchant,
        createdAt: `2026-07-01T10:${minute}:00Z`,
        amountMinor: 100n,
        currency: 'EUR',
        history: path.slice(1).map((status, step) => ({ status: status as Exclude<TransactionStatus, 'CREATED'>, at: `2026-07-01T11:${minute}:0${step}Z` })),
      });
    }
    const reached = (path: TransactionStatus[], statuses: TransactionStatus[]) => path.some((status) => statuses.includes(status));
    const count = (predicate: (path: TransactionStatus[]) => boolean) => paths.filter(predicate).length;
    const funnel = await conversionFunnel(db, day('2026-07-01', 'UTC'), pathsMerchant);
    expect(paths).toHaveLength(12);
    expect(funnel).toMatchObject({
      created: paths.length,
      redirected: count((path) => reached(path, ['REDIRECTED', 'CAPTURED', 'PAID'])),
      captured: count((path) => reached(path, ['CAPTURED', 'PAID'])),
      paid: count((path) => reached(path, ['PAID'])),
      rejected: count((path) => reached(path, ['REJECTED'])),
      cancelled: count((path) => reached(path, ['CANCELLED'])),
    });
  });

  it('counts remittance by the day of the PAID event, per currency', async () => {
    expect(simplified((await remittance(db, report, merchantId)).map((row) => ({ ...row, status: 'PAID' })))).toEqual([
      'PAID EUR 1 2500',
      'PAID KWD 2 1734',
    ]);
  });

  it('keeps merchants apart, and totals across merchants for the whole platform', async () => {
    expect(simplified(await statusRows(db, report, otherMerchantId))).toEqual(['PAID EUR 1 5']);
    const all = await statusRows(db, report, undefined);
    expect(all.find((row) => row.status === 'PAID' && row.currency === 'EUR')).toMatchObject({ count: 2, totalMinor: 805n });
    expect(all.find((row) => row.status === 'PAID' && row.currency === 'KWD')).toMatchObject({ count: 2, totalMinor: 1734n });
    expect((await remittance(db, report, undefined)).find((row) => row.currency === 'EUR')).toMatchObject({ count: 2, totalMinor: 2505n });
  });

  it('breaks the report down per merchant with the same numbers', async () => {
    const breakdown = await merchantBreakdown(db, report, undefined);
    const mine = breakdown.find((entry) => entry.merchant.id === merchantId);
    const theirs = breakdown.find((entry) => entry.merchant.id === otherMerchantId);
    expect(mine?.rows).toEqual(await statusRows(db, report, merchantId));
    expect(mine?.funnel).toEqual(await conversionFunnel(db, report, merchantId));
    expect(mine?.remittance).toEqual(await remittance(db, report, merchantId));
    expect(theirs?.merchant.name).toBe('Other');
    expect(theirs?.funnel).toMatchObject({ created: 1, paid: 1, conversionRate: '1.0000' });
    expect((await merchantBreakdown(db, report, otherMerchantId)).map((entry) => entry.merchant.id)).toEqual([otherMerchantId]);
  });
});

describe('refunds in the daily report', () => {
  let merchantId: string;
  const report = day('2026-03-08', 'America/New_York'); // 23 hours: [05:00Z, next day 04:00Z)
  const paid = (createdAt: string) => [{ status: 'CAPTURED' as const, at: createdAt }, { status: 'PAID' as const, at: createdAt }];

  beforeAll(async () => {
    merchantId = await insertMerchant(db, 'Refunding');
    // Paid long before, refunded around the report day's edges (a refund counts on the day of each change).
    await insertTransaction(db, {
      merchantId,
      createdAt: '2026-03-01T10:00:00Z',
      amountMinor: 10_000n,
      currency: 'USD',
      history: paid('2026-03-01T10:00:00Z'),
      refunds: [
        { amountMinor: 1n, requestedAt: '2026-03-08T04:59:59.999Z', completedAt: '2026-03-08T05:00:00Z' }, // requested the 7th, succeeded the 8th
        { amountMinor: 10n, requestedAt: '2026-03-09T03:59:59.999Z', completedAt: '2026-03-09T04:00:00Z' }, // requested the 8th, succeeded the 9th
        { amountMinor: 100n, status: 'FAILED', requestedAt: '2026-03-08T06:00:00Z', completedAt: '2026-03-08T07:00:00Z' },
        { amountMinor: 1000n, status: 'REQUESTED', requestedAt: '2026-03-08T08:00:00Z' },
      ],
    });
    // Paid on the report day, partly refunded the same day.
    await insertTransaction(db, {
      merchantId,
      createdAt: '2026-03-08T10:00:00Z',
      amountMinor: 5000n,
      currency: 'USD',
      history: paid('2026-03-08T11:00:00Z'),
      refunds: [{ amountMinor: 2000n, requestedAt: '2026-03-08T12:00:00Z', completedAt: '2026-03-08T12:30:00Z' }],
    });
    // Refunds beyond int64 in a currency with no payment that day: the remittance row is still there, negative.
    const huge = 9_000_000_000_000_000_000n;
    for (const hour of ['13', '14']) {
      await insertTransaction(db, {
        merchantId,
        createdAt: '2026-03-02T10:00:00Z',
        amountMinor: huge,
        currency: 'JPY',
        history: [{ status: 'CAPTURED', at: '2026-03-02T10:00:00Z' }],
        refunds: [{ amountMinor: huge, requestedAt: `2026-03-08T${hour}:00:00Z` }],
      });
    }
    // A capture anomaly's refund (the transaction is CANCELLED): a refund of the day, not deducted from remittance.
    await insertTransaction(db, {
      merchantId,
      createdAt: '2026-03-02T10:00:00Z',
      amountMinor: 700n,
      currency: 'USD',
      history: [{ status: 'CANCELLED', at: '2026-03-02T10:00:00Z' }],
      refunds: [{ amountMinor: 700n, requestedAt: '2026-03-08T15:00:00Z' }],
    });
  });

  it('counts refunds requested that day, and those that succeeded or failed that day, per currency', async () => {
    const tally = (rows: Awaited<ReturnType<typeof refundRows>>) =>
      rows.map((row) => [row.currency, ...[row.requested, row.succeeded, row.failed].map((figure) => `${figure.count}:${figure.totalMinor}`)]);
    expect(tally(await refundRows(db, report, merchantId))).toEqual([
      ['JPY', '2:18000000000000000000', '2:18000000000000000000', '0:0'],
      // requested: 10, 100, 1000, 2000, 700; succeeded: 1, 2000, 700; failed: 100.
      ['USD', '5:3810', '3:2701', '1:100'],
    ]);
    expect(tally(await refundRows(db, day('2026-03-09', 'America/New_York'), merchantId))).toEqual([['USD', '0:0', '1:10', '0:0']]);
    expect(tally(await refundRows(db, day('2026-03-07', 'America/New_York'), merchantId))).toEqual([['USD', '1:1', '0:0', '0:0']]);
  });

  it('nets the remittance of the refunds that succeeded that day, showing both, even when negative', async () => {
    expect((await remittance(db, report, merchantId)).map((row) => [row.currency, row.count, row.totalMinor, row.refundCount, row.refundedMinor, row.netMinor])).toEqual([
      ['JPY', 0, 0n, 2, 18_000_000_000_000_000_000n, -18_000_000_000_000_000_000n],
      // Paid 5000; refunded 1 + 2000 (not the 700 of the cancelled transaction, never remitted).
      ['USD', 1, 5000n, 2, 2001n, 2999n],
    ]);
  });

  it('breaks refunds down per merchant with the same numbers, for merchants with only refunds that day too', async () => {
    const [entry] = await merchantBreakdown(db, report, merchantId);
    expect(entry?.refunds).toEqual(await refundRows(db, report, merchantId));
    expect(entry?.remittance).toEqual(await remittance(db, report, merchantId));
    const onlyRefunds = await merchantBreakdown(db, day('2026-03-09', 'America/New_York'), undefined);
    expect(onlyRefunds.find((candidate) => candidate.merchant.id === merchantId)?.remittance.map((row) => row.netMinor)).toEqual([-10n]);
  });
});

describe('query plans', () => {
  // Scratch merchants for a table of realistic shape: 20,000 transactions over 30 days and 20 merchants.
  let probeMerchant: string;
  beforeAll(async () => {
    await db.pool.query(`
      INSERT INTO merchants (id, name) SELECT gen_random_uuid(), 'plan-' || n FROM generate_series(1, 20) AS n`);
    const { rows } = await db.pool.query<{ id: string }>(`SELECT id FROM merchants WHERE name = 'plan-7'`);
    probeMerchant = rows[0]?.id ?? '';
    await db.pool.query(`
      WITH plan_merchants AS (SELECT array_agg(id ORDER BY name) AS ids FROM merchants WHERE name LIKE 'plan-%'),
      seeded AS (
        INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, status, return_url, version, created_at, updated_at)
        SELECT gen_random_uuid(), ids[1 + n % 20], 'plan-' || n, 100 + n, 'EUR',
               (ARRAY['REDIRECTED','CAPTURED','PAID','REJECTED']::"TransactionStatus"[])[1 + n % 4], 'https://shop.example/r', 2,
               timestamptz '2026-01-01 00:00Z' + n * interval '130 seconds', timestamptz '2026-01-01 00:00Z' + n * interval '130 seconds'
        FROM plan_merchants, generate_series(1, 20000) AS n
        RETURNING id, merchant_id, status, created_at)
      INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, source, occurred_at)
      SELECT id, merchant_id, 1, 'CREATED'::"TransactionStatus", 'MERCHANT_API'::"EventSource", created_at FROM seeded
      UNION ALL SELECT id, merchant_id, 2, status, 'PROVIDER_NOTIFICATION'::"EventSource", created_at + interval '1 minute' FROM seeded`);
    await db.pool.query(`
      INSERT INTO refunds (id, transaction_id, merchant_id, amount_minor, currency, reason, status, source, requested_at, completed_at)
      SELECT gen_random_uuid(), id, merchant_id, 50, currency, 'plan', (ARRAY['SUCCEEDED','FAILED','REQUESTED']::"RefundStatus"[])[1 + n / 3 % 3],
             'MERCHANT_API', created_at + interval '2 hours', CASE WHEN n / 3 % 3 < 2 THEN created_at + interval '3 hours' END
      FROM (SELECT id, merchant_id, currency, created_at, row_number() OVER (ORDER BY created_at) AS n
            FROM transactions WHERE status IN ('CAPTURED', 'PAID') AND merchant_reference LIKE 'plan-%') paid
      WHERE n % 3 = 0`);
    await db.pool.query('ANALYZE transactions');
    await db.pool.query('ANALYZE transaction_events');
    await db.pool.query('ANALYZE refunds');
  });

  async function planNodes(query: { statement: { text: string }; values: unknown[] }): Promise<{ type: string; relation?: string; index?: string }[]> {
    const { rows } = await db.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${query.statement.text}`, query.values);
    type PlanNode = { 'Node Type': string; 'Relation Name'?: string; 'Index Name'?: string; Plans?: PlanNode[] };
    const root = (rows[0]?.['QUERY PLAN'] as { Plan: PlanNode }[])[0]?.Plan;
    const nodes: { type: string; relation?: string; index?: string }[] = [];
    const walk = (node: PlanNode | undefined) => {
      if (!node) return;
      nodes.push({ type: node['Node Type'], ...(node['Relation Name'] ? { relation: node['Relation Name'] } : {}), ...(node['Index Name'] ? { index: node['Index Name'] } : {}) });
      node.Plans?.forEach(walk);
    };
    walk(root);
    return nodes;
  }

  const planDay = day('2026-01-10', 'Asia/Shanghai');
  const scans = (nodes: { type: string; relation?: string }[]) => nodes.filter((node) => node.relation !== undefined);

  // Every read of transactions and transaction_events is driven by an index (a Bitmap Heap Scan is fed
  // by a Bitmap Index Scan); a Seq Scan would read the whole table.
  const INDEX_DRIVEN = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Heap Scan']);

  it('answers a merchant-day from indexes, never a sequential scan', async () => {
    for (const query of [statusRowsQuery(planDay, probeMerchant), conversionFunnelQuery(planDay, probeMerchant), remittanceQuery(planDay, probeMerchant), refundsQuery(planDay, probeMerchant)]) {
      const nodes = await planNodes(query);
      expect(scans(nodes).map((node) => node.relation).sort(), JSON.stringify(nodes)).not.toEqual([]);
      expect(scans(nodes).filter((node) => !INDEX_DRIVEN.has(node.type)), JSON.stringify(nodes)).toEqual([]);
    }
  });

  it('answers an all-merchants day from indexes too', async () => {
    for (const query of [statusRowsQuery(planDay, undefined), conversionFunnelQuery(planDay, undefined), remittanceQuery(planDay, undefined), refundsQuery(planDay, undefined)]) {
      const nodes = await planNodes(query);
      expect(scans(nodes).filter((node) => !INDEX_DRIVEN.has(node.type)), JSON.stringify(nodes)).toEqual([]);
    }
  });

  it('the probe merchant really has rows that day (the plans are for a non-trivial query)', async () => {
    const rows = await statusRows(db, planDay, probeMerchant);
    expect(rows.reduce((sum, row) => sum + row.count, 0)).toBeGreaterThan(20);
    const [refunds] = await refundRows(db, planDay, probeMerchant);
    expect(refunds?.requested.count).toBeGreaterThan(0);
  });
});
