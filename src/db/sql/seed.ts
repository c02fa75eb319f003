import { classify } from '../../domain/status.ts';
import type { EventSource, RefundStatus, TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, uuidv7, type SqlSession } from '../session.ts';

/**
 * Transactions with a chosen past, for tests, benchmarks and drills only (the application writes status and
 * history through src/services/transitions.ts alone). Rows come out exactly as the transition service leaves
 * them: version = number of history rows, sequence 1..n, previous status chained, status and statusReason from
 * the last step, refunds with their REFUND_* history rows and the row's refund sums; only the instants are chosen
 * (reports about calendar days need that).
 */

export type SeedStep = {
  status: Exclude<TransactionStatus, 'CREATED'>;
  /** Default: the creation instant. */
  at?: Date | string;
  /** Default: who causes that status in the application (MERCHANT_API, PROVIDER_NOTIFICATION, SETTLEMENT). */
  source?: EventSource;
  reason?: string | null;
};

/** A refund of the transaction, after its status history (its events follow the status changes). */
export type SeedRefund = {
  amountMinor: bigint;
  /** Default: SUCCEEDED. A seeded REQUESTED refund is not due for the refund runner (no next attempt). */
  status?: RefundStatus;
  /** Default: the last status change's instant. */
  requestedAt?: Date | string;
  /** SUCCEEDED or FAILED: when (default: requestedAt). */
  completedAt?: Date | string;
  /** Default: a new UUIDv7. */
  id?: string;
  /** Default: "seeded refund". */
  reason?: string;
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
  /** Refunds, in order; only of a CAPTURED or PAID transaction (or a CANCELLED or REJECTED one, as for a capture anomaly). */
  refunds?: readonly SeedRefund[];
};

const REFUNDABLE_SEED_STATUSES: readonly TransactionStatus[] = ['CAPTURED', 'PAID', 'CANCELLED', 'REJECTED'];

const DEFAULT_SOURCE: Record<TransactionStatus, EventSource> = {
  CREATED: 'MERCHANT_API',
  REDIRECTED: 'MERCHANT_API',
  CANCELLED: 'MERCHANT_API',
  CAPTURED: 'PROVIDER_NOTIFICATION',
  REJECTED: 'PROVIDER_NOTIFICATION',
  PAID: 'SETTLEMENT',
};

// The three tables in one statement (and each transaction's count in transactionStats' hourly figures, as the
// transition service records it): foreign keys (history -> transaction, refund) are checked at its end, when every
// row exists.
const SEED_TRANSACTIONS = sql(
  `WITH seeded AS (
    INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, status, status_reason, return_url,
                              version, created_at, updated_at, refunded_minor, refund_pending_minor)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[]::"TransactionStatus"[],
                         $7::text[], $8::text[], $9::int[], $10::timestamptz[], $11::timestamptz[], $12::bigint[], $13::bigint[])
    RETURNING id, merchant_id, created_at, currency, status, amount_minor, refunded_minor
  ), counted AS (
    INSERT INTO transaction_stats_changes (merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor)
    SELECT merchant_id, date_trunc('hour', created_at, 'UTC'), currency, status, 1, amount_minor, (refunded_minor > 0)::int, refunded_minor
    FROM seeded
  ), refunds_seeded AS (
    INSERT INTO refunds (id, transaction_id, merchant_id, amount_minor, currency, reason, status, source, requested_at, completed_at,
                         updated_at, next_attempt_at)
    SELECT id, transaction_id, merchant_id, amount_minor, currency, reason, status, 'MERCHANT_API', requested_at, completed_at,
           coalesce(completed_at, requested_at), NULL
    FROM unnest($14::uuid[], $15::uuid[], $16::uuid[], $17::bigint[], $18::text[], $19::text[], $20::text[]::"RefundStatus"[],
                $21::timestamptz[], $22::timestamptz[])
         AS r(id, transaction_id, merchant_id, amount_minor, currency, reason, status, requested_at, completed_at)
    RETURNING id
  )
  INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason, occurred_at, kind, refund_id)
  SELECT * FROM unnest($23::uuid[], $24::uuid[], $25::int[], $26::text[]::"TransactionStatus"[], $27::text[]::"TransactionStatus"[],
                       $28::text[]::"EventSource"[], $29::text[], $30::timestamptz[], $31::text[]::"TransactionEventKind"[], $32::uuid[])`,
);

