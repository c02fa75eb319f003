import { classify, type TransitionClass } from '../domain/status.ts';
import type { Database } from '../db/client.ts';
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

type LockedRow = { id: string; merchant_id: string; status: TransactionStatus; version: number };

/** Applies a transition inside the caller's database transaction (so it can be combined with other writes). */
export async function applyTransition(
  tx: Prisma.TransactionClient,
  request: TransitionRequest,
): Promise<TransitionOutcome> {
  const [locked] = await tx.$queryRaw<LockedRow[]>`
    SELECT id, merchant_id, status::text AS status, version
    FROM transactions WHERE id = ${request.transactionId}::uuid FOR UPDATE`;
  if (!locked || (request.merchantId !== undefined && locked.merchant_id !== request.merchantId)) {
    return { kind: 'not_found' };
  }
  const verdict = classify(locked.status, request.target);
  if (verdict !== 'apply') {
    const transaction = await tx.transaction.findUniqueOrThrow({ where: { id: locked.id } });
    return { kind: verdict, transaction };
  }
  const version = locked.version + 1;
  const transaction = await tx.transaction.update({
    where: { id: locked.id },
    data: {
      status: request.target,
      version,
      ...(request.reason !== undefined ? { statusReason: request.reason } : {}),
      ...(request.providerReference ? { providerReference: request.providerReference } : {}),
    },
  });
  const event = await tx.transactionEvent.create({
    data: {
      transactionId: locked.id,
      merchantId: locked.merchant_id,
      sequence: version,
      status: request.target,
      previousStatus: locked.status,
      source: request.source,
      reason: request.reason ?? null,
    },
  });
  await signalCommittedEvents(tx);
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
