import { afterAll, beforeAll, expect, it } from 'vitest';
import { LiveEventsDocument } from '../../console/src/operations.ts';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createApiKey, createMerchant } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { wsClient } from '../support/http.ts';
import { testServiceDeps } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

// The console's ADMIN Live page names each event's merchant (Transaction.merchant in its subscription). At 200
// changes a second a merchant lookup per event made it seconds late (bench:console): the names come from a short
// cache, so a burst costs no query per event, and each event still names its own merchant.

let db: TestDatabase;
let app: App;
let url: string;
let queries: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ onQuery: (sql) => queries.push(sql) });
  app = createApp({ config: loadConfig({ NODE_ENV: 'test' }), db, logger: createLogger('silent') });
  url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

type LiveEvent = { status: string; transaction: { merchantReference: string; merchant?: { name: string } | null } };

it("gives an ADMIN feed every event with its merchant's name, without a query per event", async () => {
  const admin = await createApiKey(db, 'ADMIN', null);
  const merchants = [(await createMerchant(db, 'Feed Shop A')).merchant, (await createMerchant(db, 'Feed Shop B')).merchant];
  const client = wsClient(url, admin.secret);
  const received: LiveEvent[] = [];
  const errors: unknown[] = [];
  const opened = app.events.stats().opened;
  client.subscribe<{ transactionEvents: LiveEvent }>(
    { query: LiveEventsDocument.toString(), variables: { admin: true, merchantId: null, after: null } },
    { next: (result) => (result.data ? received.push(result.data.transactionEvents) : errors.push(result.errors)), error: (error) => errors.push(error), complete: () => undefined },
  );
  await waitFor(() => app.events.stats().opened > opened, 'the subscription to attach');

  const perMerchant = 10;
  queries = [];
  for (let index = 0; index < perMerchant; index += 1) {
    for (const merchant of merchants) {
      await createTransaction(testServiceDeps(db), merchant.id, {
        merchantReference: `${merchant.name}-${index}`,
        amount: { value: '3.20', currency: 'EUR' },
        returnUrl: 'https://shop.example/r',
      });
    }
  }
  await waitFor(() => received.length >= perMerchant * merchants.length * 2, 'every status change');
  expect(errors).toEqual([]);
  for (const event of received) expect(event.transaction.merchantReference.startsWith(`${event.transaction.merchant?.name ?? '?'}-`)).toBe(true);
  // 40 events of 2 merchants: at most a lookup per merchant (the cache lives 5 s), never one per event.
  const merchantReads = queries.filter((sql) => /^SELECT\b.*\bFROM "\w+"\."merchants"/s.test(sql.trim()));
  const eventReads = queries.filter((sql) => /^SELECT\b.*\bFROM "\w+"\."transaction_events"/s.test(sql.trim()));
  expect(merchantReads.length).toBeLessThanOrEqual(merchants.length);
  expect(eventReads.length).toBeLessThan(received.length / 2);
  await client.dispose();
});
