import type { PaymentProduct, Transaction, TransactionStatus } from '../../generated/prisma/client.ts';

/**
 * A transaction's columns as statements that join it to other rows read them (prefix t_, alias `t`): the event log,
 * webhook claims and the create path. Its id and merchant come from the row it was joined to, or from t_id/t_merchant_id.
 */
export type TransactionColumns = {
  t_merchant_reference: string;
  t_amount_minor: string;
  t_currency: string;
  t_payment_product: PaymentProduct;
  t_status: TransactionStatus;
  t_redirect_url: string | null;
  t_return_url: string;
  t_provider_reference: string | null;
  t_status_reason: string | null;
  t_version: number;
  t_refunded_minor: string;
  t_refund_pending_minor: string;
  t_created_at: Date;
  t_updated_at: Date;
};

/** The select list of TransactionColumns, from a transaction aliased `t`. */
export const TRANSACTION_COLUMNS = `t.merchant_reference AS t_merchant_reference, t.amount_minor::text AS t_amount_minor,
  t.currency::text AS t_currency, t.payment_product::text AS t_payment_product, t.status::text AS t_status,
  t.redirect_url AS t_redirect_url, t.return_url AS t_return_url,
  t.provider_reference AS t_provider_reference, t.status_reason AS t_status_reason,
  t.version AS t_version, t.refunded_minor::text AS t_refunded_minor,
  t.refund_pending_minor::text AS t_refund_pending_minor, t.created_at AS t_created_at, t.updated_at AS t_updated_at`;

/** The transaction `id` of merchant `merchantId` from its TransactionColumns. */
export function transactionFromColumns(row: TransactionColumns, id: string, merchantId: string): Transaction {
  return {
    id,
    merchantId,
    merchantReference: row.t_merchant_reference,
    amountMinor: BigInt(row.t_amount_minor),
    currency: row.t_currency,
    paymentProduct: row.t_payment_product,
    status: row.t_status,
    redirectUrl: row.t_redirect_url,
    returnUrl: row.t_return_url,
    providerReference: row.t_provider_reference,
    statusReason: row.t_status_reason,
    version: row.t_version,
    refundedMinor: BigInt(row.t_refunded_minor),
    refundPendingMinor: BigInt(row.t_refund_pending_minor),
    createdAt: row.t_created_at,
    updatedAt: row.t_updated_at,
  };
}
