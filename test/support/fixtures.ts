import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/client.ts';
import type { EventSource, TransactionStatus } from '../../src/generated/prisma/client.ts';

export type HistoryStep = { status: Exclude<TransactionStatus, 'CREATED'>; at: string; source?: EventSource; reason?: string };

export type FixtureTransaction = {
  merchantId: string;
  currency?: string;
  amountMinor?: bigint;
  /** ISO instant of creation (the CREATED event). */
  createdAt: string;
  /** Status changes after CREATED, oldest first: the last one is the current status. */
  history?: HistoryStep[];
};

/**
 * Writes a transaction with a given past: the row and its event log exactly as the transition service
 * leaves them (sequence = version, previous status chained), but at chosen instants, which reports about
 * calendar days need. Returns the transaction id.
 */
export async function insertTransaction(db: Database, fixture: FixtureTransaction): Promise<string> {
  const id = randomUUID();
  const history = fixture.history ?? [];
  const steps: { status: TransactionStatus; at: string; source: EventSource; reason: string | null }[] = [
    { status: 'CREATED', at: fixture.createdAt, source: 'MERCHANT_API', reason: null },
    ...history.map((step) => ({ status: step.status, at: step.at, source: step.source ?? 'PROVIDER_NOTIFICATION', reason: step.reason ?? null })),
  ];
  const last = steps[steps.length - 1]!;
  await db.pool.query(
    `INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, status, return_url, status_reason, version, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'https://shop.example/return', $7, $8, $9, $10)`,
    [id, fixture.merchantId, `fixture-${id}`, (fixture.amountMinor ?? 1000n).toString(), fixture.currency ?? 'EUR', last.status, last.reason, steps.length, fixture.createdAt, last.at],
  );
  for (const [index, step] of steps.entries()) {
    await db.pool.query(
      `INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, fixture.merchantId, index + 1, step.status, index === 0 ? null : steps[index - 1]!.status, step.source, step.reason, step.at],
    );
  }
  return id;
}

export async function insertMerchant(db: Database, name: string): Promise<string> {
  const merchant = await db.prisma.merchant.create({ data: { name } });
  return merchant.id;
}
