import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CreateTransactionDocument, TransactionDocument, TransactionsDocument } from '../../src/client/operations.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { compiledQuery } from '../../src/http/plugins/compiled-queries.ts';
import { createLogger } from '../../src/logger.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { createApiKey } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { startTestServer, testServiceDeps, type TestServer } from '../support/server.ts';

/**
 * The hot reads run compiled (graphql-jit, src/http/plugins/compiled-queries.ts). Their answers must be the
 * reference executor's to the byte: the same document with a second operation beside it is never compiled, so
 * graphql-js answers it, and the two texts are compared (key order included, which graphql-jit alone gets wrong
 * around fragments).
 */

let server: TestServer;
const statements: string[] = [];
let merchantKey: string;
let merchantId: string;

beforeAll(async () => {
  // The event relay's reads after the seeding's commits may land during a request (on the embedded database's one
  // session too): they are not the request's. Nor is the key's lookup: remembered for 5 s, it may run again for one
  // of two requests compared when the machine is slow.
  const outsideTheQuery = (sql: string) => sql.includes('pg_snapshot_xmin') || (sql.startsWith('SELECT') && sql.includes('"api_keys"'));
  server = await startTestServer({}, { onQuery: (sql) => void (outsideTheQuery(sql) || statements.push(sql)) });
  const merchant = await server.createMerchant('Compiled');
  merchantKey = merchant.key;
  merchantId = merchant.merchantId;
  const deps = testServiceDeps(server.db);
  for (let index = 0; index < 4; index += 1) {
    const created = await createTransaction(deps, merchant.merchantId, {
      merchantReference: `compiled-${index}`,
      amount: index % 2 === 0 ? { value: '19.99', currency: 'EUR' } : { value: '1200', currency: 'JPY' },
      returnUrl: 'https://shop.example/return',
    });
    if (index === 1) await transition(server.db, { transactionId: created.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  }
  // The key's first use is looked up and recorded: not a statement of the queries compared.
  await server.execute(TransactionsDocument, { first: 1 }, merchantKey);
});
afterAll(() => server?.close());

async function answer(query: string, variables: Record<string, unknown>, operationName?: string, key = merchantKey): Promise<string> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables, operationName }),
  });
  return `${response.status} ${await response.text()}`;
}

/**
 * The answer compiled, and graphql-js' answer to the same operation (a document with two operations is not
 * compiled), each with the SQL statements it took.
 */
async function bothWays(query: string, variables: Record<string, unknown>, key = merchantKey): Promise<[string, string]> {
  const name = /^\s*(?:query|mutation)\s+(\w+)/.exec(query)?.[1];
  if (name === undefined) throw new Error('name the operation');
  statements.length = 0;
  const compiled = await answer(query, variables, undefined, key);
  const compiledStatements = statements.splice(0);
  const byGraphqlJs = await answer(`${query}\nquery NotCompiled { __typename }`, variables, name, key);
  return [`${compiled}\n${compiledStatements.join('\n')}`, `${byGraphqlJs}\n${statements.splice(0).join('\n')}`];
}

const logger = createLogger('silent');

