import { encodeGlobalId } from '../domain/ids.ts';
import { formatMinorUnits } from '../domain/money.ts';
import { judgeRefundRequest, refundableOnlyForAnomaly, type RefundOutcome, type RefundSnapshot } from '../domain/refunds.ts';
import { classify, type TransitionClass } from '../domain/status.ts';
import type { Database } from '../db/client.ts';
import { prismaSession, type SqlSession } from '../db/session.ts';
import { completeRefund, findOpenCaptureAnomaly, insertRefundRequest } from '../db/sql/refunds.ts';
import { insertCreatedTransaction, lockTransactionRows, writeStatusChanges, type LockedTransaction, type NewTransactionRow } from '../db/sql/transactions.ts';
import { insertRedirectedTransaction, type ClientSecretRow, type IdempotencyRow, type TransactionWithEvents } from '../db/sql/transaction-creation.ts';
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
 * cannot disagree. A transaction's creation (CREATED, sequence 1) is written here too: recordCreation.
 *
 * Two entry points onto the same steps: applyTransition (lock, classify, apply) for callers with nothing else
 * to decide, and lockTransaction + applyLockedTransition for callers that must look at the locked row first
 * (notification ingestion checks amounts and anomalies under the same lock). The steps are hand-written SQL
 * over a SqlSession, so they run identically inside a Prisma transaction and on a plain pg client.
 *
 * Refunds change here too, on the same lock and the same log: requestRefund checks the refundable amount under the
 * row lock and records the refund (REQUESTED), completeRefund makes it SUCCEEDED or FAILED. Each bumps the
 * transaction's version and appends a history row of kind REFUND_* (the status unchanged), woken like a status change.
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

export type { LockedTransaction } from '../db/sql/transactions.ts';

/** What one applied transition wrote. */
export type AppliedTransition = Readonly<{
  transactionId: string;
  previousStatus: TransactionStatus;
  status: TransactionStatus;
  version: number;
  eventId: bigint;
}>;

/**
 * Takes the transaction's row lock, on which every status change of it queues (notifications, merchant
 * cancel, expiry), and returns the row as locked. Undefined when there is no such transaction.
 */
export async function lockTransaction(session: SqlSession, transactionId: string): Promise<LockedTransaction | undefined> {
  return (await lockTransactionRows(session, [transactionId])).get(transactionId);
}

/** Several at once, in id order (no deadlock between callers); ids without a transaction are absent from the map. */
export { lockTransactionRows as lockTransactions } from '../db/sql/transactions.ts';

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
  const eventByTransaction = await writeStatusChanges(
    session,
    transitions.map(({ locked, request }) => ({
      transactionId: locked.id,
      previousStatus: locked.status,
      status: request.target,
      version: locked.version + 1,
      source: request.source,
      reason: request.reason,
      providerReference: request.providerReference,
    })),
  );
  return transitions.map(({ locked, request }) => {
    const eventId = eventByTransaction.get(locked.id);
    // The caller holds the row lock, so the version cannot have moved; if it did, that caller broke the protocol.
    if (eventId === undefined) throw new Error(`transaction ${locked.id} changed under its row lock (version ${locked.version})`);
    return { transactionId: locked.id, previousStatus: locked.status, status: request.target, version: locked.version + 1, eventId };
  });
}

/**
 * A transaction begins: status CREATED at version 1, with its first history row, in the caller's database
 * transaction. Until that commits nobody else sees the row, so the caller holds it as if locked and may move
 * it on at once (applyLockedTransition with the returned row).
 */
export async function recordCreation(session: SqlSession, row: NewTransactionRow): Promise<LockedTransaction> {
  await insertCreatedTransaction(session, row);
  return {
    id: row.id,
    merchantId: row.merchantId,
    status: 'CREATED',
    version: 1,
    amountMinor: row.amountMinor,
    currency: row.currency,
    refundedMinor: 0n,
    refundPendingMinor: 0n,
  };
}

/**
 * A transaction begins and moves on to REDIRECTED at once, as recordCreation + applyLockedTransition would write it
 * (version 2; history CREATED, then REDIRECTED from CREATED) but in one statement: createTransaction's whole write,
 * with the client secret and idempotency record that go with it. Returns the row with its history.
 */
