import type pg from 'pg';
import { eventFilter } from '../../domain/event-filter.ts';
import type {
  EventSource,
  Refund,
  RefundStatus,
  Transaction,
  TransactionEvent,
  TransactionEventKind,
  TransactionStatus,
} from '../../generated/prisma/client.ts';
import { sql, type SqlSession, type Statement } from '../session.ts';
import { API_KEYS_CHANNEL } from './api-keys.ts';
import { TRANSACTION_COLUMNS, transactionFromColumns, type TransactionColumns } from './transaction-columns.ts';

/**
 * The committed event log (transaction_events) read in stream order, (txid, id), never past the horizon (the
 * oldest transaction still in flight: see src/events/log.ts), and the commit-time wake-up of its readers.
 */

/** Signalled inside every writing transaction; PostgreSQL delivers it only if that transaction commits. */
export const EVENTS_CHANNEL = 'paystream_events';

/** Subscribes a connection of one's own to EVENTS_CHANNEL and API_KEYS_CHANNEL (its 'notification' events follow). */
export async function listenForCommits(client: Pick<pg.ClientBase, 'query'>): Promise<void> {
  await client.query(`LISTEN ${EVENTS_CHANNEL}; LISTEN ${API_KEYS_CHANNEL}`);
}

/** (writing transaction id, row id): src/events/cursor.ts's EventPosition. */
type LogPosition = { txid: bigint; id: bigint };

export type LogReadOptions = {
  /** Only rows strictly after this position. */
  after: LogPosition;
  limit: number;
  merchantId?: string | undefined;
  /** Only status changes into these (refund events never match: src/domain/event-filter.ts). */
  statuses?: readonly TransactionStatus[] | undefined;
  /** Only events of these kinds. */
  kinds?: readonly TransactionEventKind[] | undefined;
};

/** One event with its transaction as read with it (the row may already be past the event), and its refund if any. */
export type LogRow = { event: TransactionEvent; transaction: Transaction; refund: Refund | null };

export type LogRead = { rows: LogRow[]; heldBack: boolean };

/** An event with its transaction (t_) and, for refund events, its refund (r_): LOG_ROW_COLUMNS of aliases e, t, r. */
export type LogRowColumns = TransactionColumns & {
  e_id: string | null;
  e_txid: string;
  e_transaction_id: string;
  e_merchant_id: string;
  e_sequence: number;
  e_status: TransactionStatus;
  e_previous_status: TransactionStatus | null;
  e_source: EventSource;
  e_reason: string | null;
  e_occurred_at: Date;
  e_kind: TransactionEventKind;
  e_refund_id: string | null;
  e_webhook_endpoint_id: string | null;
  r_id: string | null;
  r_merchant_id: string;
  r_amount_minor: string;
  r_currency: string;
  r_reason: string;
  r_status: RefundStatus;
  r_source: EventSource;
  r_provider_reference: string | null;
  r_failure_code: string | null;
  r_idempotency_key: string | null;
  r_request_hash: string | null;
  r_attempts: number;
  r_accepted_at: Date | null;
  r_next_attempt_at: Date | null;
  r_last_attempt_error: string | null;
  r_stuck_at: Date | null;
  r_requested_at: Date;
  r_completed_at: Date | null;
  r_updated_at: Date;
};

type Row = LogRowColumns & { horizon: string; held_back: boolean };

/** The columns of LogRowColumns, selected from transaction_events AS e, transactions AS t and refunds AS r. */
export const LOG_ROW_COLUMNS = `e.id::text AS e_id, e.txid::text AS e_txid, e.transaction_id AS e_transaction_id,
         e.merchant_id AS e_merchant_id, e.sequence AS e_sequence, e.status::text AS e_status,
         e.previous_status::text AS e_previous_status, e.source::text AS e_source, e.reason AS e_reason,
         e.occurred_at AS e_occurred_at, e.kind::text AS e_kind, e.refund_id::text AS e_refund_id, e.webhook_endpoint_id::text AS e_webhook_endpoint_id,
         ${TRANSACTION_COLUMNS},
         r.id::text AS r_id, r.merchant_id::text AS r_merchant_id, r.amount_minor::text AS r_amount_minor, r.currency::text AS r_currency,
         r.reason AS r_reason, r.status::text AS r_status, r.source::text AS r_source, r.provider_reference AS r_provider_reference,
         r.failure_code AS r_failure_code, r.idempotency_key AS r_idempotency_key, r.request_hash AS r_request_hash,
         r.attempts AS r_attempts, r.accepted_at AS r_accepted_at, r.next_attempt_at AS r_next_attempt_at,
         r.last_attempt_error AS r_last_attempt_error, r.stuck_at AS r_stuck_at, r.requested_at AS r_requested_at,
         r.completed_at AS r_completed_at, r.updated_at AS r_updated_at`;