describe('compiled queries', () => {
  it('are the list page, transaction(id) and the create, not other operations, or what graphql-jit cannot take exactly', () => {
    // Each with its own serializer (src/graphql/result-json.ts): the answers below are written by it.
    for (const document of [TransactionsDocument, TransactionDocument, CreateTransactionDocument]) {
      expect(compiledQuery(schema, parse(document.toString()), logger)?.stringify).toBeDefined();
    }
    expect(compiledQuery(schema, parse('{ merchants(first: 1) { totalCount } }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse('{ transaction(id: "x") { id } merchants(first: 1) { totalCount } }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse('query A { transaction(id: "x") { id } } query B { transaction(id: "y") { id } }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse('query($s: Boolean!) { transaction(id: "x") { ...F @include(if: $s) } } fragment F on Transaction { id }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse(CreateTransactionDocument.toString()), logger)).not.toBeNull();
    // An alias __proto__ would set the prototype of graphql-jit's answer object (and of the serializer's schema).
    expect(compiledQuery(schema, parse('{ transaction(id: "x") { id __proto__: merchantReference } }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse('mutation { cancelTransaction(id: "x") { __typename } }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse('mutation { createTransaction(input: $i) { __typename } cancelTransaction(id: "x") { __typename } }'), logger)).toBeNull();
    // A relation of a relation: graphql-jit would make the prisma plugin read the history's transactions again.
    expect(compiledQuery(schema, parse('{ transactions(first: 1) { edges { node { events { transaction { id } } } } } }'), logger)).toBeNull();
    expect(compiledQuery(schema, parse('{ transaction(id: "x") { events { transaction { id } } } }'), logger)).toBeNull();
  });

  it('answer the list page exactly as graphql-js does, with the same statements', async () => {
    const [page, pageByGraphqlJs] = await bothWays(TransactionsDocument.toString(), { first: 3 });
    expect(page).toMatch(/^200 \{"data":\{"transactions":\{"totalCount":4,"pageInfo":/);
    expect(page).toBe(pageByGraphqlJs);
    // What the page's rows reach beyond their own columns: the history's cursors, refunds, the merchant (the
    // prisma plugin plans these per path).
    const [further, furtherByGraphqlJs] = await bothWays(
      `query Further { transactions(first: 3) { edges { node { id refundedAmount { value } refundableAmount { value }
        events { cursor occurredAt } refunds { id } merchant { id name } } } } }`,
      {},
    );
    expect(further).toMatch(/^200 \{"data":\{"transactions":\{"edges":\[\{"node":\{"id":"/);
    expect(further).toBe(furtherByGraphqlJs);
  });

  it('answer transaction(id) exactly as graphql-js does, with the same statements, whoever asks', async () => {
    const page = await server.execute(TransactionsDocument, { first: 4 }, merchantKey);
    const ids = (page.data?.transactions.edges ?? []).map((edge) => edge.node.id);
    expect(ids).toHaveLength(4);
    for (const id of ids) {
      const [compiled, byGraphqlJs] = await bothWays(TransactionDocument.toString(), { id });
      expect(compiled).toMatch(/^200 \{"data":\{"transaction":\{"id":"[^"]+","merchantReference":"compiled-\d"/);
      // One statement: the row with its history (graphql-jit builds new response paths, and the history is still
      // found where the root field's plan recorded it).
      expect(compiled.split('\n').filter((line) => line.startsWith('SELECT'))).toHaveLength(1);
      expect(compiled).toBe(byGraphqlJs);
    }
    const [id, other] = ids;
    const foreign = await server.createMerchant('Compiled, another');
    const readOnly = await createApiKey(server.db, 'MERCHANT_READ_ONLY', merchantId);
    const publishable = await createApiKey(server.db, 'PUBLISHABLE', merchantId);
    // Each key's first use is looked up and recorded (in the background): not a statement of the queries compared.
    const keys = [server.adminKey, readOnly.secret, foreign.key, publishable.secret];
    statements.length = 0;
    for (const key of keys) await answer('query Warm { __typename }', {}, undefined, key);
    await vi.waitFor(() => expect(statements.filter((statement) => statement.includes('SET "last_used_at"'))).toHaveLength(keys.length));
    const beyondTheRow = `query Beyond($id: ID!) { transaction(id: $id) { id refundedAmount { value } refundableAmount { value }
      events { cursor occurredAt } refunds { id } merchant { id name } } }`;
    for (const [query, variables, key, expected] of [
      [TransactionDocument.toString(), { id }, server.adminKey, /^200 \{"data":\{"transaction":\{"id":"/],
      [TransactionDocument.toString(), { id }, readOnly.secret, /^200 \{"data":\{"transaction":\{"id":"/],
      [TransactionDocument.toString(), { id }, foreign.key, /^200 \{"data":\{"transaction":null\}\}/],
      [TransactionDocument.toString(), { id }, publishable.secret, /^200 \{"errors":\[\{"message":.*"FORBIDDEN"/],
      [TransactionDocument.toString(), { id: 'bm90IGFuIGlk' }, merchantKey, /^200 \{"data":\{"transaction":null\}\}/],
      [TransactionDocument.toString(), { id: encodeGlobalId('Merchant', merchantId) }, merchantKey, /^200 \{"data":\{"transaction":null\}\}/],
      [TransactionDocument.toString(), { id: 12 }, merchantKey, /^200 \{"data":\{"transaction":\{"id":"|^200 \{"data":\{"transaction":null/],
      [TransactionDocument.toString(), {}, merchantKey, /^400 \{"errors":\[\{"message":"Variable \\"\$id\\" of required type/],
      [beyondTheRow, { id: other }, merchantKey, /^200 \{"data":\{"transaction":\{"id":"[^"]+","refundedAmount"/],
      [`query Two($a: ID!, $b: ID!) { a: transaction(id: $a) { id events { sequence } } b: transaction(id: $b) { status events { status } } }`,
        { a: id, b: other }, merchantKey, /^200 \{"data":\{"a":\{"id":"[^"]+","events":\[\{"sequence":1\}/],
    ] as const) {
      const [compiled, byGraphqlJs] = await bothWays(query, variables, key);
      expect(compiled).toMatch(expected);
      expect(compiled).toBe(byGraphqlJs);
    }
  });

  it('answer createTransaction as graphql-js does, with the same statements: created, replayed, refused', async () => {
    // What differs between two creates (and between two answers of a replay: the client secret) is made alike.
    const volatile = /"(id|merchantReference|redirectUrl|createdAt|updatedAt|occurredAt|cursor|clientSecret)":"[^"]*"/g;
    const alike = (answer: string) => answer.replace(volatile, '"$1":"…"');
    const input = (reference: string, extra: Record<string, unknown> = {}) => ({
      input: { merchantReference: reference, amount: { value: '19.99', currency: 'EUR' }, returnUrl: 'https://shop.example/return', ...extra },
    });
    const create = CreateTransactionDocument.toString();
    // A merchant of its own: the other cases count the first merchant's transactions.
    const creator = (await server.createMerchant('Compiled creates')).key;
    statements.length = 0;
    await answer('query Warm { __typename }', {}, undefined, creator);
    await vi.waitFor(() => expect(statements.filter((statement) => statement.includes('SET "last_used_at"'))).toHaveLength(1));
    // Two creates: the same answer but for ids, times, URLs and secrets, and the same statement texts.
    const compiledCreate = await answer(create, input('created-compiled'), undefined, creator);
    statements.length = 0;
    await answer(create, input('statements-compiled'), undefined, creator);
    const compiledStatements = statements.splice(0);
    const [, byGraphqlJsCreate] = await bothWays(create, input('created-by-graphql-js'), creator);
    expect(compiledCreate).toMatch(/^200 \{"data":\{"createTransaction":\{"__typename":"CreateTransactionSuccess","clientSecret":"pcs_/);
    expect(compiledStatements.filter((sql) => /^\s*(WITH|INSERT|SELECT|UPDATE)/.test(sql))).toHaveLength(1);
    const lineEnd = byGraphqlJsCreate.indexOf('\n');
    expect(alike(compiledCreate)).toBe(alike(byGraphqlJsCreate.slice(0, lineEnd)));
    expect(byGraphqlJsCreate.slice(lineEnd + 1)).toBe(compiledStatements.join('\n'));
    // A replay (same idempotency key and input) and a conflict (same key, another amount), byte for byte but the
    // replay's new client secret; a bad amount, an ADMIN key (FORBIDDEN), and two creates in one mutation.
    const key = { idempotencyKey: 'compiled-replay' };
    await answer(create, input('replayed', key), undefined, creator);
    const [replay, replayByGraphqlJs] = await bothWays(create, input('replayed', key), creator);
    expect(replay).toMatch(/^200 \{"data":\{"createTransaction":\{"__typename":"CreateTransactionSuccess"/);
    expect(alike(replay)).toBe(alike(replayByGraphqlJs));
    const conflicting = { input: { ...input('replayed', key).input, amount: { value: '20.00', currency: 'EUR' } } };
    const twice = `mutation Twice($a: CreateTransactionInput!, $b: CreateTransactionInput!) {
      a: createTransaction(input: $a) { __typename ... on CreateTransactionSuccess { transaction { status events { sequence status } } } }
      b: createTransaction(input: $b) { __typename ... on Error { message code } }
    }`;
    for (const [query, variables, expected, by] of [
      [create, conflicting, /^200 \{"data":\{"createTransaction":\{"__typename":"IdempotencyConflictError"/, creator],
      [create, input('bad-amount', { amount: { value: '19.999', currency: 'EUR' } }), /^200 \{"data":\{"createTransaction":\{"__typename":"ValidationError"/, creator],
      [create, input('by-admin'), /^200 \{"errors":\[\{"message":"this operation needs a merchant key".*"FORBIDDEN"/, server.adminKey],
      [create, input('number-amount', { amount: { value: 19.99, currency: 'EUR' } }), /^400 \{"errors":\[\{"message":"Variable \\"\$input\\" got invalid value 19.99 at \\"input.amount.value\\"/, creator],
      [create, input('unknown-field', { tip: '1.00' }), /^400 \{"errors":\[\{"message":"Variable \\"\$input\\" got invalid value .*Field \\"tip\\" is not defined/, creator],
      [twice, { a: input('twice-a', { idempotencyKey: 'compiled-twice' }).input, b: conflicting.input }, /^200 \{"data":\{"a":\{"__typename":"CreateTransactionSuccess","transaction":\{"status":"REDIRECTED","events":\[\{"sequence":1/, creator],
    ] as const) {
      const [compiled, byGraphqlJs] = await bothWays(query, variables, by);
      expect(compiled).toMatch(expected);
      expect(alike(compiled)).toBe(alike(byGraphqlJs));
    }
  });

  it('keep the order of fields around fragments, aliases, skipped fields and nested fragments', async () => {
    const query = `query Shapes($without: Boolean!) {
      before: transactions(last: 1) { totalCount }
      transactions(first: 2) { edges { node {
        __typename
        ...Head
        ... on Transaction { isFinal events { ...Step sequence } }
        createdAt
        ...Head
        amount { currency ... on Money { value } }
        reason: statusReason @skip(if: $without)
        merchantReference @include(if: $without)
        ...Tail
        ... { status }
      } } }
    }
    fragment Head on Transaction { id status amount { minorUnits } }
    fragment Tail on Node { id }
    fragment Step on TransactionEvent { status source }`;
    for (const without of [true, false]) {
      const [compiled, byGraphqlJs] = await bothWays(query, { without });
      expect(compiled).toMatch(/^200 \{"data":\{"before":\{"totalCount":4\},"transactions":\{"edges":\[\{"node":\{"__typename":"Transaction","id":"/);
      expect(compiled).toBe(byGraphqlJs);
    }
  });

  it('answer an alias __proto__ as graphql-js does (it is not compiled)', async () => {
    const [answered, byGraphqlJs] = await bothWays('query Proto { transactions(first: 1) { edges { node { __proto__: merchantReference } } } }', {});
    expect(answered).toMatch(/^200 \{"data":\{"transactions":\{"edges":\[\{"node":\{"__proto__":"compiled-/);
    expect(answered).toBe(byGraphqlJs);
  });

  it('answer transactionStats exactly as graphql-js does, every field of its rows, grouped or not', async () => {
    // The seeded transactions' local date (en-CA writes YYYY-MM-DD).
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date());
    const query = `query Stats($day: Date!, $groupBy: [TransactionStatsDimension!]) {
      transactionStats(from: $day, to: $day, timeZone: "Europe/Berlin", groupBy: $groupBy) {
        ... on TransactionStats {
          from to timeZone groupBy currencies
          rows {
            start end date localStart status currency merchant { id name }
            created captured paid cancelled rejected refunded conversionRate
            amounts { currency created { value currency minorUnits } captured { minorUnits } paid { value } cancelled { minorUnits } rejected { minorUnits } refunded { value minorUnits } }
          }
        }
        ... on ValidationError { message }
      }
    }`;
    for (const groupBy of [['HOUR'], ['DAY', 'STATUS', 'CURRENCY'], []]) {
      // The zone's names and offsets are read once per process: not a statement of either way.
      await answer(query, { day: today, groupBy });
      const [compiled, byGraphqlJs] = await bothWays(query, { day: today, groupBy });
      expect(compiled).toMatch(/^200 \{"data":\{"transactionStats":\{"from":"/);
      expect(compiled).toContain('"currencies":["EUR","JPY"]');
      expect(compiled).toBe(byGraphqlJs);
    }
  });

  it('answer absent rows, bad arguments and bad variables exactly as graphql-js does', async () => {
    for (const [query, variables] of [
      ['query Empty { transactions(first: 2, filter: { currency: "USD" }) { totalCount edges { cursor } } }', {}],
      ['query Foreign($merchant: ID) { transactions(first: 2, filter: { merchantId: $merchant }) { totalCount } }', { merchant: 'TWVyY2hhbnQ6eA' }],
      ['query BadCursor { transactions(first: 2, after: "bm90IGEgY3Vyc29y") { edges { cursor } } }', {}],
      ['query TooLarge { transactions(first: 1000) { edges { cursor } } }', {}],
      ['query BadDate($from: DateTime) { transactions(filter: { createdFrom: $from }) { totalCount } }', { from: '0000-01-01T00:00:00Z' }],
      ['query BadVariable($first: Int) { transactions(first: $first) { totalCount } }', { first: 'ten' }],
    ] as const) {
      const [compiled, byGraphqlJs] = await bothWays(query, variables);
      expect(compiled).toBe(byGraphqlJs);
    }
  });
});
