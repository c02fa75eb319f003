import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CancelTransactionDocument,
  CreateTransactionDocument,
  NodeDocument,
  TransactionDocument,
  TransactionsDocument,
} from '../../src/client/operations.ts';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchant: { merchantId: string; key: string };
let otherMerchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  merchant = await server.createMerchant('Acme');
  otherMerchant = await server.createMerchant('Globex');
});
afterAll(() => server?.close());

const input = (overrides: Record<string, unknown> = {}) => ({
  merchantReference: `order-${Math.random().toString(36).slice(2)}`,
  amount: { value: '19.99', currency: 'EUR' },
  returnUrl: 'https://shop.example/return',
  ...overrides,
});

async function create(key = merchant.key, overrides: Record<string, unknown> = {}) {
  const result = await server.execute(CreateTransactionDocument, { input: input(overrides) as never }, key);
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(`create failed: ${JSON.stringify(result)}`);
  return payload.transaction;
}

describe('createTransaction', () => {
  it('creates, redirects and records both events with exact money', async () => {
    const transaction = await create(merchant.key, { amount: { value: '19.9', currency: 'EUR' } });
    expect(transaction.status).toBe('REDIRECTED');
    expect(transaction.amount).toEqual({ value: '19.90', currency: 'EUR', minorUnits: '1990' });
    expect(transaction.isFinal).toBe(false);
    expect(transaction.isCancellable).toBe(true);
    expect(transaction.redirectUrl).toMatch(/\/sandbox\/alipay\/gateway\?/);
    const redirect = new URL(transaction.redirectUrl ?? '');
    expect(redirect.searchParams.get('total_fee')).toBe('19.90');
    expect(redirect.searchParams.get('currency')).toBe('EUR');
    expect(transaction.events.map((event) => [event.sequence, event.previousStatus, event.status, event.source])).toEqual([
      [1, null, 'CREATED', 'MERCHANT_API'],
      [2, 'CREATED', 'REDIRECTED', 'MERCHANT_API'],
    ]);
  });

  it('handles currencies by their ISO 4217 exponent', async () => {
    expect((await create(merchant.key, { amount: { value: '1999', currency: 'JPY' } })).amount).toEqual({
      value: '1999',
      currency: 'JPY',
      minorUnits: '1999',
    });
    expect((await create(merchant.key, { amount: { value: '1.234', currency: 'KWD' } })).amount.minorUnits).toBe('1234');
  });

  it.each([
    [{ amount: { value: '0', currency: 'EUR' } }, ['input', 'amount', 'value']],
    [{ amount: { value: '-5', currency: 'EUR' } }, ['input', 'amount', 'value']],
    [{ amount: { value: '1.999', currency: 'EUR' } }, ['input', 'amount', 'value']],
    [{ amount: { value: '1.5', currency: 'JPY' } }, ['input', 'amount', 'value']],
    [{ amount: { value: '1e3', currency: 'EUR' } }, ['input', 'amount', 'value']],
    [{ amount: { value: '99999999999999999999999999', currency: 'EUR' } }, ['input', 'amount', 'value']],
    [{ amount: { value: '10', currency: 'XYZ' } }, ['input', 'amount', 'currency']],
    [{ amount: { value: '10', currency: 'eur' } }, ['input', 'amount', 'currency']],
    [{ merchantReference: '' }, ['input', 'merchantReference']],
    [{ merchantReference: 'x'.repeat(65) }, ['input', 'merchantReference']],
    [{ merchantReference: 'bad\u0000ref' }, ['input', 'merchantReference']],
    [{ returnUrl: 'javascript:alert(1)' }, ['input', 'returnUrl']],
    [{ returnUrl: '/relative' }, ['input', 'returnUrl']],
    [{ returnUrl: 'ftp://shop.example/' }, ['input', 'returnUrl']],
  ])('refuses %j with a ValidationError at the field path and writes nothing', async (overrides, path) => {
    const before = await server.db.prisma.transaction.count();
    const result = await server.execute(CreateTransactionDocument, { input: input(overrides) as never }, merchant.key);
    const payload = result.data?.createTransaction;
    expect(payload?.__typename).toBe('ValidationError');
    if (payload?.__typename !== 'ValidationError') return;
    expect(payload.code).toBe('VALIDATION_FAILED');
    expect(payload.fields.map((field) => field.path)).toContainEqual(path);
    expect(await server.db.prisma.transaction.count()).toBe(before);
  });

  it('refuses amounts above the configured maximum', async () => {
    const result = await server.execute(CreateTransactionDocument, { input: input({ amount: { value: '1000000.01', currency: 'EUR' } }) as never }, merchant.key);
    expect(result.data?.createTransaction.__typename).toBe('ValidationError');
  });

  it('keeps SQL- and HTML-looking strings as plain data', async () => {
    const reference = `'); DROP TABLE transactions; -- <script>alert(1)</script>`;
    const transaction = await create(merchant.key, { merchantReference: reference });
    expect(transaction.merchantReference).toBe(reference);
    const fetched = await server.execute(TransactionDocument, { id: transaction.id }, merchant.key);
    expect(fetched.data?.transaction?.merchantReference).toBe(reference);
  });
});

