import type { RefundNotice, ReportedAmount } from '../domain/notifications.ts';
import type { TransactionStatus } from '../domain/status.ts';

/** Who sent a notification; one inbox, unique per (sender, external id). */
export type NotificationSender = 'ALIPAY' | 'SIGNED_EVENT';

/**
 * Both upstream formats, normalised: what the ingestion pipeline needs, whoever sent it.
 */
export type ProviderNotification = {
  sender: NotificationSender;
  /** The sender's event id (signed event `id`, Alipay `notify_id`): redelivery of it changes nothing. */
  externalId: string;
  /** `payment.captured`, `TRADE_SUCCESS`, ... */
  eventType: string;
  /** The transaction as the sender named it (a global id, or Alipay's out_trade_no). */
  transactionReference: string;
  /** Our database id, when the reference is well-formed; undefined makes the notification an orphan. */
  transactionId: string | undefined;
  /** null: informational, no status (Alipay TRADE_FINISHED). */
  target: TransactionStatus | null;
  source: 'PROVIDER_NOTIFICATION' | 'SETTLEMENT';
  amount: ReportedAmount | undefined;
  providerReference: string | null;
  reason: string | null;
  /** Refund notifications (target null): the refund reported on. Undefined for payment notifications. */
  refund?: RefundNotice | undefined;
};

/** A body that authenticated but cannot be used; `externalId` when it could still be read, for the record. */
export type ParsedNotification = { ok: true; notification: ProviderNotification } | { ok: false; error: string };
