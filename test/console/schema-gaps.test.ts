import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConsoleDailyBreakdownQuery, ConsoleTransactionsQuery } from '../../console/src/generated/graphql.ts';
import { DailyBreakdownDocument, TransactionsDocument } from '../../console/src/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia } from '../support/subscriptions.ts';

// What the console revealed the public schema lacked (#18): whose a transaction is, in ADMIN lists; and a daily
// report a merchant can ask with the same query as ADMIN.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** The console's own documents (typed by its codegen target), sent as the console sends them. */
function listTransactions(key: string) {
  return server.graphql<ConsoleTransactionsQuery>(TransactionsDocument.toString(), { first: 10, filter: noFilter, admin: true }, key);
}

function dailyBreakdown(date: string, key: string) {
  return server.graphql<ConsoleDailyBreakdownQuery>(DailyBreakdownDocument.toString(), { date, timeZone: 'UTC' }, key);
}

const noFilter = { statuses: null, currency: null, createdFrom: null, createdTo: null, merchantReference: null, merchantId: null };

it('Transaction.merchant: ADMIN lists say whose each transaction is; a merchant only ever sees its own', async () => {
  const acme = await server.createMerchant('Acme');
  const globex = await server.createMerchant('Globex');
  await createTransactionVia(server, acme.key, 'acme-1');
  await createTransactionVia(server, globex.key, 'globex-1');
  const all = await listTransactions(server.adminKey);
  expect(all.errors).toBeUndefined();
  expect(all.data?.transactions.edges.map(({ node }) => [node.merchantReference, node.merchant?.name])).toEqual([
    ['globex-1', 'Globex'],
    ['acme-1', 'Acme'],
  ]);
  const own = await listTransactions(acme.key);
  expect(own.errors).toBeUndefined();
  expect(own.data?.transactions.edges.map(({ node }) => [node.merchantReference, node.merchant?.name])).toEqual([['acme-1', 'Acme']]);
});

it('DailyReport.byMerchant: a merchant gets its own line, never another’s, and its report is not nulled', async () => {
  const date = new Date().toISOString().slice(0, 10);
  const initech = await server.createMerchant('Initech');
  await createTransactionVia(server, initech.key, 'initech-1');
  const mine = await dailyBreakdown(date, initech.key);
  expect(mine.errors).toBeUndefined();
  expect(mine.data?.dailyReport.byMerchant.map((entry) => [entry.merchant.name, entry.funnel.created])).toEqual([['Initech', 1]]);
  const everyone = await dailyBreakdown(date, server.adminKey);
  expect(everyone.data?.dailyReport.byMerchant.map((entry) => entry.merchant.name)).toEqual(expect.arrayContaining(['Acme', 'Globex', 'Initech']));
});
