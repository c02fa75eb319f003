import { createHash } from 'node:crypto';
import { fitsInInt64, isKnownCurrency, parseMoney } from '../domain/money.ts';
import type { Database } from '../db/client.ts';
import { prismaSession, uuidv7 } from '../db/session.ts';
import { lockIdempotencyKey } from '../db/sql/transaction-creation.ts';
import type { Prisma, Refund, RefundStatus } from '../generated/prisma/client.ts';
import {
  AmountExceedsRefundableError,
  ForbiddenError,
  IdempotencyConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationFailedError,
  type FieldProblem,
} from './errors.ts';
import type { Actor } from './merchants.ts';
import type { RefundOutcome } from '../domain/refunds.ts';
import { readRefunds } from '../db/sql/refunds.ts';
import type { EventSource } from '../generated/prisma/client.ts';
import { completeLockedRefund, lockTransaction, requestRefund } from './transitions.ts';
import { createWakeUp } from './wake-up.ts';

/**
 * Refunds as callers ask for them. A refund is recorded REQUESTED (reserved against the captured amount under the
 * transaction's row lock, src/services/transitions.ts) and committed first; only then does the refund runner
 * (src/services/refund-runner.ts) call Alipay's forex_refund, outside any database transaction, until Alipay gives
 * a definite answer. Success also arrives as an Alipay notification (src/services/notifications.ts).
 */

export type RefundTransactionInput = {
  /** Our database id (the resolver decodes the global id). */
  transactionId: string;
  /** Omitted: everything still refundable. */
  amount?: { value: string; currency: string } | null;
  reason: string;
  idempotencyKey?: string | null;
};

type ValidRefundInput = {
  transactionId: string;
  amount: { minorUnits: bigint; currency: string } | undefined;
  reason: string;
  idempotencyKey: string | undefined;
};

// Printable: no control, format, surrogate or unassigned code points.
const PRINTABLE = /^[^\p{C}]+$/u;
/** Alipay's forex_refund takes a reason of at most this many characters, and no half-width double quote. */
export const MAX_REFUND_REASON_LENGTH = 128;

export function validateRefundInput(input: RefundTransactionInput): ValidRefundInput {
  const problems: FieldProblem[] = [];
  const problem = (path: string[], message: string) => problems.push({ path: ['input', ...path], message });

  let amount: ValidRefundInput['amount'];
  if (input.amount != null) {
    const { value, currency } = input.amount;
    if (!isKnownCurrency(currency)) {
      problem(['amount', 'currency'], 'must be an ISO 4217 currency code, e.g. EUR');
    } else {
      const parsed = parseMoney(value, currency);
      if (!parsed.ok) problem(['amount', 'value'], parsed.error);
      else if (parsed.minorUnits <= 0n) problem(['amount', 'value'], 'must be greater than zero');
      else if (!fitsInInt64(parsed.minorUnits)) problem(['amount', 'value'], 'is out of range');
      else amount = { minorUnits: parsed.minorUnits, currency };
    }
  }

  const reason = input.reason;
  const reasonLength = [...reason].length;
  if (reasonLength < 1 || reasonLength > MAX_REFUND_REASON_LENGTH || !PRINTABLE.test(reason) || reason.trim() !== reason || reason.includes('"')) {
    problem(['reason'], `must be 1 to ${MAX_REFUND_REASON_LENGTH} printable characters without leading or trailing spaces or double quotes`);
  }

  const idempotencyKey = input.idempotencyKey ?? undefined;
  if (idempotencyKey !== undefined && (idempotencyKey.length < 1 || idempotencyKey.length > 255 || !PRINTABLE.test(idempotencyKey))) {
    problem(['idempotencyKey'], 'must be 1 to 255 printable characters');
  }

  if (problems.length > 0) throw new ValidationFailedError(problems);
  return { transactionId: input.transactionId, amount, reason, idempotencyKey };
}

