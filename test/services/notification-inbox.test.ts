import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import type { ProviderNotification } from '../../src/providers/notification.ts';
import { resolveProviderSettings } from '../../src/providers/settings.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { NotificationInbox } from '../../src/services/notifications/inbox.ts';
import { createTransaction, cancelTransaction } from '../../src/services/transactions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

// The inbox's group commit: notifications arriving while a batch is in flight are ingested together, in one
// database transaction, with exactly the semantics they would have one by one.
let db: TestDatabase;
let merchantId: string;
let deps: Parameters<typeof createTransaction>[0];

beforeAll(async () => {
  db = await createTestDatabase();
  merchantId = (await createMerchant(db, 'Batcher')).merchant.id;
  const config = loadConfig({ DATA_DIR: mkdtempSync(join(tmpdir(), 'paystream-inbox-')) });
  deps = { db, config, alipay: resolveProviderSettings(config).alipay };
});
afterAll(() => db?.drop());

async function redirected(value = '10.00'): Promise<string> {
  const transaction = await createTransaction(deps, merchantId, {
    merchantReference: `batch-${Math.random().toString(36).slice(2)}`,
    amount: { value, currency: 'EUR' },
    returnUrl: 'https://shop.example/return',
  });
  return transaction.id;
}

let sequence = 0;
function notification(transactionId: string | undefined, target: ProviderNotification['target'], overrides: Partial<ProviderNotification> = {}): ProviderNotification {
  sequence += 1;
  return {
    sender: 'SIGNED_EVENT',
    externalId: `evt_inbox_${sequence}_${Math.random().toString(36).slice(2)}`,
    eventType: `payment.${String(target).toLowerCase()}`,
    transactionReference: transactionId ?? 'unknown',
    transactionId,
    target,
    source: target === 'PAID' ? 'SETTLEMENT' : 'PROVIDER_NOTIFICATION',
    amount: { minorUnits: 1000n, currency: 'EUR' },
    providerReference: null,
    reason: null,
    ...overrides,
  };
}

const raw = { contentType: 'application/json', rawBody: Buffer.from('{}') };

