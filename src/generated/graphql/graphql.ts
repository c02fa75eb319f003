/* eslint-disable */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A calendar date, YYYY-MM-DD (proleptic Gregorian, 0001-01-01 to 9999-12-31) */
  Date: { input: string; output: string; }
  /** An instant: ISO-8601 date and time with a time zone (`2026-01-31T12:00:00Z`, `2026-01-31T20:00:00+08:00`), from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z; always UTC with milliseconds on output */
  DateTime: { input: string; output: string; }
};

/** What a notification reported that could not be applied, and needs a human */
export type AnomalyKind =
  /** the notification's amount or currency disagrees with the transaction */
  | 'AMOUNT_MISMATCH'
  /** money arrived for a cancelled transaction: refund needed */
  | 'CAPTURED_AFTER_CANCEL'
  /** money arrived for a rejected (e.g. expired) transaction: refund needed */
  | 'CAPTURED_AFTER_REJECTION'
  /** a status that contradicts the transaction's history */
  | 'CONFLICTING_STATUS'
  /** a notification for no known transaction */
  | 'ORPHAN';

/** Whether an anomaly still needs a human */
export type AnomalyStatus =
  /** not handled yet */
  | 'OPEN'
  /** handled: resolveAnomaly said what was done (or a refund settled it) */
  | 'RESOLVED';

/** What a merchant asks to be paid */
export type CreateTransactionInput = {
  /** positive, with at most the currency’s decimals, at most MAX_TRANSACTION_AMOUNT */
  amount: MoneyInput;
  /** same key + same input: same result; same key + other input: IdempotencyConflictError */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** your own reference (e.g. the order number): 1 to 255 printable characters */
  merchantReference: Scalars['String']['input'];
  /** how the consumer pays */
  paymentProduct?: InputMaybe<PaymentProduct>;
  /** absolute http(s) URL, at most 2048 characters, no control characters or credentials; stored normalised (WHATWG). The consumer comes back here through Paystream with transactionId and status added to the query */
  returnUrl: Scalars['String']['input'];
};

/** A new webhook endpoint */
export type CreateWebhookEndpointInput = {
  /** a note for its owner, at most 500 characters */
  description?: InputMaybe<Scalars['String']['input']>;
  /** the kinds of events to receive; default: every kind */
  kinds?: InputMaybe<Array<TransactionEventKind>>;
  /** ADMIN only, and required for ADMIN: the merchant the endpoint is for */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** status changes only into these statuses; default: every status */
  statuses?: InputMaybe<Array<TransactionStatus>>;
  /** an https:// URL on a public address (no credentials, no fragment), at most 2048 characters */
  url: Scalars['String']['input'];
};

/** Who caused a change in a transaction’s history */
export type EventSource =
  /** an ADMIN key (e.g. an operator cancelling a merchant’s transaction) */
  | 'ADMIN_API'
  /** the consumer, e.g. cancelling on the payment page (docs/ENDINGS.md) */
  | 'CONSUMER'
  /** the merchant, with its API key */
  | 'MERCHANT_API'
  /** Alipay (a verified notification) or a signed event */
  | 'PROVIDER_NOTIFICATION'
  /** the settlement: the funds arrived (a signed payment.paid event) */
  | 'SETTLEMENT'
  /** Paystream itself, e.g. the expiry of an unpaid trade */
  | 'SYSTEM';

/** What a new merchant key may do */
export type MerchantKeyRole =
  /** for browser pages: alone it only identifies the merchant (docs/FRONTEND.md) */
  | 'PUBLISHABLE'
  /** queries and subscriptions, no mutation: reporting backends */
  | 'READ_ONLY'
  /** everything for its merchant: server-side only */
  | 'SECRET';

/** An exact amount: a decimal string and its currency (never a float) */
export type MoneyInput = {
  /** ISO 4217 */
  currency: Scalars['String']['input'];
  /** decimal string in major units, e.g. "19.99" */
  value: Scalars['String']['input'];
};

/** What an authentic notification did */
export type NotificationOutcome =
  /** not applied; see anomaly */
  | 'ANOMALY'
  /** the status changed */
  | 'APPLIED'
  /** the transaction already had this status (another event said the same) */
  | 'DUPLICATE'
  /** informational, no status (Alipay TRADE_FINISHED) */
  | 'IGNORED'
  /** authentic but unusable; kept raw, answered 4xx */
  | 'MALFORMED'
  /** consistent, nothing to change (e.g. TRADE_CLOSED confirming a merchant cancel) */
  | 'NO_OP'
  /** late and out of order: the transaction was already past this status */
  | 'STALE';

/** Who sent a notification */
export type NotificationSender =
  /** Alipay’s asynchronous notification (POST /notifications/alipay, RSA2-signed) */
  | 'ALIPAY'
  /** a signed event (POST /notifications/events, HMAC), e.g. the settlement’s payment.paid */
  | 'SIGNED_EVENT';

/** How the consumer pays */
export type PaymentProduct =
  /** Alipay cross-border (create_forex_trade) */
  | 'ALIPAY';

/** Where a refund stands */
export type RefundStatus =
  /** final: Alipay refused or failed it (see failureCode); the amount is refundable again */
  | 'FAILED'
  /** recorded and reserved against the refundable amount; Alipay has not answered definitely yet */
  | 'REQUESTED'
  /** final: the money went back to the consumer */
  | 'SUCCEEDED';

