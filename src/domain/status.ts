// Transaction lifecycle rules from DOMAIN.md. Pure: callers decide what to persist.

export const TRANSACTION_STATUSES = [
  'CREATED',
  'REDIRECTED',
  'CAPTURED',
  'PAID',
  'REJECTED',
  'CANCELLED',
] as const;

// A plain string-literal union (not a TS enum) so it is interchangeable with Prisma's generated
// `TransactionStatus`, which is the same union.
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

export type TransitionClass = 'apply' | 'duplicate' | 'stale' | 'illegal';

// Written out in full rather than derived: this table is the contract, and it is already
// transitively closed (a notification may skip steps, e.g. CREATED -> PAID).
export const ALLOWED_TRANSITIONS: Readonly<Record<TransactionStatus, readonly TransactionStatus[]>> = {
  CREATED: ['REDIRECTED', 'CAPTURED', 'PAID', 'REJECTED', 'CANCELLED'],
  REDIRECTED: ['CAPTURED', 'PAID', 'REJECTED', 'CANCELLED'],
  CAPTURED: ['PAID'],
  PAID: [],
  REJECTED: [],
  CANCELLED: [],
};

/**
 * Forward rank: CREATED 0 < REDIRECTED 1 < CAPTURED 2 < PAID = REJECTED = CANCELLED 3.
 *
 * Every allowed transition strictly increases the rank, which is what makes "forward only" checkable.
 * The rank alone is NOT used to decide staleness: the lifecycle is a partial order, not a line.
 * CANCELLED outranks CAPTURED, yet a cancelled transaction never passed through CAPTURED, so a
 * capture arriving after a cancel is not "old news" but real money for a cancelled order (illegal,
 * which the service turns into an anomaly). See `classify`.
 */
export const STATUS_RANK: Readonly<Record<TransactionStatus, number>> = {
  CREATED: 0,
  REDIRECTED: 1,
  CAPTURED: 2,
  PAID: 3,
  REJECTED: 3,
  CANCELLED: 3,
};

/** The statusReason of a CANCELLED transaction says who cancelled (docs/ENDINGS.md). */
export const CANCELLED_BY_MERCHANT = 'CANCELLED_BY_MERCHANT';
export const CANCELLED_BY_CONSUMER = 'CANCELLED_BY_CONSUMER';
export const CANCELLED_BY_ADMIN = 'CANCELLED_BY_ADMIN';

const FINAL: ReadonlySet<TransactionStatus> = new Set(['PAID', 'REJECTED', 'CANCELLED']);
const CANCELLABLE: ReadonlySet<TransactionStatus> = new Set(['CREATED', 'REDIRECTED']);
const STATUS_SET: ReadonlySet<string> = new Set(TRANSACTION_STATUSES);

export function isTransactionStatus(value: string): value is TransactionStatus {
  return STATUS_SET.has(value);
}

export function isFinal(status: TransactionStatus): boolean {
  return FINAL.has(status);
}

// Once CAPTURED the money is already moving, so a merchant cancel must be refused, not applied.
export function isCancellable(status: TransactionStatus): boolean {
  return CANCELLABLE.has(status);
}

export function canTransition(from: TransactionStatus, to: TransactionStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}

/**
 * How an incoming status (from a notification or a merchant action) relates to the current one.
 *
 * - `apply`: an allowed forward transition.
 * - `duplicate`: same status again (at-least-once delivery); change nothing, still record it.
 * - `stale`: the transaction already went through `target` on its way to `current`
 *   (i.e. `canTransition(target, current)`), so this is a late, out-of-order message; change nothing.
 *   Examples: REDIRECTED after CAPTURED, CAPTURED after PAID, CREATED after anything,
 *   REDIRECTED after CANCELLED.
 * - `illegal`: no path leads from `target` to `current` or back: a contradiction that must be surfaced,
 *   e.g. CAPTURED after CANCELLED (needs refund), REJECTED after PAID, PAID after REJECTED.
 *   Note REJECTED after CANCELLED is illegal too: callers that treat Alipay TRADE_CLOSED as
 *   "confirms a cancel" must check for that before classifying.
 */
export function classify(current: TransactionStatus, target: TransactionStatus): TransitionClass {
  if (current === target) return 'duplicate';
  if (canTransition(current, target)) return 'apply';
  // Relies on ALLOWED_TRANSITIONS being transitively closed, so "reachable" is a single lookup.
  if (canTransition(target, current)) return 'stale';
  return 'illegal';
}
