import { afterAll, beforeAll, expect, it } from 'vitest';
import { TransactionsDocument } from '../../src/client/operations.ts';
import { createTransaction, findTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { startTestServer, testServiceDeps, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchantKey: string;
let merchantId: string;
let otherMerchantId: string;
const ownIds: string[] = [];
let otherId: string;
const statements: string[] = [];

beforeAll(async () => {
  server = await startTestServer({}, { onQuery: (sql) => statements.push(sql) });
  const merchant = await server.createMerchant('Counted');
  merchantKey = merchant.key;
  merchantId = merchant.merchantId;
  const deps = testServiceDeps(server.db);
  otherMerchantId = (await server.createMerchant('Other')).merchantId;
  otherId = (await createTransaction(deps, otherMerchantId, { merchantReference: 'other', amount: { value: '1.00', currency: 'EUR' }, returnUrl: 'https://shop.example/return' })).id;
  for (let index = 0; index < 60; index += 1) {
    const transaction = await createTransaction(deps, merchant.merchantId, {
      merchantReference: `count-${index}`,
      amount: { value: '5.00', currency: 'EUR' },
      returnUrl: 'https://shop.example/return',
    });
    ownIds.push(transaction.id);
    if (index % 2 === 0) await transition(server.db, { transactionId: transaction.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  }
});
afterAll(() => server?.close());

it('loads a page of 50 transactions with their events in a constant number of SQL statements', async () => {
  await server.execute(TransactionsDocument, { first: 1 }, merchantKey); // warm the API-key cache
  statements.length = 0;
  const page = await server.execute(TransactionsDocument, { first: 50 }, merchantKey);
  expect(page.data?.transactions.edges).toHaveLength(50);
  expect(page.data?.transactions.edges.every((edge) => edge.node.events.length >= 2)).toBe(true);
  // The page with its histories (one prepared statement of src/db/sql/transaction-reads.ts, not Prisma's) and
  // totalCount: two statements whatever the page size; N+1 would be 50 more.
  const selects = statements.filter((sql) => /^\s*SELECT/i.test(sql));
  console.log(`SQL statements for a page of 50 with events: ${statements.length} (${selects.length} SELECT)`);
  expect(statements, statements.join('\n')).toHaveLength(2);
  expect(selects[0]).toMatch(/FROM transaction_events e WHERE e.transaction_id = t.id/);
  expect(selects[1]).toMatch(/^SELECT count\(\*\)/);

  statements.length = 0;
  await server.execute(TransactionsDocument, { first: 10 }, merchantKey);
  expect(statements.filter((sql) => /^\s*SELECT/i.test(sql)).length).toBe(selects.length);
});

it('answers transaction lookups made in the same turn with one statement, each seeing only what its caller may', async () => {
  const query = { select: { id: true, status: true, events: { select: { sequence: true }, orderBy: { sequence: 'asc' as const } } } };
  const missing = '00000000-0000-7000-8000-000000000000';
  statements.length = 0;
  const [own, again, foreign, foreignAsOwner, absent, asAdmin] = await Promise.all([
    findTransaction(server.db, query, ownIds[0]!, merchantId),
    findTransaction(server.db, query, ownIds[0]!, merchantId),
    findTransaction(server.db, query, otherId, merchantId),
    findTransaction(server.db, query, otherId, otherMerchantId),
    findTransaction(server.db, query, missing, merchantId),
    findTransaction(server.db, query, ownIds[1]!, undefined),
  ]);
  expect(statements.filter((sql) => /^\s*SELECT/i.test(sql))).toHaveLength(1);
  expect(own?.id).toBe(ownIds[0]);
  expect(own).toMatchObject({ events: [{ sequence: 1 }, { sequence: 2 }, { sequence: 3 }] });
  expect(again?.id).toBe(ownIds[0]);
  expect(foreign).toBeNull();
  expect(foreignAsOwner?.id).toBe(otherId);
  expect(absent).toBeNull();
  expect(asAdmin?.id).toBe(ownIds[1]);

  // The next turn reads afresh: a change committed in between is seen.
  await transition(server.db, { transactionId: ownIds[1]!, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  expect((await findTransaction(server.db, query, ownIds[1]!, merchantId))?.status).toBe('CAPTURED');
});
