import { classify } from '../../domain/status.ts';
import type { EventSource, TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, uuidv7, type SqlSession } from '../session.ts';

/**
 * Transactions with a chosen past, for tests, benchmarks and drills only (the application writes status and
 * history through src/services/transitions.ts alone). Rows come out exactly as the transition service leaves
 * them: version = number of history rows, sequence 1..n, previous status chained, status and statusReason from
 * the last step; only the instants are chosen (reports about calendar days need that).
 */

export type SeedStep = {
  status: Exclude<TransactionStatus, 'CREATED'>;
  /** Default: the creation instant. */
  at?: Date | string;
  /** Default: who causes that status in the application (MERCHANT_API, PROVIDER_NOTIFICATION, SETTLEMENT). */
  source?: EventSource;
  reason?: string | null;
};

export type SeedTransaction = {
  merchantId: string;
  /** Default: a new UUIDv7. */
  id?: string;
  /** Default: `seed-<id>`. */
  merchantReference?: string;
  /** Default: 1000 (10.00 EUR). */
  amountMinor?: bigint;
  /** Default: EUR. */
  currency?: string;
  /** Default: https://shop.example/return */
  returnUrl?: string;
  /** Default: now. The CREATED history row's instant. */
  createdAt?: Date | string;
  /** The status changes after CREATED, oldest first (each legal from the one before); the last is the current status. */
  history?: readonly SeedStep[];
};

const DEFAULT_SOURCE: Record<TransactionStatus, EventSource> = {
  CREATED: 'MERCHANT_API',
  REDIRECTED: 'MERCHANT_API',
  CANCELLED: 'MERCHANT_API',
  CAPTURED: 'PROVIDER_NOTIFICATION',
  REJECTED: 'PROVIDER_NOTIFICATION',
  PAID: 'SETTLEMENT',
};

// Both tables in one statement: the history rows' foreign keys are checked at its end, when the transactions exist.
const SEED_TRANSACTIONS = sql(
  `WITH seeded AS (
    INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, status, status_reason, return_url,
                              version, created_at, updated_at)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[]::"TransactionStatus"[],
                         $7::text[], $8::text[], $9::int[], $10::timestamptz[], $11::timestamptz[])
    RETURNING id
  )
  INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason, occurred_at)
  SELECT * FROM unnest($12::uuid[], $13::uuid[], $14::int[], $15::text[]::"TransactionStatus"[], $16::text[]::"TransactionStatus"[],
                       $17::text[]::"EventSource"[], $18::text[], $19::timestamptz[])`,
);

/** Inserts the transactions and their histories in one statement; returns their ids in input order. */
export async function seedTransactions(session: SqlSession, seeds: readonly SeedTransaction[]): Promise<string[]> {
  const transactions: unknown[][] = Array.from({ length: 11 }, () => []);
  const events: unknown[][] = Array.from({ length: 8 }, () => []);
  const ids: string[] = [];
  for (const seed of seeds) {
    const id = seed.id ?? uuidv7();
    const createdAt = new Date(seed.createdAt ?? Date.now());
    const steps = [
      { status: 'CREATED' as TransactionStatus, at: createdAt, source: DEFAULT_SOURCE.CREATED, reason: null as string | null },
      ...(seed.history ?? []).map((step) => ({
        status: step.status as TransactionStatus,
        at: new Date(step.at ?? createdAt),
        source: step.source ?? DEFAULT_SOURCE[step.status],
        reason: step.reason ?? null,
      })),
    ];
    steps.forEach((step, index) => {
      const previous = steps[index - 1];
      if (previous && classify(previous.status, step.status) !== 'apply') {
        throw new Error(`seed ${id}: ${previous.status} -> ${step.status} is not a transition the state machine applies`);
      }
      for (const [column, value] of [id, seed.merchantId, index + 1, step.status, previous?.status ?? null, step.source, step.reason, step.at].entries()) {
        events[column]?.push(value);
      }
    });
    const last = steps[steps.length - 1] as (typeof steps)[number];
    const row = [
      id,
      seed.merchantId,
      seed.merchantReference ?? `seed-${id}`,
      (seed.amountMinor ?? 1000n).toString(),
      seed.currency ?? 'EUR',
      last.status,
      last.reason,
      seed.returnUrl ?? 'https://shop.example/return',
      steps.length,
      createdAt,
      last.at,
    ];
    for (const [column, value] of row.entries()) transactions[column]?.push(value);
    ids.push(id);
  }
  if (ids.length > 0) await session.query(SEED_TRANSACTIONS, [...transactions, ...events]);
  return ids;
}
