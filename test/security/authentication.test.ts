import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { schema } from '../../src/graphql/schema/index.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { registerBootstrapAdminKey } from '../../src/services/credentials.ts';
import { hashSecret, revokeApiKey } from '../../src/services/merchants.ts';
import { errorCodes, postGraphql, request, type RawResponse } from '../support/http.ts';
import { fieldsScopedTo, operationWithoutAddressing } from '../support/schema-sweep.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  merchant = await server.createMerchant('Authenticated');
});
afterAll(() => server?.close());

const query = { query: '{ transactions { totalCount } }' };

function expectUnauthenticated(response: RawResponse): void {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  expect(response.json?.errors?.[0]).toMatchObject({ message: expect.stringMatching(/API key/), extensions: { code: 'UNAUTHENTICATED' } });
  expect(response.json?.data).toBeUndefined();
}

/** Opens graphql-ws with the given connection_init payload; resolves with the close code (or 'ack'). */
function wsConnect(payload: Record<string, unknown> | undefined): Promise<number | 'ack'> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', ...(payload ? { payload } : {}) })));
    socket.once('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'connection_ack') {
        socket.close();
        resolve('ack');
      }
    });
    socket.once('close', (code) => resolve(code));
  });
}

describe('authentication bypass attempts', () => {
  it('a valid key works (the baseline every refusal below is measured against)', async () => {
    const response = await postGraphql(server.url, query, { key: merchant.key });
    expect(response.status).toBe(200);
    expect(response.json?.data).toEqual({ transactions: { totalCount: 0 } });
  });

  const attempts: [string, (key: string) => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['an empty header', () => ''],
    ['"Bearer" alone', () => 'Bearer'],
    ['"Bearer " with nothing after', () => 'Bearer '],
    ['Basic with the key as password', (key) => `Basic ${Buffer.from(`user:${key}`).toString('base64')}`],
    ['Basic with the key as user', (key) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`],
    ['another scheme', (key) => `Token ${key}`],
    ['the key without a scheme', (key) => key],
    ['the key followed by extra words', (key) => `Bearer ${key} extra`],
    ['two keys', (key) => `Bearer ${key}, Bearer ${key}`],
    ['the key with a character missing', (key) => `Bearer ${key.slice(0, -1)}`],
    ['the key with a character added', (key) => `Bearer ${key}x`],
    ['the key with its first character changed', (key) => `Bearer ${key[0] === 'p' ? 'q' : 'p'}${key.slice(1)}`],
    ['the stored hash of the key (pass-the-hash)', (key) => `Bearer ${hashSecret(key)}`],
    ['the key in another case', (key) => `Bearer ${key.toUpperCase()}`],
    ['a very long header', () => `Bearer ${'A'.repeat(8_000)}`],
    ['SQL in the header', () => "Bearer ' OR '1'='1' --aaaaaaaaaaaa"],
  ];

  it.each(attempts)('%s: 401 UNAUTHENTICATED', async (_label, header) => {
    const value = header(merchant.key);
    const response = await postGraphql(server.url, query, value === undefined ? {} : { headers: { authorization: value } });
    expectUnauthenticated(response);
  });

  it('accepts the scheme in any case, as RFC 7235 says (the key itself is what counts)', async () => {
    for (const scheme of ['bearer', 'BEARER']) {
      const response = await postGraphql(server.url, query, { headers: { authorization: `${scheme} ${merchant.key}` } });
      expect(response.status).toBe(200);
    }
  });

  it('a header beyond 16 KB is refused by the HTTP parser: 431', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = http.request(`${server.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${'A'.repeat(20_000)}`, 'content-type': 'application/json', 'content-length': 2 } }, (incoming) => {
        incoming.resume();
        resolve(incoming.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.end('{}');
    });
    expect(status).toBe(431);
  });

  it('a key in the query string is not a credential', async () => {
    const response = await request(`${server.url}/graphql?query=${encodeURIComponent(query.query)}&authorization=${encodeURIComponent(`Bearer ${merchant.key}`)}`, {
      headers: { 'graphql-preflight': '1' },
    });
    expectUnauthenticated(response);
  });

  it('a revoked key stops working at once, on HTTP and WebSocket', async () => {
    const doomed = await server.createMerchant('Doomed');
    expect((await postGraphql(server.url, query, { key: doomed.key })).status).toBe(200);
    expect(await wsConnect({ authorization: `Bearer ${doomed.key}` })).toBe('ack');
    const apiKey = await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: doomed.merchantId } });
    await revokeApiKey(server.db, apiKey.id);
    expectUnauthenticated(await postGraphql(server.url, query, { key: doomed.key }));
    expect(await wsConnect({ authorization: `Bearer ${doomed.key}` })).toBe(4401);
  });

  it('WebSocket without a key or with a bad one: closed with 4401', async () => {
    expect(await wsConnect(undefined)).toBe(4401);
    expect(await wsConnect({ authorization: 'Bearer not-a-real-key-0123456789' })).toBe(4401);
    expect(await wsConnect({ authorization: merchant.key })).toBe(4401);
    expect(await wsConnect({ authorization: `Bearer ${merchant.key}` })).toBe('ack');
  });
});

describe('every route besides /graphql takes an API key, unless it is public by design', () => {
  // Public routes and why (docs/SECURITY.md). Anything else must answer a keyless request 401: the sandbox's
  // settlement once moved every merchant's money for anyone (#13.1), and a new route must not repeat that.
  const publicRoutes: [RegExp, string][] = [
    [/^GET \/$/, 'a pointer to GraphQL'],
    [/^GET \/(healthz|readyz)$/, 'liveness and readiness: no data'],
    [/^GET \/metrics$/, 'its own METRICS_TOKEN, else loopback clients only'],
    [/^(GET|POST) \/notifications\//, 'Alipay and signed events: the signature is the authentication (GET: the endpoint ownership echo)'],
    [/^(GET|POST) \/sandbox\/alipay(\/gateway|\/pay|\/cancel|\/decline|\/abandon|\/close)?$/, 'the sandbox consumer pages: they act only on a redirect we signed'],
    [/^GET \/return\//, 'the consumer coming back from Alipay: a ticket we signed'],
    [/^GET \/console(\/assets\/.+)?$/, 'the console’s shell and assets: no data (the console reads it over the API)'],
    [/^(GET|POST|DELETE) \/console\/session$/, 'the console’s sign-in (the key in a JSON body, foreign origins refused), who is signed in, sign-out'],
  ];

  it('answers a keyless request 401 with WWW-Authenticate: Bearer on every other route', async () => {
    const checked: string[] = [];
    for (const [path, methods] of server.app.routes) {
      for (const method of methods.keys()) {
        const route = `${method} ${path}`;
        const response = await request(`${server.url}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'action=settle' } : {}) });
        expect(response.status, route).toBeLessThan(500);
        if (publicRoutes.some(([pattern]) => pattern.test(route))) continue;
        expect({ route, status: response.status, challenge: response.headers.get('www-authenticate') }).toEqual({ route, status: 401, challenge: 'Bearer' });
        checked.push(route);
      }
    }
    // The sweep reaches the key-taking routes (so it can fail).
    expect(checked).toEqual(expect.arrayContaining(['GET /reports/daily.csv', 'GET /sandbox/alipay/settlement', 'POST /sandbox/alipay/settlement']));
  });
});

