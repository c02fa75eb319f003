import type { EventSource, RefundStatus } from '../../generated/prisma/client.ts';
import { sql, type SqlSession } from '../session.ts';
import { EVENTS_CHANNEL } from './events.ts';

/**
 * Refunds as the transition service writes them (src/services/transitions.ts is the only caller of the writes that
 * change a refund's status), and the refund runner's bookkeeping of its calls to Alipay. A refund's status only
 * changes under its transaction's row lock, in the same statement as the transaction's version, its refund sums
 * and the history row (kind REFUND_*): the event log and the refunds cannot disagree.
 */

/** A refund as its status is decided. */
export type RefundRow = Readonly<{
  id: string;
  transactionId: string;
  merchantId: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
  status: RefundStatus;
}>;

type Row = { id: string; transaction_id: string; merchant_id: string; amount_minor: string; currency: string; reason: string; status: RefundStatus };

const toRefund = (row: Row): RefundRow => ({
  id: row.id,
  transactionId: row.transaction_id,
  merchantId: row.merchant_id,
  amountMinor: BigInt(row.amount_minor),
  currency: row.currency,
  reason: row.reason,
  status: row.status,
});

const REFUND_COLUMNS = `id::text, transaction_id::text, merchant_id::text, amount_minor::text, currency::text, reason, status::text AS status`;

const READ_REFUNDS = sql<Row>(`SELECT ${REFUND_COLUMNS} FROM refunds WHERE id = ANY($1::uuid[])`, 'paystream_read_refunds');

/**
 * The refunds with these ids (absent ids are absent). Their status is stable only while the caller holds their
 * transactions' row locks.
 */
export async function readRefunds(session: SqlSession, refundIds: readonly string[]): Promise<Map<string, RefundRow>> {
  if (refundIds.length === 0) return new Map();
  const rows = await session.query(READ_REFUNDS, [[...new Set(refundIds)]]);
  return new Map(rows.map((row) => [row.id, toRefund(row)]));
}

const FIND_OPEN_CAPTURE_ANOMALY = sql<{ id: string }>(
  `SELECT id::text FROM anomalies
   WHERE transaction_id = $1::uuid AND kind IN ('CAPTURED_AFTER_CANCEL', 'CAPTURED_AFTER_REJECTION') AND status = 'OPEN'
   ORDER BY created_at LIMIT 1`,
);

/** The open anomaly saying money arrived after the transaction closed (to be given back), if any. */
export async function findOpenCaptureAnomaly(session: SqlSession, transactionId: string): Promise<string | undefined> {
  const [row] = await session.query(FIND_OPEN_CAPTURE_ANOMALY, [transactionId]);
  return row?.id;
}

/** A refund as it is recorded (REQUESTED), against a transaction locked at `version - 1`. */
export type NewRefundRow = Readonly<{
  id: string;
  transactionId: string;
  /** The version the transaction moves to, also the history row's sequence. */
  version: number;
  amountMinor: bigint;
  currency: string;
  reason: string;
  source: EventSource;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** The capture anomaly this refund gives the money back for. */
  anomalyId: string | null;
}>;

// The refund, the transaction's new version and reserved sum, its REFUND_REQUESTED history row (the status is
// unchanged, so status = previous_status), the anomaly's link, then the relays' wake-up. Every part hangs on the
// version check: a transaction whose version moved writes nothing at all. The history row's foreign key to the
// refund is checked at the end of the statement, when the refund exists.
const INSERT_REFUND_REQUEST = sql<{ event_id: string }>(
  `WITH updated AS (
    UPDATE transactions SET version = $2::int, refund_pending_minor = refund_pending_minor + $4::bigint, updated_at = now()
    WHERE id = $1::uuid AND version = $2::int - 1
    RETURNING id, merchant_id, status
  ), refund AS (
    INSERT INTO refunds (id, transaction_id, merchant_id, amount_minor, currency, reason, source, idempotency_key, request_hash,
                         next_attempt_at, requested_at, updated_at)
    SELECT $3::uuid, id, merchant_id, $4::bigint, $5::text, $6::text, $7::text::"EventSource", $8::text, $9::text, now(), now(), now()
    FROM updated
    RETURNING id
  ), anomaly AS (
    UPDATE anomalies SET refund_id = refund.id FROM refund WHERE anomalies.id = $10::uuid
  ), event AS (
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, kind, refund_id)
    SELECT updated.id, updated.merchant_id, $2::int, updated.status, updated.status, $7::text::"EventSource", 'REFUND_REQUESTED', refund.id
    FROM updated, refund
    RETURNING id
  )
  SELECT id::text AS event_id, pg_notify($11::text, '')::text AS signalled FROM event`,
  'paystream_insert_refund_request',
);

