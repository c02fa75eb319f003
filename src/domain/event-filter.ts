// Which history events a subscriber asked for. Pure: the log read (SQL) and the live streams apply the same rule.
import type { TransactionStatus } from './status.ts';

/** Interchangeable with Prisma's `TransactionEventKind`. */
export type TransactionEventKind = 'STATUS_CHANGED' | 'REFUND_REQUESTED' | 'REFUND_SUCCEEDED' | 'REFUND_FAILED' | 'WEBHOOK_ENDPOINT_DISABLED';

/**
 * `statuses` asks for status changes into those statuses: a refund event carries the transaction's unchanged
 * status, so it never matches (a client that filtered on PAID to learn of settlements must not read a refund of a
 * PAID transaction as a second PAID). `kinds` asks for those kinds; with both, `statuses` narrows the status
 * changes among them. Neither: everything.
 */
export type EventFilter = Readonly<{ kinds: readonly TransactionEventKind[]; statuses: readonly TransactionStatus[] | undefined }>;

export function eventFilter(statuses: readonly TransactionStatus[] | undefined, kinds: readonly TransactionEventKind[] | undefined): EventFilter | undefined {
  if (statuses === undefined && kinds === undefined) return undefined;
  return { kinds: kinds ?? ['STATUS_CHANGED'], statuses };
}

export function passesEventFilter(filter: EventFilter | undefined, event: { kind: TransactionEventKind; status: TransactionStatus }): boolean {
  if (filter === undefined) return true;
  if (!filter.kinds.includes(event.kind)) return false;
  return event.kind !== 'STATUS_CHANGED' || filter.statuses === undefined || filter.statuses.includes(event.status);
}
