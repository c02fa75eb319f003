import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createCheckoutClient, createMerchantClient } from '../../src/client/merchant-client.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { INVALID_CLIENT_SECRET_MESSAGE } from '../../src/http/errors.ts';
import { errorCodes, request, type RawResponse } from '../support/http.ts';
import { isCheckoutField, sweepOperations } from '../support/schema-sweep.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

// Merchant frontends (#15): a publishable key alone only identifies its merchant; with a transaction's client
// secret it reads that one transaction's consumer-safe fields and follows its status (SSE POST body, graphql-ws
// connection_init), nothing else. Every client secret that opens nothing gets one and the same answer.

let server: TestServer;
let shop: { merchantId: string; key: string; publishable: string };
let other: { merchantId: string; key: string; publishable: string };

const CREATE = `mutation ($input: CreateTransactionInput!) {
  createTransaction(input: $input) { __typename ... on CreateTransactionSuccess { clientSecret transaction { id status } } }
}`;
const CHECKOUT = '{ checkoutTransaction { id status isFinal version amount { value currency } redirectUrl statusHistory { status previousStatus occurredAt } } }';

async function merchantWithPublishableKey(name: string) {
  const merchant = await server.createMerchant(name);
  const created = await server.graphql<{ createApiKey: { __typename: string; secret: string; apiKey: { role: string; publishableKey: string | null } } }>(
    'mutation { createApiKey(role: PUBLISHABLE) { __typename ... on CreateApiKeySuccess { secret apiKey { role publishableKey } } } }',
    {},
    merchant.key,
  );
  const payload = created.data?.createApiKey;
  if (payload?.__typename !== 'CreateApiKeySuccess') throw new Error(JSON.stringify(created));
  expect(payload.secret).toMatch(/^pk_/);
  expect(payload.apiKey).toEqual({ role: 'PUBLISHABLE', publishableKey: payload.secret });
  return { ...merchant, publishable: payload.secret };
}