/** Records a REQUESTED refund with its history row; undefined when the transaction's version was not the expected one. */
export async function insertRefundRequest(session: SqlSession, row: NewRefundRow): Promise<bigint | undefined> {
  const [written] = await session.query(INSERT_REFUND_REQUEST, [
    row.transactionId,
    row.version,
    row.id,
    row.amountMinor.toString(),
    row.currency,
    row.reason,
    row.source,
    row.idempotencyKey,
    row.requestHash,
    row.anomalyId,
    EVENTS_CHANNEL,
  ]);
  return written ? BigInt(written.event_id) : undefined;
}

/** A REQUESTED refund becoming final, on a transaction locked at `version - 1`. */
export type RefundCompletionRow = Readonly<{
  refundId: string;
  transactionId: string;
  version: number;
  status: Exclude<RefundStatus, 'REQUESTED'>;
  source: EventSource;
  /** FAILED: Alipay's error code (also the history row's reason). */
  failureCode: string | null;
  /** Kept when null or empty. */
  providerReference: string | null;
  /** SUCCEEDED: what the capture anomaly this refund was made for (if any) says when it is resolved. */
  anomalyResolution: string;
}>;

// The refund's final status, the transaction's new version and sums (the amount leaves the reserved sum; a success
// adds it to the refunded sum, and to transactionStats' hourly figures), the history row, and, for a success, the
// resolution of the capture anomaly the refund was made for. Everything hangs on the refund still being REQUESTED and the version check.
const COMPLETE_REFUND = sql<{ event_id: string }>(
  `WITH target AS (
    SELECT id, amount_minor FROM refunds WHERE id = $1::uuid AND transaction_id = $2::uuid AND status = 'REQUESTED'
  ), updated AS (
    UPDATE transactions AS t
    SET version = $3::int, updated_at = now(),
        refund_pending_minor = t.refund_pending_minor - target.amount_minor,
        refunded_minor = t.refunded_minor + CASE WHEN $4::text = 'SUCCEEDED' THEN target.amount_minor ELSE 0 END
    FROM target
    WHERE t.id = $2::uuid AND t.version = $3::int - 1
    RETURNING t.id, t.merchant_id, t.status, target.amount_minor, t.created_at, t.currency, t.refunded_minor
  ), counted AS (
    INSERT INTO transaction_stats_changes (merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor)
    SELECT merchant_id, date_trunc('hour', created_at, 'UTC'), currency, status, 0, 0,
           (refunded_minor > 0)::int - (refunded_minor - amount_minor > 0)::int, amount_minor
    FROM updated WHERE $4::text = 'SUCCEEDED'
  ), refund AS (
    UPDATE refunds AS r
    SET status = $4::text::"RefundStatus", completed_at = now(), updated_at = now(), next_attempt_at = NULL,
        failure_code = $6::text, provider_reference = COALESCE(NULLIF($7::text, ''), r.provider_reference)
    FROM updated
    WHERE r.id = $1::uuid
    RETURNING r.id
  ), anomaly AS (
    UPDATE anomalies SET status = 'RESOLVED', resolved_at = now(), resolution = $8::text
    FROM refund
    WHERE anomalies.refund_id = refund.id AND anomalies.status = 'OPEN' AND $4::text = 'SUCCEEDED'
  ), event AS (
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason, kind, refund_id)
    SELECT updated.id, updated.merchant_id, $3::int, updated.status, updated.status, $5::text::"EventSource", $6::text,
           ('REFUND_' || $4::text)::"TransactionEventKind", refund.id
    FROM updated, refund
    RETURNING id
  )
  SELECT id::text AS event_id, pg_notify($9::text, '')::text AS signalled FROM event`,
  'paystream_complete_refund',
);

