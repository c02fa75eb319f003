import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumRemittance } from '../../src/db/sql/reports.ts';
import { readCommittedEvents, START_OF_LOG } from '../../src/events/log.ts';
import {
  AmountExceedsRefundableError,
  IdempotencyConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationFailedError,
} from '../../src/services/errors.ts';
import { createMerchant, type Actor } from '../../src/services/merchants.ts';
import { refundTransaction, settleRefund, type RefundTransactionInput } from '../../src/services/refunds.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';

let db: TestDatabase;
let merchant: Actor;
let other: Actor;
const admin: Actor = { role: 'ADMIN', apiKeyId: 'test' };

beforeAll(async () => {
  db = await createTestDatabase();
  const created = (await createMerchant(db, 'Refunds')).merchant.id;
  merchant = { role: 'MERCHANT', apiKeyId: 'test', merchantId: created };
  other = { role: 'MERCHANT', apiKeyId: 'other', merchantId: (await createMerchant(db, 'Other')).merchant.id };
});
afterAll(() => db?.drop());

const merchantIdOf = (actor: Actor) => (actor.role === 'MERCHANT' ? actor.merchantId : '');

/** A transaction of `merchant` moved along `path` (CAPTURED, PAID, CANCELLED, ...). */
async function transactionAt(path: ('CAPTURED' | 'PAID' | 'CANCELLED' | 'REJECTED')[], value = '100.00', currency = 'EUR'): Promise<string> {
  const created = await createTransaction(testServiceDeps(db), merchantIdOf(merchant), {
    merchantReference: 'refund-test',
    amount: { value, currency },
    returnUrl: 'https://shop.example/return',
  });
  for (const target of path) {
    const outcome = await transition(db, { transactionId: created.id, target, source: target === 'CANCELLED' ? 'MERCHANT_API' : 'PROVIDER_NOTIFICATION' });
    if (outcome.kind !== 'applied') throw new Error(`${target}: ${outcome.kind}`);
  }
  return created.id;
}

const refund = (transactionId: string, extra: Partial<RefundTransactionInput> = {}, actor: Actor = merchant) =>
  refundTransaction(db, actor, { transactionId, reason: 'returned goods', ...extra });

async function state(transactionId: string) {
  const transaction = await db.prisma.transaction.findUniqueOrThrow({ where: { id: transactionId }, include: { refunds: true, events: { orderBy: { sequence: 'asc' } } } });
  return transaction;
}

/** Completes a REQUESTED refund through the transition service, as the runner and notifications do. */
async function complete(refundId: string, status: 'SUCCEEDED' | 'FAILED', failureCode?: string) {
  expect(await settleRefund(db, refundId, { status, source: 'PROVIDER_NOTIFICATION', failureCode: failureCode ?? null })).toEqual({ kind: 'applied', status });
}