/** What to give back, of which transaction, and why */
export type RefundTransactionInput = {
  /** in the transaction's currency; omitted: everything still refundable */
  amount?: InputMaybe<MoneyInput>;
  /** same key + same input: the same refund; same key + other input: IdempotencyConflictError (kept with the refund) */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  /** sent to Alipay: 1 to 128 printable characters, no double quote */
  reason: Scalars['String']['input'];
  /** a CAPTURED or PAID transaction */
  transactionId: Scalars['ID']['input'];
};

/** What a TransactionEvent records: a status change, a refund’s step, or a webhook endpoint disabled */
export type TransactionEventKind =
  /** a refund failed (reason: the provider’s error code); status is unchanged */
  | 'REFUND_FAILED'
  /** a refund was requested (see refund); status is unchanged */
  | 'REFUND_REQUESTED'
  /** a refund succeeded; status is unchanged */
  | 'REFUND_SUCCEEDED'
  /** the transaction moved from previousStatus to status */
  | 'STATUS_CHANGED'
  /** Paystream disabled one of your webhook endpoints (see webhookEndpoint; reason: 410 Gone or failing for days) while delivering this transaction’s event; status is unchanged */
  | 'WEBHOOK_ENDPOINT_DISABLED';

/** Which transactions to list; every field given must match */
export type TransactionFilter = {
  /** inclusive */
  createdFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** exclusive */
  createdTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** ISO 4217 code (upper or lower case) */
  currency?: InputMaybe<Scalars['String']['input']>;
  /** ADMIN only */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** exactly this merchant reference */
  merchantReference?: InputMaybe<Scalars['String']['input']>;
  /** one of these statuses */
  statuses?: InputMaybe<Array<TransactionStatus>>;
};

/** What transactionStats groups by: at most one of HOUR, DAY, WEEK, MONTH, and none, some or all of STATUS, CURRENCY, MERCHANT */
export type TransactionStatsDimension =
  /** each currency with transactions in the range (or those of the filter) */
  | 'CURRENCY'
  /** each local calendar day (23 or 25 hours long when the clocks change) */
  | 'DAY'
  /** each local hour (an hour that occurs twice is two rows, a skipped hour has none); ranges up to 31 days */
  | 'HOUR'
  /** ADMIN only: each merchant with transactions in the range (or the filter merchant) */
  | 'MERCHANT'
  /** each calendar month, cut to the range */
  | 'MONTH'
  /** each current status (those of the filter, or all) */
  | 'STATUS'
  /** each ISO week (Monday first), cut to the range */
  | 'WEEK';

/** Which transactions count; omitted fields do not filter */
export type TransactionStatsFilter = {
  /** ISO 4217 codes, e.g. ["EUR", "USD"] */
  currencies?: InputMaybe<Array<Scalars['String']['input']>>;
  /** ADMIN only: one merchant */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** current status is one of these */
  statuses?: InputMaybe<Array<TransactionStatus>>;
};

/** Where a payment stands (docs/DOMAIN.md): CREATED -> REDIRECTED -> CAPTURED -> PAID, or REJECTED / CANCELLED */
export type TransactionStatus =
  /** cancelled before it was paid (cancelTransaction): final */
  | 'CANCELLED'
  /** Alipay confirmed the consumer paid; the funds have not arrived yet */
  | 'CAPTURED'
  /** recorded, the redirect not made yet */
  | 'CREATED'
  /** the funds arrived (settlement): final */
  | 'PAID'
  /** the consumer was given the Alipay redirect; waiting for Alipay */
  | 'REDIRECTED'
  /** Alipay closed the trade, or it expired unpaid: final */
  | 'REJECTED';

/** Changes to a webhook endpoint; omitted fields stay as they are */
export type UpdateWebhookEndpointInput = {
  /** a new note */
  description?: InputMaybe<Scalars['String']['input']>;
  /** false disables it (nothing is sent; new events are not queued for it); true enables it again and clears disabledReason */
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  /** the endpoint */
  id: Scalars['ID']['input'];
  /** the kinds of events to receive */
  kinds?: InputMaybe<Array<TransactionEventKind>>;
  /** status changes only into these; empty: every status */
  statuses?: InputMaybe<Array<TransactionStatus>>;
  /** a new URL (same rules as when created) */
  url?: InputMaybe<Scalars['String']['input']>;
};

/** Where a webhook delivery stands */
export type WebhookDeliveryStatus =
  /** every attempt of the retry schedule (about three days) failed; redeliver it when the receiver is back */
  | 'FAILED'
  /** waiting for its next attempt (see nextAttemptAt), or in one */
  | 'PENDING'
  /** an attempt got a 2xx answer */
  | 'SUCCEEDED';

export type ApiKeyFieldsFragment = { __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null };

export type ApiKeysQueryVariables = Exact<{
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ApiKeysQuery = { __typename?: 'Query', apiKeys: Array<{ __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null }> };

export type CreateApiKeyMutationVariables = Exact<{
  role: MerchantKeyRole;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type CreateApiKeyMutation = { __typename?: 'Mutation', createApiKey:
    | { __typename: 'CreateApiKeySuccess', secret: string, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null } }
    | { __typename: 'ValidationError', message: string, code: string }
   };

export type RevokeApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type RevokeApiKeyMutation = { __typename?: 'Mutation', revokeApiKey:
    | { __typename: 'NotFoundError', message: string, code: string }
    | { __typename: 'RevokeApiKeySuccess', apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null } }
   };

