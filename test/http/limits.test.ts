import http from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { clientOperations, errorCodes, postGraphql, request, wsClient, wsExecute, type RawResponse } from '../support/http.ts';
import { startSibling, startTestServer, type SiblingServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let production: SiblingServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  production = await startSibling(server, { NODE_ENV: 'production' });
  merchant = await server.createMerchant('Limits');
  // A few rows with history, so deep queries have something to walk through.
  for (let index = 0; index < 3; index += 1) {
    await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: `limits-${index}`, amount: { value: '10.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      merchant.key,
    );
  }
});
afterAll(async () => {
  await production?.close();
  await server?.close();
});

const LIMIT_OR_VALIDATION = new Set(['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);

function expectRefused(response: RawResponse, limit: string, message: RegExp): void {
  expect(response.status).toBe(400);
  const refusal = response.json?.errors?.find((error) => error.extensions?.['code'] === 'QUERY_TOO_COMPLEX' && error.extensions['limit'] === limit);
  expect(refusal, JSON.stringify(response.json)).toBeDefined();
  expect(refusal?.message).toMatch(message);
  expect(response.json?.data).toBeUndefined();
}

// transaction { events { transaction { events { ... } } } }: every level a database round trip.
function nestedEvents(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level += 1) selection = `events { transaction { ${selection} } }`;
  return `{ transactions(first: 1) { edges { node { ${selection} } } } }`;
}

describe('every operation the client uses passes the limits', () => {
  const operations = clientOperations();

  it('finds the generated operations', () => {
    expect(operations.map((operation) => operation.name)).toEqual(
      expect.arrayContaining(['CreateTransactionDocument', 'TransactionsDocument', 'TransactionDocument', 'CancelTransactionDocument', 'NodeDocument', 'CreateMerchantDocument']),
    );
  });

  // Sent without variables: the limits run at parse and validation, before variables are even looked at,
  // so the only acceptable errors are about the missing variables.
  // A subscription would stream forever: a malformed cursor makes it answer at once, after the limits ran.
  it.each(operations.map((operation) => [operation.name, operation.query] as const))('%s', async (_name, query) => {
    const variables = /^\s*subscription\b/m.test(query) ? { after: 'not-a-cursor' } : {};
    for (const target of [server, production]) {
      const response = await postGraphql(target.url, { query, variables }, { key: target.adminKey });
      expect(response.status, response.text).toBeLessThan(500);
      for (const code of errorCodes(response)) expect(LIMIT_OR_VALIDATION.has(String(code)), response.text).toBe(false);
    }
  });

  it('lets a full page of 100 with a literal `first` through the cost limit (it multiplies by first)', async () => {
    const transactions = clientOperations().find((operation) => operation.name === 'TransactionsDocument')?.query ?? '';
    const literal = transactions.replace(/first: \$first\b/, 'first: 100').replace('$first: Int, ', '');
    expect(literal).not.toBe(transactions);
    const response = await postGraphql(server.url, { query: literal, variables: {} }, { key: merchant.key });
    expect(response.status, response.text).toBe(200);
    expect(response.json?.errors).toBeUndefined();
  });

  it('lets GraphiQL introspect outside production', async () => {
    const response = await postGraphql(server.url, { query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }) }, { key: merchant.key });
    expect(response.status).toBe(200);
    expect(response.json?.errors).toBeUndefined();
  });
});

