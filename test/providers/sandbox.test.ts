import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { generateRsaKeyPair, verifyAlipay } from '../../src/domain/signatures.ts';
import { buildRedirectUrl } from '../../src/providers/alipay/redirect.ts';
import { buildTradeNotification, checkTradeRequest, tradeNumber } from '../../src/providers/alipay/sandbox/gateway.ts';
import { beijingTime } from '../../src/providers/alipay/time.ts';
import { loadOrCreateSandboxKeys, SANDBOX_KEYS_FILE } from '../../src/providers/alipay/sandbox/keys.ts';
import { escapeHtml, gatewayPage } from '../../src/providers/alipay/sandbox/pages.ts';
import { convertToCnyMinor, formatCny, demoCnyRates } from '../../src/providers/alipay/sandbox/rates.ts';
import { resolveProviderSettings } from '../../src/providers/settings.ts';

const scratch = () => mkdtempSync(join(tmpdir(), 'paystream-sandbox-'));

describe('demo CNY conversion', () => {
  it('is exact decimal arithmetic, rounded half up to the fen', () => {
    expect(convertToCnyMinor(1999n, 'EUR', '7.8123')).toBe(15617n); // 156.167877
    expect(convertToCnyMinor(1000n, 'EUR', '7.80')).toBe(7800n);
    expect(convertToCnyMinor(1999n, 'JPY', '0.048')).toBe(9595n); // 95.952
    expect(convertToCnyMinor(1234n, 'KWD', '23.40')).toBe(2888n); // 1.234 KWD = 28.8756
    expect(convertToCnyMinor(1n, 'EUR', '0.5')).toBe(1n); // 0.005 rounds up
    expect(convertToCnyMinor(1n, 'EUR', '0.4')).toBe(0n);
    // Far beyond what a double holds exactly.
    expect(convertToCnyMinor(999_999_999_999_999_999n, 'EUR', '7.1234567891')).toBe(7_123_456_789_099_999_993n);
    expect(convertToCnyMinor(100n, 'EUR', '7,8')).toBeUndefined();
  });

  it('matches a reference computed on scaled integers for any amount and rate', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.bigInt({ min: 1n, max: 10n ** 8n }), (minor, rateMicro) => {
        const rate = `${rateMicro / 1_000_000n}.${(rateMicro % 1_000_000n).toString().padStart(6, '0')}`;
        // fen = minor/100 * rateMicro/10^6 * 100 = minor * rateMicro / 10^6, half up.
        const expected = (minor * rateMicro + 500_000n) / 1_000_000n;
        expect(convertToCnyMinor(minor, 'EUR', rate)).toBe(expected);
      }),
    );
  });

  it('formats with the rate used, and says when there is none', () => {
    const rates = demoCnyRates(new Map([['EUR', '8']]));
    expect(formatCny(1999n, 'EUR', rates)).toEqual({ value: '159.92', rate: '8' });
    expect(formatCny(1999n, 'USD', rates)).toEqual({ value: '143.93', rate: '7.20' });
    expect(formatCny(100n, 'MXN', rates)).toBeUndefined();
  });
});

