import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { request } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Per-merchant allowed origins (#15): CORS is answered for a merchant's origins only to its publishable key; a
// secret key from a browser page is refused; WebSocket upgrades from an origin nobody allowed are refused
// (cross-site WebSocket hijacking), and a socket's key must be one its page's origin may use.

let server: TestServer;
let shop: { merchantId: string; key: string; publishable: string };
let other: { merchantId: string; key: string; publishable: string };
const SHOP = 'https://shop.example';
const OTHER = 'https://other.example:8443';

async function withPublishableKey(name: string, origins: string[]) {
  const merchant = await server.createMerchant(name);
  const created = await server.graphql<{ createApiKey: { secret: string } }>('mutation { createApiKey(role: PUBLISHABLE) { ... on CreateApiKeySuccess { secret } } }', {}, merchant.key);
  const set = await server.graphql<{ setAllowedOrigins: { __typename: string; allowedOrigins?: string[] } }>(
    'mutation ($origins: [String!]!) { setAllowedOrigins(origins: $origins) { __typename ... on SetAllowedOriginsSuccess { allowedOrigins } } }',
    { origins },
    merchant.key,
  );
  expect(set.data?.setAllowedOrigins.__typename).toBe('SetAllowedOriginsSuccess');
  return { ...merchant, publishable: created.data?.createApiKey.secret ?? '' };
}

beforeAll(async () => {
  server = await startTestServer();
  shop = await withPublishableKey('Origins shop', ['HTTPS://Shop.Example:443', SHOP]);
  other = await withPublishableKey('Origins other', [OTHER]);
});
afterAll(() => server?.close());

const post = (key: string, origin: string | undefined) =>
  request(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...(origin === undefined ? {} : { origin }) },
    body: JSON.stringify({ query: '{ checkoutTransaction { status } }' }),
  });

const preflight = (origin: string) =>
  request(`${server.url}/graphql`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });

describe('setAllowedOrigins', () => {
  it('stores origins normalised, without duplicates, and refuses anything that is not an origin', async () => {
    const read = await server.graphql<{ node: { allowedOrigins: string[] } }>(`{ node(id: "${Buffer.from(`Merchant:${shop.merchantId}`).toString('base64')}") { ... on Merchant { allowedOrigins } } }`, {}, shop.key);
    expect(read.data?.node.allowedOrigins).toEqual([SHOP]);
    for (const bad of ['https://shop.example/path', 'javascript:alert(1)', 'shop.example', 'https://user@shop.example', '*', 'https://shop.example?x=1']) {
      const refused = await server.graphql<{ setAllowedOrigins: { __typename: string } }>(`mutation { setAllowedOrigins(origins: [${JSON.stringify(bad)}]) { __typename } }`, {}, shop.key);
      expect({ bad, typename: refused.data?.setAllowedOrigins.__typename }).toEqual({ bad, typename: 'ValidationError' });
    }
    const again = await server.graphql<{ node: { allowedOrigins: string[] } }>(`{ node(id: "${Buffer.from(`Merchant:${shop.merchantId}`).toString('base64')}") { ... on Merchant { allowedOrigins } } }`, {}, shop.key);
    expect(again.data?.node.allowedOrigins).toEqual([SHOP]);
  });
});

describe('CORS per merchant', () => {
  it("answers the merchant's origin to its publishable key, and no other origin or key", async () => {
    const allowed = await post(shop.publishable, SHOP);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();

    // Another merchant's origin, or one nobody allows: refused, and no CORS header for the browser.
    for (const origin of [OTHER, 'https://evil.example', 'http://shop.example']) {
      const refused = await post(shop.publishable, origin);
      expect({ origin, status: refused.status, cors: refused.headers.get('access-control-allow-origin') }).toEqual({ origin, status: 403, cors: null });
      expect(refused.json?.errors?.[0]?.message).toMatch(/not one of the merchant's allowed origins/);
    }
    expect((await preflight(SHOP)).headers.get('access-control-allow-origin')).toBe(SHOP);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a secret key from a browser page: refused with a clear error, no CORS; from a server (no Origin): fine', async () => {
    for (const origin of [SHOP, 'https://evil.example']) {
      const refused = await post(shop.key, origin);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(refused.json?.errors?.[0]).toMatchObject({ message: expect.stringMatching(/secret key must never be used from a browser page/), extensions: { code: 'FORBIDDEN' } });
    }
    expect((await server.graphql('{ transactions { totalCount } }', {}, shop.key)).status).toBe(200);
  });
});

describe('WebSocket origins', () => {
  function open(origin: string | undefined, payload: Record<string, unknown>): Promise<string | number> {
    return new Promise((resolve) => {
      const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', origin === undefined ? {} : { origin });
      socket.once('unexpected-response', (_request, response) => resolve(`HTTP ${response.statusCode}`));
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
      socket.once('message', (data) => {
        resolve((JSON.parse(String(data)) as { type: string }).type);
        socket.close();
      });
      socket.once('close', (code) => resolve(code));
    });
  }

  it('refuses an upgrade from an origin nobody allows, before any key is read', async () => {
    expect(await open('https://evil.example', { authorization: `Bearer ${shop.key}` })).toBe('HTTP 403');
  });

  it("lets a publishable key in from its merchant's origin only; a secret key from no page at all", async () => {
    expect(await open(SHOP, { authorization: `Bearer ${shop.publishable}` })).toBe('connection_ack');
    expect(await open(OTHER, { authorization: `Bearer ${shop.publishable}` })).toBe(4403);
    expect(await open(SHOP, { authorization: `Bearer ${shop.key}` })).toBe(4403);
    expect(await open(OTHER, { authorization: `Bearer ${other.publishable}` })).toBe('connection_ack');
    expect(await open(undefined, { authorization: `Bearer ${shop.key}` })).toBe('connection_ack');
  });
});
