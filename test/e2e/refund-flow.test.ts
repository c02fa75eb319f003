import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnomaliesDocument, CancelTransactionDocument, CreateTransactionDocument, RefundTransactionDocument, TransactionRefundsDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { startRefundRunner, type RefundRunner } from '../../src/services/refund-runner.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

/**
 * Refunds end to end, with no outside system: the consumer pays on the sandbox's Alipay, the merchant refunds over
 * GraphQL, the refund runner (as src/main.ts starts it) calls the sandbox's forex_refund, the sandbox notifies us like
 * Alipay, and ingestion applies it through the transition service. One case per outcome a developer can choose.
 */

let server: TestServer;
let runner: RefundRunner | undefined;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer({
    SANDBOX_REDELIVERY_RATE: '0',
    SANDBOX_REFUND_LATE_MS: '300',
    REFUND_CALL_TIMEOUT_MS: '500',
    REFUND_RECHECK_AFTER_SECONDS: '1',
    REFUND_RECHECK_LIMIT: '100',
    REFUND_RUNNER_INTERVAL_MS: '50',
  });
  runner = startRefundRunner({ db: server.db, config: server.config, logger: createLogger('silent'), alipay: () => server.alipay });
  merchant = await server.createMerchant('Refund Shop');
});
afterAll(async () => {
  await runner?.stop();
  await server?.close();
});

/**
 * A transaction the consumer paid on the sandbox's page (its Pay button posts the form back to the sandbox, which
 * notifies us); `before` runs between the redirect and the payment (a merchant cancel makes it a capture anomaly).
 */
async function paid(value: string, before?: (id: string) => Promise<unknown>): Promise<string> {
  const created = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: `paid-${value}`, amount: { value, currency: 'EUR' }, returnUrl: 'https://shop.example/return' } },
    merchant.key,
  );
  const payload = created.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(created));
  await before?.(payload.transaction.id);
  const form = new URL(payload.transaction.redirectUrl ?? '').searchParams;
  const pay = await fetch(`${server.url}/sandbox/alipay/pay`, { method: 'POST', body: form, redirect: 'manual' });
  expect(pay.status).toBe(303);
  return payload.transaction.id;
}

async function refund(transactionId: string, reason: string, value?: string, key = merchant.key) {
  const result = await server.execute(
    RefundTransactionDocument,
    { input: { transactionId, reason, ...(value ? { amount: { value, currency: 'EUR' } } : {}) } },
    key,
  );
  const payload = result.data?.refundTransaction;
  if (payload?.__typename !== 'RefundTransactionSuccess') throw new Error(JSON.stringify(result));
  return payload.refund.id;
}

const view = async (transactionId: string) => (await server.execute(TransactionRefundsDocument, { id: transactionId }, merchant.key)).data?.transaction;

async function settled(transactionId: string, refundId: string) {
  await waitFor(async () => (await view(transactionId))?.refunds.find((row) => row.id === refundId)?.status !== 'REQUESTED', 'the refund to settle', 15_000);
  const transaction = await view(transactionId);
  const row = await server.db.prisma.refund.findUniqueOrThrow({ where: { id: decodeGlobalId(refundId, 'Refund') ?? '' }, include: { notifications: true } });
  return { transaction, refund: transaction?.refunds.find((candidate) => candidate.id === refundId), row };
}

const refundEvents = (transaction: Awaited<ReturnType<typeof view>>) =>
  transaction?.events.filter((event) => event.kind !== 'STATUS_CHANGED').map((event) => [event.kind, event.source, event.refund?.id]);

