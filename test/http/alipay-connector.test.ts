import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { alipaySigningString, generateRsaKeyPair, verifyAlipay } from '../../src/domain/signatures.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// With a real gateway configured, the redirect is a create_forex_trade request signed with ALIPAY_PRIVATE_KEY,
// and the sandbox (which would let anyone "pay") does not exist.
const ours = generateRsaKeyPair();
const alipays = generateRsaKeyPair();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    ALIPAY_GATEWAY_URL: 'https://mapi.alipay.example/gateway.do',
    ALIPAY_PRIVATE_KEY: ours.privateKeyPem,
    ALIPAY_PUBLIC_KEY: alipays.publicKeyPem,
    ALIPAY_PARTNER_ID: '2088123456789012',
    PUBLIC_BASE_URL: 'https://psp.example',
  });
});
afterAll(() => server?.close());

describe('the Alipay connector', () => {
  it('redirects to the gateway with a signed create_forex_trade request', async () => {
    const { key } = await server.createMerchant('Shop');
    const result = await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: 'order 7 / 茶', amount: { value: '1234', currency: 'JPY' }, returnUrl: 'https://shop.example/return?o=7' } },
      key,
    );
    const payload = result.data?.createTransaction;
    if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
    const redirect = new URL(payload.transaction.redirectUrl ?? '');
    expect(`${redirect.origin}${redirect.pathname}`).toBe('https://mapi.alipay.example/gateway.do');
    const params = Object.fromEntries(redirect.searchParams);
    const id = decodeGlobalId(payload.transaction.id, 'Transaction');
    expect(params).toMatchObject({
      service: 'create_forex_trade',
      partner: '2088123456789012',
      out_trade_no: id,
      // No merchant text in a signed value (#13.2): the subject is ours, the consumer returns through our link.
      subject: `Payment ${id}`,
      total_fee: '1234',
      currency: 'JPY',
      notify_url: 'https://psp.example/notifications/alipay',
      sign_type: 'RSA2',
    });
    expect(params['return_url']).toMatch(new RegExp(`^https://psp\\.example/return/alipay/${id}\\.[A-Za-z0-9_-]{43}$`));
    expect(payload.transaction.returnUrl).toBe('https://shop.example/return?o=7');
    // Alipay verifies with the public half of ALIPAY_PRIVATE_KEY over the sorted k=v string.
    expect(verifyAlipay(params, ours.publicKeyPem)).toBe(true);
    expect(alipaySigningString(params).startsWith('_input_charset=utf-8&currency=JPY&notify_url=')).toBe(true);
    expect(verifyAlipay({ ...params, total_fee: '1' }, ours.publicKeyPem)).toBe(false);
  });

  it('has no sandbox routes', async () => {
    for (const path of ['/sandbox/alipay/gateway', '/sandbox/alipay/settlement']) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    }
    expect((await fetch(`${server.url}/sandbox/alipay/pay`, { method: 'POST', body: 'a=b' })).status).toBe(404);
  });
});
