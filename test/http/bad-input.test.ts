import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchantKey: string;
beforeAll(async () => {
  server = await startTestServer();
  merchantKey = (await server.createMerchant('BadInput')).key;
});
afterAll(() => server?.close());

async function post(body: string, contentType = 'application/json') {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${merchantKey}` },
    body,
  });
  return { status: response.status, text: await response.text() };
}

const mutation = `mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { __typename } }`;

describe('hostile and malformed GraphQL requests', () => {
  it('answers malformed JSON with 400', async () => {
    const result = await post('{"query": ');
    expect(result.status).toBe(400);
  });

  it('refuses a content type it does not speak', async () => {
    const result = await post('query { __typename }', 'text/xml');
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
  });

  it('refuses bodies over 1 MB with 413 before reading them', async () => {
    const result = await post(JSON.stringify({ query: `{ __typename }`, padding: 'x'.repeat(1_100_000) }));
    expect(result.status).toBe(413);
  });

  it('refuses unknown input fields and wrong types with 400 and writes nothing', async () => {
    const before = await server.db.prisma.transaction.count();
    for (const input of [
      { merchantReference: 'a', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://x.example', merchantId: 'steal' },
      { merchantReference: 'a', amount: { value: 1.0, currency: 'EUR' }, returnUrl: 'https://x.example' },
      { merchantReference: 'a', amount: { value: '1.00' }, returnUrl: 'https://x.example' },
    ]) {
      const result = await post(JSON.stringify({ query: mutation, variables: { input } }));
      expect(result.status, result.text).toBe(400);
    }
    expect(await server.db.prisma.transaction.count()).toBe(before);
  });

  it('refuses absurd numbers with 400', async () => {
    for (const first of [2 ** 31, 1e308, -1.5]) {
      const result = await post(JSON.stringify({ query: 'query($first: Int) { transactions(first: $first) { totalCount } }', variables: { first } }));
      expect(result.status, result.text).toBe(400);
    }
  });

  it('answers a negative page size with a clear error, not a 500', async () => {
    const result = await post(JSON.stringify({ query: '{ transactions(first: -1) { totalCount } }' }));
    expect(result.status).toBeLessThan(500);
    expect(result.text).toMatch(/errors/);
    expect(result.text).not.toMatch(/prisma|SELECT|at .*\.ts/i);
  });

  it('never leaks internals in errors', async () => {
    const result = await post(JSON.stringify({ query: '{ transaction(id: "VHJhbnNhY3Rpb246bm90LWEtdXVpZA==") { id } }' }));
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toEqual({ data: { transaction: null } });
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`, { method: 'DELETE' })).status).toBe(405);
  });
});
