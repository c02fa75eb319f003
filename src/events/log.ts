import type pg from 'pg';
import type { Database } from '../db/client.ts';
import type {
  EventSource,
  PaymentProduct,
  Transaction,
  TransactionEvent,
  TransactionStatus,
} from '../generated/prisma/client.ts';
import type { EventPosition } from './cursor.ts';

/**
 * Reading the committed event log (transaction_events) in stream order, (txid, id).
 *
 * Positions are taken inside writers' transactions, which commit in any order: a row with a smaller
 * txid can become visible after one with a larger txid. A reader therefore only passes rows whose
 * txid is below the oldest transaction still in flight (the "horizon", xmin of the statement's own
 * snapshot): every transaction below it has finished, and every future writer gets a larger txid, so
 * the set of rows below the horizon can never grow.
 *
 * This is the hot path of live delivery (the relay reads after every commit), so it is one SQL
 * statement on the pool rather than several Prisma queries: horizon, "held back?", the events and
 * their transactions, in one round trip and one snapshot. Rows are mapped to Prisma's model types;
 * test/events/log.test.ts checks the mapping against Prisma's own reads.
 */

export type CommittedEvent = {
  readonly position: EventPosition;
  readonly event: TransactionEvent;
  /** The transaction as of this event (see `transactionAsOf`). */
  readonly transaction: Transaction;
};

export type LogReadOptions = {
  /** Only rows strictly after this position. */
  after: EventPosition;
  limit: number;
  merchantId?: string | undefined;
  statuses?: readonly TransactionStatus[] | undefined;
};

export type LogBatch = {
  events: CommittedEvent[];
  /**
   * Committed rows exist at or above the horizon: an older transaction, still open, holds them back.
   * The horizon is cluster-wide, so that transaction may be any writer anywhere in the cluster, and
   * its end notifies nobody: the reader has to look again soon by itself.
   */
  heldBack: boolean;
};

export const START_OF_LOG: EventPosition = { txid: 0n, id: 0n };

/** A session to read on: the database's pool, or a connection of one's own (the relay reads on its LISTEN session). */
export type LogSession = Pick<pg.ClientBase, 'query'>;

function sessionOf(source: Database | LogSession): LogSession {
  return 'pool' in source ? source.pool : source;
}

type Row = {
  horizon: string;
  held_back: boolean;
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
  t_created_at: Date;
  t_updated_at: Date;
};

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
 * One text per combination of filters, run as a named prepared statement: the relay reads after every
 * commit, and planning cost more than executing. test/events/log-plan.test.ts checks the plans, custom and
 * generic, on a log of 40,000 rows.
 */
function readLogStatement(filters: { merchant: boolean; statuses: boolean }): { name: string; text: string } {
  const conditions = ['(txid, id) > ($1::bigint, $2::bigint)'];
  let next = 3;
  if (filters.merchant) conditions.push(`merchant_id = $${next++}::uuid`);
  if (filters.statuses) conditions.push(`status::text = ANY ($${next++}::text[])`);
  const text = `
  WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon)
  SELECT h.horizon::text AS horizon,
         COALESCE((SELECT max(txid) FROM transaction_events) >= h.horizon, false) AS held_back,
         e.id::text AS e_id, e.txid::text AS e_txid, e.transaction_id AS e_transaction_id,
         e.merchant_id AS e_merchant_id, e.sequence AS e_sequence, e.status::text AS e_status,
         e.previous_status::text AS e_previous_status, e.source::text AS e_source, e.reason AS e_reason,
         e.occurred_at AS e_occurred_at,
         t.merchant_reference AS t_merchant_reference, t.amount_minor::text AS t_amount_minor,
         t.currency AS t_currency, t.payment_product::text AS t_payment_product, t.status::text AS t_status,
         t.redirect_url AS t_redirect_url, t.return_url AS t_return_url,
         t.provider_reference AS t_provider_reference, t.status_reason AS t_status_reason,
         t.version AS t_version, t.created_at AS t_created_at, t.updated_at AS t_updated_at
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
  ORDER BY e.txid, e.id`;
  return { name: `paystream_read_log${filters.merchant ? '_merchant' : ''}${filters.statuses ? '_statuses' : ''}`, text };
}

