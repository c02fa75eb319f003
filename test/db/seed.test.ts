import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The one seeding helper of tests, benchmarks and drills: rows exactly as the transition service leaves them.
let db: TestDatabase;
let merchantId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  merchantId = (await db.prisma.merchant.create({ data: { name: 'Seeded' } })).id;
});
afterAll(() => db?.drop());

it('writes each transaction and its chained history, in one statement, at the chosen instants', async () => {
  const [paid, created] = await seedTransactions(db.sql, [
    {
      merchantId,
      amountMinor: 1999n,
      currency: 'USD',
      createdAt: '2026-03-01T10:00:00Z',
      history: [
        { status: 'REDIRECTED', at: '2026-03-01T10:00:01Z' },
        { status: 'CAPTURED', at: '2026-03-01T10:03:00Z' },
        { status: 'PAID', at: '2026-03-02T09:00:00Z' },
      ],
    },
    { merchantId },
  ]);
  expect(await db.prisma.transaction.findUniqueOrThrow({ where: { id: paid ?? '' } })).toMatchObject({
    status: 'PAID',
    version: 4,
    amountMinor: 1999n,
    currency: 'USD',
    createdAt: new Date('2026-03-01T10:00:00Z'),
    updatedAt: new Date('2026-03-02T09:00:00Z'),
  });
  const history = await db.prisma.transactionEvent.findMany({ where: { transactionId: paid ?? '' }, orderBy: { sequence: 'asc' } });
  expect(history.map((event) => [event.sequence, event.previousStatus, event.status, event.source, event.occurredAt.toISOString()])).toEqual([
    [1, null, 'CREATED', 'MERCHANT_API', '2026-03-01T10:00:00.000Z'],
    [2, 'CREATED', 'REDIRECTED', 'MERCHANT_API', '2026-03-01T10:00:01.000Z'],
    [3, 'REDIRECTED', 'CAPTURED', 'PROVIDER_NOTIFICATION', '2026-03-01T10:03:00.000Z'],
    [4, 'CAPTURED', 'PAID', 'SETTLEMENT', '2026-03-02T09:00:00.000Z'],
  ]);
  expect(await db.prisma.transaction.findUniqueOrThrow({ where: { id: created ?? '' } })).toMatchObject({ status: 'CREATED', version: 1, amountMinor: 1000n });
});

it('refuses a history the state machine would not write, and writes nothing of the call', async () => {
  const before = await db.prisma.transaction.count();
  await expect(seedTransactions(db.sql, [{ merchantId }, { merchantId, history: [{ status: 'PAID' }, { status: 'CAPTURED' }] }])).rejects.toThrow(
    /PAID -> CAPTURED/,
  );
  expect(await db.prisma.transaction.count()).toBe(before);
});

it('writes refunds after the status history, with their REFUND_* rows and the sums the transition service keeps', async () => {
  const [id] = await seedTransactions(db.sql, [
    {
      merchantId,
      amountMinor: 5000n,
      createdAt: '2026-03-01T10:00:00Z',
      history: [{ status: 'CAPTURED', at: '2026-03-01T10:03:00Z' }, { status: 'PAID', at: '2026-03-02T09:00:00Z' }],
      refunds: [
        { amountMinor: 1000n, requestedAt: '2026-03-03T08:00:00Z', completedAt: '2026-03-03T08:05:00Z' },
        { amountMinor: 2000n, status: 'FAILED', requestedAt: '2026-03-04T08:00:00Z', completedAt: '2026-03-05T08:00:00Z' },
        { amountMinor: 500n, status: 'REQUESTED', requestedAt: '2026-03-06T08:00:00Z' },
      ],
    },
  ]);
  expect(await db.prisma.transaction.findUniqueOrThrow({ where: { id: id ?? '' } })).toMatchObject({
    status: 'PAID',
    version: 8,
    refundedMinor: 1000n,
    refundPendingMinor: 500n,
    updatedAt: new Date('2026-03-06T08:00:00Z'),
  });
  const refunds = await db.prisma.refund.findMany({ where: { transactionId: id ?? '' }, orderBy: { requestedAt: 'asc' } });
  expect(refunds.map((refund) => [refund.status, refund.amountMinor, refund.currency, refund.completedAt?.toISOString() ?? null, refund.nextAttemptAt])).toEqual([
    ['SUCCEEDED', 1000n, 'EUR', '2026-03-03T08:05:00.000Z', null],
    ['FAILED', 2000n, 'EUR', '2026-03-05T08:00:00.000Z', null],
    ['REQUESTED', 500n, 'EUR', null, null],
  ]);
  const history = await db.prisma.transactionEvent.findMany({ where: { transactionId: id ?? '' }, orderBy: { sequence: 'asc' } });
  expect(history.slice(3).map((event) => [event.sequence, event.kind, event.status, event.previousStatus, event.refundId])).toEqual([
    [4, 'REFUND_REQUESTED', 'PAID', 'PAID', refunds[0]?.id],
    [5, 'REFUND_SUCCEEDED', 'PAID', 'PAID', refunds[0]?.id],
    [6, 'REFUND_REQUESTED', 'PAID', 'PAID', refunds[1]?.id],
    [7, 'REFUND_FAILED', 'PAID', 'PAID', refunds[1]?.id],
    [8, 'REFUND_REQUESTED', 'PAID', 'PAID', refunds[2]?.id],
  ]);
});

it('refuses refunds the refund flow could not have made', async () => {
  await expect(seedTransactions(db.sql, [{ merchantId, refunds: [{ amountMinor: 1n }] }])).rejects.toThrow(/CREATED transaction has no refund/);
  await expect(
    seedTransactions(db.sql, [{ merchantId, amountMinor: 100n, history: [{ status: 'CAPTURED' }], refunds: [{ amountMinor: 60n }, { amountMinor: 41n, status: 'REQUESTED' }] }]),
  ).rejects.toThrow(/refunds exceed the amount/);
});