describe('requesting a refund', () => {
  it('records it REQUESTED, reserves its amount and appends a REFUND_REQUESTED event at the next sequence', async () => {
    const id = await transactionAt(['CAPTURED', 'PAID']);
    const requested = await refund(id, { amount: { value: '30.00', currency: 'EUR' } });
    expect(requested).toMatchObject({ transactionId: id, amountMinor: 3000n, currency: 'EUR', status: 'REQUESTED', reason: 'returned goods', source: 'MERCHANT_API' });
    const after = await state(id);
    expect(after).toMatchObject({ status: 'PAID', version: 5, refundPendingMinor: 3000n, refundedMinor: 0n });
    expect(after.events.map((event) => [event.sequence, event.kind, event.previousStatus, event.status, event.refundId])).toEqual([
      [1, 'STATUS_CHANGED', null, 'CREATED', null],
      [2, 'STATUS_CHANGED', 'CREATED', 'REDIRECTED', null],
      [3, 'STATUS_CHANGED', 'REDIRECTED', 'CAPTURED', null],
      [4, 'STATUS_CHANGED', 'CAPTURED', 'PAID', null],
      [5, 'REFUND_REQUESTED', 'PAID', 'PAID', requested.id],
    ]);
    // A status filter asks for status changes: the refund event (status PAID, unchanged) is not "into PAID".
    const intoPaid = await readCommittedEvents(db, { after: START_OF_LOG, limit: 100, merchantId: merchantIdOf(merchant), statuses: ['PAID'] });
    expect(intoPaid.filter((item) => item.event.transactionId === id).map((item) => item.event.sequence)).toEqual([4]);
    // Nor does the day's remittance count it as a second payment.
    const today = new Date().toISOString().slice(0, 10);
    const remitted = await sumRemittance(db.sql, { date: today, timeZone: 'UTC' }, merchantIdOf(merchant), 'total');
    expect(remitted.reduce((count, row) => count + row.count, 0)).toBe(1);
  });

  it('takes everything still refundable when no amount is given', async () => {
    const id = await transactionAt(['CAPTURED']);
    await refund(id, { amount: { value: '0.01', currency: 'EUR' } });
    const rest = await refund(id);
    expect(rest.amountMinor).toBe(9999n);
    await expect(refund(id)).rejects.toMatchObject({ code: 'AMOUNT_EXCEEDS_REFUNDABLE', refundableMinor: 0n });
  });

  it('of 50 concurrent partial refunds whose sum exceeds the captured amount, exactly those that fit are recorded', async () => {
    const id = await transactionAt(['CAPTURED', 'PAID']);
    const attempts = await Promise.allSettled(Array.from({ length: 50 }, () => refund(id, { amount: { value: '3.00', currency: 'EUR' } })));
    const recorded = attempts.filter((attempt) => attempt.status === 'fulfilled');
    const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason as unknown] : []));
    expect(recorded).toHaveLength(33);
    expect(refused).toHaveLength(17);
    for (const reason of refused) expect(reason).toBeInstanceOf(AmountExceedsRefundableError);
    const after = await state(id);
    expect(after.refunds).toHaveLength(33);
    expect(after.refundPendingMinor).toBe(9900n);
    expect(after.refunds.reduce((sum, row) => sum + row.amountMinor, 0n)).toBe(9900n);
    // One history row per recorded refund, sequences without a gap, the version at the last.
    expect(after.events.map((event) => event.sequence)).toEqual(Array.from({ length: 4 + 33 }, (_, index) => index + 1));
    expect(after.version).toBe(37);
  });

  it('frees the amount of a failed refund and keeps that of a succeeded one', async () => {
    const id = await transactionAt(['CAPTURED']);
    const first = await refund(id, { amount: { value: '60.00', currency: 'EUR' } });
    await expect(refund(id, { amount: { value: '60.00', currency: 'EUR' } })).rejects.toBeInstanceOf(AmountExceedsRefundableError);
    await complete(first.id, 'FAILED', 'SELLER_BALANCE_NOT_ENOUGH');
    const second = await refund(id, { amount: { value: '60.00', currency: 'EUR' } });
    await complete(second.id, 'SUCCEEDED');
    const after = await state(id);
    expect(after).toMatchObject({ status: 'CAPTURED', refundPendingMinor: 0n, refundedMinor: 6000n });
    expect(after.refunds.map((row) => [row.status, row.failureCode, row.completedAt !== null])).toEqual([
      ['FAILED', 'SELLER_BALANCE_NOT_ENOUGH', true],
      ['SUCCEEDED', null, true],
    ]);
    expect(after.events.slice(3).map((event) => [event.kind, event.refundId, event.reason])).toEqual([
      ['REFUND_REQUESTED', first.id, null],
      ['REFUND_FAILED', first.id, 'SELLER_BALANCE_NOT_ENOUGH'],
      ['REFUND_REQUESTED', second.id, null],
      ['REFUND_SUCCEEDED', second.id, null],
    ]);
    await expect(refund(id, { amount: { value: '40.01', currency: 'EUR' } })).rejects.toMatchObject({ refundableMinor: 4000n });
  });

  it('answers the same refund for the same key and input, and refuses the key with another input', async () => {
    const id = await transactionAt(['CAPTURED']);
    const input = { amount: { value: '10.00', currency: 'EUR' }, idempotencyKey: 'refund-once' };
    const [first, second] = await Promise.all([refund(id, input), refund(id, input)]);
    expect(second?.id).toBe(first?.id);
    expect((await state(id)).refunds).toHaveLength(1);
    await expect(refund(id, { ...input, amount: { value: '11.00', currency: 'EUR' } })).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(refund(id, { ...input, reason: 'another reason' })).rejects.toBeInstanceOf(IdempotencyConflictError);
    // The key is the merchant's: the same key on another of its transactions is another request.
    const elsewhere = await transactionAt(['CAPTURED']);
    await expect(refund(elsewhere, input)).rejects.toBeInstanceOf(IdempotencyConflictError);
    // A replay still answers after the refund completed.
    await complete(first.id, 'SUCCEEDED');
    expect((await refund(id, input)).id).toBe(first.id);
  });
});