/**
 * Written so that its cost depends on the rows it returns, never on the size of the log. The horizon is only
 * known while the statement runs, so the planner cannot estimate a condition on it (it guesses a third of the
 * table, and then picks sequential scans and hash joins: measured at 10-20 ms per read on a log of a few
 * thousand rows, and it grows with the log). Hence:
 * - the events are an ordered index scan after the cursor, cut by LIMIT, and only then cut at the horizon.
 *   That is the same set: rows are in txid order, so the rows below the horizon are a prefix of them;
 * - "held back" is the largest committed txid against the horizon: one step down the (txid, id) index;
 * - each event's transaction is one primary-key lookup (LIMIT 1 keeps the planner from turning the lateral
 *   subquery back into a join it may hash).
 * Horizon, "held back?", the events and their transactions come in one round trip and one snapshot. One text
 * per combination of filters, run as a named prepared statement: the relay reads after every commit, and
 * planning cost more than executing. test/events/log-plan.test.ts checks the plans, custom and generic, on a
 * log of 40,000 rows.
 */
function readLogStatement(filters: { merchant: boolean; events: boolean }): Statement<Row> {
  const conditions = ['(txid, id) > ($1::bigint, $2::bigint)'];
  let next = 3;
  if (filters.merchant) conditions.push(`merchant_id = $${next++}::uuid`);
  // src/domain/event-filter.ts's rule: these kinds, and among status changes only these statuses (null: all of them).
  if (filters.events) {
    const [kinds, statuses] = [next++, next++];
    conditions.push(`kind::text = ANY ($${kinds}::text[]) AND (kind <> 'STATUS_CHANGED' OR $${statuses}::text[] IS NULL OR status::text = ANY ($${statuses}::text[]))`);
  }
  return sql<Row>(
    `
  WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
  SELECT h.horizon::text AS horizon,
         COALESCE((SELECT max(txid) FROM transaction_events) >= h.horizon, false) AS held_back,
         ${LOG_ROW_COLUMNS}
  FROM h
  LEFT JOIN LATERAL (
    SELECT * FROM (
      SELECT * FROM transaction_events
      WHERE ${conditions.join(' AND ')}
      ORDER BY txid, id
      LIMIT $${next}::int
    ) AS window_rows
    WHERE window_rows.txid < h.horizon
  ) AS e ON true
  LEFT JOIN LATERAL (
    SELECT * FROM transactions WHERE transactions.id = e.transaction_id LIMIT 1
  ) AS t ON true
  -- Refund events only (the IS NOT NULL test gates the lookup: a status change costs nothing here).
  LEFT JOIN LATERAL (
    SELECT * FROM refunds WHERE e.refund_id IS NOT NULL AND refunds.id = e.refund_id LIMIT 1
  ) AS r ON true
  ORDER BY e.txid, e.id`,
    `paystream_read_log${filters.merchant ? '_merchant' : ''}${filters.events ? '_filtered' : ''}`,
  );
}

/** Built once: the relay reads after every commit. Indexed by [merchant filter][event filter]. */
const READ_LOG_STATEMENTS = [false, true].map((merchant) => [false, true].map((events) => readLogStatement({ merchant, events })));

