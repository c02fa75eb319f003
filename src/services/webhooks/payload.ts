import type { LogRow } from '../../db/sql/events.ts';
import { encodeGlobalId } from '../../domain/ids.ts';
import { formatMinorUnits } from '../../domain/money.ts';
import { encodeEventCursor } from '../../events/cursor.ts';
import { refundAsOf, transactionAsOf } from '../../events/log.ts';
import type { Refund, Transaction, TransactionEvent } from '../../generated/prisma/client.ts';

/**
 * The body of a webhook, Standard Webhooks' `{ type, timestamp, data }`: `data` is the event (its cursor, valid
 * as `transactionEvents(after:)` to resume a gap, and the transaction's `sequence`, to drop a stale update) with
 * the transaction as of that event (and its refund, for refund events), in the API's own formats: global ids,
 * money as `{ value, currency, minorUnits }`, ISO-8601 UTC times. Built at the first attempt and kept: every
 * attempt and redelivery sends the same bytes.
 */

const money = (minorUnits: bigint, currency: string) => ({ value: formatMinorUnits(minorUnits, currency), currency, minorUnits: minorUnits.toString() });

export function eventPayload(type: string, event: TransactionEvent, transaction: Transaction, refund: Refund | null): string {
  return JSON.stringify({
    type,
    timestamp: event.occurredAt.toISOString(),
    data: {
      cursor: encodeEventCursor(event),
      sequence: event.sequence,
      kind: event.kind,
      status: event.status,
      previousStatus: event.previousStatus,
      source: event.source,
      reason: event.reason,
      occurredAt: event.occurredAt.toISOString(),
      // WEBHOOK_ENDPOINT_DISABLED only: the endpoint Paystream disabled (reason says why).
      ...(event.webhookEndpointId === null ? {} : { webhookEndpointId: encodeGlobalId('WebhookEndpoint', event.webhookEndpointId) }),
      transaction: {
        id: encodeGlobalId('Transaction', transaction.id),
        merchantReference: transaction.merchantReference,
        amount: money(transaction.amountMinor, transaction.currency),
        paymentProduct: transaction.paymentProduct,
        status: transaction.status,
        statusReason: transaction.statusReason,
        providerReference: transaction.providerReference,
        refundedAmount: money(transaction.refundedMinor, transaction.currency),
        createdAt: transaction.createdAt.toISOString(),
        updatedAt: transaction.updatedAt.toISOString(),
      },
      refund:
        refund === null
          ? null
          : {
              id: encodeGlobalId('Refund', refund.id),
              amount: money(refund.amountMinor, refund.currency),
              reason: refund.reason,
              status: refund.status,
              failureCode: refund.failureCode,
              requestedAt: refund.requestedAt.toISOString(),
              completedAt: refund.completedAt?.toISOString() ?? null,
            },
    },
  });
}

/** The message `sendTestWebhook` sends: no event behind it, nothing to act on. */
export function testPayload(endpointGlobalId: string, now: Date): string {
  return JSON.stringify({ type: 'webhook.test', timestamp: now.toISOString(), data: { endpointId: endpointGlobalId, message: 'a test message from Paystream (sendTestWebhook)' } });
}

/** The body of a delivery's first attempt, from its event as the claim read it (the transaction as of the event). */
export function deliveryPayload(type: string, { event, transaction, refund }: LogRow): string {
  return eventPayload(type, event, transactionAsOf(transaction, event), refund === null ? null : refundAsOf(refund, event));
}