export type RollApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  expiresInHours?: InputMaybe<Scalars['Int']['input']>;
}>;


export type RollApiKeyMutation = { __typename?: 'Mutation', rollApiKey:
    | { __typename: 'NotFoundError', message: string, code: string }
    | { __typename: 'RollApiKeySuccess', secret: string, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null }, previous: { __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null } }
    | { __typename: 'ValidationError', message: string, code: string }
   };

export type CheckoutTransactionFieldsFragment = { __typename?: 'CheckoutTransaction', id: string, status: TransactionStatus, isFinal: boolean, version: number, redirectUrl?: string | null, amount: { __typename?: 'Money', value: string, currency: string } };

export type CheckoutTransactionQueryVariables = Exact<{ [key: string]: never; }>;


export type CheckoutTransactionQuery = { __typename?: 'Query', checkoutTransaction: { __typename?: 'CheckoutTransaction', id: string, status: TransactionStatus, isFinal: boolean, version: number, redirectUrl?: string | null, statusHistory: Array<{ __typename?: 'CheckoutStatusChange', status: TransactionStatus, previousStatus?: TransactionStatus | null, occurredAt: string }>, amount: { __typename?: 'Money', value: string, currency: string } } };

export type CheckoutTransactionUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type CheckoutTransactionUpdatedSubscription = { __typename?: 'Subscription', checkoutTransactionUpdated: { __typename?: 'CheckoutTransaction', id: string, status: TransactionStatus, isFinal: boolean, version: number, redirectUrl?: string | null, amount: { __typename?: 'Money', value: string, currency: string } } };

export type TransactionEventsSubscriptionVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
  statuses?: InputMaybe<Array<TransactionStatus> | TransactionStatus>;
  kinds?: InputMaybe<Array<TransactionEventKind> | TransactionEventKind>;
}>;


export type TransactionEventsSubscription = { __typename?: 'Subscription', transactionEvents: { __typename?: 'TransactionEvent', cursor: string, sequence: number, kind: TransactionEventKind, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource, occurredAt: string, refund?: { __typename?: 'Refund', id: string, status: RefundStatus, failureCode?: string | null, amount: { __typename?: 'Money', value: string, currency: string } } | null, transaction: { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } } };

export type TransactionUpdatedSubscriptionVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type TransactionUpdatedSubscription = { __typename?: 'Subscription', transactionUpdated: { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, refundedAmount: { __typename?: 'Money', value: string, currency: string }, refundableAmount: { __typename?: 'Money', value: string, currency: string }, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } };

export type CreateMerchantMutationVariables = Exact<{
  name: Scalars['String']['input'];
}>;


export type CreateMerchantMutation = { __typename?: 'Mutation', createMerchant:
    | { __typename: 'CreateMerchantSuccess', secret: string, merchant: { __typename?: 'Merchant', id: string, name: string, createdAt: string }, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string } }
    | { __typename: 'ValidationError', message: string, code: string }
   };

