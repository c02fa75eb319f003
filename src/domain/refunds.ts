// Refund rules. Pure: the transition service applies them under the transaction's row lock.
import { formatMinorUnits } from './money.ts';
import type { TransactionStatus } from './status.ts';

// String-literal unions, interchangeable with the Prisma enums of the same names.
export type RefundStatus = 'REQUESTED' | 'SUCCEEDED' | 'FAILED';
export type RefundOutcome = Exclude<RefundStatus, 'REQUESTED'>;

/** What a refund is checked against: the transaction's captured amount and what its refunds already hold. */
export type RefundableSnapshot = Readonly<{
  status: TransactionStatus;
  amountMinor: bigint;
  /** Sum of its SUCCEEDED refunds. */
  refundedMinor: bigint;
  /** Sum of its REQUESTED refunds (reserved until they succeed or fail). */
  refundPendingMinor: bigint;
}>;

/** The consumer paid and the merchant keeps the order: refundable by the merchant (or ADMIN). */
const CAPTURED: ReadonlySet<TransactionStatus> = new Set(['CAPTURED', 'PAID']);
/** Closed orders whose money may still arrive (an anomaly then says so): refundable by ADMIN only, for that anomaly. */
const CLOSED: ReadonlySet<TransactionStatus> = new Set(['CANCELLED', 'REJECTED']);

/** A closed transaction is refundable only for money that arrived after it closed (an open capture anomaly). */
export function refundableOnlyForAnomaly(status: TransactionStatus): boolean {
  return CLOSED.has(status);
}

/**
 * The captured money not yet refunded nor reserved by a refund in flight. Alipay captures the whole amount, so a
 * captured transaction's captured amount is its amount; a closed one has none of its own (an anomaly's refund is
 * judged with `judgeRefundRequest`).
 */
export function refundableAmount(transaction: RefundableSnapshot): bigint {
  if (!CAPTURED.has(transaction.status)) return 0n;
  return remaining(transaction);
}

function remaining(transaction: RefundableSnapshot): bigint {
  const left = transaction.amountMinor - transaction.refundedMinor - transaction.refundPendingMinor;
  return left > 0n ? left : 0n;
}

export type RefundJudgement =
  | { outcome: 'accept'; amountMinor: bigint }
  | { outcome: 'invalid_state'; detail: string }
  | { outcome: 'exceeds'; refundableMinor: bigint };

/**
 * Whether a refund of `requestedMinor` (undefined: everything still refundable) may be recorded now. CAPTURED and
 * PAID transactions are refundable; a CANCELLED or REJECTED one only while money captured after it closed is
 * waiting to be given back (`captureAnomaly`: an open CAPTURED_AFTER_CANCEL / CAPTURED_AFTER_REJECTION, refunded by
 * ADMIN). The REQUESTED and SUCCEEDED refunds never sum to more than the captured amount.
 */
export function judgeRefundRequest(transaction: RefundableSnapshot, requestedMinor: bigint | undefined, captureAnomaly: boolean): RefundJudgement {
  const refundable = CAPTURED.has(transaction.status) || (CLOSED.has(transaction.status) && captureAnomaly);
  if (!refundable) {
    const detail = CLOSED.has(transaction.status)
      ? `a ${transaction.status} transaction has no captured money to refund (unless an anomaly says money arrived after it closed: ADMIN refunds those)`
      : `a ${transaction.status} transaction has not been captured: only CAPTURED and PAID transactions can be refunded`;
    return { outcome: 'invalid_state', detail };
  }
  const refundableMinor = remaining(transaction);
  const amountMinor = requestedMinor ?? refundableMinor;
  if (amountMinor <= 0n || amountMinor > refundableMinor) return { outcome: 'exceeds', refundableMinor };
  return { outcome: 'accept', amountMinor };
}

/** A refund as a notification about it is judged (under its transaction's row lock). */
export type RefundSnapshot = Readonly<{ id: string; transactionId: string; amountMinor: bigint; currency: string; status: RefundStatus }>;

/** What a refund notification claims (Alipay's refund_status_sync: REFUND_SUCCESS). */
export type RefundClaim = Readonly<{
  /** The refund as the sender named it (out_return_no). */
  reference: string;
  /** Our refund id, when the reference is one. */
  refundId: string | undefined;
  /** The transaction it names (out_trade_no), when the reference is one. */
  transactionId: string | undefined;
  outcome: RefundOutcome;
  /** What the sender says was refunded (required: a claim without it is never applied). */
  amount: { minorUnits: bigint; currency: string } | undefined;
  eventType: string;
}>;

export type RefundVerdict =
  | { outcome: 'APPLIED'; refund: RefundSnapshot; refundOutcome: RefundOutcome }
  | { outcome: 'DUPLICATE'; detail: string }
  | { outcome: 'ANOMALY'; kind: 'ORPHAN' | 'AMOUNT_MISMATCH' | 'CONFLICTING_STATUS'; detail: string };

const amountText = (minorUnits: bigint, currency: string) => `${formatMinorUnits(minorUnits, currency)} ${currency}`;

/**
 * As for payments, the order matters: a refund we do not know (or not of the transaction named) cannot be checked
 * further and is never applied (ORPHAN); a different amount makes the claim untrustworthy (AMOUNT_MISMATCH); then
 * the same outcome again is a DUPLICATE, a REQUESTED refund is APPLIED, and the opposite of a final outcome is a
 * contradiction a human must look at (CONFLICTING_STATUS: Alipay says it succeeded, we recorded it FAILED).
 */
export function judgeRefundNotification(refund: RefundSnapshot | undefined, claim: RefundClaim): RefundVerdict {
  if (refund === undefined || refund.transactionId !== claim.transactionId) {
    return { outcome: 'ANOMALY', kind: 'ORPHAN', detail: `${claim.eventType} names no known refund of this transaction (out_return_no ${claim.reference})` };
  }
  const { amount } = claim;
  if (amount === undefined || amount.currency !== refund.currency || amount.minorUnits !== refund.amountMinor) {
    const reported = amount === undefined ? 'no amount' : amountText(amount.minorUnits, amount.currency);
    return { outcome: 'ANOMALY', kind: 'AMOUNT_MISMATCH', detail: `${claim.eventType} reports ${reported}, the refund is ${amountText(refund.amountMinor, refund.currency)}` };
  }
  if (refund.status === claim.outcome) return { outcome: 'DUPLICATE', detail: `the refund is already ${refund.status}` };
  if (refund.status === 'REQUESTED') return { outcome: 'APPLIED', refund, refundOutcome: claim.outcome };
  return {
    outcome: 'ANOMALY',
    kind: 'CONFLICTING_STATUS',
    detail: `${claim.eventType} for a refund recorded ${refund.status}: check with Alipay before refunding again`,
  };
}
