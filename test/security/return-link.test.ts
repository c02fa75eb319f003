import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { alipaySigningString, verifyAlipay } from '../../src/domain/signatures.ts';
import { request } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Issue #13.2: Alipay's signature joins `k=v` with `&` over raw values, so merchant text with `&` and `=` inside a
 * signed value could be re-split into other parameters that still verify (a lower total_fee, another merchant's
 * out_trade_no). No merchant text is signed any more: the consumer comes back through our return link (only our
 * transaction id and its MAC) and is sent on to the merchant's returnUrl, which is validated and normalised.
 */

let server: TestServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  merchant = await server.createMerchant('Attacker');
});
afterAll(() => server?.close());

async function create(input: { merchantReference?: string; returnUrl: string; value?: string }) {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: input.merchantReference ?? 'order-1', amount: { value: input.value ?? '19.99', currency: 'EUR' }, returnUrl: input.returnUrl } },
    merchant.key,
  );
  return result.data?.createTransaction;
}

async function created(input: { merchantReference?: string; returnUrl: string; value?: string }) {
  const payload = await create(input);
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(payload));
  return payload.transaction;
}

function signedParams(redirectUrl: string | null | undefined): Record<string, string> {
  return Object.fromEntries(new URL(redirectUrl ?? '').searchParams);
}

/**
 * The attack of the issue: a returnUrl ending in `&service=...&total_fee=0.01&zz=` re-splits the signed string into a
 * request for 0.01 whose signature still verifies (`zz` swallows the real tail). Undefined when the injected text
 * is not in the signed string at all.
 */
