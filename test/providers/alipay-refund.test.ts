import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { verifyAlipay } from '../../src/domain/signatures.ts';
import { alipayNotificationFromParams } from '../../src/providers/alipay/notification.ts';
import { forexRefundParams, readForexRefundResponse, signedForexRefundParams, type ForexRefundSubject } from '../../src/providers/alipay/refund.ts';
import {
  buildRefundNotification,
  checkRefundRequest,
  outcomeOf,
  refundResponseXml,
  SandboxRefundLedger,
  type RefundRequest,
} from '../../src/providers/alipay/sandbox/refunds.ts';
import { beijingTimestamp } from '../../src/providers/alipay/time.ts';
import { resolveProviderSettings } from '../../src/providers/settings.ts';

const providers = resolveProviderSettings(loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'paystream-refund-')) }), 'http://127.0.0.1:4000');
const sandbox = providers.sandbox!;
const subject: ForexRefundSubject = {
  refundId: '0190f5c6-1111-7000-8000-000000000001',
  transactionId: '0190f5c6-2222-7000-8000-000000000002',
  amountMinor: 1250n,
  currency: 'EUR',
  reason: 'damaged',
  requestedAt: new Date('2026-03-01T23:30:05.123Z'),
};

describe('forex_refund request', () => {
  it('carries our refund id as out_return_no, exact money and Beijing time, and is RSA2-signed', () => {
    expect(forexRefundParams(providers.alipay, subject)).toEqual({
      service: 'forex_refund',
      partner: providers.alipay.partnerId,
      _input_charset: 'utf-8',
      notify_url: 'http://127.0.0.1:4000/notifications/alipay',
      out_return_no: subject.refundId,
      out_trade_no: subject.transactionId,
      return_amount: '12.50',
      currency: 'EUR',
      gmt_return: '20260302073005',
      reason: 'damaged',
      is_sync: 'N',
    });
    expect(forexRefundParams(providers.alipay, { ...subject, amountMinor: 1999n, currency: 'JPY' }).return_amount).toBe('1999');
    const signed = signedForexRefundParams(providers.alipay, subject);
    expect(signed.sign_type).toBe('RSA2');
    expect(verifyAlipay(signed, sandbox.merchantPublicKey)).toBe(true);
    expect(verifyAlipay({ ...signed, return_amount: '125.00' }, sandbox.merchantPublicKey)).toBe(false);
  });

  it('formats Beijing time without separators', () => {
    expect(beijingTimestamp(new Date('2026-12-31T16:00:00Z'))).toBe('20270101000000');
  });
});

describe("reading the gateway's answer", () => {
  it.each([
    [200, refundResponseXml({ ok: true }), { kind: 'accepted' }],
    [200, '<alipay>\n  <is_success> T </is_success>\n</alipay>', { kind: 'accepted' }],
    [200, refundResponseXml({ ok: false, code: 'RETURN_AMOUNT_EXCEED' }), { kind: 'refused', code: 'RETURN_AMOUNT_EXCEED' }],
    [200, refundResponseXml({ ok: false, code: 'REFUND_FAILED' }), { kind: 'refused', code: 'REFUND_FAILED' }],
    // Not a final word about the refund: retried with the same out_return_no.
    [200, refundResponseXml({ ok: false, code: 'SELLER_BALANCE_NOT_ENOUGH' }), { kind: 'retry', detail: 'SELLER_BALANCE_NOT_ENOUGH' }],
    [200, refundResponseXml({ ok: false, code: 'ILLEGAL_SIGN' }), { kind: 'retry', detail: 'ILLEGAL_SIGN' }],
    [200, refundResponseXml({ ok: false, code: 'SOMETHING_NEW' }), { kind: 'retry', detail: 'SOMETHING_NEW' }],
    [200, '<alipay><is_success>F</is_success></alipay>', { kind: 'retry', detail: 'UNKNOWN_ERROR' }],
    [502, 'Bad Gateway', { kind: 'retry', detail: 'HTTP 502' }],
    [503, refundResponseXml({ ok: true }), { kind: 'retry', detail: 'HTTP 503' }],
    [200, '<html>maintenance</html>', { kind: 'retry', detail: 'HTTP 200: not a forex_refund answer' }],
    [404, refundResponseXml({ ok: true }), { kind: 'retry', detail: 'HTTP 404: not a forex_refund answer' }],
  ])('HTTP %i %j', (status, body, expected) => {
    expect(readForexRefundResponse(status, body)).toEqual(expected);
  });
});

