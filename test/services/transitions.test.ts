import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../../src/domain/status.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { applyTransition, transition } from '../../src/services/transitions.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testServiceDeps } from '../support/server.ts';

let db: TestDatabase;
let merchantId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  merchantId = (await createMerchant(db, 'Transitions')).merchant.id;
});
afterAll(() => db?.drop());

async function newTransaction(): Promise<string> {
  const created = await createTransaction(testServiceDeps(db), merchantId, {
    merchantReference: 'transition-test',
    amount: { value: '10.00', currency: 'EUR' },
    returnUrl: 'https://shop.example/return',
  });
  return created.id;
}

async function history(transactionId: string) {
  return db.prisma.transactionEvent.findMany({ where: { transactionId }, orderBy: { sequence: 'asc' } });
}

describe('transition service', () => {
  it('applies a change and appends a history row whose sequence is the new version', async () => {
    const id = await newTransaction();
    const outcome = await transition(db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION', providerReference: '2088XYZ' });
    expect(outcome.kind).toBe('applied');
    if (outcome.kind !== 'applied') return;
    expect(outcome.transaction).toMatchObject({ status: 'CAPTURED', version: 3, providerReference: '2088XYZ' });
    expect(outcome.event).toMatchObject({ sequence: 3, previousStatus: 'REDIRECTED', status: 'CAPTURED', source: 'PROVIDER_NOTIFICATION', merchantId });
    expect((await history(id)).map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', 'CAPTURED']);
  });

  it.each([
    ['REDIRECTED', 'duplicate'],
    ['CREATED', 'stale'],
  ] as const)('records nothing for a %s notification on a REDIRECTED transaction (%s)', async (target, kind) => {
    const id = await newTransaction();
    const outcome = await transition(db, { transactionId: id, target, source: 'PROVIDER_NOTIFICATION' });
    expect(outcome.kind).toBe(kind);
    expect(await history(id)).toHaveLength(2);
  });

  it('refuses illegal transitions without touching state or history', async () => {
    const id = await newTransaction();
    await transition(db, { transactionId: id, target: 'CANCELLED', source: 'MERCHANT_API' });
    const outcome = await transition(db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    expect(outcome.kind).toBe('illegal');
    expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status).toBe('CANCELLED');
    expect(await history(id)).toHaveLength(3);
  });

  it('hides another merchant behind not_found', async () => {
    const id = await newTransaction();
    const other = (await createMerchant(db, 'Other')).merchant.id;
    expect((await transition(db, { transactionId: id, target: 'CANCELLED', source: 'MERCHANT_API', merchantId: other })).kind).toBe('not_found');
    expect((await transition(db, { transactionId: '00000000-0000-4000-8000-000000000000', target: 'CANCELLED', source: 'MERCHANT_API' })).kind).toBe('not_found');
  });

  it('rolls the change back with the surrounding transaction', async () => {
    const id = await newTransaction();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await applyTransition(tx, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).status).toBe('REDIRECTED');
    expect(await history(id)).toHaveLength(2);
  });

  it('lets exactly one of two concurrent writers win; the other sees the new state', async () => {
    for (let round = 0; round < 20; round += 1) {
      const id = await newTransaction();
      const [cancel, capture] = await Promise.all([
        transition(db, { transactionId: id, target: 'CANCELLED', source: 'MERCHANT_API' }),
        transition(db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' }),
      ]);
      const kinds = [cancel.kind, capture.kind].sort();
      expect(kinds).toEqual(['applied', 'illegal']);
      const winner = cancel.kind === 'applied' ? 'CANCELLED' : 'CAPTURED';
      const loser = cancel.kind === 'applied' ? capture : cancel;
      if (loser.kind === 'illegal') expect(loser.transaction.status).toBe(winner);
      const events = await history(id);
      expect(events.map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', winner]);
      expect((await db.prisma.transaction.findUniqueOrThrow({ where: { id } })).version).toBe(3);
    }
  });

  it('keeps history and state consistent for every pair of targets applied concurrently', async () => {
    const targets: readonly TransactionStatus[] = TRANSACTION_STATUSES;
    for (const first of targets) {
      for (const second of targets) {
        const id = await newTransaction();
        await Promise.all([
          transition(db, { transactionId: id, target: first, source: 'PROVIDER_NOTIFICATION' }),
          transition(db, { transactionId: id, target: second, source: 'PROVIDER_NOTIFICATION' }),
        ]);
        const row = await db.prisma.transaction.findUniqueOrThrow({ where: { id } });
        const events = await history(id);
        expect(events.map((event) => event.sequence)).toEqual(events.map((_, index) => index + 1));
        expect(events.at(-1)?.status).toBe(row.status);
        expect(row.version).toBe(events.length);
        for (const [index, event] of events.entries()) {
          if (index > 0) expect(event.previousStatus).toBe(events[index - 1]?.status);
        }
      }
    }
  }, 120_000);
});

describe('idempotency retention', () => {
  it('purges keys past their retention and keeps the others', async () => {
    const { purgeExpiredIdempotencyRecords } = await import('../../src/services/transactions.ts');
    const transactionId = await newTransaction();
    const now = new Date();
    await db.prisma.idempotencyRecord.createMany({
      data: [
        { merchantId, key: 'expired-key', requestHash: 'x', transactionId, expiresAt: new Date(now.getTime() - 1_000) },
        { merchantId, key: 'live-key', requestHash: 'x', transactionId, expiresAt: new Date(now.getTime() + 3_600_000) },
      ],
    });
    expect(await purgeExpiredIdempotencyRecords(db, now)).toBeGreaterThanOrEqual(1);
    const keys = (await db.prisma.idempotencyRecord.findMany({ where: { merchantId } })).map((record) => record.key);
    expect(keys).toContain('live-key');
    expect(keys).not.toContain('expired-key');
  });
});