describe('NotificationInbox', () => {
  it('ingests a queued batch in one database transaction with one-by-one semantics', async () => {
    const inbox = new NotificationInbox({ db, logger: createLogger('silent') }, { maxConcurrentBatches: 1 });
    const [blocker, twice, mismatch, cancelled] = [await redirected(), await redirected(), await redirected('99.00'), await redirected()];
    await cancelTransaction(deps, { role: 'MERCHANT', merchantId }, cancelled);
    const capture = notification(twice, 'CAPTURED');
    // The first call starts a batch of its own; everything else queues behind it and forms the next batch.
    const results = await Promise.all([
      inbox.ingest(notification(blocker, 'CAPTURED'), raw),
      inbox.ingest(capture, raw),
      inbox.ingest(notification(twice, 'PAID'), raw),
      inbox.ingest(capture, raw),
      inbox.ingest(notification(mismatch, 'CAPTURED'), raw),
      inbox.ingest(notification(undefined, 'CAPTURED'), raw),
      inbox.ingest(notification(cancelled, 'CAPTURED'), raw),
      inbox.ingest(notification(cancelled, 'PAID'), raw),
    ]);
    expect(results.map((result) => [result.outcome, result.duplicate])).toEqual([
      ['APPLIED', false],
      ['APPLIED', false],
      ['APPLIED', false],
      ['APPLIED', true],
      ['ANOMALY', false],
      ['ANOMALY', false],
      ['ANOMALY', false],
      ['ANOMALY', false],
    ]);
    // The redelivered event answers with its first delivery's row, which counts both.
    expect(results[3]?.notificationId).toBe(results[1]?.notificationId);
    expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: results[1]?.notificationId ?? '' } })).deliveries).toBe(2);
    // Capture and settlement of one transaction in one batch: both applied, in order, in one database transaction.
    const history = await db.prisma.transactionEvent.findMany({ where: { transactionId: twice }, orderBy: { sequence: 'asc' } });
    expect(history.map((event) => [event.sequence, event.status, event.source])).toEqual([
      [1, 'CREATED', 'MERCHANT_API'],
      [2, 'REDIRECTED', 'MERCHANT_API'],
      [3, 'CAPTURED', 'PROVIDER_NOTIFICATION'],
      [4, 'PAID', 'SETTLEMENT'],
    ]);
    expect(history[2]?.txid).toBe(history[3]?.txid);
    const blockerEvent = await db.prisma.transactionEvent.findFirstOrThrow({ where: { transactionId: blocker, status: 'CAPTURED' } });
    expect(blockerEvent.txid).not.toBe(history[2]?.txid);
    expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id: twice } })).version).toBe(4);
    // Capture and settlement after a cancel share one anomaly: one refund, not two.
    expect(results[6]?.anomalyId).toBe(results[7]?.anomalyId);
    expect(await db.prisma.anomaly.findUniqueOrThrow({ where: { id: results[6]?.anomalyId ?? '' } })).toMatchObject({ kind: 'CAPTURED_AFTER_CANCEL', transactionId: cancelled });
    expect(await db.prisma.anomaly.findUniqueOrThrow({ where: { id: results[4]?.anomalyId ?? '' } })).toMatchObject({ kind: 'AMOUNT_MISMATCH' });
    expect(await db.prisma.anomaly.findUniqueOrThrow({ where: { id: results[5]?.anomalyId ?? '' } })).toMatchObject({ kind: 'ORPHAN', transactionId: null });
  });

  it('retries a failing batch one notification at a time, so one bad notification fails alone', async () => {
    const inbox = new NotificationInbox({ db, logger: createLogger('silent') }, { maxConcurrentBatches: 1 });
    const [blocker, good, alsoGood] = [await redirected(), await redirected(), await redirected()];
    // PostgreSQL refuses NUL in text: the parsers never let one through, so this one is made by hand.
    const poisoned = notification(await redirected(), 'CAPTURED', { eventType: 'payment.captured\u0000' });
    const settled = await Promise.allSettled([
      inbox.ingest(notification(blocker, 'CAPTURED'), raw),
      inbox.ingest(notification(good, 'CAPTURED'), raw),
      inbox.ingest(poisoned, raw),
      inbox.ingest(notification(alsoGood, 'CAPTURED'), raw),
    ]);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const id of [good, alsoGood]) {
      expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status).toBe('CAPTURED');
    }
    expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id: poisoned.transactionId ?? '' } })).status).toBe('REDIRECTED');
  });

  it('answers an event another instance got into the inbox first as its duplicate, without applying it twice', async () => {
    // Two instances, two inboxes: neither batch knows of the other. The one that commits second fails on the
    // inbox's unique index (in the flight that carries its COMMIT, so nothing of it stays) and is retried.
    const [first, second] = [0, 1].map(() => new NotificationInbox({ db, logger: createLogger('silent') }, { maxConcurrentBatches: 1 }));
    const transactionId = await redirected();
    const capture = notification(transactionId, 'CAPTURED');
    const results = await Promise.all([first?.ingest(capture, raw), second?.ingest(capture, raw)]);
    expect(results.map((result) => result?.duplicate).sort()).toEqual([false, true]);
    expect(results[0]?.notificationId).toBe(results[1]?.notificationId);
    const history = await db.prisma.transactionEvent.findMany({ where: { transactionId } });
    expect(history.map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', 'CAPTURED']);
    const row = await db.prisma.notification.findUniqueOrThrow({ where: { id: results[0]?.notificationId ?? '' } });
    expect(row).toMatchObject({ outcome: 'APPLIED', deliveries: 2, transactionEventId: history[2]?.id });
  });

  it('commits nothing of a batch whose transition wrote no history row (COMMIT leaves with the inbox rows)', async () => {
    // Impossible under the row lock; made possible here by a trigger that swallows this transaction's history
    // rows. The inbox row of an APPLIED notification must then fail, and with it the transition and COMMIT
    // sent in the same flight: state and history never disagree, and the notification is not acknowledged.
    const inbox = new NotificationInbox({ db, logger: createLogger('silent') }, { maxConcurrentBatches: 1 });
    const transactionId = await redirected();
    await db.pool.query(`
      CREATE FUNCTION swallow_probe_events() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.transaction_id = '${transactionId}'::uuid THEN RETURN NULL; END IF;
        RETURN NEW;
      END $$`);
    await db.pool.query('CREATE TRIGGER swallow_probe_events BEFORE INSERT ON transaction_events FOR EACH ROW EXECUTE FUNCTION swallow_probe_events()');
    try {
      const capture = notification(transactionId, 'CAPTURED');
      await expect(inbox.ingest(capture, raw)).rejects.toThrow();
      expect(await db.prisma.transaction.findUniqueOrThrow({ where: { id: transactionId } })).toMatchObject({ status: 'REDIRECTED', version: 2 });
      expect(await db.prisma.notification.count({ where: { externalId: capture.externalId } })).toBe(0);
    } finally {
      await db.pool.query('DROP TRIGGER swallow_probe_events ON transaction_events');
      await db.pool.query('DROP FUNCTION swallow_probe_events()');
    }
  });
});

