import type { EventSource, Transaction, TransactionEvent, TransactionEventKind, TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, type SqlSession } from '../session.ts';
import { TRANSACTION_COLUMNS, transactionFromColumns, type TransactionColumns } from './transaction-columns.ts';
import { newTransactionValues, type NewTransactionRow } from './transactions.ts';

/**
 * The create path's statements (src/services/transactions.ts): the idempotency-key lock and record, and the one
 * statement that writes a transaction REDIRECTED with its history and client secret and answers with them.
 */

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

type TransactionWithEventRow = TransactionColumns & {
  t_id: string;
  t_merchant_id: string;
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
  t.id::text AS t_id, t.merchant_id::text AS t_merchant_id, ${TRANSACTION_COLUMNS},
  e.id::text AS e_id, e.txid::text AS e_txid, e.sequence AS e_sequence, e.status::text AS e_status,
  e.previous_status::text AS e_previous_status, e.source::text AS e_source, e.reason AS e_reason,
  e.occurred_at AS e_occurred_at, e.kind::text AS e_kind, e.refund_id::text AS e_refund_id`;

/** Rows of one transaction, one per history row in sequence order; undefined when there are none. */
function transactionWithEvents(rows: readonly TransactionWithEventRow[]): TransactionWithEvents | undefined {
  const first = rows[0];
  if (!first) return undefined;
  return Object.assign(transactionFromColumns(first, first.t_id, first.t_merchant_id), {
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
  });
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
    ...newTransactionValues(row),
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
