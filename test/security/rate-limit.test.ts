import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, request, wsClient, wsExecute } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// One budget per API key, whichever way the key comes in: every authenticated entry point spends from it and
// is refused once it is spent. A way in that skipped the limiter would let a key do unbounded work.

const BUDGET = 3;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_REQUESTS: String(BUDGET), RATE_LIMIT_WINDOW_SECONDS: '600' });
});
afterAll(() => server?.close());

const today = new Date().toISOString().slice(0, 10);

/** One use of an entry point; resolves with whether it was served (true) or refused by the rate limit (false). */
const entryPoints: [string, (key: string) => Promise<boolean>][] = [
  ['GraphQL POST', async (key) => (await postGraphql(server.url, { query: '{ __typename }' }, { key })).status !== 429],
  [
    'GraphQL GET',
    async (key) => (await request(`${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { authorization: `Bearer ${key}` } })).status !== 429,
  ],
  [
    'SSE subscription',
    async (key) => {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent('subscription { transactionEvents { status } }')}`, {
        headers: { accept: 'text/event-stream', authorization: `Bearer ${key}` },
        signal: controller.signal,
      });
      controller.abort();
      return response.status !== 429;
    },
  ],
  [
    'graphql-ws operation',
    async (key) => {
      const client = wsClient(server.url, key);
      try {
        return !JSON.stringify(await wsExecute(client, '{ __typename }')).includes('RATE_LIMITED');
      } finally {
        await client.dispose();
      }
    },
  ],
  ...['daily.csv?date=', 'stats.csv?from=2026-01-01&to='].map(
    (path): [string, (key: string) => Promise<boolean>] => [
      `CSV report ${path.slice(0, path.indexOf('?'))}`,
      async (key) => {
        const response = await request(`${server.url}/reports/${path}${today}`, { headers: { authorization: `Bearer ${key}` } });
        if (response.status === 429) {
          expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
          expect(response.text).toMatch(/rate limit exceeded/);
          return false;
        }
        expect(response.status).toBe(200);
        return true;
      },
    ],
  ),
];

describe('every authenticated entry point spends the key’s one budget', () => {
  it.each(entryPoints)('%s: served within the budget, refused past it, and it spends what GraphQL spends', async (_name, use) => {
    const { key } = await server.createMerchant();
    for (let index = 0; index < BUDGET; index += 1) expect(await use(key)).toBe(true);
    expect(await use(key)).toBe(false);
    // The same budget: GraphQL is refused too.
    expect((await postGraphql(server.url, { query: '{ __typename }' }, { key })).status).toBe(429);
  });

  it.each(entryPoints)('%s: refused once GraphQL spent the budget', async (_name, use) => {
    const { key } = await server.createMerchant();
    for (let index = 0; index < BUDGET; index += 1) expect((await postGraphql(server.url, { query: '{ __typename }' }, { key })).status).toBe(200);
    expect(await use(key)).toBe(false);
  });
});

describe('every route that takes an API key spends the same budget', () => {
  /** Routes answering a keyless request 401 with WWW-Authenticate: Bearer (the notification routes' 401 is a signature's). */
  async function apiKeyRoutes(): Promise<[string, string][]> {
    const found: [string, string][] = [];
    for (const [path, methods] of server.app.routes) {
      for (const method of methods.keys()) {
        const response = await request(`${server.url}${path}`, { method, ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}) });
        if (response.status === 401 && response.headers.get('www-authenticate') === 'Bearer') found.push([method, path]);
      }
    }
    return found;
  }

  it('finds the API-key routes (both CSV reports at least)', async () => {
    expect((await apiKeyRoutes()).map(([method, path]) => `${method} ${path}`)).toEqual(expect.arrayContaining(['GET /reports/daily.csv', 'GET /reports/stats.csv']));
  });

  it('refuses each of them once the key spent its budget on GraphQL, and each use spends from it', async () => {
    for (const [method, path] of await apiKeyRoutes()) {
      const spentOnGraphql = await server.createMerchant();
      for (let index = 0; index < BUDGET; index += 1) expect((await postGraphql(server.url, { query: '{ __typename }' }, { key: spentOnGraphql.key })).status).toBe(200);
      const refused = await request(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${spentOnGraphql.key}` } });
      expect(refused.status, `${method} ${path}`).toBe(429);
      expect(Number(refused.headers.get('retry-after')), `${method} ${path}`).toBeGreaterThanOrEqual(1);

      const spentOnRoute = await server.createMerchant();
      for (let index = 0; index < BUDGET; index += 1) {
        expect((await request(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${spentOnRoute.key}` } })).status, `${method} ${path}`).not.toBe(429);
      }
      expect((await postGraphql(server.url, { query: '{ __typename }' }, { key: spentOnRoute.key })).status, `${method} ${path}`).toBe(429);
    }
  });
});