async function createTransaction(key: string, reference = `order-${randomBytes(4).toString('hex')}`) {
  const result = await server.graphql<{ createTransaction: { __typename: string; clientSecret: string; transaction: { id: string; status: string } } }>(
    CREATE,
    { input: { merchantReference: reference, amount: { value: '12.50', currency: 'EUR' }, returnUrl: 'https://shop.example/done' } },
    key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  return payload;
}

/** A browser's POST: the publishable key in the header, the client secret in the body. */
function browserPost(query: string, publishable: string, clientSecret?: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<RawResponse> {
  return request(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${publishable}`, ...headers },
    body: JSON.stringify({ query, variables, ...(clientSecret === undefined ? {} : { extensions: { clientSecret } }) }),
  });
}

beforeAll(async () => {
  server = await startTestServer();
  shop = await merchantWithPublishableKey('Checkout shop');
  other = await merchantWithPublishableKey('Another shop');
});
afterAll(() => server?.close());

describe('client secrets', () => {
  it('createTransaction returns one; only its hash is stored', async () => {
    const created = await createTransaction(shop.key);
    expect(created.clientSecret).toMatch(/^pcs_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const rows = await server.db.prisma.clientSecret.findMany({ where: { merchantId: shop.merchantId } });
    expect(rows.length).toBeGreaterThan(0);
    // The random part is base64url, which may itself contain '_': take it by position, not by splitting.
    const randomPart = created.clientSecret.slice('pcs_'.length + 32 + '_'.length);
    expect(randomPart).toHaveLength(43);
    expect(JSON.stringify(rows)).not.toContain(randomPart);
    for (const row of rows) expect(Math.abs(row.expiresAt.getTime() - row.createdAt.getTime() - 24 * 3_600_000)).toBeLessThan(60_000);
  });

  it('publishable key + client secret read that transaction, and nothing else', async () => {
    const created = await createTransaction(shop.key);
    const read = await browserPost(CHECKOUT, shop.publishable, created.clientSecret);
    expect(read.status).toBe(200);
    expect(read.json?.data).toMatchObject({
      checkoutTransaction: {
        id: created.transaction.id,
        status: 'REDIRECTED',
        isFinal: false,
        amount: { value: '12.50', currency: 'EUR' },
        redirectUrl: expect.stringMatching(/^http/),
        statusHistory: [
          { status: 'CREATED', previousStatus: null },
          { status: 'REDIRECTED', previousStatus: 'CREATED' },
        ],
      },
    });

    const transactionsBefore = await server.db.prisma.transaction.count();
    for (const query of [
      '{ transactions { totalCount } }',
      `{ transaction(id: "${created.transaction.id}") { status } }`,
      `{ node(id: "${created.transaction.id}") { id } }`,
      `mutation { cancelTransaction(id: "${created.transaction.id}") { __typename } }`,
      'mutation { createApiKey(role: SECRET) { __typename } }',
      '{ apiKeys { id } }',
      `mutation { createTransaction(input: { merchantReference: "x", amount: { value: "1.00", currency: "EUR" }, returnUrl: "https://shop.example" }) { __typename } }`,
    ]) {
      const refused = await browserPost(query, shop.publishable, created.clientSecret);
      expect({ query, codes: errorCodes(refused) }).toEqual({ query, codes: ['FORBIDDEN'] });
      expect(Object.values((refused.json?.data ?? {}) as Record<string, unknown>).filter((value) => value !== null)).toEqual([]);
    }
    expect(await server.db.prisma.transaction.count()).toBe(transactionsBefore);
    expect((await server.db.prisma.transaction.findFirstOrThrow({ where: { merchantId: shop.merchantId }, orderBy: { createdAt: 'desc' } })).status).toBe('REDIRECTED');
  });

  it('a publishable key alone only identifies the merchant: every field FORBIDDEN, saying why', async () => {
    for (const query of [CHECKOUT, '{ transactions { totalCount } }', '{ merchants { totalCount } }']) {
      const refused = await browserPost(query, shop.publishable);
      expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
      expect(refused.json?.errors?.[0]?.message).toMatch(/publishable key alone only identifies the merchant/);
    }
  });

  it('never in a URL: GET with a publishable key is refused (405)', async () => {
    const response = await request(`${server.url}/graphql?query=${encodeURIComponent(CHECKOUT)}`, {
      headers: { authorization: `Bearer ${shop.publishable}`, 'graphql-preflight': '1' },
    });
    expect(response.status).toBe(405);
  });

  it('a publishable key is no key for the report downloads', async () => {
    const response = await request(`${server.url}/reports/daily.csv?date=2026-01-01`, { headers: { authorization: `Bearer ${shop.publishable}` } });
    expect(response.status).toBe(401);
  });

  it('wrong, foreign, expired, malformed and guessed client secrets all get the same answer, revealing nothing', async () => {
    const mine = await createTransaction(shop.key);
    const theirs = await createTransaction(other.key);
    const expired = await createTransaction(shop.key);
    await server.db.prisma.clientSecret.updateMany({ where: { transactionId: Buffer.from(expired.transaction.id, 'base64').toString().split(':')[1] ?? '' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const [, hex] = /^pcs_([0-9a-f]{32})_/.exec(mine.clientSecret) ?? [];
    const attempts: [string, string][] = [
      ["another merchant's client secret", theirs.clientSecret],
      ['an expired one', expired.clientSecret],
      ['the right transaction, a wrong secret part', `pcs_${hex}_${randomBytes(32).toString('base64url')}`],
      ['a truncated one', mine.clientSecret.slice(0, -1)],
      ['garbage', 'not-a-secret'],
      ['the publishable key itself', shop.publishable],
      ['the secret key', shop.key],
    ];
    const answers = new Set<string>();
    for (const [label, secret] of attempts) {
      const response = await browserPost(CHECKOUT, shop.publishable, secret);
      expect({ label, status: response.status }).toEqual({ label, status: 401 });
      answers.add(JSON.stringify(response.json));
    }
    // 1,000 guesses, 20 at a time: half at the right transaction, half at random ones.
    const guesses: string[] = [];
    for (let batch = 0; batch < 50; batch += 1) {
      guesses.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, async (_, index) => {
            const guess = index % 2 === 0 ? `pcs_${hex}_${randomBytes(32).toString('base64url')}` : `pcs_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`;
            const response = await browserPost(CHECKOUT, shop.publishable, guess);
            return `${response.status} ${JSON.stringify(response.json)}`;
          }),
        )),
      );
    }
    for (const guess of guesses) answers.add(guess.slice(4));
    expect([...answers]).toEqual([JSON.stringify({ errors: [{ message: INVALID_CLIENT_SECRET_MESSAGE, extensions: { code: 'UNAUTHENTICATED' } }] })]);
    expect(new Set(guesses.map((guess) => guess.slice(0, 3)))).toEqual(new Set(['401']));
    // And the right one still works after all that.
    expect((await browserPost(CHECKOUT, shop.publishable, mine.clientSecret)).status).toBe(200);
  }, 60_000);
});

describe('following the status', () => {
  const SUBSCRIPTION = 'subscription { checkoutTransactionUpdated { status version isFinal } }';

  it('over SSE (POST body): the current state first, then each change', async () => {
    const created = await createTransaction(shop.key);
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${shop.publishable}` },
      body: JSON.stringify({ query: SUBSCRIPTION, extensions: { clientSecret: created.clientSecret } }),
    });
    expect(response.status).toBe(200);
    const reader = response.body?.getReader();
    if (!reader) throw new Error('no body');
    let text = '';
    const nextEvent = async (): Promise<Record<string, unknown>> => {
      for (;;) {
        const match = /event: next\ndata: (.*)\n\n/.exec(text);
        if (match) {
          text = text.slice((match.index ?? 0) + match[0].length);
          return JSON.parse(match[1] ?? '{}') as Record<string, unknown>;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += new TextDecoder().decode(value);
      }
    };
    expect(await nextEvent()).toEqual({ data: { checkoutTransactionUpdated: { status: 'REDIRECTED', version: 2, isFinal: false } } });
    await server.graphql(`mutation { cancelTransaction(id: "${created.transaction.id}") { __typename } }`, {}, shop.key);
    expect(await nextEvent()).toEqual({ data: { checkoutTransactionUpdated: { status: 'CANCELLED', version: 3, isFinal: true } } });
    await reader.cancel();
  });

  function connect(payload: Record<string, unknown>): { socket: WebSocket; messages: Record<string, unknown>[]; closed: Promise<number>; next: () => Promise<Record<string, unknown>> } {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const messages: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    socket.on('message', (data) => {
      messages.push(JSON.parse(String(data)) as Record<string, unknown>);
      for (const waiter of waiters.splice(0)) waiter();
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    let read = 0;
    const next = async () => {
      while (messages.length <= read) await new Promise<void>((resolve) => waiters.push(resolve));
      read += 1;
      return messages[read - 1] ?? {};
    };
    return { socket, messages, closed, next };
  }

  it('over graphql-ws (client secret in connection_init): the current state first, then each change; the key revoked ends it', async () => {
    const created = await createTransaction(shop.key);
    const client = connect({ authorization: `Bearer ${shop.publishable}`, clientSecret: created.clientSecret });
    expect(await client.next()).toMatchObject({ type: 'connection_ack' });
    client.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
    expect(await client.next()).toMatchObject({ type: 'next', payload: { data: { checkoutTransactionUpdated: { status: 'REDIRECTED', version: 2 } } } });
    await server.graphql(`mutation { cancelTransaction(id: "${created.transaction.id}") { __typename } }`, {}, shop.key);
    expect(await client.next()).toMatchObject({ type: 'next', payload: { data: { checkoutTransactionUpdated: { status: 'CANCELLED', version: 3 } } } });
    expect(await client.next()).toEqual({ id: '1', type: 'complete' }); // final: nothing more to follow

    // Other subscriptions stay closed to it.
    client.socket.send(JSON.stringify({ id: '2', type: 'subscribe', payload: { query: 'subscription { transactionEvents { status } }' } }));
    const refused = await client.next();
    expect(refused).toMatchObject({ type: 'next', id: '2', payload: { errors: [{ extensions: { code: 'FORBIDDEN' } }] } });
    expect((refused['payload'] as { data?: unknown }).data ?? null).toBeNull();
    expect(await client.next()).toMatchObject({ type: 'complete', id: '2' });

    const keys = await server.graphql<{ apiKeys: { id: string; role: string }[] }>('{ apiKeys { id role } }', {}, shop.key);
    const publishableId = keys.data?.apiKeys.find((key) => key.role === 'PUBLISHABLE')?.id;
    const revoked = await server.graphql(`mutation { revokeApiKey(id: "${publishableId}") { __typename } }`, {}, shop.key);
    expect(revoked.data).toEqual({ revokeApiKey: { __typename: 'RevokeApiKeySuccess' } });
    expect(await client.closed).toBe(4401);
    expect((await browserPost(CHECKOUT, shop.publishable, created.clientSecret)).status).toBe(401);
    shop = await merchantWithPublishableKey('Checkout shop, new key');
  });

  it('a bad client secret in connection_init: closed with 4401 and the same reason', async () => {
    const client = connect({ authorization: `Bearer ${other.publishable}`, clientSecret: `pcs_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}` });
    expect(await client.closed).toBe(4401);
    expect(client.messages).toEqual([]);
  });
});

