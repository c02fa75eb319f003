import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair, signAlipay } from '../../src/domain/signatures.ts';
import { alipayNotificationFromParams, parseFormBody, verifyAlipayNotification } from '../../src/providers/alipay/notification.ts';
import { createPublicKey } from 'node:crypto';

const base = {
  notify_time: '2026-11-26 12:00:00',
  notify_type: 'trade_status_sync',
  notify_id: 'ac05099524730693a8b330c5ecf72da9786',
  out_trade_no: '0190F0F0-1234-7ABC-8DEF-0123456789AB',
  trade_no: '2026112622001400000001',
  trade_status: 'TRADE_SUCCESS',
  total_fee: '19.99',
  currency: 'EUR',
};

describe('parseFormBody', () => {
  it('decodes application/x-www-form-urlencoded strictly', () => {
    expect(parseFormBody(Buffer.from('a=1&b=x+y%2Bz&c=%E4%BD%A0%E5%A5%BD&d='))).toEqual({ ok: true, params: { a: '1', b: 'x y+z', c: '你好', d: '' } });
  });

  it.each([
    ['', /empty/],
    ['{"a":1}', /form/],
    ['a=1&a=2', /more than once/],
    ['a=%E4%BD', /percent|UTF-8/],
    ['a=%zz', /percent/],
    ['=1', /form/],
    ['a b=1', /field name/],
    ['a=1&&b=2', /form/],
  ])('refuses %j', (body, message) => {
    const result = parseFormBody(Buffer.from(body));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(parseFormBody(Buffer.from([0x61, 0x3d, 0xc3, 0x28]))).toEqual({ ok: false, error: 'body is not valid UTF-8' });
  });

  it('keeps an inherited-looking key as plain data', () => {
    expect(parseFormBody(Buffer.from('__proto__=1&constructor=2'))).toEqual({ ok: true, params: { ['__proto__']: '1', constructor: '2' } });
  });
});

describe('alipayNotificationFromParams', () => {
  it.each([
    ['WAIT_BUYER_PAY', 'REDIRECTED', null],
    ['TRADE_SUCCESS', 'CAPTURED', null],
    ['TRADE_CLOSED', 'REJECTED', 'TRADE_CLOSED'],
    ['TRADE_FINISHED', null, null],
  ])('maps %s to %s', (tradeStatus, target, reason) => {
    const parsed = alipayNotificationFromParams({ ...base, trade_status: tradeStatus });
    expect(parsed).toMatchObject({ ok: true, notification: { target, reason, sender: 'ALIPAY', source: 'PROVIDER_NOTIFICATION' } });
  });

  it('normalises the notification', () => {
    expect(alipayNotificationFromParams(base)).toEqual({
      ok: true,
      notification: {
        sender: 'ALIPAY',
        externalId: base.notify_id,
        eventType: 'TRADE_SUCCESS',
        transactionReference: base.out_trade_no,
        transactionId: base.out_trade_no.toLowerCase(),
        target: 'CAPTURED',
        source: 'PROVIDER_NOTIFICATION',
        amount: { minorUnits: 1999n, currency: 'EUR' },
        providerReference: base.trade_no,
        reason: null,
      },
    });
  });

  it('leaves a reference that is not our id without a transaction id (an orphan, not an error)', () => {
    expect(alipayNotificationFromParams({ ...base, out_trade_no: 'order-42' })).toMatchObject({ ok: true, notification: { transactionId: undefined } });
  });

  it.each([
    [{ notify_id: '' }, /notify_id/],
    [{ notify_type: 'refund_sync' }, /notify_type/],
    [{ trade_status: 'TRADE_PENDING' }, /trade_status/],
    [{ total_fee: '' }, /total_fee and currency go together/],
    [{ total_fee: '', currency: '' }, /needs total_fee and currency/],
    [{ total_fee: '0' }, /out of range/],
    [{ currency: 'XYZ' }, /unknown currency/],
    [{ out_trade_no: 'a'.repeat(129) }, /out_trade_no/],
    [{ trade_no: 'x\u0007y' }, /trade_no/],
  ])('refuses %j', (overrides, message) => {
    const parsed = alipayNotificationFromParams({ ...base, ...overrides });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(message);
  });
});

describe('verifyAlipayNotification', () => {
  it('accepts a signature from any of the configured keys and nothing else', () => {
    const [alipay, sandbox, stranger] = [generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair()];
    const keys = [createPublicKey(alipay.publicKeyPem), createPublicKey(sandbox.publicKeyPem)];
    for (const signer of [alipay, sandbox]) {
      expect(verifyAlipayNotification({ ...base, sign_type: 'RSA2', sign: signAlipay(base, signer.privateKeyPem) }, keys)).toBe(true);
    }
    expect(verifyAlipayNotification({ ...base, sign_type: 'RSA2', sign: signAlipay(base, stranger.privateKeyPem) }, keys)).toBe(false);
    expect(verifyAlipayNotification({ ...base, sign_type: 'RSA2' }, keys)).toBe(false);
  });
});