describe('a refund through the sandbox', () => {
  it('success: accepted, notified, SUCCEEDED; the transaction stays CAPTURED and shows its refunded amount', async () => {
    const id = await paid('30.00');
    const refundId = await refund(id, 'customer returned the goods', '10.00');
    const { transaction, refund: result, row } = await settled(id, refundId);
    expect(result).toMatchObject({ status: 'SUCCEEDED', failureCode: null, amount: { value: '10.00' } });
    expect(result?.providerReference).toMatch(/^2026\d{18}$/);
    expect(transaction).toMatchObject({ status: 'CAPTURED', refundedAmount: { value: '10.00' }, refundableAmount: { value: '20.00' } });
    expect(refundEvents(transaction)).toEqual([
      ['REFUND_REQUESTED', 'MERCHANT_API', refundId],
      ['REFUND_SUCCEEDED', 'PROVIDER_NOTIFICATION', refundId],
    ]);
    expect(row.notifications.map((notification) => [notification.eventType, notification.outcome, notification.deliveries])).toEqual([['REFUND_SUCCESS', 'APPLIED', 1]]);
    expect(row.attempts).toBeGreaterThanOrEqual(1);
  });

  it('success notified late and twice: applied once, the second delivery counted on the same inbox row', async () => {
    const id = await paid('12.00');
    const refundId = await refund(id, 'late sandbox:late-twice');
    const { refund: result, transaction } = await settled(id, refundId);
    expect(result?.status).toBe('SUCCEEDED');
    await waitFor(async () => {
      const rows = await server.db.prisma.notification.findMany({ where: { refundId: decodeGlobalId(refundId, 'Refund') ?? '' } });
      return rows.length === 1 && rows[0]?.deliveries === 2;
    }, 'the second delivery');
    expect(refundEvents(transaction)).toEqual([
      ['REFUND_REQUESTED', 'MERCHANT_API', refundId],
      ['REFUND_SUCCEEDED', 'PROVIDER_NOTIFICATION', refundId],
    ]);
    expect((await view(id))?.events.length).toBe(transaction?.events.length);
  });

  it('insufficient merchant funds, then success: retried with the same out_return_no', async () => {
    const id = await paid('8.00');
    const refundId = await refund(id, 'sandbox:insufficient-funds');
    const { refund: result, row } = await settled(id, refundId);
    expect(result?.status).toBe('SUCCEEDED');
    expect(row.attempts).toBeGreaterThanOrEqual(2);
  });

  it('failure: never notified, found by asking again; FAILED, its amount refundable again', async () => {
    const id = await paid('9.00');
    const refundId = await refund(id, 'sandbox:failure');
    const { refund: result, transaction, row } = await settled(id, refundId);
    expect(result).toMatchObject({ status: 'FAILED', failureCode: 'REFUND_FAILED' });
    expect(transaction).toMatchObject({ refundedAmount: { value: '0.00' }, refundableAmount: { value: '9.00' } });
    expect(refundEvents(transaction)).toEqual([
      ['REFUND_REQUESTED', 'MERCHANT_API', refundId],
      ['REFUND_FAILED', 'SYSTEM', refundId],
    ]);
    expect(row.notifications).toEqual([]);
  });

  it('timeout: the call is given up and repeated; refunded once', async () => {
    const id = await paid('7.00');
    const refundId = await refund(id, 'sandbox:timeout');
    const { refund: result, transaction, row } = await settled(id, refundId);
    expect(result?.status).toBe('SUCCEEDED');
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect(transaction?.refundedAmount.value).toBe('7.00');
  });
});

describe('money captured after a cancel', () => {
  it('ADMIN refunds it; the transaction stays CANCELLED; the anomaly is resolved by the refund’s success, naming it', async () => {
    const id = await paid('25.00', (transactionId) => server.execute(CancelTransactionDocument, { id: transactionId }, merchant.key));
    const anomalies = await server.execute(AnomaliesDocument, { status: 'OPEN', kind: 'CAPTURED_AFTER_CANCEL' }, server.adminKey);
    const anomaly = anomalies.data?.anomalies.edges.find((edge) => edge.node.transaction?.id === id)?.node;
    expect(anomaly).toMatchObject({ status: 'OPEN', refund: null });
    // Not the merchant's to refund: the order is cancelled, the money is an anomaly.
    await expect(refund(id, 'give it back')).rejects.toThrow(/INVALID_STATE/);
    const refundId = await refund(id, 'captured after the merchant cancelled', undefined, server.adminKey);
    const { transaction, refund: result } = await settled(id, refundId);
    expect(result).toMatchObject({ status: 'SUCCEEDED', amount: { value: '25.00' } });
    expect(transaction).toMatchObject({ status: 'CANCELLED', refundedAmount: { value: '25.00' } });
    const after = await server.execute(AnomaliesDocument, { status: 'RESOLVED', kind: 'CAPTURED_AFTER_CANCEL' }, server.adminKey);
    const resolved = after.data?.anomalies.edges.find((edge) => edge.node.id === anomaly?.id)?.node;
    expect(resolved).toMatchObject({ status: 'RESOLVED', refund: { id: refundId, status: 'SUCCEEDED' } });
    expect(resolved?.resolution).toBe(`refunded 25.00 EUR to the consumer: refund ${refundId}`);
  });
});