describe('idempotency', () => {
  it('returns the same transaction for the same key and input, and a conflict for other input', async () => {
    const key = `idem-${Date.now()}`;
    const first = await create(merchant.key, { idempotencyKey: key, merchantReference: 'idem-order' });
    const again = await create(merchant.key, { idempotencyKey: key, merchantReference: 'idem-order' });
    expect(again.id).toBe(first.id);
    const conflict = await server.execute(
      CreateTransactionDocument,
      { input: input({ idempotencyKey: key, merchantReference: 'another-order' }) as never },
      merchant.key,
    );
    expect(conflict.data?.createTransaction).toMatchObject({ __typename: 'IdempotencyConflictError', code: 'IDEMPOTENCY_CONFLICT' });
  });

  it('scopes keys per merchant', async () => {
    const key = `shared-${Date.now()}`;
    const mine = await create(merchant.key, { idempotencyKey: key, merchantReference: 'same' });
    const theirs = await create(otherMerchant.key, { idempotencyKey: key, merchantReference: 'same' });
    expect(theirs.id).not.toBe(mine.id);
  });

  it('creates exactly one transaction for concurrent requests with one key', async () => {
    const key = `race-${Date.now()}`;
    const before = await server.db.prisma.transaction.count();
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        server.execute(CreateTransactionDocument, { input: input({ idempotencyKey: key, merchantReference: 'race' }) as never }, merchant.key),
      ),
    );
    const ids = new Set(
      results.map((result) => {
        const payload = result.data?.createTransaction;
        return payload?.__typename === 'CreateTransactionSuccess' ? payload.transaction.id : JSON.stringify(result);
      }),
    );
    expect(ids.size).toBe(1);
    expect(await server.db.prisma.transaction.count()).toBe(before + 1);
  });
});