describe('bad input: a clear error, nothing recorded', () => {
  async function refusedWithoutTrace(id: string, attempt: () => Promise<unknown>, expected: object) {
    const before = await state(id);
    await expect(attempt()).rejects.toMatchObject(expected);
    expect(await state(id)).toEqual(before);
  }

  it.each([
    ['negative', { amount: { value: '-1.00', currency: 'EUR' } }, ['input', 'amount', 'value']],
    ['zero', { amount: { value: '0.00', currency: 'EUR' } }, ['input', 'amount', 'value']],
    ['too many decimals', { amount: { value: '1.001', currency: 'EUR' } }, ['input', 'amount', 'value']],
    ['not a number', { amount: { value: '1e3', currency: 'EUR' } }, ['input', 'amount', 'value']],
    ['an unknown currency', { amount: { value: '1.00', currency: 'EURO' } }, ['input', 'amount', 'currency']],
    ['the wrong currency', { amount: { value: '1.00', currency: 'USD' } }, ['input', 'amount', 'currency']],
    ['an empty reason', { reason: '' }, ['input', 'reason']],
    ['a reason Alipay refuses', { reason: 'say "no"' }, ['input', 'reason']],
    ['a reason too long', { reason: 'x'.repeat(129) }, ['input', 'reason']],
    ['a control character', { reason: 'bad\u0000reason' }, ['input', 'reason']],
    ['an empty idempotency key', { idempotencyKey: '' }, ['input', 'idempotencyKey']],
  ])('%s', async (_case, input, path) => {
    const id = await transactionAt(['CAPTURED']);
    await refusedWithoutTrace(id, () => refund(id, input), { code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ path })] });
  });

  it('more than refundable', async () => {
    const id = await transactionAt(['PAID']);
    await refusedWithoutTrace(id, () => refund(id, { amount: { value: '100.01', currency: 'EUR' } }), { code: 'AMOUNT_EXCEEDS_REFUNDABLE', refundableMinor: 10_000n, currency: 'EUR' });
  });

  it.each([[[] as const], [['CANCELLED'] as const], [['REJECTED'] as const]])('a transaction at %j without an anomaly, even for ADMIN', async (path) => {
    const id = await transactionAt([...path]);
    for (const actor of [merchant, admin]) await refusedWithoutTrace(id, () => refund(id, {}, actor), { code: 'INVALID_STATE' });
  });

  it('a CREATED transaction', async () => {
    const id = await transactionAt([]);
    await db.prisma.$executeRaw`UPDATE transactions SET status = 'CREATED' WHERE id = ${id}::uuid`;
    await refusedWithoutTrace(id, () => refund(id), { code: 'INVALID_STATE', currentStatus: 'CREATED' });
  });

  it("another merchant's transaction, exactly like a missing one", async () => {
    const id = await transactionAt(['PAID']);
    await refusedWithoutTrace(id, () => refund(id, {}, other), { code: 'NOT_FOUND' });
    await expect(refund('0190f5c6-0000-7000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('capture anomalies', () => {
  it('ADMIN refunds money captured after a cancel; the anomaly is resolved, naming the refund, once it succeeds', async () => {
    const id = await transactionAt(['CANCELLED']);
    const anomaly = await db.prisma.anomaly.create({ data: { kind: 'CAPTURED_AFTER_CANCEL', transactionId: id, detail: 'TRADE_SUCCESS after CANCELLED' } });
    await expect(refund(id)).rejects.toBeInstanceOf(InvalidStateError);
    const requested = await refund(id, {}, admin);
    expect(requested).toMatchObject({ amountMinor: 10_000n, source: 'ADMIN_API' });
    const history = await db.prisma.transactionEvent.findMany({ where: { transactionId: id, kind: 'REFUND_REQUESTED' } });
    expect(history.map((event) => event.source)).toEqual(['ADMIN_API']);
    expect(await db.prisma.anomaly.findUniqueOrThrow({ where: { id: anomaly.id } })).toMatchObject({ status: 'OPEN', refundId: requested.id });
    await complete(requested.id, 'SUCCEEDED');
    const resolved = await db.prisma.anomaly.findUniqueOrThrow({ where: { id: anomaly.id } });
    expect(resolved).toMatchObject({ status: 'RESOLVED', refundId: requested.id });
    expect(resolved.resolution).toContain('refunded 100.00 EUR');
    expect(resolved.resolution).toContain(Buffer.from(`Refund:${requested.id}`).toString('base64'));
    expect(await state(id)).toMatchObject({ status: 'CANCELLED', refundedMinor: 10_000n, refundPendingMinor: 0n });
  });

  it('a failed anomaly refund leaves the anomaly open for another try', async () => {
    const id = await transactionAt(['REJECTED']);
    const anomaly = await db.prisma.anomaly.create({ data: { kind: 'CAPTURED_AFTER_REJECTION', transactionId: id, detail: 'paid after expiry' } });
    const first = await refund(id, {}, admin);
    await expect(refund(id, {}, admin)).rejects.toBeInstanceOf(AmountExceedsRefundableError);
    await complete(first.id, 'FAILED', 'REFUND_FAILED');
    expect(await db.prisma.anomaly.findUniqueOrThrow({ where: { id: anomaly.id } })).toMatchObject({ status: 'OPEN', refundId: first.id });
    const second = await refund(id, {}, admin);
    expect(await db.prisma.anomaly.findUniqueOrThrow({ where: { id: anomaly.id } })).toMatchObject({ status: 'OPEN', refundId: second.id });
  });

  it('validation still applies to ADMIN', async () => {
    const id = await transactionAt(['CAPTURED']);
    await expect(refund(id, { amount: { value: '0', currency: 'EUR' } }, admin)).rejects.toBeInstanceOf(ValidationFailedError);
  });
});
