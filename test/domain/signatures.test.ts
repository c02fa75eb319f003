import { createHmac, createSign } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  alipaySigningString,
  generateRsaKeyPair,
  signAlipay,
  signEvent,
  verifyAlipay,
  verifyEvent,
  type VerifyEventInput,
} from '../../src/domain/signatures.ts';

const BODY = '{"id":"evt_1","type":"payment.captured"}';
const TS = 1_700_000_000;
const NOW = new Date(TS * 1000);
const KEYS: ReadonlyMap<string, string> = new Map([
  ['k_old', 'whsec_test_secret'],
  ['k_new', 'whsec_rotated_secret'],
]);

function input(overrides: Partial<VerifyEventInput> = {}): VerifyEventInput {
  return {
    keys: KEYS,
    keyId: 'k_old',
    timestamp: String(TS),
    signature: signEvent('whsec_test_secret', TS, BODY),
    rawBody: BODY,
    now: NOW,
    ...overrides,
  };
}

describe('signEvent', () => {
  it('matches a vector computed once with openssl', () => {
    // printf '%s' '1700000000.{"id":"evt_1","type":"payment.captured"}' \
    //   | openssl dgst -sha256 -hmac 'whsec_test_secret' -binary | base64
    expect(signEvent('whsec_test_secret', TS, BODY)).toBe('u2TY2Rgx+Zg/McbVWGpqwPCTEUTzfH16K/zuAaWJpvo=');
  });

  it('matches an independent HMAC over `${timestamp}.${body}` for strings and buffers', () => {
    fc.assert(
      fc.property(fc.string(), fc.nat({ max: 2 ** 40 }), fc.uint8Array(), (secret, ts, bytes) => {
        const body = Buffer.from(bytes);
        const expected = createHmac('sha256', secret)
          .update(Buffer.concat([Buffer.from(`${ts}.`), body]))
          .digest('base64');
        expect(signEvent(secret, ts, body)).toBe(expected);
        const text = body.toString('latin1');
        expect(signEvent(secret, ts, text)).toBe(
          createHmac('sha256', secret).update(`${ts}.${text}`).digest('base64'),
        );
      }),
    );
  });

  it('signs raw bytes, not a re-decoded string', () => {
    const invalidUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const sig = signEvent('s', TS, invalidUtf8);
    expect(sig).not.toBe(signEvent('s', TS, invalidUtf8.toString('utf8')));
    expect(verifyEvent(input({ keys: new Map([['k', 's']]), keyId: 'k', signature: sig, rawBody: invalidUtf8 }))).toEqual({ ok: true });
  });

  it('refuses timestamps that could never verify', () => {
    expect(() => signEvent('s', 1.5, BODY)).toThrow(RangeError);
    expect(() => signEvent('s', -1, BODY)).toThrow(RangeError);
    expect(() => signEvent('s', Number.NaN, BODY)).toThrow(RangeError);
  });
});

