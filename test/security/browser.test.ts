import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { insertTransaction } from '../support/fixtures.ts';
import { request, type RawResponse } from '../support/http.ts';
import { startSibling, startTestServer, type SiblingServer, type TestServer } from '../support/server.ts';

// What a foreign web page can make a visitor's browser send to /graphql. Browsers attach ambient credentials
// (cookies, cached HTTP authentication) by themselves; the console's session cookie (issue #18) will be one.

let server: TestServer;
let withShop: SiblingServer;
let merchant: { merchantId: string; key: string };
const SHOP = 'https://shop.example';

beforeAll(async () => {
  server = await startTestServer();
  withShop = await startSibling(server, { CORS_ORIGINS: `${SHOP}, https://admin.example:8443` });
  merchant = await server.createMerchant('Browser');
});
afterAll(async () => {
  await withShop?.close();
  await server?.close();
});

const MUTATION = 'mutation { createMerchant(name: "forged") { __typename } }';
const QUERY = '{ transactions { totalCount } }';

/** Requests a page can send without a CORS preflight: a form, a link, an image, fetch in no-cors mode. */
const simpleRequests: [string, (credentials: Record<string, string>) => RequestInit & { path?: string }][] = [
  ['GET with the query in the URL', (headers) => ({ path: `?query=${encodeURIComponent(QUERY)}`, headers })],
  ['a form POST (urlencoded)', (headers) => ({ method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(MUTATION)}` })],
  ['a text/plain POST carrying JSON', (headers) => ({ method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: JSON.stringify({ query: MUTATION }) })],
  ['a text/plain POST, type in capitals', (headers) => ({ method: 'POST', headers: { ...headers, 'content-type': 'Text/Plain; charset=utf-8' }, body: JSON.stringify({ query: MUTATION }) })],
  ['a multipart POST', (headers) => ({ method: 'POST', headers: { ...headers, 'content-type': 'multipart/form-data; boundary=x' }, body: `--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n${MUTATION}\r\n--x--\r\n` })],
];

/** Credentials a browser adds by itself. */
const ambientCredentials: [string, Record<string, string>][] = [
  ['a cookie', { cookie: 'paystream_session=anything' }],
  ['cached Basic authentication', { authorization: `Basic ${Buffer.from('user:password').toString('base64')}` }],
];

function send(init: RequestInit & { path?: string }): Promise<RawResponse> {
  const { path = '', ...rest } = init;
  return request(`${server.url}/graphql${path}`, rest);
}

describe('CSRF: a request a foreign page could send without a preflight runs nothing', () => {
  const cases = simpleRequests.flatMap(([shape, build]) => ambientCredentials.map(([credential, headers]) => [shape, credential, build(headers)] as const));

  it.each(cases)('%s with %s: 403 CSRF_REFUSED, nothing written', async (_shape, _credential, init) => {
    const merchantsBefore = await server.db.prisma.merchant.count();
    const response = await send(init);
    expect(response.status, response.text).toBe(403);
    expect(response.json?.errors?.[0]?.extensions?.['code']).toBe('CSRF_REFUSED');
    expect(await server.db.prisma.merchant.count()).toBe(merchantsBefore);
  });

  it('the same request without any credential has nothing to forge: 401 (API.md), not a CSRF refusal', async () => {
    for (const [, build] of simpleRequests) {
      const response = await send(build({}));
      expect(response.status, response.text).toBe(401);
    }
  });

  it('a request with a cookie passes the CSRF rule once it is of a preflighted kind (then authentication decides)', async () => {
    const cookie = { cookie: 'paystream_session=anything' };
    const json = await send({ method: 'POST', headers: { ...cookie, 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    expect(json.status).toBe(401);
    const marked = await send({ path: `?query=${encodeURIComponent(QUERY)}`, headers: { ...cookie, 'x-graphql-yoga-csrf': '1' } });
    expect(marked.status).toBe(401);
  });

  it('a Bearer key is set by a page only after a preflight: GET with it is served', async () => {
    const response = await send({ path: `?query=${encodeURIComponent(QUERY)}`, headers: { authorization: `Bearer ${merchant.key}`, cookie: 'paystream_session=anything' } });
    expect(response.status, response.text).toBe(200);
    expect(response.json?.data).toEqual({ transactions: { totalCount: 0 } });
  });

  it('GET never runs a mutation, whatever it carries: 405', async () => {
    const response = await send({ path: `?query=${encodeURIComponent(MUTATION)}`, headers: { authorization: `Bearer ${server.adminKey}`, 'x-graphql-yoga-csrf': '1' } });
    expect(response.status).toBe(405);
  });
});

describe('CSRF on the other routes: a foreign page cannot make a browser change state through them', () => {
  // Every POST route that takes an API key (found as the ones answering a keyless POST 401 Bearer; today the
  // sandbox's settlement, #13.1) refuses what a browser marks as sent by another site, whatever credential the
  // request carries: the ADMIN key typed in a form, a Bearer header, cookies or cached Basic authentication.
  async function apiKeyPostRoutes(): Promise<string[]> {
    const found: string[] = [];
    for (const [path, methods] of server.app.routes) {
      if (!methods.has('POST')) continue;
      const response = await request(`${server.url}${path}`, { method: 'POST' });
      if (response.status === 401 && response.headers.get('www-authenticate') === 'Bearer') found.push(path);
    }
    return found;
  }

  const foreign: [string, Record<string, string>][] = [
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['a foreign Origin', { origin: 'https://attacker.example' }],
    ['Origin: null', { origin: 'null' }],
  ];

  it('refuses them 403 with a valid ADMIN key in the form or the header, and leaves the data as it was', async () => {
    const paths = await apiKeyPostRoutes();
    expect(paths).toContain('/sandbox/alipay/settlement');
    // Money a forged settlement would move.
    const payee = await server.createMerchant('Payee');
    await insertTransaction(server.db, { merchantId: payee.merchantId, history: [{ status: 'REDIRECTED' }, { status: 'CAPTURED' }] });
    const before = await server.db.prisma.transactionEvent.count();
    for (const path of paths) {
      for (const [name, headers] of foreign) {
        const carried: Record<string, string>[] = [
          { 'content-type': 'application/x-www-form-urlencoded' },
          { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${server.adminKey}` },
          { 'content-type': 'application/x-www-form-urlencoded', cookie: 'paystream_session=anything' },
        ];
        for (const credentials of carried) {
          const response = await request(`${server.url}${path}`, { method: 'POST', headers: { ...credentials, ...headers }, body: `apiKey=${encodeURIComponent(server.adminKey)}&action=settle` });
          expect({ path, name, status: response.status }).toEqual({ path, name, status: 403 });
        }
      }
    }
    expect(await server.db.prisma.transactionEvent.count()).toBe(before);
  });
});

