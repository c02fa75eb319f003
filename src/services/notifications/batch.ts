import { awaitPipelined, uuidv7, type PgTransactionSession } from '../../db/session.ts';
import { addDeliveries, countRedeliveries, insertInboxRows, openAnomaly, type InboxRow } from '../../db/sql/inbox.ts';
import { groupDeliveries, judgeInArrivalOrder, type EventDeliveries } from '../../domain/notifications.ts';
import type { ProviderNotification } from '../../providers/notification.ts';
import { readRefunds } from '../../db/sql/refunds.ts';
import {
  applyLockedTransitions,
  completeLockedRefund,
  lockTransactions,
  type LockedTransaction,
  type LockedTransitionRequest,
  type RefundCompletion,
} from '../transitions.ts';
import type { Acknowledged, Pending } from './inbox.ts';

function eventKey(sender: string, externalId: string): string {
  return `${sender}\u0000${externalId}`;
}

const eventKeyOf = ({ notification }: Pending) => eventKey(notification.sender, notification.externalId);

/**
 * One batch in one database transaction, in two round trips. The first (with BEGIN) takes the row locks
 * (and, on a retry, counts redeliveries of events already in the inbox); the second sends the transitions, the
 * inbox rows and COMMIT together. Anomalies, which are rare, cost a round trip each before the second.
 */
export async function commitBatch(session: PgTransactionSession, batch: readonly Pending[], lookForStored: boolean): Promise<Acknowledged[]> {
  const results: (Acknowledged | undefined)[] = new Array(batch.length);
  const pendingAt = (index: number) => batch[index] as Pending;
  // The same event twice in one batch: its first delivery is ingested, the others count on its inbox row.
  const events = groupDeliveries(batch, eventKeyOf);

  // Held until commit: every notification, merchant cancel and expiry for these transactions queues here.
  // On a retry some of them turn out to be redeliveries; locking their transactions too is harmless.
  const namedTransactions = events.flatMap(({ first }) => pendingAt(first).notification.transactionId ?? []);
  // The refunds refund notifications name, read after the locks (same flight, run in order): a refund's status
  // only changes under its transaction's lock, so what is read is what holds until commit.
  const namedRefunds = events.flatMap(({ first }) => pendingAt(first).notification.refund?.refundId ?? []);
  const [stored, lockedById, refundsById] = await awaitPipelined([
    lookForStored
      ? countRedeliveries(
          session,
          events.map(({ first, redeliveries }) => ({ ...pick(pendingAt(first).notification), times: 1 + redeliveries.length })),
        )
      : [],
    lockTransactions(session, namedTransactions),
    readRefunds(session, namedRefunds),
  ]);
  const storedByKey = new Map(stored.map((row) => [eventKey(row.sender, row.externalId), row]));
  const newEvents: EventDeliveries[] = [];
  for (const event of events) {
    const row = storedByKey.get(eventKeyOf(pendingAt(event.first)));
    if (row) results[event.first] = { kind: 'acknowledged', notificationId: row.id, outcome: row.outcome, duplicate: true, anomalyId: row.anomalyId };
    else newEvents.push(event);
  }

  // Judged in arrival order against the locked rows. One statement writes one change per transaction, so the
  // k-th change of each transaction goes into the k-th statement (almost always there is only one).
  const judgements = judgeInArrivalOrder(lockedById, newEvents.map(({ first }) => pendingAt(first).notification), refundsById);
  const transitionRounds: { locked: LockedTransaction; request: LockedTransitionRequest }[][] = [];
  const refundRounds: { locked: LockedTransaction; completion: RefundCompletion }[][] = [];
  const inboxRows: InboxRow[] = [];
  for (const [position, { first }] of newEvents.entries()) {
    const { notification, raw } = pendingAt(first);
    const { verdict, transaction, change } = judgements[position] as (typeof judgements)[number];
    let anomalyId: string | null = null;
    if (change !== undefined && transaction !== undefined && verdict.outcome === 'APPLIED') {
      if ('target' in verdict) {
        (transitionRounds[change.round] ??= []).push({
          locked: transaction,
          request: {
            target: verdict.target,
            source: notification.source,
            ...(notification.reason !== null ? { reason: notification.reason } : {}),
            providerReference: notification.providerReference,
          },
        });
      } else {
        (refundRounds[change.round] ??= []).push({
          locked: transaction,
          completion: { refund: verdict.refund, status: verdict.refundOutcome, source: notification.source, providerReference: notification.providerReference },
        });
      }
    } else if (verdict.outcome === 'ANOMALY') {
      anomalyId = await openAnomaly(session, verdict.kind, transaction?.id, verdict.detail);
    }
    const id = uuidv7();
    results[first] = { kind: 'acknowledged', notificationId: id, outcome: verdict.outcome, duplicate: false, anomalyId };
    inboxRows.push({
      id,
      sender: notification.sender,
      externalId: notification.externalId,
      eventType: notification.eventType,
      transactionReference: notification.transactionReference.slice(0, 255),
      transactionId: transaction?.id ?? null,
      targetStatus: notification.target,
      amountMinor: notification.amount?.minorUnits ?? null,
      currency: notification.amount?.currency ?? null,
      providerReference: notification.providerReference,
      outcome: verdict.outcome,
      detail: 'detail' in verdict ? verdict.detail : null,
      anomalyId,
      contentType: raw.contentType.slice(0, 255),
      rawBody: raw.rawBody,
      refundReference: notification.refund?.reference.slice(0, 255) ?? null,
      refundId: refundIdIfKnown(notification, refundsById),
      appliedSequence: change?.version ?? null,
    });
  }
  // Redeliveries answer like their first delivery.
  for (const { first, redeliveries } of events) {
    for (const copy of redeliveries) results[copy] = { ...(results[first] as Acknowledged), duplicate: true };
  }

  // The second round trip: transitions, inbox rows, delivery counts and COMMIT, answered together. Inbox rows are
  // sorted by event id, so batches inserting the same ids concurrently wait for each other in one order.
  inboxRows.sort((a, b) => compareText(eventKey(a.sender, a.externalId), eventKey(b.sender, b.externalId)));
  const redelivered = newEvents.filter(({ redeliveries }) => redeliveries.length > 0);
  // Round by round (a transaction's k-th change is in round k), so every change finds the version the one before it left.
  const changes: Promise<unknown>[] = [];
  for (let round = 0; round < Math.max(transitionRounds.length, refundRounds.length); round += 1) {
    const statusChanges = transitionRounds[round];
    if (statusChanges !== undefined) changes.push(applyLockedTransitions(session, statusChanges));
    for (const { locked, completion } of refundRounds[round] ?? []) changes.push(completeLockedRefund(session, locked, completion));
  }
  await awaitPipelined([
    ...changes,
    insertInboxRows(session, inboxRows),
    redelivered.length === 0
      ? undefined
      : addDeliveries(
          session,
          redelivered.map(({ first, redeliveries }) => ({ notificationId: (results[first] as Acknowledged).notificationId, times: redeliveries.length })),
        ),
    session.commit(),
  ]);
  return results as Acknowledged[];
}

const pick = ({ sender, externalId }: ProviderNotification) => ({ sender, externalId });

/** The refund a refund notification names, when it is one of ours (the inbox row references it). */
function refundIdIfKnown(notification: ProviderNotification, refunds: ReadonlyMap<string, unknown>): string | null {
  const refundId = notification.refund?.refundId;
  return refundId !== undefined && refunds.has(refundId) ? refundId : null;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