describe('ADMIN_API_KEY: every value the configuration accepts authenticates (#13.14)', () => {
  // The printable ASCII range and a few neighbours, one candidate each, plus lengths around both bounds.
  const characters = Array.from({ length: 0x7f - 0x20 }, (_, index) => String.fromCharCode(0x20 + index)).concat(['\t', 'é', '\u00a0']);
  const candidates = [
    ...characters.map((character) => `psk_admin_candidate_${character}_0123456789`),
    'x'.repeat(23),
    'x'.repeat(24),
    'x'.repeat(256),
    'x'.repeat(257),
    'x'.repeat(300),
    ' psk_admin_leading_space_0123456789',
    'psk_admin_trailing_space_0123456789 ',
  ];

  it('refuses at start, naming the variable, every value no Authorization header could carry', async () => {
    let accepted = 0;
    for (const candidate of candidates) {
      let configured: string | undefined;
      try {
        configured = loadConfig({ ADMIN_API_KEY: candidate }).adminApiKey;
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toMatch(/^invalid configuration: ADMIN_API_KEY must be 24 to 256 characters of /);
        continue;
      }
      accepted += 1;
      await registerBootstrapAdminKey(server.db, configured ?? '');
      const response = await postGraphql(server.url, query, { key: configured ?? '' });
      expect({ candidate, status: response.status }).toEqual({ candidate, status: 200 });
    }
    // The sweep must not pass by refusing everything: letters, digits and - . _ ~ + / = are accepted.
    expect(accepted).toBe(62 + 7 + 2);
  });
});

describe('role checks', () => {
  const adminOnly = fieldsScopedTo(schema, 'admin');
  const merchantOnly = fieldsScopedTo(schema, 'merchant');

  it('finds the scoped fields in the schema', () => {
    expect(adminOnly.map(({ field }) => field.name)).toContain('createMerchant');
    expect(merchantOnly.map(({ field }) => field.name)).toContain('createTransaction');
  });

  it.each(adminOnly.map(({ rootType, field }) => [field.name, rootType, field] as const))('ADMIN-only %s with a merchant key: FORBIDDEN, nothing done', async (_name, rootType, field) => {
    const merchantsBefore = await server.db.prisma.merchant.count();
    const keysBefore = await server.db.prisma.apiKey.count();
    const response = await postGraphql(server.url, { query: operationWithoutAddressing(schema, rootType, field) }, { key: merchant.key });
    expect(errorCodes(response)).toContain('FORBIDDEN');
    expect(response.json?.errors?.[0]?.message).toBe('this operation needs an ADMIN key');
    expect(await server.db.prisma.merchant.count()).toBe(merchantsBefore);
    expect(await server.db.prisma.apiKey.count()).toBe(keysBefore);
  });

  it.each(merchantOnly.map(({ rootType, field }) => [field.name, rootType, field] as const))('merchant-only %s with an ADMIN key: FORBIDDEN', async (_name, rootType, field) => {
    const response = await postGraphql(server.url, { query: operationWithoutAddressing(schema, rootType, field) }, { key: server.adminKey });
    expect(errorCodes(response)).toContain('FORBIDDEN');
    expect(response.json?.errors?.[0]?.message).toBe('this operation needs a merchant key');
  });

  it('ADMIN-only arguments with a merchant key: FORBIDDEN', async () => {
    const response = await postGraphql(server.url, { query: '{ transactions(filter: { merchantId: "x" }) { totalCount } }' }, { key: merchant.key });
    expect(errorCodes(response)).toContain('FORBIDDEN');
  });
});