/** The statement and its parameters for one read (exported for the plan test). */
export function readLogQuery(options: LogReadOptions): { statement: Statement<Row>; values: unknown[] } {
  const filter = eventFilter(options.statuses, options.kinds);
  const statement = READ_LOG_STATEMENTS[Number(options.merchantId !== undefined)]?.[Number(filter !== undefined)];
  if (!statement) throw new Error('no log statement for these filters');
  const values: unknown[] = [options.after.txid.toString(), options.after.id.toString()];
  if (options.merchantId !== undefined) values.push(options.merchantId);
  if (filter !== undefined) values.push([...filter.kinds], filter.statuses === undefined ? null : [...filter.statuses]);
  values.push(options.limit);
  return { statement, values };
}

/** Events after `options.after` below the horizon, in stream order, each with its transaction's current row. */
export async function readLog(session: SqlSession, options: LogReadOptions): Promise<LogRead> {
  const { statement, values } = readLogQuery(options);
  const rows = await session.query(statement, values);
  const first = rows[0];
  if (!first) throw new Error('reading the event log returned no row');
  const read: LogRow[] = [];
  for (const row of rows) {
    if (row.e_id === null) continue;
    read.push(logRow(row, row.e_id));
  }
  return { rows: read, heldBack: first.held_back };
}

/**
 * The last position below the horizon, and whether committed rows wait at or above it (as readLog says). The
 * relay of a process without subscribers reads only this (exported for the plan test).
 */
export const READ_LOG_HEAD = sql<{ txid: string | null; id: string | null; held_back: boolean }>(
  `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
   SELECT e.txid::text AS txid, e.id::text AS id,
          COALESCE((SELECT max(txid) FROM transaction_events) >= h.horizon, false) AS held_back
   FROM h
   LEFT JOIN LATERAL (
     SELECT txid, id FROM transaction_events
     WHERE txid < h.horizon
     ORDER BY txid DESC, id DESC
     LIMIT 1
   ) AS e ON true`,
  'paystream_read_log_head',
);

export type LogHeadRead = { position: LogPosition | undefined; heldBack: boolean };

/** The head of the log (undefined for an empty one) and whether an open transaction holds rows back. */
export async function readLogHead(session: SqlSession): Promise<LogHeadRead> {
  const [row] = await session.query(READ_LOG_HEAD);
  if (!row) throw new Error('reading the head of the event log returned no row');
  return { position: row.txid === null || row.id === null ? undefined : { txid: BigInt(row.txid), id: BigInt(row.id) }, heldBack: row.held_back };
}

/** The event, its transaction's current row and its refund's, from LOG_ROW_COLUMNS (e_id given: a row with an event). */
export function logRow(row: LogRowColumns, eventId: string): LogRow {
  return {
    event: {
      id: BigInt(eventId),
      txid: BigInt(row.e_txid),
      transactionId: row.e_transaction_id,
      merchantId: row.e_merchant_id,
      sequence: row.e_sequence,
      status: row.e_status,
      previousStatus: row.e_previous_status,
      source: row.e_source,
      reason: row.e_reason,
      occurredAt: row.e_occurred_at,
      kind: row.e_kind,
      refundId: row.e_refund_id,
      webhookEndpointId: row.e_webhook_endpoint_id,
    },
    transaction: transactionFromColumns(row, row.e_transaction_id, row.e_merchant_id),
    refund:
      row.r_id === null
        ? null
        : {
          id: row.r_id,
          transactionId: row.e_transaction_id,
          merchantId: row.r_merchant_id,
          amountMinor: BigInt(row.r_amount_minor),
          currency: row.r_currency,
          reason: row.r_reason,
          status: row.r_status,
          source: row.r_source,
          providerReference: row.r_provider_reference,
          failureCode: row.r_failure_code,
          idempotencyKey: row.r_idempotency_key,
          requestHash: row.r_request_hash,
          attempts: row.r_attempts,
          acceptedAt: row.r_accepted_at,
          nextAttemptAt: row.r_next_attempt_at,
          lastAttemptError: row.r_last_attempt_error,
          stuckAt: row.r_stuck_at,
          requestedAt: row.r_requested_at,
          completedAt: row.r_completed_at,
          updatedAt: row.r_updated_at,
        },
  };
}
