import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../../src/domain/status.ts';
import { createMerchant, type Actor } from '../../src/services/merchants.ts';
import { refundTransaction, settleRefund } from '../../src/services/refunds.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { sumTransactions, type StatsGrouping, type StatsSum } from '../../src/db/sql/stats.ts';
import { sumHourlyFigures } from '../../src/db/sql/stats-hourly.ts';
import { checkStats, compactStats, rebuildStats, startStatsCompaction } from '../../src/services/stats-hourly.ts';
import { transactionStats } from '../../src/services/stats.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';

/**
 * transactionStats' hourly figures equal the transactions they count, after random changes through the transition
 * service (creations, status changes legal or not, refunds requested, succeeded or failed), several at once on
 * PostgreSQL, with compactions and rebuilds in between and beside them: the figures recorded (folded and not) and the
 * figures counted from the transactions are compared in one snapshot.
 */

let db: TestDatabase;
let merchants: string[];
const CURRENCIES = ['EUR', 'JPY', 'KWD'] as const;

beforeAll(async () => {
  db = await createTestDatabase();
  merchants = [(await createMerchant(db, 'Hourly A')).merchant.id, (await createMerchant(db, 'Hourly B')).merchant.id];
});
afterAll(() => db?.drop());

async function expectFiguresEqualTransactions(): Promise<void> {
  const { keys, differing } = await checkStats(db);
  expect(differing).toEqual([]);
  // Something was compared (an empty comparison would pass whatever the writers did).
  expect(keys).toBe(Number((await db.pool.query<{ keys: string }>(
    `SELECT count(*)::text AS keys FROM (SELECT DISTINCT merchant_id, date_trunc('hour', created_at, 'UTC'), currency, status FROM transactions) AS k`,
  )).rows[0]!.keys));
}

const amountOf = (currency: string, units: number) => (currency === 'JPY' ? String(units) : currency === 'KWD' ? `${units}.125` : `${units}.99`);

type Operation =
  | { kind: 'create'; merchant: number; currency: string; units: number }
  | { kind: 'seed'; merchant: number; currency: string; units: number; hoursAgo: number; status: TransactionStatus }
  | { kind: 'transition'; pick: number; target: TransactionStatus }
  | { kind: 'refund'; pick: number; share: number }
  | { kind: 'settle'; pick: number; succeeded: boolean }
  | { kind: 'compact' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), merchant: fc.nat(1), currency: fc.constantFrom(...CURRENCIES), units: fc.integer({ min: 1, max: 5000 }) }),
  fc.record({
    kind: fc.constant('seed' as const),
    merchant: fc.nat(1),
    currency: fc.constantFrom(...CURRENCIES),
    units: fc.integer({ min: 1, max: 5000 }),
    hoursAgo: fc.integer({ min: 0, max: 72 }),
    status: fc.constantFrom<TransactionStatus>('CREATED', 'REDIRECTED', 'CAPTURED', 'PAID'),
  }),
  fc.record({ kind: fc.constant('transition' as const), pick: fc.nat(), target: fc.constantFrom(...TRANSACTION_STATUSES) }),
  fc.record({ kind: fc.constant('transition' as const), pick: fc.nat(), target: fc.constantFrom<TransactionStatus>('CAPTURED', 'PAID') }),
  fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), share: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('settle' as const), pick: fc.nat(), succeeded: fc.boolean() }),
  fc.constant({ kind: 'compact' as const }),
);

const SEED_PATHS: Record<string, { status: 'REDIRECTED' | 'CAPTURED' | 'PAID' }[]> = {
  CREATED: [],
  REDIRECTED: [{ status: 'REDIRECTED' }],
  CAPTURED: [{ status: 'REDIRECTED' }, { status: 'CAPTURED' }],
  PAID: [{ status: 'REDIRECTED' }, { status: 'CAPTURED' }, { status: 'PAID' }],
};