describe('cancelTransaction', () => {
  it('cancels a REDIRECTED transaction and refuses a second cancel with the current status', async () => {
    const transaction = await create();
    const cancelled = await server.execute(CancelTransactionDocument, { id: transaction.id }, merchant.key);
    expect(cancelled.data?.cancelTransaction).toMatchObject({
      __typename: 'CancelTransactionSuccess',
      transaction: { status: 'CANCELLED', isFinal: true, isCancellable: false, statusReason: 'CANCELLED_BY_MERCHANT' },
    });
    const again = await server.execute(CancelTransactionDocument, { id: transaction.id }, merchant.key);
    expect(again.data?.cancelTransaction).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', currentStatus: 'CANCELLED' });
    const history = await server.execute(TransactionDocument, { id: transaction.id }, merchant.key);
    expect(history.data?.transaction?.events.map((event) => [event.status, event.source])).toEqual([
      ['CREATED', 'MERCHANT_API'],
      ['REDIRECTED', 'MERCHANT_API'],
      ['CANCELLED', 'MERCHANT_API'],
    ]);
  });

  it('records an ADMIN cancel as ADMIN_API with reason CANCELLED_BY_ADMIN, not as the merchant (#13.12)', async () => {
    const transaction = await create();
    const cancelled = await server.execute(CancelTransactionDocument, { id: transaction.id }, server.adminKey);
    expect(cancelled.data?.cancelTransaction).toMatchObject({
      __typename: 'CancelTransactionSuccess',
      transaction: { status: 'CANCELLED', statusReason: 'CANCELLED_BY_ADMIN' },
    });
    // The merchant reads who acted in its own history (and on its event stream, which carries these rows).
    const history = await server.execute(TransactionDocument, { id: transaction.id }, merchant.key);
    expect(history.data?.transaction?.statusReason).toBe('CANCELLED_BY_ADMIN');
    expect(history.data?.transaction?.events.map((event) => [event.status, event.source])).toEqual([
      ['CREATED', 'MERCHANT_API'],
      ['REDIRECTED', 'MERCHANT_API'],
      ['CANCELLED', 'ADMIN_API'],
    ]);
    const stored = await server.db.prisma.transactionEvent.findFirstOrThrow({ where: { status: 'CANCELLED', transaction: { merchantReference: transaction.merchantReference } } });
    expect(stored).toMatchObject({ source: 'ADMIN_API', reason: 'CANCELLED_BY_ADMIN' });
    // Refused like a merchant's cancel once final: the same state machine.
    const again = await server.execute(CancelTransactionDocument, { id: transaction.id }, server.adminKey);
    expect(again.data?.cancelTransaction).toMatchObject({ __typename: 'InvalidStateError', currentStatus: 'CANCELLED' });
  });

  it('refuses to cancel after CAPTURED', async () => {
    const transaction = await create();
    const { transition } = await import('../../src/services/transitions.ts');
    const { decodeGlobalId } = await import('../../src/domain/ids.ts');
    await transition(server.db, { transactionId: decodeGlobalId(transaction.id, 'Transaction') ?? '', target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    const refused = await server.execute(CancelTransactionDocument, { id: transaction.id }, merchant.key);
    expect(refused.data?.cancelTransaction).toMatchObject({ __typename: 'InvalidStateError', currentStatus: 'CAPTURED' });
  });

  it("answers NotFoundError for unknown, malformed and other merchants' ids alike", async () => {
    const theirs = await create(otherMerchant.key);
    for (const id of [theirs.id, 'not-an-id', Buffer.from('Transaction:00000000-0000-4000-8000-000000000000').toString('base64')]) {
      const result = await server.execute(CancelTransactionDocument, { id }, merchant.key);
      expect(result.data?.cancelTransaction).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    }
    const untouched = await server.execute(TransactionDocument, { id: theirs.id }, otherMerchant.key);
    expect(untouched.data?.transaction?.status).toBe('REDIRECTED');
  });
});

describe('reading transactions', () => {
  it('isolates tenants in transaction, node and transactions', async () => {
    const theirs = await create(otherMerchant.key);
    expect((await server.execute(TransactionDocument, { id: theirs.id }, merchant.key)).data?.transaction).toBeNull();
    expect((await server.execute(NodeDocument, { id: theirs.id }, merchant.key)).data?.node).toBeNull();
    expect((await server.execute(NodeDocument, { id: theirs.id }, otherMerchant.key)).data?.node).toMatchObject({ __typename: 'Transaction' });
    expect((await server.execute(NodeDocument, { id: theirs.id }, server.adminKey)).data?.node).toMatchObject({ __typename: 'Transaction' });
    const page = await server.execute(TransactionsDocument, { first: 100 }, merchant.key);
    expect(page.data?.transactions.edges.map((edge) => edge.node.id)).not.toContain(theirs.id);
  });

  it('pages newest first with totalCount and filters', async () => {
    const fresh = await server.createMerchant('Pager');
    const created: string[] = [];
    for (let index = 0; index < 7; index += 1) {
      created.push((await create(fresh.key, { merchantReference: `page-${index}`, amount: { value: `${index + 1}.00`, currency: index % 2 ? 'USD' : 'EUR' } })).id);
    }
    const first = await server.execute(TransactionsDocument, { first: 3 }, fresh.key);
    expect(first.data?.transactions.totalCount).toBe(7);
    expect(first.data?.transactions.edges.map((edge) => edge.node.id)).toEqual(created.slice().reverse().slice(0, 3));
    expect(first.data?.transactions.pageInfo.hasNextPage).toBe(true);
    const second = await server.execute(TransactionsDocument, { first: 3, after: first.data?.transactions.pageInfo.endCursor }, fresh.key);
    expect(second.data?.transactions.edges.map((edge) => edge.node.id)).toEqual(created.slice().reverse().slice(3, 6));

    const usd = await server.execute(TransactionsDocument, { first: 10, filter: { currency: 'USD' } }, fresh.key);
    expect(usd.data?.transactions.totalCount).toBe(3);
    const byReference = await server.execute(TransactionsDocument, { first: 10, filter: { merchantReference: 'page-4' } }, fresh.key);
    expect(byReference.data?.transactions.edges.map((edge) => edge.node.id)).toEqual([created[4]]);
    await server.execute(CancelTransactionDocument, { id: created[0] ?? '' }, fresh.key);
    const cancelled = await server.execute(TransactionsDocument, { first: 10, filter: { statuses: ['CANCELLED'] } }, fresh.key);
    expect(cancelled.data?.transactions.edges.map((edge) => edge.node.id)).toEqual([created[0]]);
    const future = await server.execute(TransactionsDocument, { first: 10, filter: { createdFrom: '2999-01-01T00:00:00Z' } }, fresh.key);
    expect(future.data?.transactions.totalCount).toBe(0);
  });

  it('counts up to 10,000 and says when it stopped there, with the page or alone', async () => {
    const large = await server.createMerchant('Large');
    const base = Date.parse('2026-11-01T00:00:00Z');
    await seedTransactions(
      server.db.sql,
      Array.from({ length: 10_001 }, (_, index) => ({ merchantId: large.merchantId, createdAt: new Date(base + index * 1000), history: index < 10 ? [{ status: 'REDIRECTED' as const }] : [] })),
    );
    const query = 'query($filter: TransactionFilter) { transactions(first: 1, filter: $filter) { totalCount totalCountIsExact edges { cursor } } }';
    type Counted = { transactions: { totalCount: number; totalCountIsExact: boolean; edges: unknown[] } };
    expect((await server.graphql<Counted>(query, {}, large.key)).data?.transactions).toMatchObject({ totalCount: 10_000, totalCountIsExact: false });
    const redirected = await server.graphql<Counted>(query, { filter: { statuses: ['REDIRECTED'] } }, large.key);
    expect(redirected.data?.transactions).toMatchObject({ totalCount: 10, totalCountIsExact: true });
    const countOnly = await server.graphql<{ transactions: { totalCount: number } }>('{ transactions(first: 5) { totalCount } }', {}, large.key);
    expect(countOnly.data?.transactions.totalCount).toBe(10_000);
  });

  it('lets ADMIN filter by merchant and refuses merchantId to merchant keys', async () => {
    const adminView = await server.execute(TransactionsDocument, { first: 5, filter: { merchantId: Buffer.from(`Merchant:${otherMerchant.merchantId}`).toString('base64') } }, server.adminKey);
    expect(adminView.data?.transactions.totalCount).toBeGreaterThan(0);
    const refused = await server.execute(TransactionsDocument, { first: 5, filter: { merchantId: 'x' } }, merchant.key);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });
});