/** What makes two refund requests "the same" for idempotency: the validated input (an omitted amount stays omitted). */
function requestFingerprint(input: ValidRefundInput): string {
  const canonical = JSON.stringify(['refund', input.transactionId, input.amount?.minorUnits.toString() ?? null, input.amount?.currency ?? null, input.reason]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Who may refund what. Money leaves the merchant's balance, so only keys that act for a merchant's money may: a
 * merchant key for its own transactions, ADMIN for any (and ADMIN alone for the money of capture anomalies). Every
 * other role (a read-only key) may not; a new role is refused here until someone decides otherwise.
 */
type RefundRights = { merchantId: string | undefined; mayRefundAnomaly: boolean; source: EventSource };

function refundRights(actor: Actor): RefundRights {
  switch (actor.role) {
    case 'ADMIN':
      return { merchantId: undefined, mayRefundAnomaly: true, source: 'ADMIN_API' };
    case 'MERCHANT':
      return { merchantId: actor.merchantId, mayRefundAnomaly: false, source: 'MERCHANT_API' };
    case 'MERCHANT_READ_ONLY':
    case 'PUBLISHABLE':
      throw new ForbiddenError('refunds need a merchant secret key or an ADMIN key');
    default: {
      const unknown: never = actor;
      throw new Error(`no refund rights defined for ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Records a refund (REQUESTED) in one database transaction: the transaction's row lock, the idempotency key, the
 * refundable check and the write all happen under it, so of concurrent refunds exactly those that fit are recorded.
 * Another merchant's transaction is NotFoundError, exactly like a missing one. The call to Alipay follows the
 * commit (the refund runner is woken at once).
 */
export async function refundTransaction(db: Database, actor: Actor, rawInput: RefundTransactionInput): Promise<Refund> {
  const input = validateRefundInput(rawInput);
  const rights = refundRights(actor);
  const fingerprint = requestFingerprint(input);
  const refund = await db.prisma.$transaction(async (tx) => {
    const session = prismaSession(tx);
    const locked = await lockTransaction(session, input.transactionId);
    if (!locked || (rights.merchantId !== undefined && locked.merchantId !== rights.merchantId)) throw new NotFoundError();
    if (input.idempotencyKey !== undefined) {
      // Keys are the merchant's, whoever uses them (its own key or ADMIN acting on its transactions).
      await lockIdempotencyKey(session, locked.merchantId, `refund:${input.idempotencyKey}`);
      const earlier = await tx.refund.findUnique({ where: { merchantId_idempotencyKey: { merchantId: locked.merchantId, idempotencyKey: input.idempotencyKey } } });
      if (earlier) {
        if (earlier.requestHash !== fingerprint) throw new IdempotencyConflictError();
        return earlier;
      }
    }
    if (input.amount !== undefined && input.amount.currency !== locked.currency) {
      throw new ValidationFailedError([{ path: ['input', 'amount', 'currency'], message: `must be the transaction's currency, ${locked.currency}` }]);
    }
    const outcome = await requestRefund(session, locked, {
      refundId: uuidv7(),
      amountMinor: input.amount?.minorUnits,
      reason: input.reason,
      // Recorded as who acted (#13.12): an ADMIN refund is not the merchant's.
      source: rights.source,
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash: input.idempotencyKey === undefined ? null : fingerprint,
      mayRefundAnomaly: rights.mayRefundAnomaly,
    });
    if (outcome.kind === 'invalid_state') throw new InvalidStateError(locked.status, outcome.detail);
    if (outcome.kind === 'exceeds') throw new AmountExceedsRefundableError(outcome.refundableMinor, locked.currency);
    return tx.refund.findUniqueOrThrow({ where: { id: outcome.refundId } });
  });
  refundRequested.notify();
  return refund;
}

export type RefundSettlement = Readonly<{
  status: RefundOutcome;
  source: EventSource;
  failureCode?: string | null;
  providerReference?: string | null;
}>;

/**
 * A definite answer about a refund (from the runner's call), applied through the transition service under its
 * transaction's row lock. 'applied' when it was still REQUESTED; otherwise what it already was (an answer that
 * arrives after another one changes nothing).
 */
export async function settleRefund(db: Database, refundId: string, settlement: RefundSettlement): Promise<{ kind: 'applied' | 'already'; status: RefundStatus }> {
  return db.prisma.$transaction(async (tx) => {
    const session = prismaSession(tx);
    const before = (await readRefunds(session, [refundId])).get(refundId);
    if (!before) throw new Error(`refund ${refundId} does not exist`);
    const locked = await lockTransaction(session, before.transactionId);
    // Read again under the lock: only now is its status stable.
    const refund = (await readRefunds(session, [refundId])).get(refundId);
    if (!locked || !refund) throw new Error(`refund ${refundId} lost its transaction`);
    if (refund.status !== 'REQUESTED') return { kind: 'already', status: refund.status };
    await completeLockedRefund(session, locked, { refund, ...settlement });
    return { kind: 'applied', status: settlement.status };
  });
}

/** The refunds the runner found stuck (still REQUESTED after every check), of one merchant or all. */
export function stuckRefundsWhere(merchantId: string | undefined): Prisma.RefundWhereInput {
  return { status: 'REQUESTED', stuckAt: { not: null }, ...(merchantId === undefined ? {} : { merchantId }) };
}

/**
 * In-process wake-up for the refund runner: a refund just committed, call Alipay now rather than at the next poll.
 * Only a hint (other instances find the refund by polling); the refund row is the truth.
 */
export const refundRequested = createWakeUp();