function resplit(params: Record<string, string>, injected: string): Record<string, string> | undefined {
  const signed = alipaySigningString(params);
  const index = signed.indexOf(injected);
  if (index < 0) return undefined;
  const forged: Record<string, string> = {};
  for (const pair of signed.slice(0, index + injected.length - '&zz='.length).split('&')) {
    const separator = pair.indexOf('=');
    forged[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  forged['zz'] = signed.slice(index + injected.length);
  return { ...forged, sign_type: 'RSA2', sign: params['sign'] ?? '' };
}

describe('the redirect signs no merchant text (#13.2)', () => {
  const hostileReturnUrls = [
    'https://evil.example/x&service=create_forex_trade&subject=s&timestamp=t&total_fee=0.01&zz=',
    'https://evil.example/?a=1&out_trade_no=01938a4e-7c1d-7000-8000-000000000001&total_fee=0.01',
    'https://evil.example/r?return_url=https://evil.example&sign_type=RSA2&sign=AAAA',
  ];
  const hostileReferences = ['a&total_fee=0.01', 'x=1&out_trade_no=01938a4e-7c1d-7000-8000-000000000001', '&=&='];

  it.each(hostileReturnUrls.flatMap((returnUrl) => hostileReferences.map((merchantReference) => [returnUrl, merchantReference])))(
    'returnUrl %s, reference %s: every signed value is ours, with no & or =',
    async (returnUrl, merchantReference) => {
      const transaction = await created({ returnUrl, merchantReference });
      const params = signedParams(transaction.redirectUrl);
      const { sign: _sign, sign_type: _signType, ...signed } = params;
      for (const value of Object.values(signed)) {
        expect(value).not.toMatch(/[&=]/);
        expect(value).not.toContain('evil.example');
        expect(value).not.toContain(merchantReference);
      }
      // So the signed string splits back into exactly the parameters we signed, and nothing else verifies.
      expect(Object.fromEntries(alipaySigningString(params).split('&').map((pair) => pair.split('=')))).toEqual(signed);
    },
  );

  it('the total_fee re-split no longer exists: the injected text is not in the signed string, and tampering is ILLEGAL_SIGN', async () => {
    const injected = '&service=create_forex_trade&subject=s&timestamp=t&total_fee=0.01&zz=';
    const transaction = await created({ returnUrl: `https://evil.example/x${injected}` });
    const params = signedParams(transaction.redirectUrl);
    expect(params['total_fee']).toBe('19.99');
    const forged = resplit(params, injected);
    // Before the fix this was a request for 0.01 that verified with our key (and the sandbox showed 0.01).
    expect(forged === undefined || !verifyAlipay(forged, server.alipay.privateKey)).toBe(true);
    expect(forged).toBeUndefined();
    const gateway = new URL(transaction.redirectUrl ?? '');
    gateway.searchParams.set('total_fee', '0.01');
    const answer = await request(gateway.href);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('ILLEGAL_SIGN');
  });

  it('another merchant\'s transaction cannot be named: a returnUrl carrying its id changes nothing', async () => {
    const victim = await created({ returnUrl: 'https://victim.example/done' });
    const victimId = decodeGlobalId(victim.id, 'Transaction') ?? '';
    const attacker = await created({ returnUrl: `https://evil.example/?a=1&out_trade_no=${victimId}&zz=`, merchantReference: `&out_trade_no=${victimId}` });
    const params = signedParams(attacker.redirectUrl);
    expect(alipaySigningString(params)).not.toContain(victimId);
    expect(params['out_trade_no']).toBe(decodeGlobalId(attacker.id, 'Transaction'));
    // The consumer pays the attacker's trade: only that one moves.
    const page = await request(attacker.redirectUrl ?? '');
    expect(page.status).toBe(200);
    const form = new URLSearchParams(params);
    const paid = await fetch(`${server.url}/sandbox/alipay/pay`, { method: 'POST', body: form, redirect: 'manual' });
    expect(paid.status).toBe(303);
    const rows = await server.db.prisma.transaction.findMany({ where: { id: { in: [victimId, params['out_trade_no'] ?? ''] } }, select: { id: true, status: true } });
    expect(Object.fromEntries(rows.map((row) => [row.id, row.status]))).toEqual({ [victimId]: 'REDIRECTED', [params['out_trade_no'] ?? '']: 'CAPTURED' });
  });
});

describe('returnUrl is validated strictly and stored normalised (#13.2)', () => {
  it.each([
    ['a CR/LF (header injection into Location)', 'https://shop.example/done\r\nSet-Cookie: session=stolen'],
    ['a bare LF', 'https://shop.example/\ndone'],
    ['a tab', 'https://shop.example/\tdone'],
    ['a DEL', 'https://shop.example/\u007fdone'],
    ['a C1 control', 'https://shop.example/\u0085done'],
    ['a leading space', ' https://shop.example/done'],
    ['credentials', 'https://user:secret@shop.example/done'],
    ['a relative URL', '/done'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['no host', 'https://'],
    ['too long', `https://shop.example/${'a'.repeat(2048)}`],
    ['too long once normalised', `https://shop.example/${'é'.repeat(400)}`],
  ])('%s: VALIDATION_FAILED on input.returnUrl, nothing created', async (_label, returnUrl) => {
    const before = await server.db.prisma.transaction.count();
    const payload = await create({ returnUrl });
    expect(payload).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(payload?.__typename === 'ValidationError' ? payload.fields.map((field) => field.path) : []).toEqual([['input', 'returnUrl']]);
    expect(await server.db.prisma.transaction.count()).toBe(before);
  });

  it('stores the WHATWG-normalised URL and treats spellings of it as one for idempotency', async () => {
    const transaction = await created({ returnUrl: 'HTTPS://Shop.EXAMPLE:443/a/./b/../c?q=a b#frag' });
    expect(transaction.returnUrl).toBe('https://shop.example/a/c?q=a%20b#frag');
    const international = await created({ returnUrl: 'https://bücher.example/zurück' });
    expect(international.returnUrl).toBe('https://xn--bcher-kva.example/zur%C3%BCck');
  });
});

describe('the return link (#13.2)', () => {
  async function returnLinkOf(transaction: { redirectUrl?: string | null }): Promise<string> {
    return signedParams(transaction.redirectUrl)['return_url'] ?? '';
  }

  it('sends the consumer on (303) to the merchant\'s returnUrl with the transaction id and status, its own query kept', async () => {
    const transaction = await created({ returnUrl: 'https://shop.example/done?order=7&flag&status=mine&q=a%20b#top' });
    const link = await returnLinkOf(transaction);
    expect(link.startsWith(`${server.url}/return/alipay/`)).toBe(true);
    // What Alipay appends to return_url is ignored: the status is ours.
    const answer = await fetch(`${link}?trade_status=TRADE_SUCCESS&out_trade_no=x`, { redirect: 'manual' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('location')).toBe(
      `https://shop.example/done?order=7&flag&q=a%20b&transactionId=${encodeURIComponent(transaction.id)}&status=REDIRECTED#top`,
    );
  });

  it('cannot be forged for another transaction: a changed id, MAC or shape is 404, sends nobody anywhere, cancels nothing', async () => {
    const mine = await created({ returnUrl: 'https://shop.example/mine' });
    const theirs = await created({ returnUrl: 'https://shop.example/theirs' });
    const link = await returnLinkOf(mine);
    const [, ticket = ''] = /\/return\/alipay\/(.+)$/.exec(link) ?? [];
    const [, mac = ''] = ticket.split('.');
    const theirId = decodeGlobalId(theirs.id, 'Transaction') ?? '';
    const forgeries = [
      `${theirId}.${mac}`,
      `${decodeGlobalId(mine.id, 'Transaction')}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${decodeGlobalId(mine.id, 'Transaction')?.toUpperCase()}.${mac}`,
      `${decodeGlobalId(mine.id, 'Transaction')}`,
      `${encodeGlobalId('Transaction', theirId)}`,
      `${ticket}/extra`,
      '*',
      '',
    ];
    for (const forged of forgeries) {
      // Also with the consumer's cancel indication (#22): a forged link cancels nothing.
      for (const query of ['', '?action=cancel']) {
        const answer = await fetch(`${server.url}/return/alipay/${forged}${query}`, { redirect: 'manual' });
        expect(answer.status, forged).toBe(404);
        expect(answer.headers.get('location'), forged).toBeNull();
      }
    }
    const statuses = await server.db.prisma.transaction.findMany({ where: { id: { in: [theirId, decodeGlobalId(mine.id, 'Transaction') ?? ''] } }, select: { status: true } });
    expect(statuses.map((row) => row.status)).toEqual(['REDIRECTED', 'REDIRECTED']);
    expect((await fetch(link, { method: 'POST', redirect: 'manual' })).status).toBe(405);
  });
});
