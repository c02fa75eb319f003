import { classify, type TransitionClass } from '../domain/status.ts';
import type { Database } from '../db/client.ts';
import { prismaSession, type SqlSession } from '../db/session.ts';
import type {
  EventSource,
  Prisma,
  Transaction,
  TransactionEvent,
  TransactionStatus,
} from '../generated/prisma/client.ts';

/**
 * THE way a transaction's status changes. Whoever causes it (merchant API, Alipay, settlement, expiry),
 * a change is: row lock, state machine, UPDATE, INSERT of the history row, all in one database
 * transaction. The history row's sequence equals the transaction's new version, so history and state
 * cannot disagree.
 *
 * Two entry points onto the same steps: applyTransition (lock, classify, apply) for callers with nothing else
 * to decide, and lockTransaction + applyLockedTransition for callers that must look at the locked row first
 * (notification ingestion checks amounts and anomalies under the same lock). The steps are hand-written SQL
 * over a SqlSession, so they run identically inside a Prisma transaction and on a plain pg client.
 */

export type TransitionRequest = {
  transactionId: string;
  target: TransactionStatus;
  source: EventSource;
  reason?: string | null;
  providerReference?: string | null;
  /** Set for merchant callers: another merchant's transaction is treated exactly as a missing one. */
  merchantId?: string;
};

export type TransitionOutcome =
  | { kind: 'applied'; transaction: Transaction; event: TransactionEvent }
  | { kind: Exclude<TransitionClass, 'apply'>; transaction: Transaction }
  | { kind: 'not_found' };

/** Signalled in the same database transaction; PostgreSQL delivers it only if that transaction commits. */
export const EVENTS_CHANNEL = 'paystream_events';

/** A transaction whose row lock the current database transaction holds (until it commits or rolls back). */
export type LockedTransaction = Readonly<{
  id: string;
  merchantId: string;
  status: TransactionStatus;
  version: number;
  amountMinor: bigint;
  currency: string;
}>;

/** What one applied transition wrote. */
export type AppliedTransition = Readonly<{
  transactionId: string;
  previousStatus: TransactionStatus;
  status: TransactionStatus;
  version: number;
  eventId: bigint;
}>;

type LockedRow = { id: string; merchant_id: string; status: TransactionStatus; version: number; amount_minor: string; currency: string };

const LOCK_TRANSACTIONS = `
  SELECT id::text, merchant_id::text, status::text AS status, version, amount_minor::text, currency::text
  FROM transactions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`;

function toLocked(row: LockedRow): LockedTransaction {
  return { id: row.id, merchantId: row.merchant_id, status: row.status, version: row.version, amountMinor: BigInt(row.amount_minor), currency: row.currency };
}

/**
 * Takes the transaction's row lock, on which every status change of it queues (notifications, merchant
 * cancel, expiry), and returns the row as locked. Undefined when there is no such transaction.
 */
export async function lockTransaction(session: SqlSession, transactionId: string): Promise<LockedTransaction | undefined> {
  return (await lockTransactions(session, [transactionId])).get(transactionId);
}

/**
 * Locks several transactions at once, always in id order, so two callers locking overlapping sets cannot
 * deadlock. Ids without a transaction are absent from the map.
 */
export async function lockTransactions(session: SqlSession, transactionIds: readonly string[]): Promise<Map<string, LockedTransaction>> {
  if (transactionIds.length === 0) return new Map();
  const rows = await session.query<LockedRow>(LOCK_TRANSACTIONS, [[...new Set(transactionIds)]], 'paystream_lock_transactions');
  return new Map(rows.map((row) => [row.id, toLocked(row)]));
}

type AppliedRow = { transaction_id: string; event_id: string };

// One statement for any number of transitions on distinct, locked transactions: each row's UPDATE checks the
// version the caller locked, and the history rows are inserted from what was updated, so a row whose version
// moved writes no event either.
const APPLY_LOCKED_TRANSITIONS = `
  WITH input AS (
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
    RETURNING t.id, t.merchant_id, t.version, t.status, i.previous, i.source, i.reason
  ), event AS (
    INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason)
    SELECT id, merchant_id, version, status, previous::"TransactionStatus", source::"EventSource", reason
    FROM updated
    RETURNING transaction_id, id
  )
  SELECT transaction_id::text, id::text AS event_id, pg_notify($9::text, '')::text AS signalled FROM event`;

