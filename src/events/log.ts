import type { Database } from '../db/client.ts';
import type { SqlSession } from '../db/session.ts';
import { readLog, readLogHead, type LogReadOptions } from '../db/sql/events.ts';
import type { Refund, Transaction, TransactionEvent } from '../generated/prisma/client.ts';
import type { EventPosition } from './cursor.ts';

export type { LogReadOptions } from '../db/sql/events.ts';

/**
 * Reading the committed event log (transaction_events) in stream order, (txid, id).
 *
 * Positions are taken inside writers' transactions, which commit in any order: a row with a smaller
 * txid can become visible after one with a larger txid. A reader therefore only passes rows whose
 * txid is below the oldest transaction still in flight (the "horizon", xmin of the statement's own
 * snapshot): every transaction below it has finished, and every future writer gets a larger txid, so
 * the set of rows below the horizon can never grow.
 *
 * This is the hot path of live delivery (the relay reads after every commit), so it is one statement
 * (src/db/sql/events.ts) rather than several Prisma queries. Rows are mapped to Prisma's model types;
 * test/events/log.test.ts checks the mapping against Prisma's own reads.
 */

export type CommittedEvent = {
  readonly position: EventPosition;
  readonly event: TransactionEvent;
  /** The transaction as of this event (see `transactionAsOf`). */
  readonly transaction: Transaction;
  /** A refund event's refund, as of this event (see `refundAsOf`); null for status changes. */
  readonly refund: Refund | null;
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

/** Committed events after `options.after`, in stream order, never past the horizon. */
export async function readCommittedBatch(session: SqlSession, options: LogReadOptions): Promise<LogBatch> {
  const { rows, heldBack } = await readLog(session, options);
  return {
    events: rows.map(({ event, transaction, refund }) => ({
      position: { txid: event.txid, id: event.id },
      event,
      transaction: transactionAsOf(transaction, event),
      refund: refund === null ? null : refundAsOf(refund, event),
    })),
    heldBack,
  };
}

export async function readCommittedEvents(db: Database, options: LogReadOptions): Promise<CommittedEvent[]> {
  return (await readCommittedBatch(db.sql, options)).events;
}

export type LogHead = {
  /** The last position below the horizon: where a reader that starts "now" begins. */
  position: EventPosition;
  /** As in LogBatch. */
  heldBack: boolean;
};

export async function readHead(session: SqlSession): Promise<LogHead> {
  const { position, heldBack } = await readLogHead(session);
  return { position: position ?? START_OF_LOG, heldBack };
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

/**
 * The refund as it was right after `event` (read later, it may already be SUCCEEDED or FAILED): its status from the
 * event's kind, so `refund { status }` agrees with the event it came with.
 */
export function refundAsOf(refund: Refund, event: TransactionEvent): Refund {
  const status = event.kind === 'REFUND_SUCCEEDED' ? 'SUCCEEDED' : event.kind === 'REFUND_FAILED' ? 'FAILED' : 'REQUESTED';
  if (refund.status === status) return refund;
  return { ...refund, status, ...(status === 'REQUESTED' ? { completedAt: null, failureCode: null } : {}) };
}
