import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOffsetTimeline } from '../../src/db/sql/stats.ts';
import { TIME_UNITS, timeBuckets, timelineBetween } from '../../src/domain/time-buckets.ts';
import { ValidationFailedError } from '../../src/services/errors.ts';
import { rowsAskedFor, transactionStats, type StatsRequest, type StatsSize } from '../../src/services/stats.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';
import { insertMerchant, insertTransaction } from '../support/fixtures.ts';

let db: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  merchantId = await insertMerchant(db, 'Stats');
});
afterAll(() => db?.drop());

const request = (overrides: Partial<StatsRequest>): StatsRequest => ({
  from: '2026-11-01',
  to: '2026-11-01',
  timeZone: 'America/New_York',
  groupBy: [],
  merchantId: undefined,
  ...overrides,
});

describe('transactionStats', () => {
  it('splits the hour that occurs twice and makes the day 25 hours (America/New_York, 2026-11-01)', async () => {
    const at = (createdAt: string, amountMinor: bigint, status?: 'PAID') =>
      insertTransaction(db, { merchantId, createdAt, amountMinor, currency: 'USD', ...(status ? { history: [{ status, at: createdAt }] } : {}) });
    await at('2026-11-01T03:59:59.999Z', 1n); // 23:59:59.999 EDT on the 31st
    await at('2026-11-01T05:30:00Z', 10n); // 01:30 EDT
    await at('2026-11-01T06:30:00Z', 100n, 'PAID'); // 01:30 EST, an hour later
    await at('2026-11-02T04:59:59.999Z', 1000n); // 23:59:59.999 EST: still the 1st, in its 25th hour

    const day = await transactionStats(db, request({ groupBy: ['DAY'], merchantId }));
    expect(day.rows.map((row) => [new Date(row.bucket.start).toISOString(), new Date(row.bucket.end).toISOString(), row.counts.created])).toEqual([
      ['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', 3],
    ]);
    const hours = await transactionStats(db, request({ groupBy: ['HOUR'], merchantId }));
    expect(hours.rows).toHaveLength(25);
    expect(hours.rows.filter((row) => row.counts.created > 0).map((row) => [row.bucket.localStart, row.counts.created, row.counts.paid, row.amounts[0]?.created])).toEqual([
      ['2026-11-01T01:00:00-04:00', 1, 0, 10n],
      ['2026-11-01T01:00:00-05:00', 1, 1, 100n],
      ['2026-11-01T23:00:00-05:00', 1, 0, 1000n],
    ]);
  });

  it('lists every bucket and every series with zeros, and the same currencies in every row', async () => {
    const quiet = await insertMerchant(db, 'Quiet');
    await insertTransaction(db, { merchantId: quiet, createdAt: '2026-06-03T12:00:00Z', amountMinor: 250n, currency: 'JPY' });
    const stats = await transactionStats(db, request({ from: '2026-06-01', to: '2026-06-04', timeZone: 'UTC', groupBy: ['DAY', 'STATUS'], merchantId: quiet, statuses: ['CREATED', 'PAID'], currencies: ['JPY', 'EUR'] }));
    expect(stats.currencies).toEqual(['EUR', 'JPY']);
    expect(stats.rows.map((row) => `${row.bucket.date} ${row.status} ${row.counts.created} ${row.conversionRate ?? '-'} ${row.amounts.map((a) => `${a.currency}:${a.created}`).join(',')}`)).toEqual([
      '2026-06-01 CREATED 0 - EUR:0,JPY:0',
      '2026-06-01 PAID 0 - EUR:0,JPY:0',
      '2026-06-02 CREATED 0 - EUR:0,JPY:0',
      '2026-06-02 PAID 0 - EUR:0,JPY:0',
      '2026-06-03 CREATED 1 0.0000 EUR:0,JPY:250',
      '2026-06-03 PAID 0 - EUR:0,JPY:0',
      '2026-06-04 CREATED 0 - EUR:0,JPY:0',
      '2026-06-04 PAID 0 - EUR:0,JPY:0',
    ]);
  });

  it('never adds amounts across currencies, sums past int64 exactly, and counts refunded money', async () => {
    const big = await insertMerchant(db, 'Big');
    const huge = 9_000_000_000_000_000_000n;
    for (const [index, currency] of ['EUR', 'EUR', 'KWD'].entries()) {
      // A partial refund of the first (the refund flow keeps the refunded total on the row).
      const refunds = index === 0 ? [{ amountMinor: 1234n }] : [];
      await insertTransaction(db, { merchantId: big, createdAt: '2026-07-01T10:00:00Z', amountMinor: huge, currency, history: [{ status: 'CAPTURED', at: '2026-07-01T10:01:00Z' }], refunds });
    }
    const stats = await transactionStats(db, request({ from: '2026-07-01', to: '2026-07-01', timeZone: 'UTC', merchantId: big }));
    expect(stats.rows).toHaveLength(1);
    expect(stats.rows[0]?.counts).toEqual({ created: 3, captured: 3, paid: 0, cancelled: 0, rejected: 0, refunded: 1 });
    expect(stats.rows[0]?.conversionRate).toBe('1.0000');
    expect(stats.rows[0]?.amounts.map((amounts) => [amounts.currency, amounts.created, amounts.captured, amounts.paid, amounts.refunded])).toEqual([
      ['EUR', 2n * huge, 2n * huge, 0n, 1234n],
      ['KWD', huge, huge, 0n, 0n],
    ]);
  });

  it.each<[string, Partial<StatsRequest>, string[][]]>([
    ['to before from', { from: '2026-03-02', to: '2026-03-01' }, [['to']]],
    ['367 days', { from: '2026-01-01', to: '2027-01-02' }, [['to']]],
    ['an impossible date', { from: '2026-02-29' }, [['from']]],
    ['HOUR over 32 days', { from: '2026-01-01', to: '2026-02-01', groupBy: ['HOUR'] }, [['groupBy']]],
    ['two time dimensions', { groupBy: ['DAY', 'WEEK'] }, [['groupBy']]],
    ['a dimension twice', { groupBy: ['STATUS', 'STATUS'] }, [['groupBy']]],
    ['an unknown zone', { timeZone: 'Mars/Olympus_Mons' }, [['timeZone']]],
    ['a POSIX zone spec', { timeZone: 'UTC+3' }, [['timeZone']]],
    ['no status', { statuses: [] }, [['filter', 'statuses']]],
    ['bad currencies', { currencies: ['EUR', 'eur', 'XBT'] }, [['filter', 'currencies', '1'], ['filter', 'currencies', '2']]],
    ['several problems at once', { from: '2026-01-10', to: '2026-01-01', timeZone: 'Nowhere' }, [['to'], ['timeZone']]],
  ])('refuses %s with a ValidationFailedError naming each field', async (_name, overrides, paths) => {
    const error = await transactionStats(db, request(overrides)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect((error as ValidationFailedError).fields.map((field) => field.path)).toEqual(paths);
  });

  it("finds a range's buckets in its zone's years of offsets as in the range's own, on and around every change", async () => {
    const DAY = 86_400_000;
    const day = (at: number) => new Date(at).toISOString().slice(0, 10);
    // Whole-hour, half-hour and 45-minute changes, a negative DST (Dublin), a two-hour one (Troll), a repeated midnight (Havana).
    for (const zone of ['America/New_York', 'Australia/Lord_Howe', 'Europe/Dublin', 'Antarctica/Troll', 'America/Havana', 'Pacific/Chatham']) {
      const years = await readOffsetTimeline(db.sql, '2026-01-01', '2026-12-31', zone);
      const ranges = years.changes.slice(1).flatMap((change) => [-1, 0, 1].map((offset) => ({ from: day(change.at + offset * DAY), to: day(change.at + (offset + 1) * DAY) })));
      expect(ranges.length).toBeGreaterThan(0);
      for (const range of ranges) {
        const own = await readOffsetTimeline(db.sql, range.from, range.to, zone);
        const sliced = timelineBetween(years, Date.parse(`${range.from}T00:00:00Z`) - 2 * DAY, Date.parse(`${range.to}T00:00:00Z`) + 3 * DAY);
        for (const unit of [...TIME_UNITS, undefined]) expect(timeBuckets(range, unit, sliced), `${zone} ${range.from} ${unit}`).toEqual(timeBuckets(range, unit, own));
      }
    }
  });

  it('accepts the longest ranges: 366 days, and 31 days by hour', async () => {
    expect((await transactionStats(db, request({ from: '2028-01-01', to: '2028-12-31', groupBy: ['DAY'] }))).rows).toHaveLength(366);
    expect((await transactionStats(db, request({ from: '2026-01-01', to: '2026-01-31', timeZone: 'UTC', groupBy: ['HOUR'] }))).rows).toHaveLength(31 * 24);
  });

  it('shows the caller the size before the aggregate runs and once the series are known', async () => {
    const sizes: StatsSize[] = [];
    await transactionStats(db, request({ from: '2026-06-01', to: '2026-06-10', timeZone: 'UTC', groupBy: ['DAY', 'STATUS', 'CURRENCY'] }), { admit: (size) => sizes.push(size) });
    // Before: 10 days x 6 statuses x (currencies unknown: at least one); after: the JPY seen on 2026-06-03.
    expect(sizes).toEqual([
      { rows: 60, amountsPerRow: 1, exact: false },
      { rows: 60, amountsPerRow: 1, exact: true },
    ]);
  });

  it.runIf(TEST_DATABASE_URL !== undefined)('refuses before the aggregate runs: nothing waits for a locked transactions table', async () => {
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${db.schema}.transactions IN ACCESS EXCLUSIVE MODE`);
      const refusal = new Error('too large');
      const outcome = transactionStats(db, request({ from: '2026-01-01', to: '2026-01-31', timeZone: 'UTC', groupBy: ['HOUR', 'STATUS'] }), {
        admit: () => {
          throw refusal;
        },
      }).catch((caught: unknown) => caught);
      // A statement on the table would wait for the lock; the bound only turns such a wait into a failure.
      const blocked = new Promise((resolve) => setTimeout(resolve, 10_000, 'blocked on the lock'));
      expect(await Promise.race([outcome, blocked])).toBe(refusal);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it('tells the query cost the rows its arguments ask for, without the database', () => {
    const asked = (overrides: Partial<StatsRequest>) => rowsAskedFor(request(overrides));
    expect(asked({ from: '2026-03-01', to: '2026-03-31', groupBy: ['HOUR', 'STATUS'] })).toBe(31 * 24 * 6);
    expect(asked({ from: '2026-01-07', to: '2026-01-20', groupBy: ['WEEK', 'CURRENCY'], currencies: ['EUR', 'USD', 'EUR'] })).toBe(3 * 2);
    expect(asked({ from: '2026-01-31', to: '2026-03-01', groupBy: ['MONTH', 'STATUS'], statuses: ['PAID'] })).toBe(3);
    expect(asked({ from: '2026-01-01', to: '2026-12-31', groupBy: ['MERCHANT'] })).toBe(1);
    // Past the caps, validation answers (with a clearer message than the cost limit would).
    expect(asked({ from: '2020-01-01', to: '2029-12-31', groupBy: ['HOUR'] })).toBe(31 * 24);
    expect(asked({ from: 'not a date', to: '2026-01-01', groupBy: ['DAY'] })).toBe(1);
  });
});