describe('CORS: only the configured origins, never with credentials', () => {
  const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods', 'access-control-allow-headers'];
  const corsHeadersOf = (response: RawResponse) => CORS_HEADERS.filter((name) => response.headers.has(name));

  /** A preflight, a keyless request (401), an authenticated one (200) and a refused one (403), from `origin`. */
  async function answersTo(baseUrl: string, origin: string): Promise<RawResponse[]> {
    const graphql = `${baseUrl}/graphql`;
    const json = { 'content-type': 'application/json', origin };
    return Promise.all([
      request(graphql, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } }),
      request(graphql, { method: 'POST', headers: json, body: JSON.stringify({ query: QUERY }) }),
      request(graphql, { method: 'POST', headers: { ...json, authorization: `Bearer ${merchant.key}` }, body: JSON.stringify({ query: QUERY }) }),
      request(`${graphql}?query=${encodeURIComponent(QUERY)}`, { headers: { origin, cookie: 'paystream_session=x' } }),
    ]);
  }

  it('by default (no CORS_ORIGINS) answers no origin with CORS headers, on any status', async () => {
    const answers = await answersTo(server.url, 'https://evil.example');
    // The secret key from a foreign page: 403 (a secret key must never be in a browser: docs/FRONTEND.md).
    expect(answers.map((response) => response.status)).toEqual([204, 401, 403, 403]);
    for (const response of answers) expect(corsHeadersOf(response)).toEqual([]);
  });

  it('answers an allowed origin, without Allow-Credentials, on every status', async () => {
    for (const origin of [SHOP, 'https://admin.example:8443']) {
      const [preflight, ...answers] = await answersTo(withShop.url, origin);
      expect(preflight?.status).toBe(204);
      expect(preflight?.headers.get('access-control-allow-origin')).toBe(origin);
      expect(preflight?.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(preflight?.headers.get('access-control-allow-methods')).toMatch(/POST/);
      for (const response of [preflight, ...answers]) {
        expect(response?.headers.get('access-control-allow-origin')).toBe(origin);
        expect(response?.headers.has('access-control-allow-credentials')).toBe(false);
        expect(response?.headers.get('vary')).toMatch(/Origin/i);
      }
    }
  });

  it('refuses every other origin, even one that merely resembles an allowed one', async () => {
    for (const origin of ['https://evil.example', 'http://shop.example', 'https://shop.example.evil.example', 'https://admin.example', 'null']) {
      for (const response of await answersTo(withShop.url, origin)) expect(corsHeadersOf(response), origin).toEqual([]);
    }
  });

  it('a malformed CORS_ORIGINS stops the start, naming the variable', () => {
    for (const value of ['*', 'shop.example', 'https://shop.example/', 'https://shop.example/path', 'ftp://shop.example']) {
      expect(() => loadConfig({ CORS_ORIGINS: value }), value).toThrow(/^invalid configuration: CORS_ORIGINS /);
    }
  });
});