describe('query bombs fail with HTTP 400 and a clear QUERY_TOO_COMPLEX error', () => {
  it('deep nesting through transaction.events.transaction...', async () => {
    expect((await postGraphql(server.url, { query: nestedEvents(2) }, { key: merchant.key })).status).toBe(200);
    expectRefused(await postGraphql(server.url, { query: nestedEvents(20) }, { key: merchant.key }), 'depth', /depth limit of 8 exceeded, found 44/);
  });

  it('depth hidden in fragments counts all the same', async () => {
    const query = `{ transactions { edges { node { ...A } } } }
      fragment A on Transaction { events { transaction { ...B } } }
      fragment B on Transaction { events { transaction { ...C } } }
      fragment C on Transaction { events { transaction { events { transaction { id } } } } }`;
    expectRefused(await postGraphql(server.url, { query }, { key: merchant.key }), 'depth', /depth limit/);
  });

  it('1000 aliases (refused by the token limit before they are even parsed)', async () => {
    const query = `{ ${Array.from({ length: 1000 }, (_, index) => `a${index}: transactions { totalCount }`).join(' ')} }`;
    expectRefused(await postGraphql(server.url, { query }, { key: merchant.key }), 'tokens', /Token limit of 1000 exceeded/);
  });

  it('16 aliases', async () => {
    const query = `{ ${Array.from({ length: 16 }, (_, index) => `a${index}: transactions { totalCount }`).join(' ')} }`;
    expectRefused(await postGraphql(server.url, { query }, { key: merchant.key }), 'aliases', /Aliases limit of 15 exceeded, found 16/);
  });

  it('a huge token count', async () => {
    const query = `{ transactions { ${'totalCount '.repeat(50_000)} } }`;
    expectRefused(await postGraphql(server.url, { query }, { key: merchant.key }), 'tokens', /Token limit/);
  });

  it('many directives', async () => {
    const fields = Array.from({ length: 25 }, () => 'totalCount @include(if: true)').join(' ');
    expectRefused(await postGraphql(server.url, { query: `{ transactions { ${fields} } }` }, { key: merchant.key }), 'directives', /Directives limit of 20 exceeded, found 25/);
  });

  it('cost: several full pages at once', async () => {
    // About 6,500 each: `first: 100` multiplies the cost of what is selected per row.
    const page = 'transactions(first: 100) { edges { node { id status amount { value currency minorUnits } events { sequence status source cursor } } } }';
    expect((await postGraphql(server.url, { query: `{ a: ${page} b: ${page} c: ${page} d: ${page} }` }, { key: merchant.key })).status).toBe(200);
    const query = `{ a: ${page} b: ${page} c: ${page} d: ${page} e: ${page} }`;
    expectRefused(await postGraphql(server.url, { query }, { key: merchant.key }), 'cost', /Cost limit of 30000 exceeded/);
  });

  it('is 400 whatever the Accept header, and never 500', async () => {
    for (const accept of ['application/json', 'application/graphql-response+json', '*/*']) {
      expectRefused(await postGraphql(server.url, { query: nestedEvents(20) }, { key: merchant.key, accept }), 'depth', /depth limit/);
    }
  });

  it('fragment cycles are refused, not followed', async () => {
    const query = '{ transactions { edges { node { ...A } } } } fragment A on Transaction { events { transaction { ...A } } }';
    const response = await postGraphql(server.url, { query }, { key: merchant.key, accept: 'application/graphql-response+json' });
    expect(response.status).toBe(400);
    expect(response.json?.errors?.map((error) => error.message).join(' ')).toMatch(/Cannot spread fragment "A" within itself/);
  });

  it('over WebSocket: the operation gets the error, the connection stays usable', async () => {
    const client = wsClient(server.url, merchant.key);
    try {
      const refused = await wsExecute(client, nestedEvents(20));
      expect(JSON.stringify(refused.error)).toMatch(/QUERY_TOO_COMPLEX/);
      const tokens = await wsExecute(client, `{ transactions { ${'totalCount '.repeat(5_000)} } }`);
      expect(JSON.stringify(tokens.error)).toMatch(/Token limit of 1000 exceeded/);
      const fine = await wsExecute(client, '{ transactions(first: 1) { totalCount } }');
      expect(fine.error).toBeUndefined();
      expect(fine.results).toEqual([{ data: { transactions: { totalCount: 3 } } }]);
    } finally {
      await client.dispose();
    }
  });

  it('the limits are configuration', async () => {
    const strict = await startSibling(server, { GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '0', GRAPHQL_MAX_TOKENS: '20' });
    try {
      expectRefused(await postGraphql(strict.url, { query: '{ transactions { edges { node { id } } } }' }, { key: strict.adminKey }), 'depth', /depth limit of 3 exceeded, found 4/);
      expectRefused(await postGraphql(strict.url, { query: '{ a: transactions { totalCount } }' }, { key: strict.adminKey }), 'aliases', /Aliases limit of 0/);
      expectRefused(await postGraphql(strict.url, { query: `{ transactions { ${'totalCount '.repeat(20)} } }` }, { key: strict.adminKey }), 'tokens', /Token limit of 20/);
    } finally {
      await strict.close();
    }
  });
});

