import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeApiKey, createApiKey } from '../../src/services/merchants.ts';
import { insertTransaction } from '../support/fixtures.ts';
import { request, type RawResponse } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The sandbox's settlement page plays the bank statement: it moves every merchant's CAPTURED money to PAID and
// shows every merchant's captured totals. It was open to anyone, and to a cross-site form (#13.1): now ADMIN
// keys only, never through a page of another site, and no figures for anyone else.

let server: TestServer;
let settlement: string;
let victim: { merchantId: string; key: string };
let capturedId: string;
// An amount no other line of the page could contain by accident.
const AMOUNT_MINOR = 987_654n;
const FIGURE = '9876.54';

beforeAll(async () => {
  server = await startTestServer();
  settlement = `${server.url}/sandbox/alipay/settlement`;
  victim = await server.createMerchant('Victim');
  capturedId = await insertTransaction(server.db, { merchantId: victim.merchantId, amountMinor: AMOUNT_MINOR, currency: 'EUR', history: [{ status: 'REDIRECTED' }, { status: 'CAPTURED' }] });
});
afterAll(() => server?.close());

async function status(): Promise<string> {
  return (await server.db.prisma.transaction.findUniqueOrThrow({ where: { id: capturedId } })).status;
}

function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() };
}

function expectNoFigures(response: RawResponse): void {
  expect(response.text).not.toContain(FIGURE);
  expect(response.text).not.toContain('<table');
}

describe('GET /sandbox/alipay/settlement shows figures to ADMIN keys only', () => {
  it('without a key: 401 with the sign-in form, and no figures', async () => {
    const response = await request(settlement);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.text).toContain('name="apiKey"');
    expectNoFigures(response);
  });

  it('a merchant key, even the one whose money it is: 403, no figures', async () => {
    const other = await server.createMerchant('Other');
    for (const key of [other.key, victim.key]) {
      const response = await request(settlement, { headers: { authorization: `Bearer ${key}` } });
      expect(response.status).toBe(403);
      expectNoFigures(response);
    }
  });

  it('an unknown key, or a key in the query string: 401, no figures', async () => {
    for (const response of [
      await request(settlement, { headers: { authorization: 'Bearer psk_not_a_key_of_ours_0123456789' } }),
      await request(`${settlement}?apiKey=${encodeURIComponent(server.adminKey)}`),
    ]) {
      expect(response.status).toBe(401);
      expectNoFigures(response);
    }
  });

  it('an ADMIN key: the figures (so the refusals above can fail)', async () => {
    const response = await request(settlement, { headers: { authorization: `Bearer ${server.adminKey}` } });
    expect(response.status).toBe(200);
    expect(response.text).toContain(FIGURE);
  });
});

describe('POST /sandbox/alipay/settlement moves money for ADMIN keys only, never for a foreign page', () => {
  it('refuses a keyless form, a merchant key, an unknown key and a revoked ADMIN key; the transaction stays CAPTURED', async () => {
    const revoked = await createApiKey(server.db, 'ADMIN', null);
    await revokeApiKey(server.db, revoked.apiKey.id);
    const attempts: [string, RequestInit, number][] = [
      ['no body, no key', { method: 'POST' }, 401],
      ['a form without a key', form({ action: 'settle' }), 401],
      ['a form with a merchant key', form({ apiKey: victim.key, action: 'settle' }), 403],
      ['a merchant Bearer key', { method: 'POST', headers: { authorization: `Bearer ${victim.key}` } }, 403],
      ['an unknown key', form({ apiKey: 'psk_not_a_key_of_ours_0123456789', action: 'settle' }), 401],
      ['a revoked ADMIN key', form({ apiKey: revoked.secret, action: 'settle' }), 401],
      ['ambient credentials only (a cookie, cached Basic)', form({ action: 'settle' }, { cookie: 'session=x', authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` }), 401],
    ];
    for (const [name, init, expected] of attempts) {
      const response = await request(settlement, init);
      expect({ name, status: response.status }).toEqual({ name, status: expected });
      expectNoFigures(response);
    }
    expect(await status()).toBe('CAPTURED');
  });

  it('refuses what a page of another site sent, even carrying a valid ADMIN key: 403 before anything', async () => {
    const crossSite: [string, Record<string, string>][] = [
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
      ['a foreign Origin', { origin: 'https://attacker.example' }],
      ['Origin: null (a sandboxed frame)', { origin: 'null' }],
      ['an Origin that merely resembles ours', { origin: `${server.url}.attacker.example` }],
    ];
    for (const [name, headers] of crossSite) {
      const response = await request(settlement, form({ apiKey: server.adminKey, action: 'settle' }, headers));
      expect({ name, status: response.status }).toEqual({ name, status: 403 });
      expectNoFigures(response);
    }
    expect(await status()).toBe('CAPTURED');
  });

  it('settles with an ADMIN key from the same origin (the form) or a script (Bearer): PAID, source SETTLEMENT', async () => {
    const shown = await request(settlement, form({ apiKey: server.adminKey, action: 'show' }, { origin: server.url, 'sec-fetch-site': 'same-origin' }));
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(FIGURE);
    expect(await status()).toBe('CAPTURED');

    const settled = await request(settlement, form({ apiKey: server.adminKey, action: 'settle' }, { origin: server.url, 'sec-fetch-site': 'same-origin' }));
    expect(settled.status).toBe(200);
    expect(settled.text).toContain('Settled 1 transaction(s)');
    expect(await status()).toBe('PAID');
    const events = await server.db.prisma.transactionEvent.findMany({ where: { transactionId: capturedId }, orderBy: { sequence: 'asc' } });
    expect(events.at(-1)).toMatchObject({ status: 'PAID', source: 'SETTLEMENT' });

    const again = await request(settlement, { method: 'POST', headers: { authorization: `Bearer ${server.adminKey}` } });
    expect(again.status).toBe(200);
    expect(again.text).toContain('Settled 0 transaction(s)');
  });
});