export async function recordRedirectedCreation(
  session: SqlSession,
  row: NewTransactionRow,
  clientSecret: ClientSecretRow,
  idempotency: IdempotencyRow | undefined,
): Promise<TransactionWithEvents> {
  const verdict = classify('CREATED', 'REDIRECTED');
  if (verdict !== 'apply') throw new Error(`CREATED -> REDIRECTED is ${verdict}, not a transition to apply`);
  return insertRedirectedTransaction(session, row, clientSecret, idempotency);
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


/** A refund to record against a transaction locked by lockTransaction(s), in this same database transaction. */
export type RefundRequest = Readonly<{
  /** Ours, chosen by the caller (a UUIDv7): also Alipay's out_return_no. */
  refundId: string;
  /** Undefined: everything still refundable. */
  amountMinor: bigint | undefined;
  reason: string;
  source: EventSource;
  idempotencyKey: string | null;
  requestHash: string | null;
  /**
   * ADMIN: a CANCELLED or REJECTED transaction may be refunded while an open CAPTURED_AFTER_CANCEL /
   * CAPTURED_AFTER_REJECTION anomaly says money arrived after it closed; the refund is linked to that anomaly.
   */
  mayRefundAnomaly: boolean;
}>;

export type RefundRequestOutcome =
  | { kind: 'requested'; refundId: string; amountMinor: bigint; version: number; eventId: bigint; anomalyId: string | undefined }
  | { kind: 'invalid_state'; detail: string }
  | { kind: 'exceeds'; refundableMinor: bigint };

/**
 * Checks the refundable amount under the row lock and records the refund: REQUESTED, reserved against the captured
 * amount (so concurrent refunds queue on the lock and can never sum past it), with its REFUND_REQUESTED history row.
 */
export async function requestRefund(session: SqlSession, locked: LockedTransaction, request: RefundRequest): Promise<RefundRequestOutcome> {
  const anomalyId =
    request.mayRefundAnomaly && refundableOnlyForAnomaly(locked.status) ? await findOpenCaptureAnomaly(session, locked.id) : undefined;
  const judgement = judgeRefundRequest(locked, request.amountMinor, anomalyId !== undefined);
  if (judgement.outcome === 'invalid_state') return { kind: 'invalid_state', detail: judgement.detail };
  if (judgement.outcome === 'exceeds') return { kind: 'exceeds', refundableMinor: judgement.refundableMinor };
  const version = locked.version + 1;
  const eventId = await insertRefundRequest(session, {
    id: request.refundId,
    transactionId: locked.id,
    version,
    amountMinor: judgement.amountMinor,
    currency: locked.currency,
    reason: request.reason,
    source: request.source,
    idempotencyKey: request.idempotencyKey,
    requestHash: request.requestHash,
    anomalyId: anomalyId ?? null,
  });
  if (eventId === undefined) throw new Error(`transaction ${locked.id} changed under its row lock (version ${locked.version})`);
  return { kind: 'requested', refundId: request.refundId, amountMinor: judgement.amountMinor, version, eventId, anomalyId };
}

/** A REQUESTED refund of a transaction locked by lockTransaction(s) becoming final. */
export type RefundCompletion = Readonly<{
  /** As read (readRefunds) under the same lock. */
  refund: RefundSnapshot;
  status: RefundOutcome;
  source: EventSource;
  /** FAILED: Alipay's error code. */
  failureCode?: string | null;
  providerReference?: string | null;
}>;

export type AppliedRefundCompletion = Readonly<{ refundId: string; status: RefundOutcome; version: number; eventId: bigint }>;

/**
 * Makes a REQUESTED refund SUCCEEDED (its amount moves from reserved to refunded) or FAILED (its amount is
 * refundable again), with its history row; a capture anomaly it was made for is resolved by its success.
 * Refuses a refund that is not REQUESTED or not the locked transaction's: callers judge that first.
 */
export async function completeLockedRefund(session: SqlSession, locked: LockedTransaction, completion: RefundCompletion): Promise<AppliedRefundCompletion> {
  const { refund, status } = completion;
  if (refund.status !== 'REQUESTED' || refund.transactionId !== locked.id) {
    throw new Error(`refund ${refund.id} is ${refund.status} (transaction ${refund.transactionId}): nothing to complete on ${locked.id}`);
  }
  const version = locked.version + 1;
  const eventId = await completeRefund(session, {
    refundId: refund.id,
    transactionId: locked.id,
    version,
    status,
    source: completion.source,
    failureCode: status === 'FAILED' ? (completion.failureCode ?? 'FAILED') : null,
    providerReference: completion.providerReference ?? null,
    anomalyResolution: `refunded ${formatMinorUnits(refund.amountMinor, refund.currency)} ${refund.currency} to the consumer: refund ${encodeGlobalId('Refund', refund.id)}`,
  });
  if (eventId === undefined) throw new Error(`refund ${refund.id} or its transaction changed under the row lock (version ${locked.version})`);
  return { refundId: refund.id, status, version, eventId };
}