export type LockedTransitionRequest = Omit<TransitionRequest, 'transactionId' | 'merchantId'>;

/**
 * Moves a transaction locked by lockTransaction(s) (in this same database transaction) to `request.target`:
 * UPDATE with version+1, INSERT of the history row with sequence = the new version, and the commit-time
 * wake-up of event relays. Refuses anything the state machine does not call `apply`.
 */
export async function applyLockedTransition(
  session: SqlSession,
  locked: LockedTransaction,
  request: LockedTransitionRequest,
): Promise<AppliedTransition> {
  const [applied] = await applyLockedTransitions(session, [{ locked, request }]);
  if (!applied) throw new Error(`transition of ${locked.id} returned nothing`);
  return applied;
}

/**
 * The same for several distinct locked transactions, in one round trip (PostgreSQL delivers the relay's
 * wake-up once per database transaction however often it is signalled). Results are in input order.
 */
export async function applyLockedTransitions(
  session: SqlSession,
  transitions: readonly { locked: LockedTransaction; request: LockedTransitionRequest }[],
): Promise<AppliedTransition[]> {
  if (transitions.length === 0) return [];
  if (new Set(transitions.map(({ locked }) => locked.id)).size !== transitions.length) {
    throw new Error('applyLockedTransitions: one transition per transaction per call (apply the next one in a later call)');
  }
  for (const { locked, request } of transitions) {
    const verdict = classify(locked.status, request.target);
    if (verdict !== 'apply') throw new Error(`${locked.status} -> ${request.target} is ${verdict}, not a transition to apply`);
  }
  const column = <T>(pick: (transition: (typeof transitions)[number]) => T) => transitions.map(pick);
  const rows = await session.query<AppliedRow>(
    APPLY_LOCKED_TRANSITIONS,
    [
      column(({ locked }) => locked.id),
      column(({ request }) => request.target),
      column(({ locked }) => locked.version + 1),
      column(({ request }) => request.reason !== undefined),
      column(({ request }) => request.reason ?? null),
      column(({ request }) => request.providerReference ?? null),
      column(({ locked }) => locked.status),
      column(({ request }) => request.source),
      EVENTS_CHANNEL,
    ],
    'paystream_apply_locked_transitions',
  );
  const eventByTransaction = new Map(rows.map((row) => [row.transaction_id, BigInt(row.event_id)]));
  return transitions.map(({ locked, request }) => {
    const eventId = eventByTransaction.get(locked.id);
    // The caller holds the row lock, so the version cannot have moved; if it did, that caller broke the protocol.
    if (eventId === undefined) throw new Error(`transaction ${locked.id} changed under its row lock (version ${locked.version})`);
    return { transactionId: locked.id, previousStatus: locked.status, status: request.target, version: locked.version + 1, eventId };
  });
}

/** Applies a transition inside the caller's database transaction (so it can be combined with other writes). */
export async function applyTransition(
  tx: Prisma.TransactionClient,
  request: TransitionRequest,
): Promise<TransitionOutcome> {
  const session = prismaSession(tx);
  const locked = await lockTransaction(session, request.transactionId);
  if (!locked || (request.merchantId !== undefined && locked.merchantId !== request.merchantId)) {
    return { kind: 'not_found' };
  }
  const verdict = classify(locked.status, request.target);
  if (verdict !== 'apply') {
    const transaction = await tx.transaction.findUniqueOrThrow({ where: { id: locked.id } });
    return { kind: verdict, transaction };
  }
  const applied = await applyLockedTransition(session, locked, request);
  const transaction = await tx.transaction.findUniqueOrThrow({ where: { id: locked.id } });
  const event = await tx.transactionEvent.findUniqueOrThrow({ where: { id: applied.eventId } });
  return { kind: 'applied', transaction, event };
}

/** Runs `applyTransition` in a database transaction of its own. */
export function transition(db: Database, request: TransitionRequest): Promise<TransitionOutcome> {
  return db.prisma.$transaction((tx) => applyTransition(tx, request));
}

/** Wakes every instance's event relay once the surrounding transaction commits (never on rollback). */
export async function signalCommittedEvents(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, '')`;
}
