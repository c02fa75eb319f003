import { afterAll, beforeAll, expect, it } from 'vitest';
import { readCommittedBatch, readCommittedEvents, readHead, START_OF_LOG } from '../../src/events/log.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { transition } from '../../src/services/transitions.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';
import { visibleLog, waitFor } from '../support/subscriptions.ts';

let db: TestDatabase;
const deps = (db: TestDatabase) => testServiceDeps(db, { MAX_TRANSACTION_AMOUNT: '1000000000000' });

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const input = (reference: string) => ({ merchantReference: reference, amount: { value: '123456789012.34', currency: 'EUR' }, returnUrl: 'https://shop.example/r' });

it('reads exactly what Prisma reads, in (txid, id) order, filtered by merchant and status', async () => {
  const mine = (await createMerchant(db, 'Log')).merchant.id;
  const theirs = (await createMerchant(db, 'Other')).merchant.id;
  const first = await createTransaction(deps(db), mine, input('a'));
  await createTransaction(deps(db), theirs, input('b'));
  await transition(db, { transactionId: first.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION', reason: 'TRADE_SUCCESS', providerReference: '2026112600001' });

  const read = await visibleLog(db, { after: START_OF_LOG, limit: 100, merchantId: mine }, 3);
  const rows = await db.prisma.transactionEvent.findMany({ where: { merchantId: mine }, orderBy: [{ txid: 'asc' }, { id: 'asc' }], include: { transaction: true } });
  expect(read.map((item) => item.event)).toEqual(rows.map(({ transaction: _transaction, ...event }) => event));
  // The latest event comes with the row as it is; earlier ones with their status as of the event.
  expect(read.at(-1)?.transaction).toEqual(rows.at(-1)?.transaction);
  expect(read.map((item) => item.transaction.status)).toEqual(['CREATED', 'REDIRECTED', 'CAPTURED']);
  expect(read[0]?.transaction.amountMinor).toBe(12345678901234n);

  const captured = await readCommittedEvents(db, { after: START_OF_LOG, limit: 100, statuses: ['CAPTURED'] });
  expect(captured.map((item) => [item.event.transactionId, item.event.status])).toEqual([[first.id, 'CAPTURED']]);
  // Paging: strictly after a position, at most `limit`.
  const [one, two] = await Promise.all([
    readCommittedEvents(db, { after: START_OF_LOG, limit: 1, merchantId: mine }),
    readCommittedEvents(db, { after: read[0]?.position ?? START_OF_LOG, limit: 10, merchantId: mine }),
  ]);
  expect(one.map((item) => item.position)).toEqual([read[0]?.position]);
  expect(two.map((item) => item.position)).toEqual(read.slice(1).map((item) => item.position));
  expect((await readHead(db.sql)).position).toEqual((await readCommittedEvents(db, { after: START_OF_LOG, limit: 1000 })).at(-1)?.position);
});

it('finds the head by number, not by text, across a change in the number of digits', async () => {
  const merchant = (await createMerchant(db, 'Digits')).merchant.id;
  // Creating a transaction writes two events in one database transaction: ids 999999 and 1000000, the same txid
  // ('999999' sorts after '1000000' as text).
  await db.pool.query(`SELECT setval('transaction_events_id_seq', 999998)`);
  await createTransaction(deps(db), merchant, input('digits'));
  // The head stops below transactions still open anywhere in the cluster (other test files): wait for it to pass.
  let head = (await readHead(db.sql)).position;
  await waitFor(async () => (head = (await readHead(db.sql)).position).id >= 999_999n, 'the head to reach the new events');
  expect(head.id).toBe(1_000_000n);
  expect(await readCommittedEvents(db, { after: head, limit: 10 })).toEqual([]);
});

it.skipIf(TEST_DATABASE_URL === undefined)('stops below an open writer and says the rest is held back', async () => {
  const merchant = (await createMerchant(db, 'Held')).merchant.id;
  const early = await createTransaction(deps(db), merchant, input('early'));
  const late = await createTransaction(deps(db), merchant, input('late'));
  const head = (await visibleLog(db, { after: START_OF_LOG, limit: 100, merchantId: merchant }, 4)).at(-1)?.position ?? START_OF_LOG;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let written: () => void = () => undefined;
  const isWritten = new Promise<void>((resolve) => {
    written = resolve;
  });
  const writer = db.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`UPDATE transactions SET updated_at = now() WHERE id = ${early.id}::uuid`;
    written();
    await held;
  });
  await isWritten;
  await transition(db, { transactionId: late.id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  const during = await readCommittedBatch(db.sql, { after: head, limit: 100, merchantId: merchant });
  expect(during).toEqual({ events: [], heldBack: true });
  release();
  await writer;
  let after = during;
  await waitFor(async () => {
    after = await readCommittedBatch(db.sql, { after: head, limit: 100, merchantId: merchant });
    return after.events.length > 0;
  }, 'the held back event');
  expect(after.events.map((item) => item.event.status)).toEqual(['CAPTURED']);
});