/** Runs one operation; refusals (illegal transitions, refunds over the amount, a race lost) are part of the game. */
async function run(op: Operation, known: { transactions: string[]; refunds: string[] }): Promise<void> {
  const pickFrom = <T>(list: readonly T[], pick: number): T | undefined => (list.length === 0 ? undefined : list[pick % list.length]);
  switch (op.kind) {
    case 'create': {
      const created = await createTransaction(testServiceDeps(db), merchants[op.merchant]!, {
        merchantReference: 'hourly',
        amount: { value: amountOf(op.currency, op.units), currency: op.currency },
        returnUrl: 'https://shop.example/return',
      });
      known.transactions.push(created.id);
      return;
    }
    case 'seed': {
      const createdAt = new Date(Date.now() - op.hoursAgo * 3_600_000 - op.units * 1000);
      const [id] = await seedTransactions(db.sql, [
        { merchantId: merchants[op.merchant]!, currency: op.currency, amountMinor: BigInt(op.units), createdAt, history: SEED_PATHS[op.status]!.map((step) => ({ ...step, at: createdAt })) },
      ]);
      known.transactions.push(id!);
      return;
    }
    case 'transition': {
      const transactionId = pickFrom(known.transactions, op.pick);
      if (transactionId !== undefined) await transition(db, { transactionId, target: op.target, source: 'PROVIDER_NOTIFICATION' });
      return;
    }
    case 'refund': {
      const transactionId = pickFrom(known.transactions, op.pick);
      if (transactionId === undefined) return;
      const transaction = await db.prisma.transaction.findUniqueOrThrow({ where: { id: transactionId } });
      const minor = (transaction.amountMinor * BigInt(op.share)) / 100n;
      if (minor === 0n) return;
      const admin: Actor = { role: 'ADMIN', apiKeyId: 'test' };
      const exponent = transaction.currency === 'JPY' ? 0 : transaction.currency === 'KWD' ? 3 : 2;
      const value = exponent === 0 ? minor.toString() : `${minor / 10n ** BigInt(exponent)}.${(minor % 10n ** BigInt(exponent)).toString().padStart(exponent, '0')}`;
      const refund = await refundTransaction(db, admin, { transactionId, reason: 'hourly test', amount: { value, currency: transaction.currency } });
      known.refunds.push(refund.id);
      return;
    }
    case 'settle': {
      const refundId = pickFrom(known.refunds, op.pick);
      if (refundId !== undefined) await settleRefund(db, refundId, { status: op.succeeded ? 'SUCCEEDED' : 'FAILED', source: 'PROVIDER_NOTIFICATION' });
      return;
    }
    case 'compact':
      await compactStats(db, { batchSize: 7 });
      return;
  }
}

