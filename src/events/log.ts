import type { Database } from '../db/client.ts';
import type { Transaction, TransactionEvent, TransactionStatus } from '../generated/prisma/client.ts';
import type { EventPosition } from './cursor.ts';

/**
 * Reading the committed event log (transaction_events) in stream order, (txid, id).
 *
 * Positions are taken inside writers' transactions, which commit in any order: a row with a smaller
 * txid can become visible after one with a larger txid. A reader therefore only passes rows whose
 * txid is below the oldest transaction still in flight (the "horizon", xmin of a current snapshot):
 * every transaction below it has finished, and every future writer gets a larger txid, so the set of
 * rows below the horizon can never grow. Reading the horizon first and the rows in a later statement
 * is as safe as one statement: the later snapshot sees every transaction finished before the earlier.
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

export const START_OF_LOG: EventPosition = { txid: 0n, id: 0n };

/** The oldest transaction id still in flight: every row below it is committed for good. */
export async function readHorizon(db: Database): Promise<bigint> {
  const [row] = await db.prisma.$queryRaw<{ horizon: string }[]>`
    SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`;
  if (!row) throw new Error('pg_current_snapshot() returned no row');
  return BigInt(row.horizon);
}

export type LogBatch = {
  events: CommittedEvent[];
  /**
   * Committed rows exist at or above the horizon: an older transaction, still open, holds them back.
   * The horizon is cluster-wide, so that transaction may be any writer anywhere in the cluster, and
   * its end sends no notification: the reader has to look again soon by itself.
   */
  heldBack: boolean;
};

/** Like `readCommittedEvents`, and also says whether committed events wait behind an open transaction. */
export async function readCommittedBatch(db: Database, options: LogReadOptions): Promise<LogBatch> {
  // One statement, one snapshot: a row it sees at or above its own xmin is committed but held back.
  const [row] = await db.prisma.$queryRaw<{ horizon: string; held_back: boolean }[]>`
    SELECT h.horizon::text AS horizon, EXISTS (SELECT 1 FROM transaction_events WHERE txid >= h.horizon) AS held_back
    FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon) AS h`;
  if (!row) throw new Error('pg_current_snapshot() returned no row');
  return { events: await readBelow(db, BigInt(row.horizon), options), heldBack: row.held_back };
}

/** Committed events after `options.after`, in stream order, never past the horizon. */
export async function readCommittedEvents(db: Database, options: LogReadOptions): Promise<CommittedEvent[]> {
  return readBelow(db, await readHorizon(db), options);
}

async function readBelow(db: Database, horizon: bigint, options: LogReadOptions): Promise<CommittedEvent[]> {
  const { after } = options;
  if (after.txid >= horizon) return [];
  const events = await db.prisma.transactionEvent.findMany({
    where: {
      // (txid, id) > after, written so PostgreSQL walks the (merchant_id,) txid, id index in order.
      txid: { gte: after.txid, lt: horizon },
      OR: [{ txid: { gt: after.txid } }, { id: { gt: after.id } }],
      ...(options.merchantId !== undefined ? { merchantId: options.merchantId } : {}),
      ...(options.statuses !== undefined ? { status: { in: [...options.statuses] } } : {}),
    },
    orderBy: [{ txid: 'asc' }, { id: 'asc' }],
    take: options.limit,
  });
  if (events.length === 0) return [];
  // Separately rather than `include`, so that an empty read (most wake-ups and polls) is one query.
  const transactions = await db.prisma.transaction.findMany({
    where: { id: { in: [...new Set(events.map((event) => event.transactionId))] } },
  });
  const byId = new Map(transactions.map((transaction) => [transaction.id, transaction]));
  return events.map((event) => {
    const transaction = byId.get(event.transactionId);
    if (!transaction) throw new Error(`transaction ${event.transactionId} of event ${event.id} not found`);
    return { position: { txid: event.txid, id: event.id }, event, transaction: transactionAsOf(transaction, event) };
  });
}

/** The last position below the horizon: where a reader that starts "now" begins. */
export async function readHead(db: Database): Promise<EventPosition> {
  const horizon = await readHorizon(db);
  const last = await db.prisma.transactionEvent.findFirst({
    where: { txid: { lt: horizon } },
    orderBy: [{ txid: 'desc' }, { id: 'desc' }],
    select: { txid: true, id: true },
  });
  return last ?? START_OF_LOG;
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
