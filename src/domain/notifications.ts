// What an authentic notification means for the transaction it names. Pure: the ingestion service runs it
// under the transaction's row lock and persists the verdict.
import { formatMinorUnits } from './money.ts';
import { judgeRefundNotification, type RefundOutcome, type RefundSnapshot } from './refunds.ts';
import { classify, type TransactionStatus } from './status.ts';

// String-literal unions, interchangeable with the Prisma enums of the same names.
export type NotificationOutcome = 'APPLIED' | 'DUPLICATE' | 'NO_OP' | 'STALE' | 'ANOMALY' | 'IGNORED' | 'MALFORMED';
export type AnomalyKind =
  | 'CAPTURED_AFTER_CANCEL'
  | 'CAPTURED_AFTER_REJECTION'
  | 'ORPHAN'
  | 'AMOUNT_MISMATCH'
  | 'CONFLICTING_STATUS';

export type ReportedAmount = { minorUnits: bigint; currency: string };

export type NotificationClaim = {
  /** The status the sender reports; null for purely informational notifications (Alipay TRADE_FINISHED). */
  target: TransactionStatus | null;
  /** What the sender says was paid, when it says. */
  amount: ReportedAmount | undefined;
  /** For messages: "TRADE_SUCCESS", "payment.captured". */
  eventType: string;
  /** A refund notification (target null): the refund it reports on and what became of it. */
  refund?: RefundNotice | undefined;
};

/** What a refund notification says about one refund. */
export type RefundNotice = {
  /** The refund as the sender named it (Alipay out_return_no). */
  reference: string;
  /** Our refund id, when the reference is one. */
  refundId: string | undefined;
  outcome: RefundOutcome;
};

export type TransactionSnapshot = { status: TransactionStatus; amountMinor: bigint; currency: string };

export type Verdict =
  | { outcome: 'APPLIED'; target: TransactionStatus }
  /** A refund notification completing a REQUESTED refund. */
  | { outcome: 'APPLIED'; refund: RefundSnapshot; refundOutcome: RefundOutcome }
  | { outcome: 'DUPLICATE' | 'NO_OP' | 'STALE' | 'IGNORED'; detail: string }
  | { outcome: 'ANOMALY'; kind: AnomalyKind; detail: string };

// Closed without money having moved: a second closing word is a confirmation, not a contradiction.
const CLOSED: ReadonlySet<TransactionStatus> = new Set(['REJECTED', 'CANCELLED']);
const MONEY_MOVED: ReadonlySet<TransactionStatus> = new Set(['CAPTURED', 'PAID']);

function money(minorUnits: bigint, currency: string): string {
  return `${formatMinorUnits(minorUnits, currency)} ${currency}`;
}

/**
 * The order matters: an unknown transaction cannot be checked further (ORPHAN); a wrong amount makes the
 * status claim untrustworthy, so it is never applied (AMOUNT_MISMATCH); only then is the status looked at.
 */
export function judgeNotification(current: TransactionSnapshot | undefined, claim: NotificationClaim): Verdict {
  if (current === undefined) {
    return { outcome: 'ANOMALY', kind: 'ORPHAN', detail: `${claim.eventType} names no known transaction` };
  }
  const { amount } = claim;
  if (amount !== undefined && (amount.currency !== current.currency || amount.minorUnits !== current.amountMinor)) {
    return {
      outcome: 'ANOMALY',
      kind: 'AMOUNT_MISMATCH',
      detail: `${claim.eventType} reports ${money(amount.minorUnits, amount.currency)}, the transaction is ${money(current.amountMinor, current.currency)}`,
    };
  }
  const { target } = claim;
  if (target === null) {
    return { outcome: 'IGNORED', detail: `${claim.eventType} carries no status change (transaction is ${current.status})` };
  }
  if (target !== current.status && CLOSED.has(target) && CLOSED.has(current.status)) {
    return { outcome: 'NO_OP', detail: `${claim.eventType} confirms the transaction is closed (${current.status})` };
  }
  switch (classify(current.status, target)) {
    case 'apply':
      return { outcome: 'APPLIED', target };
    case 'duplicate':
      return { outcome: 'DUPLICATE', detail: `the transaction is already ${target}` };
    case 'stale':
      return { outcome: 'STALE', detail: `${target} arrived after the transaction reached ${current.status}` };
    case 'illegal': {
      const paid = money(current.amountMinor, current.currency);
      if (MONEY_MOVED.has(target) && current.status === 'CANCELLED') {
        return {
          outcome: 'ANOMALY',
          kind: 'CAPTURED_AFTER_CANCEL',
          detail: `${claim.eventType} (${target}) after the transaction was CANCELLED: refund ${paid} to the consumer`,
        };
      }
      if (MONEY_MOVED.has(target) && current.status === 'REJECTED') {
        return {
          outcome: 'ANOMALY',
          kind: 'CAPTURED_AFTER_REJECTION',
          detail: `${claim.eventType} (${target}) after the transaction was REJECTED: refund ${paid} to the consumer`,
        };
      }
      return {
        outcome: 'ANOMALY',
        kind: 'CONFLICTING_STATUS',
        detail: `${claim.eventType} (${target}) contradicts the transaction's status ${current.status}`,
      };
    }
  }
}

