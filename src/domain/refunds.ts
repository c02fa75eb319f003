// Refund rules. Pure: the transition service applies them under the transaction's row lock.
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