describe('page size', () => {
  const page = 'query($first: Int, $last: Int, $before: String) { transactions(first: $first, last: $last, before: $before) { totalCount edges { cursor } } }';

  it('accepts up to GRAPHQL_MAX_PAGE_SIZE (100) and refuses more with a clear error, rather than clamping', async () => {
    const ok = await postGraphql(server.url, { query: page, variables: { first: 100 } }, { key: merchant.key });
    expect(ok.json?.errors).toBeUndefined();
    const refused = await postGraphql(server.url, { query: page, variables: { first: 101 } }, { key: merchant.key });
    expect(refused.json?.data).toBeNull();
    expect(refused.json?.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/first: must be at most 100/),
      extensions: { code: 'VALIDATION_FAILED', argument: 'first', maxPageSize: 100 },
    });
    const last = await postGraphql(server.url, { query: page, variables: { last: 5_000, before: 'x' } }, { key: merchant.key });
    expect(last.json?.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', argument: 'last' });
  });

  it('follows the configured maximum', async () => {
    const small = await startSibling(server, { GRAPHQL_MAX_PAGE_SIZE: '2' });
    try {
      expect((await postGraphql(small.url, { query: page, variables: { first: 2 } }, { key: small.adminKey })).json?.errors).toBeUndefined();
      const refused = await postGraphql(small.url, { query: page, variables: { first: 3 } }, { key: small.adminKey });
      expect(refused.json?.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', maxPageSize: 2 });
    } finally {
      await small.close();
    }
  });

  it('refuses negative and out-of-range sizes', async () => {
    const negative = await postGraphql(server.url, { query: page, variables: { first: -1 } }, { key: merchant.key });
    expect(negative.json?.errors?.[0]).toMatchObject({ message: expect.stringMatching(/non-negative/), extensions: { code: 'VALIDATION_FAILED' } });
    const absurd = await postGraphql(server.url, { query: page, variables: { first: 2147483648 } }, { key: merchant.key });
    expect(absurd.status).toBe(400);
    expect(absurd.json?.errors?.[0]?.message).toMatch(/Int cannot represent non 32-bit signed integer value/);
    const literal = await postGraphql(server.url, { query: '{ transactions(first: 99999999999) { totalCount } }' }, { key: merchant.key, accept: 'application/graphql-response+json' });
    expect(literal.status).toBe(400);
  });
});

