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

/** Inserts a new transaction (CREATED, version 1) with its first history row; returns that row's id. */
export async function insertCreatedTransaction(session: SqlSession, row: NewTransactionRow): Promise<bigint> {
  const [created] = await session.query(INSERT_CREATED_TRANSACTION, [
    row.id,
    row.merchantId,
    row.merchantReference,
    row.amountMinor.toString(),
    row.currency,
    row.paymentProduct,
    row.redirectUrl,
    row.returnUrl,
    row.source,
    EVENTS_CHANNEL,
  ]);
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

const LOCK_IDEMPOTENCY_KEY = sql<{ locked: string }>(`SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))::text AS locked`);

/** Serialises concurrent createTransaction calls with one (merchant, idempotency key) until commit. */
export async function lockIdempotencyKey(session: SqlSession, merchantId: string, key: string): Promise<void> {
  await session.query(LOCK_IDEMPOTENCY_KEY, [`idempotency:${merchantId}:${key}`]);
}

/** A transaction with its history, as createTransaction answers it. */
export type TransactionWithEvents = Transaction & { events: TransactionEvent[] };

/** A client secret's stored row (src/services/client-secrets.ts makes it). */
export type ClientSecretRow = Readonly<{ id: string; secretHash: string; expiresAt: Date }>;

/** Where an idempotency key points: kept with the transaction it created. */
export type IdempotencyRow = Readonly<{ key: string; requestHash: string; expiresAt: Date }>;

type TransactionWithEventRow = {
  t_id: string;
  t_merchant_id: string;
  t_merchant_reference: string;
  t_amount_minor: string;
  t_currency: string;
  t_payment_product: PaymentProduct;
  t_status: TransactionStatus;
  t_redirect_url: string | null;
  t_return_url: string;
  t_provider_reference: string | null;
  t_status_reason: string | null;
  t_version: number;
  t_refunded_minor: string;
  t_refund_pending_minor: string;
  t_created_at: Date;
  t_updated_at: Date;
  e_id: string;
  e_txid: string;
  e_sequence: number;
  e_status: TransactionStatus;
  e_previous_status: TransactionStatus | null;
  e_source: EventSource;
  e_reason: string | null;
  e_occurred_at: Date;
  e_kind: TransactionEventKind;
  e_refund_id: string | null;
};

// The columns of both, from a transaction `t` and one of its history rows `e`, in the row shape above.
const TRANSACTION_WITH_EVENT_COLUMNS = `
  t.id::text AS t_id, t.merchant_id::text AS t_merchant_id, t.merchant_reference AS t_merchant_reference,
  t.amount_minor::text AS t_amount_minor, t.currency::text AS t_currency, t.payment_product::text AS t_payment_product,
  t.status::text AS t_status, t.redirect_url AS t_redirect_url, t.return_url AS t_return_url,
  t.provider_reference AS t_provider_reference, t.status_reason AS t_status_reason, t.version AS t_version,
  t.refunded_minor::text AS t_refunded_minor, t.refund_pending_minor::text AS t_refund_pending_minor,
  t.created_at AS t_created_at, t.updated_at AS t_updated_at,
  e.id::text AS e_id, e.txid::text AS e_txid, e.sequence AS e_sequence, e.status::text AS e_status,
  e.previous_status::text AS e_previous_status, e.source::text AS e_source, e.reason AS e_reason,
  e.occurred_at AS e_occurred_at, e.kind::text AS e_kind, e.refund_id::text AS e_refund_id`;

/** Rows of one transaction, one per history row in sequence order; undefined when there are none. */
function transactionWithEvents(rows: readonly TransactionWithEventRow[]): TransactionWithEvents | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return {
    id: first.t_id,
    merchantId: first.t_merchant_id,
    merchantReference: first.t_merchant_reference,
    amountMinor: BigInt(first.t_amount_minor),
    currency: first.t_currency,
    paymentProduct: first.t_payment_product,
    status: first.t_status,
    redirectUrl: first.t_redirect_url,
    returnUrl: first.t_return_url,
    providerReference: first.t_provider_reference,
    statusReason: first.t_status_reason,
    version: first.t_version,
    refundedMinor: BigInt(first.t_refunded_minor),
    refundPendingMinor: BigInt(first.t_refund_pending_minor),
    createdAt: first.t_created_at,
    updatedAt: first.t_updated_at,
    events: rows.map((row) => ({
      id: BigInt(row.e_id),
      txid: BigInt(row.e_txid),
      transactionId: first.t_id,
      merchantId: first.t_merchant_id,
      sequence: row.e_sequence,
      status: row.e_status,
      previousStatus: row.e_previous_status,
      source: row.e_source,
      reason: row.e_reason,
      occurredAt: row.e_occurred_at,
      kind: row.e_kind,
      refundId: row.e_refund_id,
      // A new transaction's history: CREATED and REDIRECTED, never a disabled webhook endpoint.
      webhookEndpointId: null,
    })),
  };
}