/** Inserts the transactions, their refunds and histories in one statement; returns their ids in input order. */
export async function seedTransactions(session: SqlSession, seeds: readonly SeedTransaction[]): Promise<string[]> {
  const transactions: unknown[][] = Array.from({ length: 13 }, () => []);
  const refunds: unknown[][] = Array.from({ length: 9 }, () => []);
  const events: unknown[][] = Array.from({ length: 10 }, () => []);
  const ids: string[] = [];
  for (const seed of seeds) {
    const id = seed.id ?? uuidv7();
    const createdAt = new Date(seed.createdAt ?? Date.now());
    const amountMinor = seed.amountMinor ?? 1000n;
    const currency = seed.currency ?? 'EUR';
    const steps = [
      { status: 'CREATED' as TransactionStatus, at: createdAt, source: DEFAULT_SOURCE.CREATED, reason: null as string | null },
      ...(seed.history ?? []).map((step) => ({
        status: step.status as TransactionStatus,
        at: new Date(step.at ?? createdAt),
        source: step.source ?? DEFAULT_SOURCE[step.status],
        reason: step.reason ?? null,
      })),
    ];
    const event = (values: unknown[]) => {
      for (const [column, value] of values.entries()) events[column]?.push(value);
    };
    steps.forEach((step, index) => {
      const previous = steps[index - 1];
      if (previous && classify(previous.status, step.status) !== 'apply') {
        throw new Error(`seed ${id}: ${previous.status} -> ${step.status} is not a transition the state machine applies`);
      }
      event([id, seed.merchantId, index + 1, step.status, previous?.status ?? null, step.source, step.reason, step.at, 'STATUS_CHANGED', null]);
    });
    const last = steps[steps.length - 1] as (typeof steps)[number];
    let sequence = steps.length;
    let updatedAt = last.at;
    let refundedMinor = 0n;
    let pendingMinor = 0n;
    for (const refund of seed.refunds ?? []) {
      if (!REFUNDABLE_SEED_STATUSES.includes(last.status)) throw new Error(`seed ${id}: a ${last.status} transaction has no refund`);
      const refundId = refund.id ?? uuidv7();
      const status = refund.status ?? 'SUCCEEDED';
      const requestedAt = new Date(refund.requestedAt ?? last.at);
      const completedAt = status === 'REQUESTED' ? null : new Date(refund.completedAt ?? requestedAt);
      if (status === 'SUCCEEDED') refundedMinor += refund.amountMinor;
      if (status === 'REQUESTED') pendingMinor += refund.amountMinor;
      if (refundedMinor + pendingMinor > amountMinor) throw new Error(`seed ${id}: refunds exceed the amount`);
      const values = [refundId, id, seed.merchantId, refund.amountMinor.toString(), currency, refund.reason ?? 'seeded refund', status, requestedAt, completedAt];
      for (const [column, value] of values.entries()) refunds[column]?.push(value);
      sequence += 1;
      event([id, seed.merchantId, sequence, last.status, last.status, 'MERCHANT_API', null, requestedAt, 'REFUND_REQUESTED', refundId]);
      updatedAt = requestedAt;
      if (completedAt !== null) {
        sequence += 1;
        event([id, seed.merchantId, sequence, last.status, last.status, 'PROVIDER_NOTIFICATION', null, completedAt, `REFUND_${status}`, refundId]);
        updatedAt = completedAt;
      }
    }
    const row = [
      id,
      seed.merchantId,
      seed.merchantReference ?? `seed-${id}`,
      amountMinor.toString(),
      currency,
      last.status,
      last.reason,
      seed.returnUrl ?? 'https://shop.example/return',
      sequence,
      createdAt,
      updatedAt,
      refundedMinor.toString(),
      pendingMinor.toString(),
    ];
    for (const [column, value] of row.entries()) transactions[column]?.push(value);
    ids.push(id);
  }
  if (ids.length > 0) await session.query(SEED_TRANSACTIONS, [...transactions, ...refunds, ...events]);
  return ids;
}