describe('the new roles across every field (sweep)', () => {
  const rootFields = (rootType: 'query' | 'mutation' | 'subscription') =>
    Object.values((rootType === 'query' ? schema.getQueryType() : rootType === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType())?.getFields() ?? {});

  it('publishable key + client secret: every root field but the checkout ones is FORBIDDEN, and nothing changes', async () => {
    const created = await createTransaction(shop.key);
    const values = { id: created.transaction.id, cursor: 'x' };
    const operations = (['query', 'mutation', 'subscription'] as const).flatMap((rootType) =>
      sweepOperations(schema, rootType, [values]).filter((operation) => !isCheckoutField(rootFields(rootType).find((field) => field.name === operation.field) ?? rootFields(rootType)[0]!)),
    );
    expect(operations.map((operation) => operation.field)).toEqual(expect.arrayContaining(['transactions', 'createTransaction', 'cancelTransaction', 'transactionEvents', 'createApiKey']));
    const before = await server.db.prisma.transaction.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, version: true } });
    for (const operation of operations) {
      const response = await browserPost(operation.query, shop.publishable, created.clientSecret, {}, operation.rootType === 'subscription' ? { accept: 'text/event-stream' } : {});
      const text = response.text;
      // Refused by its scope, or (a sweep document that big) before any resolver ran.
      const refused = text.includes('FORBIDDEN') || text.includes('QUERY_TOO_COMPLEX');
      expect({ field: operation.field, refused: refused ? true : text }).toEqual({ field: operation.field, refused: true });
      expect(text).not.toContain('merchantReference');
    }
    expect(await server.db.prisma.transaction.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, version: true } })).toEqual(before);
  }, 60_000);

  it('a read-only key queries and subscribes but every mutation is FORBIDDEN, and nothing changes', async () => {
    const created = await server.graphql<{ createApiKey: { secret: string } }>('mutation { createApiKey(role: READ_ONLY) { ... on CreateApiKeySuccess { secret } } }', {}, shop.key);
    const readOnly = created.data?.createApiKey.secret ?? '';
    const transaction = await createTransaction(shop.key);
    expect((await server.graphql('{ transactions { totalCount } }', {}, readOnly)).data).toMatchObject({ transactions: { totalCount: expect.any(Number) } });
    const keysBefore = await server.db.prisma.apiKey.count();
    const before = await server.db.prisma.transaction.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, version: true } });
    for (const operation of sweepOperations(schema, 'mutation', [{ id: transaction.transaction.id, cursor: 'x' }])) {
      const response = await server.graphql(operation.query, {}, readOnly);
      expect({ field: operation.field, codes: (response.errors ?? []).map((error) => error.extensions?.['code']) }).toEqual({ field: operation.field, codes: ['FORBIDDEN'] });
      expect(response.errors?.[0]?.message).toBe('a read-only key may query and subscribe, not change anything');
    }
    expect(await server.db.prisma.transaction.findMany({ orderBy: { id: 'asc' }, select: { id: true, status: true, version: true } })).toEqual(before);
    expect(await server.db.prisma.apiKey.count()).toBe(keysBefore);
  }, 60_000);
});

describe('the typed client', () => {
  it('merchant mode creates and cancels over graphql-ws; browser mode follows with the publishable key and the client secret', async () => {
    const merchantClient = createMerchantClient({ url: `${server.url}/graphql`, apiKey: shop.key });
    const created = await merchantClient.createTransaction({ merchantReference: `typed-${randomBytes(3).toString('hex')}`, amount: { value: '3.00', currency: 'EUR' }, returnUrl: 'https://shop.example/done' });
    if (created.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(created));
    const checkout = createCheckoutClient({ url: `${server.url}/graphql`, publishableKey: shop.publishable, clientSecret: created.clientSecret });
    const seen: string[] = [];
    const handle = checkout.checkoutTransactionUpdated({ onTransaction: (transaction) => seen.push(transaction.status) });
    await waitFor(() => seen.length === 1, 'the current state');
    const cancelled = await merchantClient.cancelTransaction(created.transaction.id);
    expect(cancelled.__typename).toBe('CancelTransactionSuccess');
    await handle.done;
    expect(seen).toEqual(['REDIRECTED', 'CANCELLED']);
    await Promise.all([checkout.close(), merchantClient.close()]);
  });
});