/** Writes a refund's final status with its history row; undefined when it was not REQUESTED or the version moved. */
export async function completeRefund(session: SqlSession, row: RefundCompletionRow): Promise<bigint | undefined> {
  const [written] = await session.query(COMPLETE_REFUND, [
    row.refundId,
    row.transactionId,
    row.version,
    row.status,
    row.source,
    row.failureCode,
    row.providerReference,
    row.anomalyResolution,
    EVENTS_CHANNEL,
  ]);
  return written ? BigInt(written.event_id) : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The refund runner's bookkeeping of its calls (no status change: nothing here touches the transaction or the log)

/** A REQUESTED refund the runner took for one call of forex_refund. */
export type ClaimedRefund = Readonly<{
  id: string;
  transactionId: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
  requestedAt: Date;
  /** Calls made, this one included. */
  attempts: number;
  acceptedAt: Date | null;
  stuckAt: Date | null;
}>;

type ClaimedRow = {
  id: string;
  transaction_id: string;
  amount_minor: string;
  currency: string;
  reason: string;
  requested_at: Date;
  attempts: number;
  accepted_at: Date | null;
  stuck_at: Date | null;
};

// Due refunds, oldest due first, each taken by pushing its next attempt past the call's lease: the claim commits
// on its own (one statement), so another runner neither sees it as due nor waits on it (SKIP LOCKED), and a runner
// that dies mid-call leaves it due again once the lease ends.
const CLAIM_DUE_REFUNDS = sql<ClaimedRow>(
  `UPDATE refunds AS r
   SET next_attempt_at = now() + make_interval(secs => $2::int / 1000.0), attempts = r.attempts + 1, updated_at = now()
   FROM (
     SELECT id FROM refunds
     WHERE status = 'REQUESTED' AND next_attempt_at <= now()
     ORDER BY next_attempt_at
     LIMIT $1::int
     FOR UPDATE SKIP LOCKED
   ) AS due
   WHERE r.id = due.id
   RETURNING r.id::text, r.transaction_id::text, r.amount_minor::text, r.currency::text, r.reason, r.requested_at, r.attempts,
             r.accepted_at, r.stuck_at`,
  'paystream_claim_due_refunds',
);

/** Takes up to `limit` due refunds for `leaseMs` (their calls must end within it). */
export async function claimDueRefunds(session: SqlSession, limit: number, leaseMs: number): Promise<ClaimedRefund[]> {
  const rows = await session.query(CLAIM_DUE_REFUNDS, [limit, leaseMs]);
  return rows.map((row) => ({
    id: row.id,
    transactionId: row.transaction_id,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
    reason: row.reason,
    requestedAt: row.requested_at,
    attempts: row.attempts,
    acceptedAt: row.accepted_at,
    stuckAt: row.stuck_at,
  }));
}

/** What a call without a definite answer leaves on the refund. */
export type RefundAttemptRecord = Readonly<{
  refundId: string;
  /** Alipay took it (is_success T). */
  accepted: boolean;
  /** When to call again. */
  nextAttemptAt: Date;
  /** Why it is not settled (null once accepted). */
  error: string | null;
  /** Set once it has been REQUESTED for too long: shown to ADMIN as stuck. */
  stuck: boolean;
}>;

const RECORD_REFUND_ATTEMPT = sql<{ id: string }>(
  `UPDATE refunds
   SET accepted_at = CASE WHEN $2::boolean THEN COALESCE(accepted_at, now()) ELSE accepted_at END,
       next_attempt_at = $3::timestamptz, last_attempt_error = $4::text,
       stuck_at = CASE WHEN $5::boolean THEN COALESCE(stuck_at, now()) ELSE stuck_at END, updated_at = now()
   WHERE id = $1::uuid AND status = 'REQUESTED'
   RETURNING id::text`,
  'paystream_record_refund_attempt',
);

/** Records a call's result; false when the refund was settled meanwhile (a notification won the race). */
export async function recordRefundAttempt(session: SqlSession, record: RefundAttemptRecord): Promise<boolean> {
  const rows = await session.query(RECORD_REFUND_ATTEMPT, [record.refundId, record.accepted, record.nextAttemptAt.toISOString(), record.error, record.stuck]);
  return rows.length > 0;
}
