import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument, NodeDocument, RefundTransactionDocument, TransactionRefundsDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { transition } from '../../src/services/transitions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchant: { merchantId: string; key: string };
let other: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  merchant = await server.createMerchant('Refunding');
  other = await server.createMerchant('Bystander');
});
afterAll(() => server?.close());

/** A transaction of `merchant` (global id), captured (and paid) as Alipay and the bank would report it. */
async function captured(value = '50.00', currency = 'EUR', paid = false): Promise<string> {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: `refund-${Math.random().toString(36).slice(2)}`, amount: { value, currency }, returnUrl: 'https://shop.example/return' } },
    merchant.key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  const id = decodeGlobalId(payload.transaction.id, 'Transaction') ?? '';
  for (const target of paid ? (['CAPTURED', 'PAID'] as const) : (['CAPTURED'] as const)) {
    await transition(server.db, { transactionId: id, target, source: 'PROVIDER_NOTIFICATION' });
  }
  return payload.transaction.id;
}

const refund = (transactionId: string, extra: Record<string, unknown> = {}, key = merchant.key) =>
  server.execute(RefundTransactionDocument, { input: { transactionId, reason: 'damaged on arrival', ...extra } }, key);

describe('refundTransaction', () => {
  it('records a partial refund and shows it on the transaction, its amounts and its history', async () => {
    const id = await captured('50.00', 'EUR', true);
    const result = await refund(id, { amount: { value: '12.5', currency: 'EUR' } });
    const payload = result.data?.refundTransaction;
    if (payload?.__typename !== 'RefundTransactionSuccess') throw new Error(JSON.stringify(result));
    expect(payload.refund).toMatchObject({
      amount: { value: '12.50', currency: 'EUR', minorUnits: '1250' },
      reason: 'damaged on arrival',
      status: 'REQUESTED',
      source: 'MERCHANT_API',
      providerReference: null,
      failureCode: null,
      completedAt: null,
      transaction: { id, status: 'PAID', refundedAmount: { value: '0.00', currency: 'EUR' }, refundableAmount: { value: '37.50', currency: 'EUR' } },
    });
    const read = (await server.execute(TransactionRefundsDocument, { id }, merchant.key)).data?.transaction;
    expect(read?.refunds.map((row) => row.id)).toEqual([payload.refund.id]);
    expect(read?.events.map((event) => [event.sequence, event.kind, event.previousStatus, event.status, event.refund?.id ?? null])).toEqual([
      [1, 'STATUS_CHANGED', null, 'CREATED', null],
      [2, 'STATUS_CHANGED', 'CREATED', 'REDIRECTED', null],
      [3, 'STATUS_CHANGED', 'REDIRECTED', 'CAPTURED', null],
      [4, 'STATUS_CHANGED', 'CAPTURED', 'PAID', null],
      [5, 'REFUND_REQUESTED', 'PAID', 'PAID', payload.refund.id],
    ]);
    // The refund is a Node: its merchant reads it, another merchant gets exactly what a missing id gets.
    expect((await server.execute(NodeDocument, { id: payload.refund.id }, merchant.key)).data?.node).toMatchObject({ __typename: 'Refund', id: payload.refund.id });
    expect((await server.execute(NodeDocument, { id: payload.refund.id }, other.key)).data?.node).toBeNull();
  });

  it('refunds everything still refundable without an amount, in the currency’s exponent', async () => {
    const id = await captured('1999', 'JPY');
    const result = (await refund(id)).data?.refundTransaction;
    expect(result?.__typename === 'RefundTransactionSuccess' && result.refund.amount).toEqual({ value: '1999', currency: 'JPY', minorUnits: '1999' });
  });

  it('answers each bad request with its typed error', async () => {
    const id = await captured('20.00');
    await refund(id, { amount: { value: '15.00', currency: 'EUR' } });
    expect((await refund(id, { amount: { value: '5.01', currency: 'EUR' } })).data?.refundTransaction).toEqual({
      __typename: 'AmountExceedsRefundableError',
      code: 'AMOUNT_EXCEEDS_REFUNDABLE',
      message: expect.any(String),
      refundableAmount: { value: '5.00', currency: 'EUR' },
    });
    expect((await refund(id, { amount: { value: '-1', currency: 'EUR' } })).data?.refundTransaction).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ path: ['input', 'amount', 'value'], message: 'must be greater than zero' }],
    });
    expect((await refund(id, { amount: { value: '1.00', currency: 'GBP' } })).data?.refundTransaction).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: ['input', 'amount', 'currency'], message: "must be the transaction's currency, EUR" }],
    });
    const redirected = (await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: 'not-paid', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      merchant.key,
    )).data?.createTransaction;
    const redirectedId = redirected?.__typename === 'CreateTransactionSuccess' ? redirected.transaction.id : '';
    expect((await refund(redirectedId)).data?.refundTransaction).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', currentStatus: 'REDIRECTED' });
    for (const missing of [id.slice(0, -4), 'not-an-id']) {
      expect((await refund(missing)).data?.refundTransaction).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    }
    expect((await refund(id, {}, other.key)).data?.refundTransaction).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    await refund(id, { amount: { value: '1.00', currency: 'EUR' }, idempotencyKey: 'k1' });
    expect((await refund(id, { amount: { value: '2.00', currency: 'EUR' }, idempotencyKey: 'k1' })).data?.refundTransaction).toMatchObject({
      __typename: 'IdempotencyConflictError',
      code: 'IDEMPOTENCY_CONFLICT',
    });
    const read = (await server.execute(TransactionRefundsDocument, { id }, merchant.key)).data?.transaction;
    expect(read?.refunds.map((row) => row.amount.value)).toEqual(['15.00', '1.00']);
    expect(read?.refundableAmount.value).toBe('4.00');
  });

  it('refuses a zero amount and a cancelled transaction without a capture anomaly, recording nothing', async () => {
    const id = await captured('10.00');
    expect((await refund(id, { amount: { value: '0.00', currency: 'EUR' } })).data?.refundTransaction).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: ['input', 'amount', 'value'], message: 'must be greater than zero' }],
    });
    const created = (await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: 'cancelled', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      merchant.key,
    )).data?.createTransaction;
    const cancelledId = created?.__typename === 'CreateTransactionSuccess' ? created.transaction.id : '';
    await transition(server.db, { transactionId: decodeGlobalId(cancelledId, 'Transaction') ?? '', target: 'CANCELLED', source: 'MERCHANT_API' });
    for (const key of [merchant.key, server.adminKey]) {
      expect((await refund(cancelledId, {}, key)).data?.refundTransaction).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', currentStatus: 'CANCELLED' });
    }
    for (const transactionId of [id, cancelledId]) {
      const read = (await server.execute(TransactionRefundsDocument, { id: transactionId }, merchant.key)).data?.transaction;
      expect(read?.refunds).toEqual([]);
    }
  });

  it("lets ADMIN refund any merchant's transaction", async () => {
    const id = await captured('8.00');
    const result = (await refund(id, {}, server.adminKey)).data?.refundTransaction;
    expect(result?.__typename).toBe('RefundTransactionSuccess');
    // Recorded as who acted, not as the merchant (#13.12).
    expect(result?.__typename === 'RefundTransactionSuccess' ? result.refund.source : undefined).toBe('ADMIN_API');
  });
});
