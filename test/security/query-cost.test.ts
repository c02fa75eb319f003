import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'graphql';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { useQueryCost } from '../../src/http/plugins/query-cost.ts';
import { clientOperations, postGraphql, wsClient, wsExecute, type RawResponse } from '../support/http.ts';
import { startSibling, startTestServer, type SiblingServer, type TestServer } from '../support/server.ts';

// The cost limit holds however the size of the answer is asked for: inline, in variables, as a list of ids,
// over HTTP, SSE or WebSocket. (A probe got 1,500 rows through 15 aliases of `transactions(first: $n)`.)

let server: TestServer;
let strict: SiblingServer;
let merchant: { merchantId: string; key: string };
let transactionIds: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  strict = await startSibling(server, { GRAPHQL_MAX_COST: '10', GRAPHQL_MAX_NODE_IDS: '2' });
  merchant = await server.createMerchant('Costly');
  for (let index = 0; index < 3; index += 1) {
    const created = await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: `cost-${index}`, amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      merchant.key,
    );
    if (created.data?.createTransaction.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(created));
    transactionIds.push(created.data.createTransaction.transaction.id);
  }
});
afterAll(async () => {
  await strict?.close();
  await server?.close();
});

const page = (first: string) => `transactions(first: ${first}) { edges { node { id status amount { value currency minorUnits } } } }`;
const fifteenPages = (first: string) => Array.from({ length: 15 }, (_, index) => `p${index}: ${page(first)}`).join(' ');

function expectRefused(response: RawResponse, limit: string): void {
  expect(response.status, response.text).toBe(400);
  expect(response.json?.data ?? undefined).toBeUndefined();
  expect(response.json?.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit });
}

describe('query cost counts what variables ask for', () => {
  it('15 pages of first: $n are refused for n = 100, as with a literal 100, and served for n = 5', async () => {
    const withVariable = `query($n: Int) { ${fifteenPages('$n')} }`;
    expectRefused(await postGraphql(server.url, { query: withVariable, variables: { n: 100 } }, { key: merchant.key }), 'cost');
    expectRefused(await postGraphql(server.url, { query: `{ ${fifteenPages('100')} }` }, { key: merchant.key }), 'cost');
    const small = await postGraphql(server.url, { query: withVariable, variables: { n: 5 } }, { key: merchant.key });
    expect(small.status, small.text).toBe(200);
    expect(small.json?.errors).toBeUndefined();
  });

  it('a variable default counts like a value sent; an explicit null is not the default', async () => {
    const query = `query($n: Int = 100) { ${fifteenPages('$n')} }`;
    expectRefused(await postGraphql(server.url, { query }, { key: merchant.key }), 'cost');
    // null: no first, a page of 20 each, 15 x 20 rows of this selection fit.
    expect((await postGraphql(server.url, { query, variables: { n: null } }, { key: merchant.key })).status).toBe(200);
    expectRefused(await postGraphql(server.url, { query, variables: {} }, { key: merchant.key }), 'cost');
  });

  it('is refused over WebSocket too, and the connection stays usable', async () => {
    const client = wsClient(server.url, merchant.key);
    try {
      const refused = await wsExecute(client, `query($n: Int) { ${fifteenPages('$n')} }`, { n: 100 });
      expect(JSON.stringify(refused)).toMatch(/QUERY_TOO_COMPLEX/);
      expect(JSON.stringify(refused)).not.toMatch(/"edges"/);
      const fine = await wsExecute(client, '{ transactions(first: 1) { totalCount } }');
      expect(fine.results).toEqual([{ data: { transactions: { totalCount: 3 } } }]);
    } finally {
      await client.dispose();
    }
  });
});

describe('the client operations fit', () => {
  it.each(clientOperations().filter((operation) => /\$first\b/.test(operation.query)).map((operation) => [operation.name, operation.query] as const))(
    '%s with a full page (first: 100) passes the cost limit',
    async (_name, query) => {
      const response = await postGraphql(server.url, { query, variables: { first: 100 } }, { key: server.adminKey });
      expect(JSON.stringify(response.json?.errors ?? [])).not.toMatch(/QUERY_TOO_COMPLEX/);
    },
  );
});

describe('the verdict is remembered per document and per value of what the cost depends on', () => {
  // Directly on the plugin: over HTTP, transactionStats' own re-check with the real rows would hide a wrong verdict.
  const statsQuery = parse('query($from: Date!, $to: Date!) { transactionStats(from: $from, to: $to, groupBy: [HOUR, STATUS]) { ... on TransactionStats { rows { start end status created captured paid } } } }');
  const plugin = useQueryCost({ maxCost: 30_000, maxNodeIds: 100, maxPageSize: 100 });
  const refusedBy = (variableValues: Record<string, unknown>): boolean => {
    let stopped = false;
    (plugin.onExecute as (payload: unknown) => void)({ args: { schema, document: statsQuery, variableValues, contextValue: {} }, setResultAndStopExecution: () => (stopped = true) });
    return stopped;
  };

  it('a field declaring costRows: every one of its argument variables counts', () => {
    expect(refusedBy({ from: '2026-03-01', to: '2026-03-01' })).toBe(false);
    expect(refusedBy({ from: '2026-03-01', to: '2026-03-31' })).toBe(true);
    expect(refusedBy({ from: '2026-03-02', to: '2026-03-02' })).toBe(false);
  });
});

describe('nodes(ids:) is capped and costs per id', () => {
  const nodes = 'query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Transaction { status } } }';

  it('5,000 ids: refused, naming the cap', async () => {
    const ids = Array.from({ length: 5_000 }, (_, index) => transactionIds[index % transactionIds.length]);
    const response = await postGraphql(server.url, { query: nodes, variables: { ids } }, { key: merchant.key });
    expectRefused(response, 'nodeIds');
    expect(response.json?.errors?.[0]?.message).toMatch(/at most 100 ids, got 5000/);
  });

  it('up to GRAPHQL_MAX_NODE_IDS (100 by default) ids are served', async () => {
    const ids = Array.from({ length: 100 }, (_, index) => transactionIds[index % transactionIds.length]);
    const response = await postGraphql(server.url, { query: nodes, variables: { ids } }, { key: merchant.key });
    expect(response.status, response.text).toBe(200);
    expect((response.json?.data as { nodes: unknown[] }).nodes).toHaveLength(100);
  });

  it('the cap and the cost are configuration', async () => {
    expectRefused(await postGraphql(strict.url, { query: nodes, variables: { ids: transactionIds } }, { key: strict.adminKey }), 'nodeIds');
    expectRefused(await postGraphql(strict.url, { query: '{ transactions(first: 2) { totalCount edges { node { id } } } }' }, { key: strict.adminKey }), 'cost');
  });
});

describe('subscriptions go through the same rule', () => {
  const subscription = 'subscription { transactionEvents { status cursor transaction { id status amount { value currency } } } }';

  it('over SSE: refused with QUERY_TOO_COMPLEX, no stream', async () => {
    const response = await fetch(`${strict.url}/graphql?query=${encodeURIComponent(subscription)}`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${strict.adminKey}` },
    });
    const text = await response.text();
    expect(text).toMatch(/QUERY_TOO_COMPLEX/);
    expect(text).toMatch(/event: complete/);
  });

  it('over WebSocket: refused with QUERY_TOO_COMPLEX', async () => {
    const client = wsClient(strict.url, strict.adminKey);
    try {
      expect(JSON.stringify(await wsExecute(client, subscription))).toMatch(/QUERY_TOO_COMPLEX/);
    } finally {
      await client.dispose();
    }
  });
});
