import { TRANSACTION_STATUSES } from '../../domain/status.ts';
import { builder } from '../builder.ts';

export const TransactionStatusEnum = builder.enumType('TransactionStatus', { values: TRANSACTION_STATUSES });
export const PaymentProductEnum = builder.enumType('PaymentProduct', { values: ['ALIPAY'] as const });
export const EventSourceEnum = builder.enumType('EventSource', {
  values: ['MERCHANT_API', 'PROVIDER_NOTIFICATION', 'SETTLEMENT', 'SYSTEM'] as const,
});
export const TransactionEventKindEnum = builder.enumType('TransactionEventKind', {
  values: {
    STATUS_CHANGED: { description: 'the transaction moved from previousStatus to status' },
    REFUND_REQUESTED: { description: 'a refund was requested (see refund); status is unchanged' },
    REFUND_SUCCEEDED: { description: 'a refund succeeded; status is unchanged' },
    REFUND_FAILED: { description: 'a refund failed (reason: the provider’s error code); status is unchanged' },
  } as const,
});
