import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, signAlipay } from '../../src/domain/signatures.ts';
import { buildRefundNotification } from '../../src/providers/alipay/sandbox/refunds.ts';
import { refundTransaction, settleRefund } from '../../src/services/refunds.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { postAlipay } from '../support/notifications.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Alipay refund notifications (refund_status_sync) on the ingestion endpoint: verified like the others, deduplicated
 * by the inbox, applied through the transition service; a notification about a refund we do not know, or with
 * another amount, or contradicting a final refund, is recorded as an anomaly and never applied.
 */

let server: TestServer;
let merchantId: string;

beforeAll(async () => {
  server = await startTestServer({ REFUND_RUNNER_INTERVAL_MS: '0' });
  merchantId = (await server.createMerchant('Notified')).merchantId;
});
afterAll(() => server?.close());

/** A captured transaction with one REQUESTED refund of `value`. */
async function requestedRefund(value = '12.50') {
  const transaction = await createTransaction(
    { db: server.db, config: server.config, alipay: server.alipay },
    merchantId,
    { merchantReference: 'notified', amount: { value: '50.00', currency: 'EUR' }, returnUrl: 'https://shop.example/return' },
  );
  await transition(server.db, { transactionId: transaction.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  const refund = await refundTransaction(server.db, { role: 'MERCHANT', apiKeyId: 'test', merchantId }, { transactionId: transaction.id, reason: 'notified', amount: { value, currency: 'EUR' } });
  return { transactionId: transaction.id, refundId: refund.id };
}

/** Signed with the sandbox's Alipay key, which the server trusts in sandbox mode. */
function notification(fields: { outTradeNo: string; outReturnNo: string; returnAmount?: string; currency?: string }, extra: Record<string, string> = {}) {
  const sandbox = server.app.providers().sandbox;
  if (!sandbox) throw new Error('sandbox mode expected');
  const built = buildRefundNotification({ returnAmount: '12.50', currency: 'EUR', ...fields }, sandbox.alipayPrivateKey);
  if (Object.keys(extra).length === 0) return built;
  const { sign: _sign, sign_type: _signType, ...params } = { ...built, ...extra };
  return { ...params, sign_type: 'RSA2', sign: signAlipay(params, sandbox.alipayPrivateKey) };
}

async function snapshot(transactionId: string) {
  return server.db.prisma.transaction.findUniqueOrThrow({ where: { id: transactionId }, include: { refunds: true, events: true } });
}

const inboxRow = (notifyId: string) => server.db.prisma.notification.findFirstOrThrow({ where: { externalId: notifyId }, include: { anomaly: true } });

describe('refund notifications', () => {
  it('apply a success once; a redelivery counts, another notification of the same success is a duplicate', async () => {
    const { transactionId, refundId } = await requestedRefund();
    const params = notification({ outTradeNo: transactionId, outReturnNo: refundId });
    for (let delivery = 0; delivery < 2; delivery += 1) {
      const reply = await postAlipay(server.url, params);
      expect([reply.status, reply.text]).toEqual([200, 'success']);
    }
    const after = await snapshot(transactionId);
    expect(after.refunds[0]).toMatchObject({ status: 'SUCCEEDED', providerReference: params['refund_no'] });
    expect(after).toMatchObject({ refundedMinor: 1250n, refundPendingMinor: 0n });
    const row = await inboxRow(params['notify_id'] ?? '');
    expect(row).toMatchObject({ outcome: 'APPLIED', deliveries: 2, refundId, refundReference: refundId, transactionId, eventType: 'REFUND_SUCCESS', amountMinor: 1250n });
    const applied = after.events.find((event) => event.id === row.transactionEventId);
    expect(applied).toMatchObject({ kind: 'REFUND_SUCCEEDED', refundId, source: 'PROVIDER_NOTIFICATION' });

    const again = notification({ outTradeNo: transactionId, outReturnNo: refundId });
    expect((await postAlipay(server.url, again)).text).toBe('success');
    expect(await inboxRow(again['notify_id'] ?? '')).toMatchObject({ outcome: 'DUPLICATE', detail: 'the refund is already SUCCEEDED' });
    expect((await snapshot(transactionId)).events).toHaveLength(after.events.length);
  });

  it.each([
    ['an unknown refund of a known transaction', 'ORPHAN', (ids: { transactionId: string }) => ({ outTradeNo: ids.transactionId, outReturnNo: '0190f5c6-0000-7000-8000-00000000abcd' })],
    ['a refund reference that is not ours', 'ORPHAN', (ids: { transactionId: string }) => ({ outTradeNo: ids.transactionId, outReturnNo: 'R2026-0001' })],
    ['a refund of another transaction', 'ORPHAN', (ids: { refundId: string }, other: string) => ({ outTradeNo: other, outReturnNo: ids.refundId })],
    ['a different amount', 'AMOUNT_MISMATCH', (ids: { transactionId: string; refundId: string }) => ({ outTradeNo: ids.transactionId, outReturnNo: ids.refundId, returnAmount: '12.51' })],
    ['a different currency', 'AMOUNT_MISMATCH', (ids: { transactionId: string; refundId: string }) => ({ outTradeNo: ids.transactionId, outReturnNo: ids.refundId, currency: 'USD' })],
  ] as const)('%s: an anomaly, acknowledged, never applied', async (_case, kind, fields) => {
    const ids = await requestedRefund();
    const other = (await requestedRefund()).transactionId;
    const [before, otherBefore] = await Promise.all([snapshot(ids.transactionId), snapshot(other)]);
    const params = notification(fields(ids, other));
    expect((await postAlipay(server.url, params)).text).toBe('success');
    const row = await inboxRow(params['notify_id'] ?? '');
    expect(row).toMatchObject({ outcome: 'ANOMALY', transactionEventId: null, anomaly: { kind, status: 'OPEN' } });
    expect([await snapshot(ids.transactionId), await snapshot(other)]).toEqual([before, otherBefore]);
  });

  it('for an unknown transaction: an orphan anomaly of no transaction', async () => {
    const params = notification({ outTradeNo: '0190f5c6-0000-7000-8000-0000000fffff', outReturnNo: '0190f5c6-0000-7000-8000-0000000eeeee' });
    expect((await postAlipay(server.url, params)).text).toBe('success');
    expect(await inboxRow(params['notify_id'] ?? '')).toMatchObject({ outcome: 'ANOMALY', transactionId: null, refundId: null, anomaly: { kind: 'ORPHAN', transactionId: null } });
  });

  it('a success for a refund recorded FAILED is a contradiction for a human, not applied', async () => {
    const { transactionId, refundId } = await requestedRefund();
    await settleRefund(server.db, refundId, { status: 'FAILED', source: 'SYSTEM', failureCode: 'REFUND_FAILED' });
    const before = await snapshot(transactionId);
    const params = notification({ outTradeNo: transactionId, outReturnNo: refundId });
    expect((await postAlipay(server.url, params)).text).toBe('success');
    expect(await inboxRow(params['notify_id'] ?? '')).toMatchObject({ outcome: 'ANOMALY', refundId, anomaly: { kind: 'CONFLICTING_STATUS' } });
    expect(await snapshot(transactionId)).toEqual(before);
  });

  it('unusable or unauthentic ones are refused and change nothing', async () => {
    const { transactionId, refundId } = await requestedRefund();
    const before = await snapshot(transactionId);
    const closed = notification({ outTradeNo: transactionId, outReturnNo: refundId }, { refund_status: 'REFUND_CLOSED' });
    const refused = await postAlipay(server.url, closed);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('refund_status must be REFUND_SUCCESS');
    const stranger = generateRsaKeyPair();
    const { sign: _sign, sign_type: _type, ...unsigned } = notification({ outTradeNo: transactionId, outReturnNo: refundId });
    const forged = { ...unsigned, sign_type: 'RSA2', sign: signAlipay(unsigned, stranger.privateKeyPem) };
    expect((await postAlipay(server.url, forged)).status).toBe(401);
    expect(await snapshot(transactionId)).toEqual(before);
  });
});
