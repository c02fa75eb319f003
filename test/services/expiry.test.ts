import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { EXPIRED_REASON, expireStuckTransactions, startExpiryRunner } from '../../src/services/expiry.ts';
import { transition } from '../../src/services/transitions.ts';
import { TEST_DATABASE_URL, createTestDatabase, type TestDatabase } from '../support/database.ts';
import { insertMerchant, insertTransaction } from '../support/fixtures.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

const NOW = new Date('2026-04-01T12:00:00Z');
const minutesBefore = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();
const TIMEOUT = 720;

/** A transaction redirected `minutes` before NOW (and created a second earlier). */
async function redirected(merchantId: string, minutes: number): Promise<string> {
  const at = minutesBefore(minutes);
  return insertTransaction(db, {
    merchantId,
    createdAt: new Date(Date.parse(at) - 1000).toISOString(),
    history: [{ status: 'REDIRECTED', at, source: 'MERCHANT_API' }],
  });
}

async function history(transactionId: string) {
  return db.prisma.transactionEvent.findMany({ where: { transactionId }, orderBy: { sequence: 'asc' } });
}

describe('expireStuckTransactions', () => {
  it('moves only REDIRECTED transactions older than the timeout to REJECTED/EXPIRED, as SYSTEM, with history', async () => {
    const merchantId = await insertMerchant(db, 'Expiry');
    const old = await redirected(merchantId, TIMEOUT + 1);
    const veryOld = await redirected(merchantId, TIMEOUT * 10);
    const fresh = await redirected(merchantId, TIMEOUT - 1);
    const oldCreated = await insertTransaction(db, { merchantId, createdAt: minutesBefore(TIMEOUT * 2) });
    const oldCaptured = await insertTransaction(db, {
      merchantId,
      createdAt: minutesBefore(TIMEOUT * 2),
      history: [{ status: 'REDIRECTED', at: minutesBefore(TIMEOUT * 2) }, { status: 'CAPTURED', at: minutesBefore(TIMEOUT * 2) }],
    });

    const result = await expireStuckTransactions(db, { olderThanMinutes: TIMEOUT, now: NOW });
    expect(result.acquired).toBe(true);
    expect(result.expired.sort()).toEqual([old, veryOld].sort());

    for (const id of [old, veryOld]) {
      const transaction = await db.prisma.transaction.findUniqueOrThrow({ where: { id } });
      expect(transaction).toMatchObject({ status: 'REJECTED', statusReason: EXPIRED_REASON, version: 3 });
      expect((await history(id)).map((event) => [event.sequence, event.previousStatus, event.status, event.source, event.reason])).toEqual([
        [1, null, 'CREATED', 'MERCHANT_API', null],
        [2, 'CREATED', 'REDIRECTED', 'MERCHANT_API', null],
        [3, 'REDIRECTED', 'REJECTED', 'SYSTEM', 'EXPIRED'],
      ]);
    }
    for (const [id, status] of [[fresh, 'REDIRECTED'], [oldCreated, 'CREATED'], [oldCaptured, 'CAPTURED']] as const) {
      expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status).toBe(status);
    }

    // Idempotent: nothing left to do.
    expect((await expireStuckTransactions(db, { olderThanMinutes: TIMEOUT, now: NOW })).expired).toEqual([]);
  });

  it('works through a backlog in batches', async () => {
    const merchantId = await insertMerchant(db, 'Backlog');
    const ids = await Promise.all(Array.from({ length: 7 }, (_, index) => redirected(merchantId, TIMEOUT + 60 + index)));
    const result = await expireStuckTransactions(db, { olderThanMinutes: TIMEOUT, now: NOW, batchSize: 2 });
    expect(result.expired.sort()).toEqual(ids.sort());
  });

  it('leaves a late capture to the state machine: illegal after expiry, the transaction stays REJECTED', async () => {
    const merchantId = await insertMerchant(db, 'Late capture');
    const id = await redirected(merchantId, TIMEOUT + 5);
    expect((await expireStuckTransactions(db, { olderThanMinutes: TIMEOUT, now: NOW })).expired).toContain(id);
    // What ingestion sees for an Alipay TRADE_SUCCESS after expiry: 'illegal', which it records as an
    // anomaly (needs refund) exactly like a capture after a cancel.
    const late = await transition(db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    expect(late.kind).toBe('illegal');
    expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status).toBe('REJECTED');
    expect(await history(id)).toHaveLength(3);
  });

  it.skipIf(TEST_DATABASE_URL === undefined)('two runners at once expire each transaction exactly once', async () => {
    const merchantId = await insertMerchant(db, 'Concurrent');
    const ids = await Promise.all(Array.from({ length: 40 }, (_, index) => redirected(merchantId, TIMEOUT + 1 + index)));
    const options = { olderThanMinutes: TIMEOUT, now: NOW, batchSize: 3 };
    const results = await Promise.all([expireStuckTransactions(db, options), expireStuckTransactions(db, options), expireStuckTransactions(db, options)]);
    const expired = results.flatMap((result) => result.expired);
    expect(new Set(expired).size).toBe(expired.length);
    expect(expired.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
    const rejectedEvents = await db.prisma.transactionEvent.groupBy({
      by: ['transactionId'],
      where: { transactionId: { in: ids }, status: 'REJECTED' },
      _count: { _all: true },
    });
    expect(rejectedEvents).toHaveLength(ids.length);
    expect(rejectedEvents.every((group) => group._count._all === 1)).toBe(true);
  });

  it.skipIf(TEST_DATABASE_URL === undefined)('stands aside while another instance holds the expiry lock', async () => {
    const merchantId = await insertMerchant(db, 'Locked');
    const id = await redirected(merchantId, TIMEOUT + 1);
    const other = await db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query(`SELECT pg_advisory_xact_lock(hashtextextended('paystream:expiry:' || current_schema(), 0))`);
      const blocked = await expireStuckTransactions(db, { olderThanMinutes: TIMEOUT, now: NOW });
      expect(blocked).toEqual({ expired: [], acquired: false });
      expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status).toBe('REDIRECTED');
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
    expect((await expireStuckTransactions(db, { olderThanMinutes: TIMEOUT, now: NOW })).expired).toEqual([id]);
  });
});

