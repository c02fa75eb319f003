import { afterAll, beforeAll, expect, it } from 'vitest';
import type { MerchantClient, TransactionEventMessage } from '../../src/client/merchant-client.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';
import { testClient, waitFor } from '../support/subscriptions.ts';

// Payloads arrive with the event and its transaction already read by the relay: a subscriber's
// selection must not cost a query per subscriber per event.

let db: TestDatabase;
let app: App;
let url: string;
let queries: string[] = [];
const config = loadConfig({ NODE_ENV: 'test' });

beforeAll(async () => {
  db = await createTestDatabase({ onQuery: (sql) => queries.push(sql) });
  app = createApp({ config, db, logger: createLogger('silent') });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const input = () => ({ merchantReference: `o-${Math.random().toString(36).slice(2)}`, amount: { value: '7.50', currency: 'EUR' }, returnUrl: 'https://shop.example/r' });

it('delivers nested transaction fields to many subscribers without a query per subscriber', async () => {
  const { merchant, secret } = await createMerchant(db, 'Fanout');
  const { merchant: otherMerchant } = await createMerchant(db, 'Quiet');
  const subscribers = 25;
  const clients: MerchantClient[] = [];
  const received: TransactionEventMessage[][] = [];
  const opened = app.events.stats().opened;
  for (let index = 0; index < subscribers; index += 1) {
    const client = testClient(url, secret);
    const mine: TransactionEventMessage[] = [];
    client.transactionEvents({ onEvent: (event) => mine.push(event) });
    clients.push(client);
    received.push(mine);
  }
  await waitFor(() => app.events.stats().opened >= opened + subscribers, 'every subscription to attach');

  const reads = () => queries.filter((sql) => /^SELECT\b.*\bFROM "\w+"\."transaction(s|_events)"/s.test(sql.trim()));
  // What createTransaction itself reads, measured alone (no subscriber is attached to this merchant).
  queries = [];
  await createTransaction(testServiceDeps(db), otherMerchant.id, input());
  const createReads = reads().length;
  await createTransaction(testServiceDeps(db), merchant.id, input());
  await app.events.poke();
  await waitFor(() => received.every((mine) => mine.length >= 2), 'the first transaction on every subscriber');
  queries = [];
  const created = await createTransaction(testServiceDeps(db), merchant.id, input());
  await waitFor(() => received.every((mine) => mine.length >= 4), 'both transactions on every subscriber');
  // A third transaction as the marker: the relay works through the log in order, so once every subscriber
  // has the marker's events, whatever reads the second transaction's delivery caused have been made.
  await createTransaction(testServiceDeps(db), merchant.id, input());
  await waitFor(() => received.every((mine) => mine.length >= 6), "the marker's events on every subscriber");
  // The relay reads events and their transactions in one statement of its own, once per batch. Beyond
  // the creates' own statements, nothing reads them: loading per subscriber would be 25 x 2 reads per
  // transaction (which Prisma would batch, hiding their number, so any extra read fails the test).
  expect(reads()).toHaveLength(2 * createReads);
  for (const mine of received) {
    expect(mine.slice(2).map((event) => [event.transaction.id.length > 0, event.status, event.transaction.amount.value])).toEqual([
      [true, 'CREATED', '7.50'],
      [true, 'REDIRECTED', '7.50'],
      [true, 'CREATED', '7.50'],
      [true, 'REDIRECTED', '7.50'],
    ]);
  }
  expect(created.status).toBe('REDIRECTED');
  await Promise.all(clients.map((client) => client.close()));
});

it('loads what a selection needs beyond the event and its transaction', async () => {
  const { merchant, secret } = await createMerchant(db, 'Deep');
  const client = testClient(url, secret);
  const received: unknown[] = [];
  const opened = app.events.stats().opened;
  client.graphqlWs.subscribe(
    { query: 'subscription { transactionEvents { status transaction { status events { sequence status } } } }' },
    { next: (value) => received.push(value), error: (error) => received.push(error), complete: () => undefined },
  );
  await waitFor(() => app.events.stats().opened > opened, 'the subscription to attach');
  await createTransaction(testServiceDeps(db), merchant.id, input());
  await waitFor(() => received.length >= 2, 'two events');
  expect(received[1]).toEqual({
    data: {
      transactionEvents: {
        status: 'REDIRECTED',
        transaction: { status: 'REDIRECTED', events: [{ sequence: 1, status: 'CREATED' }, { sequence: 2, status: 'REDIRECTED' }] },
      },
    },
  });
  await client.close();
});
