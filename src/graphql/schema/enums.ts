import { TRANSACTION_STATUSES } from '../../domain/status.ts';
import { builder } from '../builder.ts';

export const TransactionStatusEnum = builder.enumType('TransactionStatus', { values: TRANSACTION_STATUSES });
export const PaymentProductEnum = builder.enumType('PaymentProduct', { values: ['ALIPAY'] as const });
export const EventSourceEnum = builder.enumType('EventSource', {
  values: ['MERCHANT_API', 'PROVIDER_NOTIFICATION', 'SETTLEMENT', 'SYSTEM'] as const,
});
