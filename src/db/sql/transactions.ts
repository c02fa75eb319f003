import type { EventSource, PaymentProduct, Transaction, TransactionEvent, TransactionEventKind, TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, type SqlSession } from '../session.ts';
import { EVENTS_CHANNEL } from './events.ts';

/**
 * Transactions and their history rows as the transition service writes them (src/services/transitions.ts is the
 * only caller of the writes here), and the row locks every status change queues on.
 */

/** A transaction whose row lock the current database transaction holds (until it commits or rolls back). */
export type LockedTransaction = Readonly<{
  id: string;
  merchantId: string;
  status: TransactionStatus;
  version: number;
  amountMinor: bigint;
  currency: string;
  /** Sums of its SUCCEEDED and REQUESTED refunds. */
  refundedMinor: bigint;
  refundPendingMinor: bigint;
}>;

type LockedRow = {
  id: string;
  merchant_id: string;
  status: TransactionStatus;
  version: number;
  amount_minor: string;
  currency: string;
  refunded_minor: string;
  refund_pending_minor: string;
};

const LOCK_TRANSACTIONS = sql<LockedRow>(
  `SELECT id::text, merchant_id::text, status::text AS status, version, amount_minor::text, currency::text,
          refunded_minor::text, refund_pending_minor::text
   FROM transactions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
  'paystream_lock_transactions',
);

/** Locks the transactions in id order (callers locking overlapping sets cannot deadlock); absent ids are absent. */
export async function lockTransactionRows(session: SqlSession, transactionIds: readonly string[]): Promise<Map<string, LockedTransaction>> {
  if (transactionIds.length === 0) return new Map();
  const rows = await session.query(LOCK_TRANSACTIONS, [[...new Set(transactionIds)]]);
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        merchantId: row.merchant_id,
        status: row.status,
        version: row.version,
        amountMinor: BigInt(row.amount_minor),
        currency: row.currency,
        refundedMinor: BigInt(row.refunded_minor),
        refundPendingMinor: BigInt(row.refund_pending_minor),
      },
    ]),
  );
}

/** One status change of a locked transaction, as it is written. */
export type StatusChangeRow = Readonly<{
  transactionId: string;
  previousStatus: TransactionStatus;
  status: TransactionStatus;
  /** The version it moves to (the locked version + 1), also the history row's sequence. */
  version: number;
  source: EventSource;
  /** undefined keeps the transaction's statusReason; null clears it. */
  reason: string | null | undefined;
  /** Kept when null or empty. */
  providerReference: string | null | undefined;
}>;

// One statement for any number of status changes on distinct, locked transactions: each row's UPDATE checks the
// version the caller locked, and the history rows are inserted from what was updated, so a row whose version
// moved writes no history row either. transactionStats' hourly figures move with it (-1 under the old status, +1
// under the new: src/db/sql/stats.ts). The notify wakes the event relays once the transaction commits.
const WRITE_STATUS_CHANGES = sql<{ transaction_id: string; event_id: string }>(
  `WITH input AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::boolean[], $5::text[], $6::text[], $7::text[], $8::text[])
      AS i(id, target, version, set_reason, reason, provider_reference, previous, source)
  ), updated AS (
    UPDATE transactions AS t
    SET status = i.target::"TransactionStatus",
        version = i.version,
        updated_at = now(),
        status_reason = CASE WHEN i.set_reason THEN i.reason ELSE t.status_reason END,
        provider_reference = COALESCE(NULLIF(i.provider_reference, ''), t.provider_reference)
    FROM input AS i
    WHERE t.id = i.id AND t.version = i.version - 1
    RETURNING t.id, t.merchant_id, t.version, t.status, i.previous, i.source, i.reason, t.created_at, t.currency, t.amount_minor, t.refunded_minor
  ), counted AS (
    INSERT INTO transaction_stats_changes (merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor)
    SELECT u.merchant_id, date_trunc('hour', u.created_at, 'UTC'), u.currency, change.status, change.sign, change.sign * u.amount_minor,
           change.sign * (u.refunded_minor > 0)::int, change.sign * u.refunded_minor
    FROM updated AS u CROSS JOIN LATERAL (VALUES (u.previous::"TransactionStatus", -1), (u.status, 1)) AS change(status, sign)
  ), event AS (
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason)
    SELECT id, merchant_id, version, status, previous::"TransactionStatus", source::"EventSource", reason
    FROM updated
    RETURNING transaction_id, id
  )
  SELECT transaction_id::text, id::text AS event_id, pg_notify($9::text, '')::text AS signalled FROM event`,
  'paystream_write_status_changes',
);

/**
 * Writes status changes and their history rows in one round trip. Returns the history row id per transaction;
 * a transaction whose version was not the expected one is missing from the map (nothing of it was written).
 */
export async function writeStatusChanges(session: SqlSession, changes: readonly StatusChangeRow[]): Promise<Map<string, bigint>> {
  const column = <T>(pick: (change: StatusChangeRow) => T) => changes.map(pick);
  const rows = await session.query(WRITE_STATUS_CHANGES, [
    column((change) => change.transactionId),
    column((change) => change.status),
    column((change) => change.version),
    column((change) => change.reason !== undefined),
    column((change) => change.reason ?? null),
    column((change) => change.providerReference ?? null),
    column((change) => change.previousStatus),
    column((change) => change.source),
    EVENTS_CHANNEL,
  ]);
  return new Map(rows.map((row) => [row.transaction_id, BigInt(row.event_id)]));
}

/** A transaction as it begins. */
export type NewTransactionRow = Readonly<{
  id: string;
  merchantId: string;
  merchantReference: string;
  amountMinor: bigint;
  currency: string;
  paymentProduct: PaymentProduct;
  returnUrl: string;
  redirectUrl: string | null;
  source: EventSource;
}>;

// The row at version 1, status CREATED, its first history row (sequence 1) and its count in transactionStats' hourly
// figures, then the relays' wake-up.
const INSERT_CREATED_TRANSACTION = sql<{ event_id: string }>(
  `WITH created AS (
    INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, payment_product, status,
                              redirect_url, return_url, version, created_at, updated_at)
    VALUES ($1::uuid, $2::uuid, $3::text, $4::bigint, $5::text, $6::text::"PaymentProduct", 'CREATED',
            $7::text, $8::text, 1, now(), now())
    RETURNING id, merchant_id, created_at, currency, amount_minor
  ), event AS (
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, source)
    SELECT id, merchant_id, 1, 'CREATED', $9::text::"EventSource" FROM created
    RETURNING id
  ), counted AS (
    INSERT INTO transaction_stats_changes (merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor)
    SELECT merchant_id, date_trunc('hour', created_at, 'UTC'), currency, 'CREATED', 1, amount_minor, 0, 0 FROM created
  )
  SELECT id::text AS event_id, pg_notify($10::text, '')::text AS signalled FROM event`,
  'paystream_insert_created_transaction',
);

/** $1 to $10 of both statements that insert a transaction (this one's and transaction-creation.ts'). */
export function newTransactionValues(row: NewTransactionRow): unknown[] {
  const { id, merchantId, merchantReference, amountMinor, currency, paymentProduct, redirectUrl, returnUrl, source } = row;
  return [id, merchantId, merchantReference, amountMinor.toString(), currency, paymentProduct, redirectUrl, returnUrl, source, EVENTS_CHANNEL];
}

/** Inserts a new transaction (CREATED, version 1) with its first history row; returns that row's id. */
export async function insertCreatedTransaction(session: SqlSession, row: NewTransactionRow): Promise<bigint> {
  const [created] = await session.query(INSERT_CREATED_TRANSACTION, newTransactionValues(row));
  if (!created) throw new Error('inserting a transaction returned no row');
  return BigInt(created.event_id);
}

// Keyed by schema: instances sharing a schema share the lock, separate schemas (tests) do not collide.
const TRY_EXPIRY_LOCK = sql<{ acquired: boolean }>(
  `SELECT pg_try_advisory_xact_lock(hashtextextended('paystream:expiry:' || current_schema(), 0)) AS acquired`,
);

/** The expiry runner's turn: a transaction-scoped advisory lock, false when another runner holds it. */
export async function tryExpiryLock(session: SqlSession): Promise<boolean> {
  const [row] = await session.query(TRY_EXPIRY_LOCK);
  return row?.acquired === true;
}

const LOCK_EXPIRY_CANDIDATES = sql<{ id: string }>(
  `SELECT id::text AS id FROM transactions
   WHERE status = 'REDIRECTED' AND updated_at < $1::timestamptz
   ORDER BY updated_at, id
   LIMIT $2::int
   FOR UPDATE SKIP LOCKED`,
);

/** REDIRECTED since before `cutoff`, oldest first, locked; rows another transaction holds are skipped. */
export async function lockExpiryCandidates(session: SqlSession, cutoff: Date, limit: number): Promise<string[]> {
  const rows = await session.query(LOCK_EXPIRY_CANDIDATES, [cutoff.toISOString(), limit]);
  return rows.map((row) => row.id);
}