describe('verifyEvent', () => {
  it('accepts a valid signature', () => {
    expect(verifyEvent(input())).toEqual({ ok: true });
  });

  it('accepts a Buffer body identical to the signed string', () => {
    expect(verifyEvent(input({ rawBody: Buffer.from(BODY) }))).toEqual({ ok: true });
  });

  it('accepts both keys during rotation', () => {
    expect(verifyEvent(input({ keyId: 'k_old', signature: signEvent('whsec_test_secret', TS, BODY) }))).toEqual({ ok: true });
    expect(verifyEvent(input({ keyId: 'k_new', signature: signEvent('whsec_rotated_secret', TS, BODY) }))).toEqual({ ok: true });
  });

  it('rejects a signature made with the other key', () => {
    expect(verifyEvent(input({ keyId: 'k_new' }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects an unknown key id', () => {
    expect(verifyEvent(input({ keyId: 'k_gone' }))).toEqual({ ok: false, reason: 'UNKNOWN_KEY' });
    expect(verifyEvent(input({ keyId: 'toString' }))).toEqual({ ok: false, reason: 'UNKNOWN_KEY' });
  });

  it('rejects a tampered body', () => {
    expect(verifyEvent(input({ rawBody: BODY.replace('captured', 'paid') }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verifyEvent(input({ rawBody: `${BODY} ` }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('rejects a signature moved to another timestamp', () => {
    expect(verifyEvent(input({ timestamp: String(TS + 1) }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('accepts timestamps within tolerance on either side, rejects beyond', () => {
    const at = (ts: number, now: Date = NOW, toleranceSeconds?: number) =>
      verifyEvent(input({ timestamp: String(ts), signature: signEvent('whsec_test_secret', ts, BODY), now, toleranceSeconds }));
    expect(at(TS - 300)).toEqual({ ok: true });
    expect(at(TS + 300)).toEqual({ ok: true });
    expect(at(TS - 301)).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
    expect(at(TS + 301)).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
    expect(at(TS - 86_400)).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
    expect(at(TS - 30, NOW, 10)).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
    // Sub-second "now" must not push an exactly-on-the-edge timestamp out.
    expect(at(TS - 300, new Date(TS * 1000 + 999))).toEqual({ ok: true });
  });

  it('fails closed on an invalid clock', () => {
    expect(verifyEvent(input({ now: new Date(Number.NaN) }))).toEqual({ ok: false, reason: 'STALE_TIMESTAMP' });
  });

  it.each([
    ['missing key id', { keyId: undefined }],
    ['empty key id', { keyId: '' }],
    ['missing timestamp', { timestamp: undefined }],
    ['non-numeric timestamp', { timestamp: 'yesterday' }],
    ['fractional timestamp', { timestamp: `${TS}.5` }],
    ['negative timestamp', { timestamp: `-${TS}` }],
    ['millisecond-ish huge timestamp', { timestamp: `${TS}000000` }],
    ['timestamp with spaces', { timestamp: ` ${TS}` }],
    ['missing signature', { signature: undefined }],
    ['empty signature', { signature: '' }],
    ['signature with invalid characters', { signature: '!!!not-base64!!!' }],
    ['url-safe base64 signature', { signature: 'u2TY2Rgx-Zg_McbVWGpqwPCTEUTzfH16K_zuAaWJpvo=' }],
    ['unpadded base64 signature', { signature: 'u2TY2Rgx+Zg/McbVWGpqwPCTEUTzfH16K/zuAaWJpvo' }],
    ['signature with whitespace', { signature: 'u2TY2Rgx+Zg/McbVWGpqwPCTEUTzfH16K/zuAaWJpvo= ' }],
  ] as const)('rejects %s as MALFORMED', (_name, overrides) => {
    expect(verifyEvent(input(overrides))).toEqual({ ok: false, reason: 'MALFORMED' });
  });

  it('rejects well-formed signatures of the wrong length without throwing', () => {
    const good = Buffer.from(signEvent('whsec_test_secret', TS, BODY), 'base64');
    for (const bytes of [good.subarray(0, 31), Buffer.concat([good, Buffer.from([0])]), Buffer.alloc(1), Buffer.alloc(64)]) {
      expect(verifyEvent(input({ signature: bytes.toString('base64') }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    }
  });

  it('rejects any single-bit flip of a valid signature', () => {
    const good = Buffer.from(signEvent('whsec_test_secret', TS, BODY), 'base64');
    fc.assert(
      fc.property(fc.nat({ max: good.length * 8 - 1 }), (bit) => {
        const flipped = Buffer.from(good);
        flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
        expect(verifyEvent(input({ signature: flipped.toString('base64') }))).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
      }),
    );
  });

  it('never throws on arbitrary header values', () => {
    fc.assert(
      fc.property(fc.option(fc.string()), fc.option(fc.string()), fc.option(fc.string()), (keyId, timestamp, signature) => {
        const r = verifyEvent(input({ keyId: keyId ?? undefined, timestamp: timestamp ?? undefined, signature: signature ?? undefined }));
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});

describe('alipaySigningString', () => {
  it('drops sign, sign_type and empty values and sorts by ASCII', () => {
    const s = alipaySigningString({
      trade_status: 'TRADE_SUCCESS',
      sign: 'xxx',
      sign_type: 'RSA2',
      out_trade_no: 'tx_1',
      body: '',
      app_id: '2021000000000000',
      total_fee: '19.99',
    });
    expect(s).toBe('app_id=2021000000000000&out_trade_no=tx_1&total_fee=19.99&trade_status=TRADE_SUCCESS');
  });

  it('orders upper case before lower case (code units, not locale)', () => {
    expect(alipaySigningString({ a: '1', B: '2', _c: '3', Z: '4', '9': '5' })).toBe('9=5&B=2&Z=4&_c=3&a=1');
    expect('B'.localeCompare('a')).toBeGreaterThan(0); // the trap: localeCompare would disagree
  });

  it('keeps values verbatim (no URL encoding, spaces, symbols)', () => {
    expect(alipaySigningString({ subject: 'a b&c=d', notify_time: '2024-01-01 12:00:00' })).toBe(
      'notify_time=2024-01-01 12:00:00&subject=a b&c=d',
    );
  });

  it('is empty when nothing is signable', () => {
    expect(alipaySigningString({ sign: 'x', sign_type: 'RSA2', empty: '' })).toBe('');
  });
});

describe('Alipay RSA2', () => {
  let alipay: { publicKeyPem: string; privateKeyPem: string };
  let other: { publicKeyPem: string; privateKeyPem: string };
  const notification: Record<string, string> = {
    notify_time: '2024-05-01 10:00:00',
    notify_type: 'trade_status_sync',
    notify_id: 'ac05099524730693a8b330c5ecf72da9786',
    out_trade_no: 'tx_01HZX',
    trade_no: '2024050122001400000000000001',
    trade_status: 'TRADE_SUCCESS',
    total_fee: '19.99',
    currency: 'EUR',
    subject: '订单 #1',
  };

  beforeAll(() => {
    alipay = generateRsaKeyPair();
    other = generateRsaKeyPair();
  });

  function signed(params: Record<string, string>): Record<string, string> {
    return { ...params, sign_type: 'RSA2', sign: signAlipay(params, alipay.privateKeyPem) };
  }

  it('generates 2048-bit spki/pkcs8 PEM keys', () => {
    expect(alipay.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(alipay.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(Buffer.from(signAlipay(notification, alipay.privateKeyPem), 'base64')).toHaveLength(256);
  });

  it('round trips sign/verify', () => {
    expect(verifyAlipay(signed(notification), alipay.publicKeyPem)).toBe(true);
  });

  it('is SHA256withRSA over the signing string (independent signer agrees)', () => {
    const sig = createSign('RSA-SHA256').update(alipaySigningString(notification), 'utf8').sign(alipay.privateKeyPem, 'base64');
    expect(verifyAlipay({ ...notification, sign: sig, sign_type: 'RSA2' }, alipay.publicKeyPem)).toBe(true);
  });

  it('excludes sign/sign_type from the signed content, and empty values', () => {
    const params = signed(notification);
    expect(verifyAlipay({ ...params, extra_empty: '' }, alipay.publicKeyPem)).toBe(true);
    const { sign_type: _dropped, ...withoutSignType } = params;
    expect(verifyAlipay(withoutSignType, alipay.publicKeyPem)).toBe(true);
  });

  it('fails on any tampered, added or removed parameter', () => {
    const params = signed(notification);
    expect(verifyAlipay({ ...params, total_fee: '1999.00' }, alipay.publicKeyPem)).toBe(false);
    expect(verifyAlipay({ ...params, trade_status: 'TRADE_FINISHED' }, alipay.publicKeyPem)).toBe(false);
    expect(verifyAlipay({ ...params, refund_fee: '1.00' }, alipay.publicKeyPem)).toBe(false);
    const { currency: _c, ...missing } = params;
    expect(verifyAlipay(missing, alipay.publicKeyPem)).toBe(false);
  });

  it('fails with another key', () => {
    expect(verifyAlipay(signed(notification), other.publicKeyPem)).toBe(false);
  });

  it('refuses a sign_type other than RSA2', () => {
    expect(verifyAlipay({ ...signed(notification), sign_type: 'RSA' }, alipay.publicKeyPem)).toBe(false);
  });

  it('returns false, never throws, on garbage signatures or keys', () => {
    const params = signed(notification);
    const garbage = [
      { ...params, sign: '' },
      { ...params, sign: 'not base64 at all!' },
      { ...params, sign: Buffer.from('short').toString('base64') },
      { ...params, sign: Buffer.alloc(256, 0xff).toString('base64') },
    ];
    for (const p of garbage) expect(verifyAlipay(p, alipay.publicKeyPem)).toBe(false);
    const { sign: _s, ...unsigned } = params;
    expect(verifyAlipay(unsigned, alipay.publicKeyPem)).toBe(false);
    expect(verifyAlipay(params, 'not a key')).toBe(false);
    expect(verifyAlipay(params, '')).toBe(false);
    expect(verifyAlipay(params, alipay.privateKeyPem.replace(/[A-Z]/g, 'x'))).toBe(false);
  });
});