describe('malformed requests get a 4xx and a clear message', () => {
  const auth = () => ({ authorization: `Bearer ${merchant.key}` });

  it('malformed JSON: 400', async () => {
    const response = await request(`${server.url}/graphql`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"query": ' });
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.message).toMatch(/invalid JSON/);
  });

  it('a JSON body that is not an object: 400', async () => {
    const response = await request(`${server.url}/graphql`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' }, body: '"{ __typename }"' });
    expect(response.status).toBe(400);
  });

  it('wrong content type: 415', async () => {
    const response = await request(`${server.url}/graphql`, { method: 'POST', headers: { ...auth(), 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(415);
  });

  it('multipart (no uploads in this API): refused', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: '{ __typename }' }));
    const response = await request(`${server.url}/graphql`, { method: 'POST', headers: auth(), body: form });
    expect(response.status).toBe(415);
  });

  it('unknown fields in an input: 400 naming the field, nothing written', async () => {
    const before = await server.db.prisma.transaction.count();
    const response = await postGraphql(
      server.url,
      {
        query: 'mutation($input: CreateTransactionInput!) { createTransaction(input: $input) { __typename } }',
        variables: { input: { merchantReference: 'x', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/', merchantId: 'someone-else' } },
      },
      { key: merchant.key },
    );
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.message).toMatch(/Field "merchantId" is not defined by type "CreateTransactionInput"/);
    expect(await server.db.prisma.transaction.count()).toBe(before);
  });

  it('a body over 1 MB: 413 before it is read', async () => {
    const response = await postGraphql(server.url, { query: `{ __typename } # ${'x'.repeat(1_100_000)}` }, { key: merchant.key });
    expect(response.status).toBe(413);
  });

  it('a chunked body without Content-Length: 411', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = http.request(`${server.url}/graphql`, { method: 'POST', headers: { ...auth(), 'content-type': 'application/json' } }, (incoming) => {
        incoming.resume();
        resolve(incoming.statusCode ?? 0);
      });
      outgoing.on('error', reject);
      outgoing.write('{"query":');
      outgoing.end('"{ __typename }"}');
    });
    expect(status).toBe(411);
  });

  it('a mutation over GET: 405', async () => {
    const query = encodeURIComponent('mutation { cancelTransaction(id: "x") { __typename } }');
    const response = await request(`${server.url}/graphql?query=${query}`, { headers: auth() });
    expect(response.status).toBe(405);
  });
});

describe('NODE_ENV=production', () => {
  it('refuses introspection', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Transaction") { fields { name } } }', getIntrospectionQuery()]) {
      const response = await postGraphql(production.url, { query }, { key: production.adminKey, accept: 'application/graphql-response+json' });
      expect(response.status).toBe(400);
      expect(response.json?.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    }
    // __typename is not introspection: clients rely on it.
    expect((await postGraphql(production.url, { query: '{ __typename }' }, { key: production.adminKey })).json?.data).toEqual({ __typename: 'Query' });
  });

  it('does not suggest field names', async () => {
    for (const target of [server, production]) {
      const response = await postGraphql(target.url, { query: '{ transactio(id: "x") { id } }' }, { key: target.adminKey });
      const message = response.json?.errors?.[0]?.message;
      expect(message).toMatch(/Cannot query field "transactio" on type "Query"/);
      if (target === production) expect(message).not.toMatch(/Did you mean|"transaction"/);
      else expect(message).toMatch(/Did you mean "transaction"/);
    }
  });

  it('serves no GraphiQL page', async () => {
    const response = await request(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.text).not.toMatch(/<html/i);
  });
});

describe('CSRF prevention on /graphql', () => {
  const query = JSON.stringify({ query: '{ __typename }' });

  it.each([
    ['a form POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'query=%7B__typename%7D'],
  ])('refuses %s, the shape a foreign page could send, even with a valid key: 403', async (_label, headers, body) => {
    const response = await request(`${server.url}/graphql`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${merchant.key}` }, body });
    expect(response.status).toBe(403);
    expect(response.json?.errors?.[0]?.extensions?.['code']).toBe('CSRF_REFUSED');
  });

  it('answers a keyless request 401 first (API.md), whatever its shape', async () => {
    const url = `${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await request(url)).status).toBe(401);
    expect((await request(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: query })).status).toBe(401);
  });

  it('serves GET and JSON POST with a key', async () => {
    const url = `${server.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const authorized = await request(url, { headers: { authorization: `Bearer ${merchant.key}` } });
    expect(authorized.status).toBe(200);
    expect(authorized.json?.data).toEqual({ __typename: 'Query' });
    const posted = await request(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${merchant.key}` }, body: query });
    expect(posted.status).toBe(200);
  });
});