/** Built once: the relay reads after every commit. Indexed by [merchant filter][statuses filter]. */
const READ_LOG_STATEMENTS = [false, true].map((merchant) => [false, true].map((statuses) => readLogStatement({ merchant, statuses })));

/** The statement and its parameters for one read. */
export function readLogQuery(options: LogReadOptions): { name: string; text: string; values: unknown[] } {
  const statement = READ_LOG_STATEMENTS[Number(options.merchantId !== undefined)]?.[Number(options.statuses !== undefined)];
  if (!statement) throw new Error('no log statement for these filters');
  const values: unknown[] = [options.after.txid.toString(), options.after.id.toString()];
  if (options.merchantId !== undefined) values.push(options.merchantId);
  if (options.statuses !== undefined) values.push([...options.statuses]);
  values.push(options.limit);
  return { ...statement, values };
}

/** Committed events after `options.after`, in stream order, never past the horizon. */
export async function readCommittedBatch(source: Database | LogSession, options: LogReadOptions): Promise<LogBatch> {
  const { rows } = await sessionOf(source).query<Row>(readLogQuery(options));
  const first = rows[0];
  if (!first) throw new Error('reading the event log returned no row');
  const events: CommittedEvent[] = [];
  for (const row of rows) {
    if (row.e_id === null) continue;
    const event: TransactionEvent = {
      id: BigInt(row.e_id),
      txid: BigInt(row.e_txid),
      transactionId: row.e_transaction_id,
      merchantId: row.e_merchant_id,
      sequence: row.e_sequence,
      status: row.e_status,
      previousStatus: row.e_previous_status,
      source: row.e_source,
      reason: row.e_reason,
      occurredAt: row.e_occurred_at,
    };
    const transaction: Transaction = {
      id: row.e_transaction_id,
      merchantId: row.e_merchant_id,
      merchantReference: row.t_merchant_reference,
      amountMinor: BigInt(row.t_amount_minor),
      currency: row.t_currency,
      paymentProduct: row.t_payment_product,
      status: row.t_status,
      redirectUrl: row.t_redirect_url,
      returnUrl: row.t_return_url,
      providerReference: row.t_provider_reference,
      statusReason: row.t_status_reason,
      version: row.t_version,
      createdAt: row.t_created_at,
      updatedAt: row.t_updated_at,
    };
    events.push({ position: { txid: event.txid, id: event.id }, event, transaction: transactionAsOf(transaction, event) });
  }
  return { events, heldBack: first.held_back };
}

export async function readCommittedEvents(db: Database, options: LogReadOptions): Promise<CommittedEvent[]> {
  return (await readCommittedBatch(db, options)).events;
}

/** The last position below the horizon: where a reader that starts "now" begins. */
export async function readHead(source: Database | LogSession): Promise<EventPosition> {
  const { rows } = await sessionOf(source).query<{ txid: string; id: string }>(`
    SELECT e.txid::text AS txid, e.id::text AS id FROM transaction_events AS e
    WHERE e.txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
    -- Qualified: a bare \`txid\` here would name the text output column, and '999' sorts after '1000'.
    ORDER BY e.txid DESC, e.id DESC
    LIMIT 1`);
  const last = rows[0];
  return last ? { txid: BigInt(last.txid), id: BigInt(last.id) } : START_OF_LOG;
}

/**
 * The transaction as it was right after `event`. The row is read after the event, so a later change may
 * already show in it; the status fields are then taken from the event, so `transaction { status }`
 * always agrees with the event it came with (a subscriber never sees PAID twice for CAPTURED, PAID).
 */
export function transactionAsOf(transaction: Transaction, event: TransactionEvent): Transaction {
  if (transaction.version === event.sequence) return transaction;
  return {
    ...transaction,
    status: event.status,
    statusReason: event.reason,
    version: event.sequence,
    updatedAt: event.occurredAt,
  };
}