describe('the sandbox gateway', () => {
  const expected = { partnerId: providers.alipay.partnerId, merchantPublicKey: sandbox.merchantPublicKey };

  it('checks requests like Alipay', () => {
    const signed = signedForexRefundParams(providers.alipay, { ...subject, reason: 'late [sandbox:late-twice]' });
    expect(checkRefundRequest(signed, expected)).toEqual({
      ok: true,
      request: { outReturnNo: subject.refundId, outTradeNo: subject.transactionId, returnAmount: '12.50', currency: 'EUR', notifyUrl: providers.alipay.notifyUrl, outcome: 'late-twice' },
    });
    expect(checkRefundRequest({ ...signed, return_amount: '99.00' }, expected)).toEqual({ ok: false, code: 'ILLEGAL_SIGN' });
    expect(checkRefundRequest({ ...signed, sign_type: 'RSA' }, expected)).toEqual({ ok: false, code: 'ILLEGAL_SIGN_TYPE' });
    const { reason: _reason, ...withoutReason } = signed;
    expect(checkRefundRequest(withoutReason, expected)).toEqual({ ok: false, code: 'ILLEGAL_ARGUMENT' });
    expect(checkRefundRequest(signedForexRefundParams({ ...providers.alipay, partnerId: '2088999999999999' }, subject), expected)).toEqual({ ok: false, code: 'ILLEGAL_PARTNER' });
  });

  it('reads the outcome a developer put in the reason', () => {
    expect(outcomeOf('customer changed their mind')).toBe('success');
    expect(outcomeOf('sandbox:failure')).toBe('failure');
    expect(outcomeOf('test sandbox:insufficient-funds please')).toBe('insufficient-funds');
    expect(outcomeOf('sandbox:nonsense')).toBe('success');
  });

  it('plays each outcome across calls of one out_return_no, refunding it once', () => {
    const ledger = new SandboxRefundLedger({ lateMs: 1234, redeliveryRate: 0 });
    const request = (outcome: RefundRequest['outcome'], outReturnNo: string): RefundRequest => ({ ...base, outcome, outReturnNo });
    const base = { outTradeNo: 't', returnAmount: '1.00', currency: 'EUR', notifyUrl: undefined };
    const calls = (outcome: RefundRequest['outcome']) => [1, 2, 3].map(() => ledger.plan(request(outcome, outcome)));
    const once = { delayMs: 0, deliveries: 1 };
    expect(calls('success')).toEqual([{ answer: { ok: true }, notify: once }, { answer: { ok: true }, notify: undefined }, { answer: { ok: true }, notify: undefined }]);
    expect(calls('late-twice')[0]).toEqual({ answer: { ok: true }, notify: { delayMs: 1234, deliveries: 2 } });
    expect(calls('insufficient-funds')).toEqual([
      { answer: { ok: false, code: 'SELLER_BALANCE_NOT_ENOUGH' }, notify: undefined },
      { answer: { ok: true }, notify: once },
      { answer: { ok: true }, notify: undefined },
    ]);
    expect(calls('failure')).toEqual([
      { answer: { ok: true }, notify: undefined },
      { answer: { ok: false, code: 'REFUND_FAILED' }, notify: undefined },
      { answer: { ok: false, code: 'REFUND_FAILED' }, notify: undefined },
    ]);
    expect(calls('timeout').map((plan) => plan.answer)).toEqual(['hang', { ok: true }, { ok: true }]);
  });

  it('signs its refund notifications with its Alipay key', () => {
    const notification = buildRefundNotification({ outReturnNo: subject.refundId, outTradeNo: subject.transactionId, returnAmount: '12.50', currency: 'EUR' }, sandbox.alipayPrivateKey);
    expect(notification).toMatchObject({ notify_type: 'refund_status_sync', refund_status: 'REFUND_SUCCESS', out_return_no: subject.refundId, return_amount: '12.50' });
    expect(providers.alipay.publicKeys.some((key) => verifyAlipay(notification, key))).toBe(true);
  });
});

describe('reading a refund notification', () => {
  const params = (extra: Record<string, string> = {}) => ({
    ...buildRefundNotification({ outReturnNo: subject.refundId, outTradeNo: subject.transactionId, returnAmount: '12.50', currency: 'EUR' }, sandbox.alipayPrivateKey),
    ...extra,
  });

  it('is a claim about one refund, changing no status', () => {
    const parsed = alipayNotificationFromParams(params());
    if (!parsed.ok) throw new Error(parsed.error);
    expect(parsed.notification).toMatchObject({
      sender: 'ALIPAY',
      eventType: 'REFUND_SUCCESS',
      transactionReference: subject.transactionId,
      transactionId: subject.transactionId,
      target: null,
      source: 'PROVIDER_NOTIFICATION',
      amount: { minorUnits: 1250n, currency: 'EUR' },
      refund: { reference: subject.refundId, refundId: subject.refundId, outcome: 'SUCCEEDED' },
    });
    expect(parsed.notification.providerReference).toMatch(/^2026\d{18}$/);
  });

  it('names a refund that is not ours by its reference only (judged an orphan)', () => {
    const parsed = alipayNotificationFromParams(params({ out_return_no: 'R-12345' }));
    expect(parsed.ok && parsed.notification.refund).toEqual({ reference: 'R-12345', refundId: undefined, outcome: 'SUCCEEDED' });
  });

  it.each([
    [{ refund_status: 'REFUND_CLOSED' }, 'refund_status must be REFUND_SUCCESS, got "REFUND_CLOSED"'],
    [{ return_amount: '' }, 'missing field(s): return_amount'],
    [{ return_amount: '12.501' }, 'return_amount: EUR allows at most 2 decimal places'],
    [{ return_amount: '0.00' }, 'return_amount is out of range'],
    [{ out_return_no: 'x'.repeat(129) }, 'out_return_no must be at most 128 printable characters'],
  ])('refuses %j as unusable', (extra, error) => {
    expect(alipayNotificationFromParams(params(extra))).toEqual({ ok: false, error });
  });
});