export type MerchantsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type MerchantsQuery = { __typename?: 'Query', merchants: { __typename?: 'MerchantConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'MerchantEdge', node: { __typename?: 'Merchant', id: string, name: string, createdAt: string } }> } };

export type SetAllowedOriginsMutationVariables = Exact<{
  origins: Array<Scalars['String']['input']> | Scalars['String']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type SetAllowedOriginsMutation = { __typename?: 'Mutation', setAllowedOrigins:
    | { __typename: 'SetAllowedOriginsSuccess', allowedOrigins: Array<string> }
    | { __typename: 'ValidationError', message: string, code: string }
   };

export type StuckTransactionsQueryVariables = Exact<{
  olderThanMinutes: Scalars['Int']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type StuckTransactionsQuery = { __typename?: 'Query', stuckTransactions: { __typename?: 'StuckTransactionConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'StuckTransactionEdge', node: { __typename?: 'Transaction', id: string, status: TransactionStatus, updatedAt: string } }> } };

export type NotificationFieldsFragment = { __typename?: 'Notification', id: string, sender: NotificationSender, externalId?: string | null, eventType?: string | null, transactionReference?: string | null, targetStatus?: TransactionStatus | null, providerReference?: string | null, outcome: NotificationOutcome, detail?: string | null, deliveries: number, contentType: string, rawBody: string, receivedAt: string, lastReceivedAt: string, amount?: { __typename?: 'Money', value: string, currency: string } | null, anomaly?: { __typename?: 'Anomaly', id: string, kind: AnomalyKind, status: AnomalyStatus } | null, transactionEvent?: { __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, source: EventSource } | null };

export type TransactionNotificationsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type TransactionNotificationsQuery = { __typename?: 'Query', transaction?: { __typename?: 'Transaction', id: string, status: TransactionStatus, statusReason?: string | null, providerReference?: string | null, events: Array<{ __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource }>, notifications: Array<{ __typename?: 'Notification', id: string, sender: NotificationSender, externalId?: string | null, eventType?: string | null, transactionReference?: string | null, targetStatus?: TransactionStatus | null, providerReference?: string | null, outcome: NotificationOutcome, detail?: string | null, deliveries: number, contentType: string, rawBody: string, receivedAt: string, lastReceivedAt: string, amount?: { __typename?: 'Money', value: string, currency: string } | null, anomaly?: { __typename?: 'Anomaly', id: string, kind: AnomalyKind, status: AnomalyStatus } | null, transactionEvent?: { __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, source: EventSource } | null }> } | null };

export type AnomaliesQueryVariables = Exact<{
  status?: InputMaybe<AnomalyStatus>;
  kind?: InputMaybe<AnomalyKind>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type AnomaliesQuery = { __typename?: 'Query', anomalies: { __typename?: 'AnomalyConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'AnomalyEdge', node: { __typename?: 'Anomaly', id: string, kind: AnomalyKind, status: AnomalyStatus, detail: string, resolution?: string | null, createdAt: string, resolvedAt?: string | null, transaction?: { __typename?: 'Transaction', id: string, status: TransactionStatus } | null, refund?: { __typename?: 'Refund', id: string, status: RefundStatus } | null, notifications: Array<{ __typename?: 'Notification', id: string, sender: NotificationSender, externalId?: string | null, eventType?: string | null, transactionReference?: string | null, targetStatus?: TransactionStatus | null, providerReference?: string | null, outcome: NotificationOutcome, detail?: string | null, deliveries: number, contentType: string, rawBody: string, receivedAt: string, lastReceivedAt: string, amount?: { __typename?: 'Money', value: string, currency: string } | null, anomaly?: { __typename?: 'Anomaly', id: string, kind: AnomalyKind, status: AnomalyStatus } | null, transactionEvent?: { __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, source: EventSource } | null }> } }> } };

export type NotificationStatsQueryVariables = Exact<{
  since?: InputMaybe<Scalars['DateTime']['input']>;
}>;


export type NotificationStatsQuery = { __typename?: 'Query', notificationStats: { __typename?: 'NotificationStats', since: string, openAnomalies: number, rejections: Array<{ __typename?: 'NotificationRejectionCount', sender: NotificationSender, reason: string, count: number, lastSeenAt: string }>, outcomes: Array<{ __typename?: 'NotificationOutcomeCount', sender: NotificationSender, outcome: NotificationOutcome, count: number }> } };

export type ResolveAnomalyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  resolution: Scalars['String']['input'];
}>;


export type ResolveAnomalyMutation = { __typename?: 'Mutation', resolveAnomaly:
    | { __typename: 'NotFoundError', message: string, code: string }
    | { __typename: 'ResolveAnomalySuccess', anomaly: { __typename?: 'Anomaly', id: string, status: AnomalyStatus, resolution?: string | null, resolvedAt?: string | null } }
    | { __typename: 'ValidationError', message: string, code: string }
   };

export type RefundFieldsFragment = { __typename?: 'Refund', id: string, reason: string, status: RefundStatus, source: EventSource, providerReference?: string | null, failureCode?: string | null, requestedAt: string, completedAt?: string | null, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } };

export type RefundTransactionMutationVariables = Exact<{
  input: RefundTransactionInput;
}>;


export type RefundTransactionMutation = { __typename?: 'Mutation', refundTransaction:
    | { __typename: 'AmountExceedsRefundableError', message: string, code: string, refundableAmount: { __typename?: 'Money', value: string, currency: string } }
    | { __typename: 'IdempotencyConflictError', message: string, code: string }
    | { __typename: 'InvalidStateError', message: string, code: string, currentStatus: TransactionStatus }
    | { __typename: 'NotFoundError', message: string, code: string }
    | { __typename: 'RefundTransactionSuccess', refund: { __typename?: 'Refund', id: string, reason: string, status: RefundStatus, source: EventSource, providerReference?: string | null, failureCode?: string | null, requestedAt: string, completedAt?: string | null, transaction: { __typename?: 'Transaction', id: string, status: TransactionStatus, refundedAmount: { __typename?: 'Money', value: string, currency: string }, refundableAmount: { __typename?: 'Money', value: string, currency: string } }, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } }
    | { __typename: 'ValidationError', message: string, code: string, fields: Array<{ __typename?: 'FieldError', path: Array<string>, message: string }> }
   };

export type TransactionRefundsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type TransactionRefundsQuery = { __typename?: 'Query', transaction?: { __typename?: 'Transaction', id: string, status: TransactionStatus, amount: { __typename?: 'Money', value: string, currency: string }, refundedAmount: { __typename?: 'Money', value: string, currency: string }, refundableAmount: { __typename?: 'Money', value: string, currency: string }, refunds: Array<{ __typename?: 'Refund', id: string, reason: string, status: RefundStatus, source: EventSource, providerReference?: string | null, failureCode?: string | null, requestedAt: string, completedAt?: string | null, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } }>, events: Array<{ __typename?: 'TransactionEvent', sequence: number, kind: TransactionEventKind, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource, reason?: string | null, refund?: { __typename?: 'Refund', id: string, status: RefundStatus } | null }> } | null };

export type StuckRefundsQueryVariables = Exact<{
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type StuckRefundsQuery = { __typename?: 'Query', stuckRefunds: { __typename?: 'StuckRefundConnection', totalCount: number, edges: Array<{ __typename?: 'StuckRefundEdge', node: { __typename?: 'Refund', attempts: number, acceptedAt?: string | null, lastAttemptError?: string | null, stuckAt?: string | null, id: string, reason: string, status: RefundStatus, source: EventSource, providerReference?: string | null, failureCode?: string | null, requestedAt: string, completedAt?: string | null, transaction: { __typename?: 'Transaction', id: string, merchantReference: string }, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } }> } };

export type DailyReportQueryVariables = Exact<{
  date: Scalars['Date']['input'];
  timeZone?: InputMaybe<Scalars['String']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type DailyReportQuery = { __typename?: 'Query', dailyReport: { __typename?: 'DailyReport', date: string, timeZone: string, startsAt: string, endsAt: string, rows: Array<{ __typename?: 'DailyReportRow', status: TransactionStatus, currency: string, count: number, total: { __typename?: 'Money', value: string, currency: string, minorUnits: string } }>, funnel: { __typename?: 'ConversionFunnel', created: number, redirected: number, captured: number, paid: number, rejected: number, cancelled: number, conversionRate?: string | null }, remittance: Array<{ __typename?: 'RemittanceRow', currency: string, count: number, refundCount: number, total: { __typename?: 'Money', value: string, currency: string, minorUnits: string }, refunded: { __typename?: 'Money', value: string, minorUnits: string }, net: { __typename?: 'Money', value: string, minorUnits: string } }>, refunds: Array<{ __typename?: 'DailyRefundRow', currency: string, requested: { __typename?: 'RefundTally', count: number, total: { __typename?: 'Money', value: string } }, succeeded: { __typename?: 'RefundTally', count: number, total: { __typename?: 'Money', value: string } }, failed: { __typename?: 'RefundTally', count: number, total: { __typename?: 'Money', value: string } } }> } };

export type DailyReportByMerchantQueryVariables = Exact<{
  date: Scalars['Date']['input'];
  timeZone?: InputMaybe<Scalars['String']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type DailyReportByMerchantQuery = { __typename?: 'Query', dailyReport: { __typename?: 'DailyReport', date: string, timeZone: string, merchant?: { __typename?: 'Merchant', id: string, name: string } | null, byMerchant: Array<{ __typename?: 'MerchantDailyReport', merchant: { __typename?: 'Merchant', id: string, name: string }, rows: Array<{ __typename?: 'DailyReportRow', status: TransactionStatus, currency: string, count: number, total: { __typename?: 'Money', value: string, minorUnits: string } }>, funnel: { __typename?: 'ConversionFunnel', created: number, captured: number, paid: number, conversionRate?: string | null }, remittance: Array<{ __typename?: 'RemittanceRow', currency: string, count: number, total: { __typename?: 'Money', value: string, minorUnits: string }, net: { __typename?: 'Money', value: string } }>, refunds: Array<{ __typename?: 'DailyRefundRow', currency: string, succeeded: { __typename?: 'RefundTally', count: number, total: { __typename?: 'Money', value: string } } }> }> } };

export type TransactionFieldsFragment = { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } };

export type CreateTransactionMutationVariables = Exact<{
  input: CreateTransactionInput;
}>;


export type CreateTransactionMutation = { __typename?: 'Mutation', createTransaction:
    | { __typename: 'CreateTransactionSuccess', clientSecret: string, transaction: { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, events: Array<{ __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource, cursor: string }>, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } }
    | { __typename: 'IdempotencyConflictError', message: string, code: string }
    | { __typename: 'ValidationError', message: string, code: string, fields: Array<{ __typename?: 'FieldError', path: Array<string>, message: string }> }
   };

export type CancelTransactionMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CancelTransactionMutation = { __typename?: 'Mutation', cancelTransaction:
    | { __typename: 'CancelTransactionSuccess', transaction: { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } }
    | { __typename: 'InvalidStateError', message: string, code: string, currentStatus: TransactionStatus }
    | { __typename: 'NotFoundError', message: string, code: string }
   };

export type TransactionQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type TransactionQuery = { __typename?: 'Query', transaction?: { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, events: Array<{ __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource, occurredAt: string, cursor: string }>, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } | null };

export type TransactionsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TransactionFilter>;
}>;


export type TransactionsQuery = { __typename?: 'Query', transactions: { __typename?: 'TransactionConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ __typename?: 'TransactionEdge', cursor: string, node: { __typename?: 'Transaction', id: string, merchantReference: string, paymentProduct: PaymentProduct, status: TransactionStatus, isFinal: boolean, isCancellable: boolean, redirectUrl?: string | null, returnUrl: string, providerReference?: string | null, statusReason?: string | null, createdAt: string, updatedAt: string, events: Array<{ __typename?: 'TransactionEvent', sequence: number, status: TransactionStatus, source: EventSource }>, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } }> } };

export type NodeQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type NodeQuery = { __typename?: 'Query', node?:
    | { __typename: 'Anomaly', id: string }
    | { __typename: 'Merchant', name: string, id: string }
    | { __typename: 'Notification', id: string }
    | { __typename: 'Refund', id: string }
    | { __typename: 'Transaction', status: TransactionStatus, id: string }
    | { __typename: 'WebhookDelivery', id: string }
    | { __typename: 'WebhookEndpoint', id: string }
   | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, unknown> | undefined;

  constructor(value: string, __meta__?: Record<string, unknown> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ApiKeyFieldsFragmentDoc = new TypedDocumentString(`
    fragment ApiKeyFields on ApiKey {
  id
  prefix
  role
  publishableKey
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}
    `, {"fragmentName":"ApiKeyFields"}) as unknown as TypedDocumentString<ApiKeyFieldsFragment, unknown>;
export const CheckoutTransactionFieldsFragmentDoc = new TypedDocumentString(`
    fragment CheckoutTransactionFields on CheckoutTransaction {
  id
  status
  isFinal
  version
  redirectUrl
  amount {
    value
    currency
  }
}
    `, {"fragmentName":"CheckoutTransactionFields"}) as unknown as TypedDocumentString<CheckoutTransactionFieldsFragment, unknown>;
export const NotificationFieldsFragmentDoc = new TypedDocumentString(`
    fragment NotificationFields on Notification {
  id
  sender
  externalId
  eventType
  transactionReference
  targetStatus
  amount {
    value
    currency
  }
  providerReference
  outcome
  detail
  deliveries
  contentType
  rawBody
  receivedAt
  lastReceivedAt
  anomaly {
    id
    kind
    status
  }
  transactionEvent {
    sequence
    status
    source
  }
}
    `, {"fragmentName":"NotificationFields"}) as unknown as TypedDocumentString<NotificationFieldsFragment, unknown>;
export const RefundFieldsFragmentDoc = new TypedDocumentString(`
    fragment RefundFields on Refund {
  id
  amount {
    value
    currency
    minorUnits
  }
  reason
  status
  source
  providerReference
  failureCode
  requestedAt
  completedAt
}
    `, {"fragmentName":"RefundFields"}) as unknown as TypedDocumentString<RefundFieldsFragment, unknown>;
export const TransactionFieldsFragmentDoc = new TypedDocumentString(`
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}
    `, {"fragmentName":"TransactionFields"}) as unknown as TypedDocumentString<TransactionFieldsFragment, unknown>;
export const ApiKeysDocument = new TypedDocumentString(`
    query ApiKeys($merchantId: ID) {
  apiKeys(merchantId: $merchantId) {
    ...ApiKeyFields
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  prefix
  role
  publishableKey
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<ApiKeysQuery, ApiKeysQueryVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($role: MerchantKeyRole!, $merchantId: ID) {
  createApiKey(role: $role, merchantId: $merchantId) {
    __typename
    ... on CreateApiKeySuccess {
      secret
      apiKey {
        ...ApiKeyFields
      }
    }
    ... on Error {
      message
      code
    }
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  prefix
  role
  publishableKey
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    __typename
    ... on RevokeApiKeySuccess {
      apiKey {
        ...ApiKeyFields
      }
    }
    ... on Error {
      message
      code
    }
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  prefix
  role
  publishableKey
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const RollApiKeyDocument = new TypedDocumentString(`
    mutation RollApiKey($id: ID!, $expiresInHours: Int) {
  rollApiKey(id: $id, expiresInHours: $expiresInHours) {
    __typename
    ... on RollApiKeySuccess {
      secret
      apiKey {
        ...ApiKeyFields
      }
      previous {
        ...ApiKeyFields
      }
    }
    ... on Error {
      message
      code
    }
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  prefix
  role
  publishableKey
  createdAt
  lastUsedAt
  expiresAt
  revokedAt
}`) as unknown as TypedDocumentString<RollApiKeyMutation, RollApiKeyMutationVariables>;
export const CheckoutTransactionDocument = new TypedDocumentString(`
    query CheckoutTransaction {
  checkoutTransaction {
    ...CheckoutTransactionFields
    statusHistory {
      status
      previousStatus
      occurredAt
    }
  }
}
    fragment CheckoutTransactionFields on CheckoutTransaction {
  id
  status
  isFinal
  version
  redirectUrl
  amount {
    value
    currency
  }
}`) as unknown as TypedDocumentString<CheckoutTransactionQuery, CheckoutTransactionQueryVariables>;
export const CheckoutTransactionUpdatedDocument = new TypedDocumentString(`
    subscription CheckoutTransactionUpdated {
  checkoutTransactionUpdated {
    ...CheckoutTransactionFields
  }
}
    fragment CheckoutTransactionFields on CheckoutTransaction {
  id
  status
  isFinal
  version
  redirectUrl
  amount {
    value
    currency
  }
}`) as unknown as TypedDocumentString<CheckoutTransactionUpdatedSubscription, CheckoutTransactionUpdatedSubscriptionVariables>;
export const TransactionEventsDocument = new TypedDocumentString(`
    subscription TransactionEvents($after: String, $statuses: [TransactionStatus!], $kinds: [TransactionEventKind!]) {
  transactionEvents(after: $after, statuses: $statuses, kinds: $kinds) {
    cursor
    sequence
    kind
    status
    previousStatus
    source
    occurredAt
    refund {
      id
      status
      amount {
        value
        currency
      }
      failureCode
    }
    transaction {
      ...TransactionFields
    }
  }
}
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TransactionEventsSubscription, TransactionEventsSubscriptionVariables>;
export const TransactionUpdatedDocument = new TypedDocumentString(`
    subscription TransactionUpdated($id: ID!) {
  transactionUpdated(id: $id) {
    ...TransactionFields
    refundedAmount {
      value
      currency
    }
    refundableAmount {
      value
      currency
    }
  }
}
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TransactionUpdatedSubscription, TransactionUpdatedSubscriptionVariables>;
export const CreateMerchantDocument = new TypedDocumentString(`
    mutation CreateMerchant($name: String!) {
  createMerchant(name: $name) {
    __typename
    ... on CreateMerchantSuccess {
      merchant {
        id
        name
        createdAt
      }
      apiKey {
        id
        prefix
        role
      }
      secret
    }
    ... on Error {
      message
      code
    }
  }
}
    `) as unknown as TypedDocumentString<CreateMerchantMutation, CreateMerchantMutationVariables>;
export const MerchantsDocument = new TypedDocumentString(`
    query Merchants($first: Int, $after: String) {
  merchants(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        name
        createdAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<MerchantsQuery, MerchantsQueryVariables>;
export const SetAllowedOriginsDocument = new TypedDocumentString(`
    mutation SetAllowedOrigins($origins: [String!]!, $merchantId: ID) {
  setAllowedOrigins(origins: $origins, merchantId: $merchantId) {
    __typename
    ... on SetAllowedOriginsSuccess {
      allowedOrigins
    }
    ... on Error {
      message
      code
    }
  }
}
    `) as unknown as TypedDocumentString<SetAllowedOriginsMutation, SetAllowedOriginsMutationVariables>;
export const StuckTransactionsDocument = new TypedDocumentString(`
    query StuckTransactions($olderThanMinutes: Int!, $merchantId: ID, $first: Int, $after: String) {
  stuckTransactions(
    olderThanMinutes: $olderThanMinutes
    merchantId: $merchantId
    first: $first
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        status
        updatedAt
      }
    }
  }
}
    `) as unknown as TypedDocumentString<StuckTransactionsQuery, StuckTransactionsQueryVariables>;
export const TransactionNotificationsDocument = new TypedDocumentString(`
    query TransactionNotifications($id: ID!) {
  transaction(id: $id) {
    id
    status
    statusReason
    providerReference
    events {
      sequence
      status
      previousStatus
      source
    }
    notifications {
      ...NotificationFields
    }
  }
}
    fragment NotificationFields on Notification {
  id
  sender
  externalId
  eventType
  transactionReference
  targetStatus
  amount {
    value
    currency
  }
  providerReference
  outcome
  detail
  deliveries
  contentType
  rawBody
  receivedAt
  lastReceivedAt
  anomaly {
    id
    kind
    status
  }
  transactionEvent {
    sequence
    status
    source
  }
}`) as unknown as TypedDocumentString<TransactionNotificationsQuery, TransactionNotificationsQueryVariables>;
export const AnomaliesDocument = new TypedDocumentString(`
    query Anomalies($status: AnomalyStatus, $kind: AnomalyKind, $first: Int, $after: String) {
  anomalies(status: $status, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        kind
        status
        detail
        resolution
        createdAt
        resolvedAt
        transaction {
          id
          status
        }
        refund {
          id
          status
        }
        notifications {
          ...NotificationFields
        }
      }
    }
  }
}
    fragment NotificationFields on Notification {
  id
  sender
  externalId
  eventType
  transactionReference
  targetStatus
  amount {
    value
    currency
  }
  providerReference
  outcome
  detail
  deliveries
  contentType
  rawBody
  receivedAt
  lastReceivedAt
  anomaly {
    id
    kind
    status
  }
  transactionEvent {
    sequence
    status
    source
  }
}`) as unknown as TypedDocumentString<AnomaliesQuery, AnomaliesQueryVariables>;
export const NotificationStatsDocument = new TypedDocumentString(`
    query NotificationStats($since: DateTime) {
  notificationStats(since: $since) {
    since
    openAnomalies
    rejections {
      sender
      reason
      count
      lastSeenAt
    }
    outcomes {
      sender
      outcome
      count
    }
  }
}
    `) as unknown as TypedDocumentString<NotificationStatsQuery, NotificationStatsQueryVariables>;
export const ResolveAnomalyDocument = new TypedDocumentString(`
    mutation ResolveAnomaly($id: ID!, $resolution: String!) {
  resolveAnomaly(id: $id, resolution: $resolution) {
    __typename
    ... on ResolveAnomalySuccess {
      anomaly {
        id
        status
        resolution
        resolvedAt
      }
    }
    ... on Error {
      message
      code
    }
  }
}
    `) as unknown as TypedDocumentString<ResolveAnomalyMutation, ResolveAnomalyMutationVariables>;
export const RefundTransactionDocument = new TypedDocumentString(`
    mutation RefundTransaction($input: RefundTransactionInput!) {
  refundTransaction(input: $input) {
    __typename
    ... on RefundTransactionSuccess {
      refund {
        ...RefundFields
        transaction {
          id
          status
          refundedAmount {
            value
            currency
          }
          refundableAmount {
            value
            currency
          }
        }
      }
    }
    ... on Error {
      message
      code
    }
    ... on ValidationError {
      fields {
        path
        message
      }
    }
    ... on InvalidStateError {
      currentStatus
    }
    ... on AmountExceedsRefundableError {
      refundableAmount {
        value
        currency
      }
    }
  }
}
    fragment RefundFields on Refund {
  id
  amount {
    value
    currency
    minorUnits
  }
  reason
  status
  source
  providerReference
  failureCode
  requestedAt
  completedAt
}`) as unknown as TypedDocumentString<RefundTransactionMutation, RefundTransactionMutationVariables>;
export const TransactionRefundsDocument = new TypedDocumentString(`
    query TransactionRefunds($id: ID!) {
  transaction(id: $id) {
    id
    status
    amount {
      value
      currency
    }
    refundedAmount {
      value
      currency
    }
    refundableAmount {
      value
      currency
    }
    refunds {
      ...RefundFields
    }
    events {
      sequence
      kind
      status
      previousStatus
      source
      reason
      refund {
        id
        status
      }
    }
  }
}
    fragment RefundFields on Refund {
  id
  amount {
    value
    currency
    minorUnits
  }
  reason
  status
  source
  providerReference
  failureCode
  requestedAt
  completedAt
}`) as unknown as TypedDocumentString<TransactionRefundsQuery, TransactionRefundsQueryVariables>;
export const StuckRefundsDocument = new TypedDocumentString(`
    query StuckRefunds($merchantId: ID, $first: Int, $after: String) {
  stuckRefunds(merchantId: $merchantId, first: $first, after: $after) {
    totalCount
    edges {
      node {
        ...RefundFields
        attempts
        acceptedAt
        lastAttemptError
        stuckAt
        transaction {
          id
          merchantReference
        }
      }
    }
  }
}
    fragment RefundFields on Refund {
  id
  amount {
    value
    currency
    minorUnits
  }
  reason
  status
  source
  providerReference
  failureCode
  requestedAt
  completedAt
}`) as unknown as TypedDocumentString<StuckRefundsQuery, StuckRefundsQueryVariables>;
export const DailyReportDocument = new TypedDocumentString(`
    query DailyReport($date: Date!, $timeZone: String, $merchantId: ID) {
  dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
    date
    timeZone
    startsAt
    endsAt
    rows {
      status
      currency
      count
      total {
        value
        currency
        minorUnits
      }
    }
    funnel {
      created
      redirected
      captured
      paid
      rejected
      cancelled
      conversionRate
    }
    remittance {
      currency
      count
      total {
        value
        currency
        minorUnits
      }
      refundCount
      refunded {
        value
        minorUnits
      }
      net {
        value
        minorUnits
      }
    }
    refunds {
      currency
      requested {
        count
        total {
          value
        }
      }
      succeeded {
        count
        total {
          value
        }
      }
      failed {
        count
        total {
          value
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DailyReportQuery, DailyReportQueryVariables>;
export const DailyReportByMerchantDocument = new TypedDocumentString(`
    query DailyReportByMerchant($date: Date!, $timeZone: String, $merchantId: ID) {
  dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
    date
    timeZone
    merchant {
      id
      name
    }
    byMerchant {
      merchant {
        id
        name
      }
      rows {
        status
        currency
        count
        total {
          value
          minorUnits
        }
      }
      funnel {
        created
        captured
        paid
        conversionRate
      }
      remittance {
        currency
        count
        total {
          value
          minorUnits
        }
        net {
          value
        }
      }
      refunds {
        currency
        succeeded {
          count
          total {
            value
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<DailyReportByMerchantQuery, DailyReportByMerchantQueryVariables>;
export const CreateTransactionDocument = new TypedDocumentString(`
    mutation CreateTransaction($input: CreateTransactionInput!) {
  createTransaction(input: $input) {
    __typename
    ... on CreateTransactionSuccess {
      clientSecret
      transaction {
        ...TransactionFields
        events {
          sequence
          status
          previousStatus
          source
          cursor
        }
      }
    }
    ... on Error {
      message
      code
    }
    ... on ValidationError {
      fields {
        path
        message
      }
    }
  }
}
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CreateTransactionMutation, CreateTransactionMutationVariables>;
export const CancelTransactionDocument = new TypedDocumentString(`
    mutation CancelTransaction($id: ID!) {
  cancelTransaction(id: $id) {
    __typename
    ... on CancelTransactionSuccess {
      transaction {
        ...TransactionFields
      }
    }
    ... on Error {
      message
      code
    }
    ... on InvalidStateError {
      currentStatus
    }
  }
}
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<CancelTransactionMutation, CancelTransactionMutationVariables>;
export const TransactionDocument = new TypedDocumentString(`
    query Transaction($id: ID!) {
  transaction(id: $id) {
    ...TransactionFields
    events {
      sequence
      status
      previousStatus
      source
      occurredAt
      cursor
    }
  }
}
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TransactionQuery, TransactionQueryVariables>;
export const TransactionsDocument = new TypedDocumentString(`
    query Transactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter) {
  transactions(
    first: $first
    after: $after
    last: $last
    before: $before
    filter: $filter
  ) {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      cursor
      node {
        ...TransactionFields
        events {
          sequence
          status
          source
        }
      }
    }
  }
}
    fragment TransactionFields on Transaction {
  id
  merchantReference
  amount {
    value
    currency
    minorUnits
  }
  paymentProduct
  status
  isFinal
  isCancellable
  redirectUrl
  returnUrl
  providerReference
  statusReason
  createdAt
  updatedAt
}`) as unknown as TypedDocumentString<TransactionsQuery, TransactionsQueryVariables>;
export const NodeDocument = new TypedDocumentString(`
    query Node($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Transaction {
      status
    }
    ... on Merchant {
      name
    }
  }
}
    `) as unknown as TypedDocumentString<NodeQuery, NodeQueryVariables>;