// A transaction created and moved on to REDIRECTED in one statement, hence one round trip and, without an
// idempotency key, no BEGIN/COMMIT: the row at version 2 with both history rows (CREATED, then REDIRECTED from
// CREATED: what recordCreation + applyLockedTransition write in two), its client secret, its idempotency record
// (when a key is given), its count in transactionStats' hourly figures (+1 under REDIRECTED: the net of the two
// changes), the relays' wake-up, and the answer: the row with its history. Exported for bench:create,
// whose bare-SQL baseline sends this very statement.
export const INSERT_REDIRECTED_TRANSACTION = sql<TransactionWithEventRow>(
  `WITH t AS (
    INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, payment_product, status,
                              redirect_url, return_url, version, created_at, updated_at)
    VALUES ($1::uuid, $2::uuid, $3::text, $4::bigint, $5::text, $6::text::"PaymentProduct", 'REDIRECTED',
            $7::text, $8::text, 2, now(), now())
    RETURNING *
  ), e AS (
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source)
    SELECT t.id, t.merchant_id, step.sequence, step.status::"TransactionStatus", step.previous::"TransactionStatus", $9::text::"EventSource"
    FROM t, (VALUES (1, 'CREATED', NULL), (2, 'REDIRECTED', 'CREATED')) AS step(sequence, status, previous)
    ORDER BY step.sequence
    RETURNING *
  ), secret AS (
    INSERT INTO client_secrets (id, transaction_id, merchant_id, secret_hash, expires_at)
    SELECT $11::uuid, t.id, t.merchant_id, $12::text, $13::timestamptz FROM t
  ), counted AS (
    INSERT INTO transaction_stats_changes (merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor)
    SELECT t.merchant_id, date_trunc('hour', t.created_at, 'UTC'), t.currency, 'REDIRECTED', 1, t.amount_minor, 0, 0 FROM t
  ), idempotency AS (
    INSERT INTO idempotency_records (merchant_id, key, request_hash, transaction_id, expires_at)
    SELECT t.merchant_id, $14::text, $15::text, t.id, $16::timestamptz FROM t WHERE $14::text IS NOT NULL
    ON CONFLICT (merchant_id, key) DO UPDATE
      SET request_hash = EXCLUDED.request_hash, transaction_id = EXCLUDED.transaction_id, created_at = now(), expires_at = EXCLUDED.expires_at
  )
  SELECT ${TRANSACTION_WITH_EVENT_COLUMNS}, pg_notify($10::text, '')::text AS signalled
  FROM t, e ORDER BY e.sequence`,
  'paystream_insert_redirected_transaction',
);

/**
 * Inserts a transaction already REDIRECTED (version 2, history CREATED then REDIRECTED) with its client secret and,
 * with `idempotency`, its idempotency record (replacing an expired one of the same key); returns it with its history.
 */
export async function insertRedirectedTransaction(
  session: SqlSession,
  row: NewTransactionRow,
  clientSecret: ClientSecretRow,
  idempotency: IdempotencyRow | undefined,
): Promise<TransactionWithEvents> {
  const rows = await session.query(INSERT_REDIRECTED_TRANSACTION, [
    row.id,
    row.merchantId,
    row.merchantReference,
    row.amountMinor.toString(),
    row.currency,
    row.paymentProduct,
    row.redirectUrl,
    row.returnUrl,
    row.source,
    EVENTS_CHANNEL,
    clientSecret.id,
    clientSecret.secretHash,
    clientSecret.expiresAt.toISOString(),
    idempotency?.key ?? null,
    idempotency?.requestHash ?? null,
    idempotency?.expiresAt.toISOString() ?? null,
  ]);
  const created = transactionWithEvents(rows);
  if (!created) throw new Error('inserting a transaction returned no row');
  return created;
}

// An idempotent replay's answer: the transaction as it is now, with its history, and the new client secret.
const READ_TRANSACTION_ISSUING_SECRET = sql<TransactionWithEventRow>(
  `WITH secret AS (
    INSERT INTO client_secrets (id, transaction_id, merchant_id, secret_hash, expires_at)
    SELECT $2::uuid, id, merchant_id, $3::text, $4::timestamptz FROM transactions WHERE id = $1::uuid
  )
  SELECT ${TRANSACTION_WITH_EVENT_COLUMNS}
  FROM transactions AS t JOIN transaction_events AS e ON e.transaction_id = t.id
  WHERE t.id = $1::uuid ORDER BY e.sequence`,
  'paystream_read_transaction_issuing_secret',
);

/** The transaction `id` with its history, issuing `clientSecret` for it; undefined when there is no such transaction. */
export async function readTransactionIssuingSecret(session: SqlSession, id: string, clientSecret: ClientSecretRow): Promise<TransactionWithEvents | undefined> {
  const rows = await session.query(READ_TRANSACTION_ISSUING_SECRET, [id, clientSecret.id, clientSecret.secretHash, clientSecret.expiresAt.toISOString()]);
  return transactionWithEvents(rows);
}

const FIND_IDEMPOTENCY_RECORD = sql<{ request_hash: string; transaction_id: string; expires_at: Date }>(
  `SELECT request_hash, transaction_id::text AS transaction_id, expires_at FROM idempotency_records
   WHERE merchant_id = $1::uuid AND key = $2::text`,
  'paystream_find_idempotency_record',
);

/** The merchant's record of `key` (expired or not); undefined when there is none. */
export async function findIdempotencyRecord(
  session: SqlSession,
  merchantId: string,
  key: string,
): Promise<{ requestHash: string; transactionId: string; expiresAt: Date } | undefined> {
  const [row] = await session.query(FIND_IDEMPOTENCY_RECORD, [merchantId, key]);
  return row && { requestHash: row.request_hash, transactionId: row.transaction_id, expiresAt: row.expires_at };
}