describe('sandbox keys', () => {
  it('are made once and kept in DATA_DIR, readable only by the owner', () => {
    const dir = scratch();
    const first = loadOrCreateSandboxKeys(dir);
    const again = loadOrCreateSandboxKeys(dir);
    expect(again).toEqual(first);
    expect(statSync(join(dir, SANDBOX_KEYS_FILE)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, SANDBOX_KEYS_FILE), 'utf8'))).toEqual(first);
  });

  it('make the redirect and notification signatures line up end to end', async () => {
    const dir = scratch();
    const settings = resolveProviderSettings(loadConfig({ DATA_DIR: dir, PORT: '4100' }));
    expect(settings.alipay.gatewayUrl).toBe('http://127.0.0.1:4100/sandbox/alipay/gateway');
    expect(settings.alipay.notifyUrl).toBe('http://127.0.0.1:4100/notifications/alipay');
    const sandbox = settings.sandbox;
    if (!sandbox) throw new Error('sandbox expected');
    const id = '01938a4e-7c1d-7000-8000-000000000abc';
    const redirect = new URL(await buildRedirectUrl(settings.alipay, { id, amountMinor: 1999n, currency: 'EUR' }));
    const params = Object.fromEntries(redirect.searchParams);
    const checked = checkTradeRequest(params, { partnerId: settings.alipay.partnerId, merchantPublicKey: sandbox.merchantPublicKey });
    expect(checked).toMatchObject({ ok: true, request: { outTradeNo: id, totalFee: '19.99', currency: 'EUR', amountMinor: 1999n } });
    expect(params['return_url']).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:4100/return/alipay/${id}\\.[A-Za-z0-9_-]{43}$`));
    expect(checkTradeRequest({ ...params, total_fee: '0.01' }, { partnerId: settings.alipay.partnerId, merchantPublicKey: sandbox.merchantPublicKey })).toMatchObject({ ok: false, code: 'ILLEGAL_SIGN' });
    expect(checkTradeRequest(params, { partnerId: 'someone-else', merchantPublicKey: sandbox.merchantPublicKey })).toMatchObject({ ok: false, code: 'ILLEGAL_PARTNER' });
    const { sign: _sign, ...unsigned } = params;
    expect(checkTradeRequest(unsigned, { partnerId: settings.alipay.partnerId, merchantPublicKey: sandbox.merchantPublicKey })).toMatchObject({ ok: false, code: 'ILLEGAL_ARGUMENT' });

    const notification = buildTradeNotification({ outTradeNo: 'abc', totalFee: '19.99', currency: 'EUR' }, 'TRADE_SUCCESS', sandbox.alipayPrivateKey);
    expect(settings.alipay.publicKeys.some((key) => verifyAlipay(notification, key))).toBe(true);
    // The settlement key is registered beside NOTIFICATION_KEYS.
    expect(settings.eventKeys.get(sandbox.settlementKeyId)).toBe(sandbox.settlementSecret);
  });

  it('play Alipay only while no real gateway is configured', () => {
    const ours = generateRsaKeyPair();
    const alipays = generateRsaKeyPair();
    const settings = resolveProviderSettings(
      loadConfig({ DATA_DIR: scratch(), ALIPAY_GATEWAY_URL: 'https://mapi.alipay.example/gateway.do', ALIPAY_PRIVATE_KEY: ours.privateKeyPem, ALIPAY_PUBLIC_KEY: alipays.publicKeyPem, NOTIFICATION_KEYS: 'bank:0123456789abcdef0123' }),
    );
    expect(settings.sandbox).toBeUndefined();
    expect(settings.alipay.gatewayUrl).toBe('https://mapi.alipay.example/gateway.do');
    expect(settings.alipay.publicKeys.map((key) => key.export({ type: 'spki', format: 'pem' }))).toEqual([createPublicKey(alipays.publicKeyPem).export({ type: 'spki', format: 'pem' })]);
    expect([...settings.eventKeys.keys()]).toEqual(['bank']);
  });
});

describe('configuration', () => {
  it('refuses a real gateway without both keys, naming the variable', () => {
    expect(() => loadConfig({ ALIPAY_GATEWAY_URL: 'https://mapi.alipay.example/gateway.do' })).toThrow(new ConfigError('invalid configuration: ALIPAY_PRIVATE_KEY is required when ALIPAY_GATEWAY_URL is set'));
  });

  it('reads demo rates and refuses bad ones', () => {
    expect(loadConfig({ SANDBOX_CNY_RATES: 'EUR:7.81, USD:7.2' }).sandbox.cnyRates).toEqual(new Map([['EUR', '7.81'], ['USD', '7.2']]));
    for (const bad of ['EUR', 'EUR:abc', 'XYZ:1', 'EUR:0', 'EUR:-1', 'EUR:1e3']) {
      expect(() => loadConfig({ SANDBOX_CNY_RATES: bad })).toThrow(/SANDBOX_CNY_RATES/);
    }
    expect(() => loadConfig({ SANDBOX_REDELIVERY_RATE: '1.5' })).toThrow(/SANDBOX_REDELIVERY_RATE/);
  });
});

describe('sandbox pages', () => {
  it('escape everything they show', () => {
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    const html = gatewayPage(
      { outTradeNo: '"><script>', subject: '<img src=x onerror=alert(1)>', totalFee: '1.00', currency: 'EUR', amountMinor: 100n, notifyUrl: 'http://x', returnUrl: 'http://x', params: { subject: '"><script>' } },
      undefined,
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });

  it('write Alipay-style trade numbers and Beijing notify times', () => {
    expect(tradeNumber('abc')).toBe(tradeNumber('abc'));
    expect(tradeNumber('abc')).toMatch(/^2026\d{18}$/);
    expect(tradeNumber('abc')).not.toBe(tradeNumber('abd'));
    expect(beijingTime(new Date('2026-11-26T20:30:00Z'))).toBe('2026-11-27 04:30:00');
  });
});