describe('startExpiryRunner', () => {
  it('is off when EXPIRY_INTERVAL_SECONDS is 0', () => {
    const config = loadConfig({ EXPIRY_INTERVAL_SECONDS: '0' });
    expect(startExpiryRunner({ db, config, logger: createLogger('silent') })).toBeUndefined();
  });

  it('expires on its own every interval, with the configured Alipay timeout, until stopped', async () => {
    const merchantId = await insertMerchant(db, 'Runner');
    // Relative to the real clock: the runner uses the current time.
    const id = await insertTransaction(db, {
      merchantId,
      createdAt: new Date(Date.now() - 11 * 60_000).toISOString(),
      history: [{ status: 'REDIRECTED', at: new Date(Date.now() - 10 * 60_000).toISOString() }],
    });
    const keep = await insertTransaction(db, {
      merchantId,
      createdAt: new Date(Date.now() - 3 * 60_000).toISOString(),
      history: [{ status: 'REDIRECTED', at: new Date(Date.now() - 2 * 60_000).toISOString() }],
    });
    const config = loadConfig({ EXPIRY_INTERVAL_SECONDS: '1', ALIPAY_TRADE_TIMEOUT_MINUTES: '5' });
    const runner = startExpiryRunner({ db, config, logger: createLogger('silent') });
    try {
      const deadline = Date.now() + 10_000;
      while ((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status !== 'REJECTED' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await runner?.stop();
    }
    expect(await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'REJECTED', statusReason: 'EXPIRED' });
    expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id: keep } })).status).toBe('REDIRECTED');
  });
});

describe('configuration', () => {
  it('defaults to Alipay 12-hour timeout and a one-minute interval, and names a bad variable', () => {
    expect(loadConfig({}).expiry).toEqual({ tradeTimeoutMinutes: 720, intervalSeconds: 60 });
    expect(() => loadConfig({ ALIPAY_TRADE_TIMEOUT_MINUTES: '0' })).toThrow(/ALIPAY_TRADE_TIMEOUT_MINUTES/);
    expect(() => loadConfig({ EXPIRY_INTERVAL_SECONDS: '-1' })).toThrow(/EXPIRY_INTERVAL_SECONDS/);
    expect(() => loadConfig({ EXPIRY_INTERVAL_SECONDS: 'soon' })).toThrow(/EXPIRY_INTERVAL_SECONDS/);
  });
});
