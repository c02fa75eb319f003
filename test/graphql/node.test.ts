import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * `node` and `nodes` (issue #13.6): an id naming nothing the caller may see (absent, another merchant's,
 * malformed, of no Node type) is null, with no error and nothing logged at error level; in `nodes`, each
 * such id nulls its own entry only.
 */

let server: TestServer;
const logLines: string[] = [];
let acme: { merchantId: string; key: string };
let globex: { merchantId: string; key: string };
let acmeTransaction: string;
let globexTransaction: string;

const ABSENT = '0190f0f0-0000-7000-8000-00000000abcd';

beforeAll(async () => {
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  server = await startTestServer({ LOG_LEVEL: 'info' }, { logDestination });
  acme = await server.createMerchant('Acme');
  globex = await server.createMerchant('Globex');
  const create = async (key: string) => {
    const result = await server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: 'node-1', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/back' } },
      key,
    );
    if (result.data?.createTransaction.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
    return result.data.createTransaction.transaction.id;
  };
  acmeTransaction = await create(acme.key);
  globexTransaction = await create(globex.key);
});
afterAll(() => server?.close());

const NODE = 'query NodeProbe($id: ID!) { node(id: $id) { __typename id } }';
const NODES = 'query NodeProbe($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }';

describe('node and nodes', () => {
  it('find what the caller may see', async () => {
    expect(await server.graphql(NODE, { id: acmeTransaction }, acme.key)).toEqual({ status: 200, data: { node: { __typename: 'Transaction', id: acmeTransaction } } });
    const merchant = encodeGlobalId('Merchant', acme.merchantId);
    expect((await server.graphql(NODE, { id: merchant }, acme.key)).data).toEqual({ node: { __typename: 'Merchant', id: merchant } });
    expect((await server.graphql(NODE, { id: globexTransaction }, server.adminKey)).data).toEqual({ node: { __typename: 'Transaction', id: globexTransaction } });
  });

  const unseen: [string, () => string][] = [
    ['an absent transaction', () => encodeGlobalId('Transaction', ABSENT)],
    ["another merchant's transaction", () => globexTransaction],
    ["another merchant's merchant", () => encodeGlobalId('Merchant', globex.merchantId)],
    ['an absent merchant', () => encodeGlobalId('Merchant', ABSENT)],
    ['an ADMIN-only type (Anomaly)', () => encodeGlobalId('Anomaly', ABSENT)],
    ['a type that is no Node', () => encodeGlobalId('Money', ABSENT)],
    ['an unknown type', () => encodeGlobalId('Nope', ABSENT)],
    ['a malformed id', () => 'not-a-global-id'],
    ['a global id around no uuid', () => encodeGlobalId('Transaction', 'not-a-uuid')],
    ['a raw uuid', () => ABSENT],
  ];

  it.each(unseen)('%s: node is null, no error', async (_label, id) => {
    expect(await server.graphql(NODE, { id: id() }, acme.key)).toEqual({ status: 200, data: { node: null } });
  });

  it('nodes: each unseen id nulls its own entry, the others are found, in order', async () => {
    const ids = [acmeTransaction, ...unseen.map(([, id]) => id()), encodeGlobalId('Merchant', acme.merchantId)];
    const response = await server.graphql<{ nodes: ({ id: string } | null)[] }>(NODES, { ids }, acme.key);
    expect(response.errors).toBeUndefined();
    expect(response.data?.nodes.map((node) => node?.id ?? null)).toEqual([acmeTransaction, ...unseen.map(() => null), ids.at(-1)]);
  });

  it('logs nothing at error level for any of them', async () => {
    // The positive marker: this request's completion line, logged after everything logged for the ones before.
    await server.graphql('query LogMarker { __typename }', {}, acme.key);
    await expect.poll(() => logLines.some((line) => line.includes('"operationName":"LogMarker"'))).toBe(true);
    expect(logLines.filter((line) => line.includes('"operationName":"NodeProbe"')).length).toBeGreaterThan(unseen.length);
    expect(logLines.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
  });
});