/** A transaction as a batch of notifications is judged against: its status and amount, and the version it is at. */
export type VersionedSnapshot = TransactionSnapshot & { readonly id: string; readonly version: number };

export type ArrivalJudgement<T extends VersionedSnapshot> = {
  verdict: Verdict;
  /** The transaction as this notification found it, after the changes of the ones before it; undefined when unknown. */
  transaction: T | undefined;
  /**
   * APPLIED only: the change moves `transaction` to `version`, and is the `round`-th change of that transaction
   * in this batch (0 for its first).
   */
  change: { version: number; round: number } | undefined;
};

/**
 * Judges notifications in arrival order against the transactions they name, each seeing what the ones before it
 * did (a capture and its settlement in one batch both apply, in order). `transactions` are the rows as locked;
 * `refunds` the refunds that refund notifications name, as read under those locks. A completed refund bumps its
 * transaction's version like a status change, so it takes its place in the same order.
 */
export function judgeInArrivalOrder<T extends VersionedSnapshot>(
  transactions: ReadonlyMap<string, T>,
  claims: readonly (NotificationClaim & { transactionId: string | undefined })[],
  refunds: ReadonlyMap<string, RefundSnapshot> = new Map(),
): ArrivalJudgement<T>[] {
  const current = new Map(transactions);
  const currentRefunds = new Map(refunds);
  const changesSoFar = new Map<string, number>();
  return claims.map((claim) => {
    const transaction = claim.transactionId === undefined ? undefined : current.get(claim.transactionId);
    const verdict: Verdict =
      claim.refund === undefined
        ? judgeNotification(transaction, claim)
        : judgeRefundNotification(
            // A refund counts as known only with its transaction (named and locked).
            transaction === undefined || claim.refund.refundId === undefined ? undefined : currentRefunds.get(claim.refund.refundId),
            { ...claim.refund, transactionId: claim.transactionId, amount: claim.amount, eventType: claim.eventType },
          );
    if (verdict.outcome !== 'APPLIED' || transaction === undefined) return { verdict, transaction, change: undefined };
    const round = changesSoFar.get(transaction.id) ?? 0;
    changesSoFar.set(transaction.id, round + 1);
    const version = transaction.version + 1;
    if ('target' in verdict) {
      current.set(transaction.id, { ...transaction, status: verdict.target, version });
    } else {
      current.set(transaction.id, { ...transaction, version });
      currentRefunds.set(verdict.refund.id, { ...verdict.refund, status: verdict.refundOutcome });
    }
    return { verdict, transaction, change: { version, round } };
  });
}

/** Deliveries of one event: the first is ingested, the others are its redeliveries (indexes into the input). */
export type EventDeliveries = { first: number; redeliveries: number[] };

/** Groups items by event, in order of each event's first delivery. */
export function groupDeliveries<T>(items: readonly T[], eventKey: (item: T) => string): EventDeliveries[] {
  const byKey = new Map<string, EventDeliveries>();
  items.forEach((item, index) => {
    const key = eventKey(item);
    const seen = byKey.get(key);
    if (seen) seen.redeliveries.push(index);
    else byKey.set(key, { first: index, redeliveries: [] });
  });
  return [...byKey.values()];
}