describe('transactionStats hourly figures', () => {
  it(
    'equal the transactions after random changes, several at once, with compactions between and beside them',
    async () => {
      // The embedded database is one connection: "at once" is then one after the other.
      const together = TEST_DATABASE_URL === undefined ? 1 : 4;
      const refusals: string[] = [];
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 30 }), fc.boolean(), async (operations, rebuildAfter) => {
          const known = { transactions: [] as string[], refunds: [] as string[] };
          for (let index = 0; index < operations.length; index += together) {
            const outcomes = await Promise.allSettled(operations.slice(index, index + together).map((op) => run(op, known)));
            for (const outcome of outcomes) if (outcome.status === 'rejected') refusals.push(String(outcome.reason?.constructor?.name ?? outcome.reason));
            await expectFiguresEqualTransactions();
          }
          await compactStats(db);
          await expectFiguresEqualTransactions();
          if (rebuildAfter) {
            expect(await rebuildStats(db)).toBe(true);
            await expectFiguresEqualTransactions();
          }
        }),
        { numRuns: TEST_DATABASE_URL === undefined ? 5 : 20 },
      );
      // Refusals are expected (a refund over what is left, a refund of a transaction not captured), failures are not.
      expect(refusals.filter((name) => !['AmountExceedsRefundableError', 'InvalidStateError'].includes(name))).toEqual([]);
      expect(await db.prisma.transaction.count()).toBeGreaterThan(0);
    },
    240_000,
  );

  it('follow every kind of change: creation, each status, a refund that succeeds and one that fails', async () => {
    const known = { transactions: [] as string[], refunds: [] as string[] };
    const steps: Operation[] = [
      { kind: 'create', merchant: 0, currency: 'KWD', units: 7 },
      { kind: 'seed', merchant: 1, currency: 'JPY', units: 900, hoursAgo: 30, status: 'REDIRECTED' },
      { kind: 'seed', merchant: 1, currency: 'EUR', units: 40, hoursAgo: 2, status: 'CREATED' },
      { kind: 'create', merchant: 0, currency: 'EUR', units: 12 },
    ];
    for (const step of steps) await run(step, known);
    const [kwd, jpy, eur, other] = known.transactions as [string, string, string, string];
    const moves: [string, TransactionStatus][] = [[kwd, 'CAPTURED'], [jpy, 'CAPTURED'], [jpy, 'PAID'], [eur, 'CANCELLED'], [other, 'REJECTED']];
    for (const [transactionId, target] of moves) {
      expect((await transition(db, { transactionId, target, source: 'PROVIDER_NOTIFICATION' })).kind).toBe('applied');
      await expectFiguresEqualTransactions();
    }
    await run({ kind: 'refund', pick: 0, share: 50 }, known);
    await run({ kind: 'refund', pick: 1, share: 10 }, known);
    await expectFiguresEqualTransactions();
    await run({ kind: 'settle', pick: 0, succeeded: true }, known);
    await run({ kind: 'settle', pick: 1, succeeded: false }, known);
    await expectFiguresEqualTransactions();
    const statuses = await db.prisma.transaction.findMany({ where: { id: { in: known.transactions } }, select: { status: true, refundedMinor: true } });
    expect(new Set(statuses.map((transaction) => transaction.status))).toEqual(new Set(['CAPTURED', 'PAID', 'CANCELLED', 'REJECTED']));
    expect(statuses.filter((transaction) => transaction.refundedMinor > 0n)).toHaveLength(1);
    await compactStats(db);
    await expectFiguresEqualTransactions();
  });

  it.skipIf(TEST_DATABASE_URL === undefined)('stay equal when one transaction is raced by many changes, a compaction and a rebuild', async () => {
    const created = await createTransaction(testServiceDeps(db), merchants[0]!, { merchantReference: 'race', amount: { value: '12.34', currency: 'EUR' }, returnUrl: 'https://shop.example/return' });
    const targets: TransactionStatus[] = ['CAPTURED', 'CANCELLED', 'REJECTED', 'CAPTURED', 'PAID', 'CANCELLED'];
    await Promise.all([
      ...targets.map((target) => transition(db, { transactionId: created.id, target, source: 'PROVIDER_NOTIFICATION' })),
      compactStats(db, { batchSize: 1 }),
      rebuildStats(db),
      compactStats(db),
    ]);
    await expectFiguresEqualTransactions();
    await compactStats(db);
    await expectFiguresEqualTransactions();
  });

  it('answer a merchant series exactly as the transactions do, folded or not', async () => {
    const merchantId = merchants[1]!;
    const now = new Date();
    const from = new Date(now.getTime() - 4 * 86_400_000).toISOString().slice(0, 10);
    const to = now.toISOString().slice(0, 10);
    const hourly = async (timeZone: string) =>
      (await transactionStats(db, { from, to, timeZone, groupBy: ['DAY', 'STATUS', 'CURRENCY'], merchantId })).rows.map((row) => [row.bucket.date, row.status, row.currency, row.counts, row.amounts]);
    // Asia/Kolkata (+05:30) cannot be answered by UTC hours: it reads the transactions, the oracle for the others.
    const before = { berlin: await hourly('Europe/Berlin'), kolkata: await hourly('Asia/Kolkata') };
    await compactStats(db);
    expect(await hourly('Europe/Berlin')).toEqual(before.berlin);
    expect(await hourly('Asia/Kolkata')).toEqual(before.kolkata);
  });

  it('answer one-hour buckets as the transactions do, rows as stored added up, changes folded or not', async () => {
    const merchantId = merchants[0]!;
    // Changes not folded yet, some moving transactions out of a status they were folded under (a REDIRECTED hour
    // that nets to zero is left out, as the grouped statement's HAVING leaves it out).
    const open = await db.prisma.transaction.findMany({ where: { merchantId, status: { in: ['CREATED', 'REDIRECTED'] } }, select: { id: true }, take: 3 });
    for (const { id } of open) await transition(db, { transactionId: id, target: 'CANCELLED', source: 'MERCHANT_API' });
    const created = await createTransaction(testServiceDeps(db), merchantId, { merchantReference: 'hour', amount: { value: '3.99', currency: 'EUR' }, returnUrl: 'https://shop.example/return' });
    await transition(db, { transactionId: created.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    const end = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
    const hours = Array.from({ length: 75 }, (_, index) => end - (74 - index) * 3_600_000);
    /** The sums by bucket and the grouping's values, whatever rows they came in. */
    const totals = (sums: readonly StatsSum[]) => {
      const byKey = new Map<string, { counts: Record<string, number>; amounts: Record<string, bigint> }>();
      for (const sum of sums) {
        const key = `${sum.bucket} ${sum.status ?? ''} ${sum.merchantId ?? ''} ${sum.amounts.currency}`;
        const total = byKey.get(key) ?? { counts: {}, amounts: {} };
        for (const [figure, count] of Object.entries(sum.counts)) total.counts[figure] = (total.counts[figure] ?? 0) + count;
        for (const [figure, amount] of Object.entries(sum.amounts)) if (typeof amount === 'bigint') total.amounts[figure] = (total.amounts[figure] ?? 0n) + amount;
        byKey.set(key, total);
      }
      return [...byKey].sort(([a], [b]) => a.localeCompare(b));
    };
    const compare = async () => {
      let compared = 0;
      for (const grouping of [{ time: true, status: false, merchant: false }, { time: true, status: true, merchant: true }] satisfies StatsGrouping[]) {
        for (const statuses of [TRANSACTION_STATUSES, ['REDIRECTED'], ['CAPTURED', 'PAID', 'CANCELLED']] satisfies (readonly TransactionStatus[])[]) {
          for (const currencies of [[], ['EUR', 'KWD']]) {
            const filter = { statuses, currencies, merchantId };
            const fromHours = totals(await sumHourlyFigures(db.sql, hours, grouping, filter));
            expect(fromHours).toEqual(totals(await sumTransactions(db.sql, hours, grouping, filter)));
            compared += fromHours.length;
          }
        }
      }
      expect(compared).toBeGreaterThan(0);
    };
    await compare();
    await compactStats(db);
    await compare();
  });

  it('are folded by the runner every interval, one compaction at a time, until it stops', async () => {
    expect(startStatsCompaction({ db, config: loadConfig({ STATS_COMPACTION_INTERVAL_SECONDS: '0' }), logger: createLogger('silent') })).toBeUndefined();
    await seedTransactions(db.sql, [{ merchantId: merchants[0]!, currency: 'EUR', amountMinor: 5n }]);
    const pending = async () => Number((await db.pool.query<{ count: string }>('SELECT count(*)::text AS count FROM transaction_stats_changes')).rows[0]!.count);
    expect(await pending()).toBeGreaterThan(0);
    const runners = [1, 2].map(() => startStatsCompaction({ db, config: loadConfig({ STATS_COMPACTION_INTERVAL_SECONDS: '1' }), logger: createLogger('silent') })!);
    await expect.poll(pending, { timeout: 10_000, interval: 200 }).toBe(0);
    await Promise.all(runners.map((runner) => runner.stop()));
    await expectFiguresEqualTransactions();
  });
});
