import { afterAll, beforeAll, expect, it } from 'vitest';
import { TransactionsDocument } from '../../src/client/operations.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { startTestServer, testServiceDeps, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchantKey: string;
const statements: string[] = [];

beforeAll(async () => {
  server = await startTestServer({}, { onQuery: (sql) => statements.push(sql) });
  const merchant = await server.createMerchant('Counted');
  merchantKey = merchant.key;
  const deps = testServiceDeps(server.db);
  for (let index = 0; index < 60; index += 1) {
    const transaction = await createTransaction(deps, merchant.merchantId, {
      merchantReference: `count-${index}`,
      amount: { value: '5.00', currency: 'EUR' },
      returnUrl: 'https://shop.example/return',
    });
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
  // the page with its events (one statement with relationJoins) + totalCount; N+1 would be 50 more.
  const selects = statements.filter((sql) => /^\s*SELECT/i.test(sql));
  console.log(`SQL statements for a page of 50 with events: ${statements.length} (${selects.length} SELECT)`);
  expect(selects.length, selects.join('\n')).toBeLessThanOrEqual(3);

  statements.length = 0;
  await server.execute(TransactionsDocument, { first: 10 }, merchantKey);
  expect(statements.filter((sql) => /^\s*SELECT/i.test(sql)).length).toBe(selects.length);
});
