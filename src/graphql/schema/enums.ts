import { TRANSACTION_STATUSES } from '../../domain/status.ts';
import { builder } from '../builder.ts';

export const TransactionStatusEnum = builder.enumType('TransactionStatus', {
  description: 'Where a payment stands (docs/DOMAIN.md): CREATED -> REDIRECTED -> CAPTURED -> PAID, or REJECTED / CANCELLED',
  values: {
    CREATED: { description: 'recorded, the redirect not made yet' },
    REDIRECTED: { description: 'the consumer was given the Alipay redirect; waiting for Alipay' },
    CAPTURED: { description: 'Alipay confirmed the consumer paid; the funds have not arrived yet' },
    PAID: { description: 'the funds arrived (settlement): final' },
    REJECTED: { description: 'Alipay closed the trade, or it expired unpaid: final' },
    CANCELLED: { description: 'cancelled before it was paid (cancelTransaction): final' },
  } satisfies Record<(typeof TRANSACTION_STATUSES)[number], { description: string }>,
});
export const PaymentProductEnum = builder.enumType('PaymentProduct', {
  description: 'How the consumer pays',
  values: { ALIPAY: { description: 'Alipay cross-border (create_forex_trade)' } } as const,
});
export const EventSourceEnum = builder.enumType('EventSource', {
  description: 'Who caused a change in a transaction’s history',
  values: {
    MERCHANT_API: { description: 'the merchant, with its API key' },
    PROVIDER_NOTIFICATION: { description: 'Alipay (a verified notification) or a signed event' },
    SETTLEMENT: { description: 'the settlement: the funds arrived (a signed payment.paid event)' },
    SYSTEM: { description: 'Paystream itself, e.g. the expiry of an unpaid trade' },
    ADMIN_API: { description: 'an ADMIN key (e.g. an operator cancelling a merchant’s transaction)' },
    CONSUMER: { description: 'the consumer, e.g. cancelling on the payment page (docs/ENDINGS.md)' },
  } as const,
});
export const TransactionEventKindEnum = builder.enumType('TransactionEventKind', {
  description: 'What a TransactionEvent records: a status change, a refund’s step, or a webhook endpoint disabled',
  values: {
    STATUS_CHANGED: { description: 'the transaction moved from previousStatus to status' },
    REFUND_REQUESTED: { description: 'a refund was requested (see refund); status is unchanged' },
    REFUND_SUCCEEDED: { description: 'a refund succeeded; status is unchanged' },
    REFUND_FAILED: { description: 'a refund failed (reason: the provider’s error code); status is unchanged' },
    WEBHOOK_ENDPOINT_DISABLED: {
      description: 'Paystream disabled one of your webhook endpoints (see webhookEndpoint; reason: 410 Gone or failing for days) while delivering this transaction’s event; status is unchanged',
    },
  } as const,
});
