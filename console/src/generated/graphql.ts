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

export type ConsoleMerchantsQueryVariables = Exact<{
  first: Scalars['Int']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ConsoleMerchantsQuery = { __typename?: 'Query', merchants: { __typename?: 'MerchantConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'MerchantEdge', node: { __typename?: 'Merchant', id: string, name: string, createdAt: string } }> } };

export type ConsoleDailyReportQueryVariables = Exact<{
  date: Scalars['Date']['input'];
  timeZone: Scalars['String']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ConsoleDailyReportQuery = { __typename?: 'Query', dailyReport: { __typename?: 'DailyReport', date: string, timeZone: string, startsAt: string, endsAt: string, rows: Array<{ __typename?: 'DailyReportRow', status: TransactionStatus, currency: string, count: number, total: { __typename?: 'Money', value: string, currency: string } }>, remittance: Array<{ __typename?: 'RemittanceRow', currency: string, count: number, total: { __typename?: 'Money', value: string, currency: string }, refunded: { __typename?: 'Money', value: string, currency: string }, net: { __typename?: 'Money', value: string, currency: string } }>, funnel: { __typename?: 'ConversionFunnel', created: number, redirected: number, captured: number, paid: number, rejected: number, cancelled: number, conversionRate?: string | null } } };

export type ConsoleLiveEventsSubscriptionVariables = Exact<{
  after?: InputMaybe<Scalars['String']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  admin: Scalars['Boolean']['input'];
}>;


export type ConsoleLiveEventsSubscription = { __typename?: 'Subscription', transactionEvents: { __typename?: 'TransactionEvent', cursor: string, kind: TransactionEventKind, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource, reason?: string | null, occurredAt: string, transaction: { __typename?: 'Transaction', id: string, merchantReference: string, amount: { __typename?: 'Money', value: string, currency: string }, merchant?: { __typename?: 'Merchant', name: string } } } };

export type ConsoleTransactionsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TransactionFilter>;
  admin: Scalars['Boolean']['input'];
}>;


export type ConsoleTransactionsQuery = { __typename?: 'Query', transactions: { __typename?: 'TransactionConnection', totalCount: number, totalCountIsExact: boolean, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ __typename?: 'TransactionEdge', node: { __typename?: 'Transaction', id: string, merchantReference: string, status: TransactionStatus, createdAt: string, amount: { __typename?: 'Money', value: string, currency: string }, merchant?: { __typename?: 'Merchant', name: string } } }> } };

export type ConsoleTransactionQueryVariables = Exact<{
  id: Scalars['ID']['input'];
  admin: Scalars['Boolean']['input'];
}>;


export type ConsoleTransactionQuery = { __typename?: 'Query', transaction?: { __typename?: 'Transaction', id: string, merchantReference: string, status: TransactionStatus, statusReason?: string | null, isCancellable: boolean, providerReference?: string | null, createdAt: string, updatedAt: string, amount: { __typename?: 'Money', value: string, currency: string }, refundableAmount: { __typename?: 'Money', value: string, currency: string, minorUnits: string }, refundedAmount: { __typename?: 'Money', value: string, currency: string }, merchant?: { __typename?: 'Merchant', id: string, name: string }, events: Array<{ __typename?: 'TransactionEvent', sequence: number, kind: TransactionEventKind, status: TransactionStatus, previousStatus?: TransactionStatus | null, source: EventSource, reason?: string | null, occurredAt: string, refund?: { __typename?: 'Refund', amount: { __typename?: 'Money', value: string, currency: string } } | null }>, refunds: Array<{ __typename?: 'Refund', id: string, status: RefundStatus, reason: string, failureCode?: string | null, requestedAt: string, amount: { __typename?: 'Money', value: string, currency: string } }>, notifications?: Array<{ __typename?: 'Notification', id: string, sender: NotificationSender, eventType?: string | null, targetStatus?: TransactionStatus | null, outcome: NotificationOutcome, detail?: string | null, deliveries: number, receivedAt: string, anomaly?: { __typename?: 'Anomaly', id: string, kind: AnomalyKind, status: AnomalyStatus, detail: string, resolution?: string | null } | null }> } | null };

export type ConsoleCancelTransactionMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ConsoleCancelTransactionMutation = { __typename?: 'Mutation', cancelTransaction:
    | { __typename: 'CancelTransactionSuccess' }
    | { __typename: 'InvalidStateError', code: string, message: string }
    | { __typename: 'NotFoundError', code: string, message: string }
   };

export type ConsoleRefundTransactionMutationVariables = Exact<{
  input: RefundTransactionInput;
}>;


export type ConsoleRefundTransactionMutation = { __typename?: 'Mutation', refundTransaction:
    | { __typename: 'AmountExceedsRefundableError', code: string, message: string }
    | { __typename: 'IdempotencyConflictError', code: string, message: string }
    | { __typename: 'InvalidStateError', code: string, message: string }
    | { __typename: 'NotFoundError', code: string, message: string }
    | { __typename: 'RefundTransactionSuccess' }
    | { __typename: 'ValidationError', code: string, message: string }
   };

export type ConsoleResolveAnomalyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  resolution: Scalars['String']['input'];
}>;


export type ConsoleResolveAnomalyMutation = { __typename?: 'Mutation', resolveAnomaly:
    | { __typename: 'NotFoundError', code: string, message: string }
    | { __typename: 'ResolveAnomalySuccess' }
    | { __typename: 'ValidationError', code: string, message: string }
   };

export type ConsoleDailyBreakdownQueryVariables = Exact<{
  date: Scalars['Date']['input'];
  timeZone: Scalars['String']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ConsoleDailyBreakdownQuery = { __typename?: 'Query', dailyReport: { __typename?: 'DailyReport', byMerchant: Array<{ __typename?: 'MerchantDailyReport', merchant: { __typename?: 'Merchant', id: string, name: string }, funnel: { __typename?: 'ConversionFunnel', created: number, captured: number, paid: number, conversionRate?: string | null }, remittance: Array<{ __typename?: 'RemittanceRow', currency: string, count: number, total: { __typename?: 'Money', value: string, currency: string } }> }> } };

export type ConsoleHourlyVolumesQueryVariables = Exact<{
  from: Scalars['Date']['input'];
  to: Scalars['Date']['input'];
  timeZone: Scalars['String']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ConsoleHourlyVolumesQuery = { __typename?: 'Query', transactionStats:
    | { __typename: 'TransactionStats', currencies: Array<string>, rows: Array<{ __typename?: 'TransactionStatsRow', start: string, localStart: string, created: number, captured: number, paid: number, amounts: Array<{ __typename?: 'TransactionStatsAmounts', currency: string, created: { __typename?: 'Money', value: string }, paid: { __typename?: 'Money', value: string } }> }> }
    | { __typename: 'ValidationError', code: string, message: string }
   };

export type ConsoleOperationsQueryVariables = Exact<{
  olderThanMinutes: Scalars['Int']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ConsoleOperationsQuery = { __typename?: 'Query', anomalies: { __typename?: 'AnomalyConnection', totalCount: number, edges: Array<{ __typename?: 'AnomalyEdge', node: { __typename?: 'Anomaly', id: string, kind: AnomalyKind, detail: string, createdAt: string, transaction?: { __typename?: 'Transaction', id: string, merchantReference: string, merchant: { __typename?: 'Merchant', name: string } } | null } }> }, stuckTransactions: { __typename?: 'StuckTransactionConnection', totalCount: number, edges: Array<{ __typename?: 'StuckTransactionEdge', node: { __typename?: 'Transaction', id: string, merchantReference: string, status: TransactionStatus, updatedAt: string, amount: { __typename?: 'Money', value: string, currency: string }, merchant: { __typename?: 'Merchant', name: string } } }> }, notificationStats: { __typename?: 'NotificationStats', since: string, openAnomalies: number, outcomes: Array<{ __typename?: 'NotificationOutcomeCount', sender: NotificationSender, outcome: NotificationOutcome, count: number }>, rejections: Array<{ __typename?: 'NotificationRejectionCount', sender: NotificationSender, reason: string, count: number, lastSeenAt: string }> } };

export type ConsoleCreateMerchantMutationVariables = Exact<{
  name: Scalars['String']['input'];
}>;


export type ConsoleCreateMerchantMutation = { __typename?: 'Mutation', createMerchant:
    | { __typename: 'CreateMerchantSuccess', secret: string, merchant: { __typename?: 'Merchant', id: string, name: string } }
    | { __typename: 'ValidationError', code: string, message: string }
   };

export type ConsoleApiKeysQueryVariables = Exact<{
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ConsoleApiKeysQuery = { __typename?: 'Query', apiKeys: Array<{ __typename?: 'ApiKey', id: string, prefix: string, role: string, publishableKey?: string | null, createdAt: string, lastUsedAt?: string | null, expiresAt?: string | null, revokedAt?: string | null }> };

export type ConsoleCreateApiKeyMutationVariables = Exact<{
  role: MerchantKeyRole;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type ConsoleCreateApiKeyMutation = { __typename?: 'Mutation', createApiKey:
    | { __typename: 'CreateApiKeySuccess', secret: string, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string } }
    | { __typename: 'ValidationError', code: string, message: string }
   };

export type ConsoleRevokeApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ConsoleRevokeApiKeyMutation = { __typename?: 'Mutation', revokeApiKey:
    | { __typename: 'NotFoundError', code: string, message: string }
    | { __typename: 'RevokeApiKeySuccess', apiKey: { __typename?: 'ApiKey', id: string, revokedAt?: string | null } }
   };

export type ConsoleRollApiKeyMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  expiresInHours: Scalars['Int']['input'];
}>;


export type ConsoleRollApiKeyMutation = { __typename?: 'Mutation', rollApiKey:
    | { __typename: 'NotFoundError', code: string, message: string }
    | { __typename: 'RollApiKeySuccess', secret: string, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string }, previous: { __typename?: 'ApiKey', id: string, expiresAt?: string | null, revokedAt?: string | null } }
    | { __typename: 'ValidationError', code: string, message: string }
   };

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

export const ConsoleMerchantsDocument = new TypedDocumentString(`
    query ConsoleMerchants($first: Int!, $after: String) {
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
    `) as unknown as TypedDocumentString<ConsoleMerchantsQuery, ConsoleMerchantsQueryVariables>;
export const ConsoleDailyReportDocument = new TypedDocumentString(`
    query ConsoleDailyReport($date: Date!, $timeZone: String!, $merchantId: ID) {
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
      }
    }
    remittance {
      currency
      count
      total {
        value
        currency
      }
      refunded {
        value
        currency
      }
      net {
        value
        currency
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
  }
}
    `) as unknown as TypedDocumentString<ConsoleDailyReportQuery, ConsoleDailyReportQueryVariables>;
export const ConsoleLiveEventsDocument = new TypedDocumentString(`
    subscription ConsoleLiveEvents($after: String, $merchantId: ID, $admin: Boolean!) {
  transactionEvents(
    after: $after
    merchantId: $merchantId
    kinds: [STATUS_CHANGED, REFUND_REQUESTED, REFUND_SUCCEEDED, REFUND_FAILED]
  ) {
    cursor
    kind
    status
    previousStatus
    source
    reason
    occurredAt
    transaction {
      id
      merchantReference
      amount {
        value
        currency
      }
      merchant @include(if: $admin) {
        name
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleLiveEventsSubscription, ConsoleLiveEventsSubscriptionVariables>;
export const ConsoleTransactionsDocument = new TypedDocumentString(`
    query ConsoleTransactions($first: Int, $after: String, $last: Int, $before: String, $filter: TransactionFilter, $admin: Boolean!) {
  transactions(
    first: $first
    after: $after
    last: $last
    before: $before
    filter: $filter
  ) {
    totalCount
    totalCountIsExact
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        id
        merchantReference
        status
        createdAt
        amount {
          value
          currency
        }
        merchant @include(if: $admin) {
          name
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTransactionsQuery, ConsoleTransactionsQueryVariables>;
export const ConsoleTransactionDocument = new TypedDocumentString(`
    query ConsoleTransaction($id: ID!, $admin: Boolean!) {
  transaction(id: $id) {
    id
    merchantReference
    status
    statusReason
    isCancellable
    providerReference
    createdAt
    updatedAt
    amount {
      value
      currency
    }
    refundableAmount {
      value
      currency
      minorUnits
    }
    refundedAmount {
      value
      currency
    }
    merchant @include(if: $admin) {
      id
      name
    }
    events {
      sequence
      kind
      status
      previousStatus
      source
      reason
      occurredAt
      refund {
        amount {
          value
          currency
        }
      }
    }
    refunds {
      id
      status
      reason
      failureCode
      requestedAt
      amount {
        value
        currency
      }
    }
    notifications @include(if: $admin) {
      id
      sender
      eventType
      targetStatus
      outcome
      detail
      deliveries
      receivedAt
      anomaly {
        id
        kind
        status
        detail
        resolution
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleTransactionQuery, ConsoleTransactionQueryVariables>;
export const ConsoleCancelTransactionDocument = new TypedDocumentString(`
    mutation ConsoleCancelTransaction($id: ID!) {
  cancelTransaction(id: $id) {
    __typename
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCancelTransactionMutation, ConsoleCancelTransactionMutationVariables>;
export const ConsoleRefundTransactionDocument = new TypedDocumentString(`
    mutation ConsoleRefundTransaction($input: RefundTransactionInput!) {
  refundTransaction(input: $input) {
    __typename
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRefundTransactionMutation, ConsoleRefundTransactionMutationVariables>;
export const ConsoleResolveAnomalyDocument = new TypedDocumentString(`
    mutation ConsoleResolveAnomaly($id: ID!, $resolution: String!) {
  resolveAnomaly(id: $id, resolution: $resolution) {
    __typename
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleResolveAnomalyMutation, ConsoleResolveAnomalyMutationVariables>;
export const ConsoleDailyBreakdownDocument = new TypedDocumentString(`
    query ConsoleDailyBreakdown($date: Date!, $timeZone: String!, $merchantId: ID) {
  dailyReport(date: $date, timeZone: $timeZone, merchantId: $merchantId) {
    byMerchant {
      merchant {
        id
        name
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
          currency
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleDailyBreakdownQuery, ConsoleDailyBreakdownQueryVariables>;
export const ConsoleHourlyVolumesDocument = new TypedDocumentString(`
    query ConsoleHourlyVolumes($from: Date!, $to: Date!, $timeZone: String!, $merchantId: ID) {
  transactionStats(
    from: $from
    to: $to
    timeZone: $timeZone
    groupBy: [HOUR]
    filter: {merchantId: $merchantId}
  ) {
    __typename
    ... on TransactionStats {
      currencies
      rows {
        start
        localStart
        created
        captured
        paid
        amounts {
          currency
          created {
            value
          }
          paid {
            value
          }
        }
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleHourlyVolumesQuery, ConsoleHourlyVolumesQueryVariables>;
export const ConsoleOperationsDocument = new TypedDocumentString(`
    query ConsoleOperations($olderThanMinutes: Int!, $merchantId: ID) {
  anomalies(first: 50, status: OPEN) {
    totalCount
    edges {
      node {
        id
        kind
        detail
        createdAt
        transaction {
          id
          merchantReference
          merchant {
            name
          }
        }
      }
    }
  }
  stuckTransactions(
    first: 50
    olderThanMinutes: $olderThanMinutes
    merchantId: $merchantId
  ) {
    totalCount
    edges {
      node {
        id
        merchantReference
        status
        updatedAt
        amount {
          value
          currency
        }
        merchant {
          name
        }
      }
    }
  }
  notificationStats {
    since
    openAnomalies
    outcomes {
      sender
      outcome
      count
    }
    rejections {
      sender
      reason
      count
      lastSeenAt
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleOperationsQuery, ConsoleOperationsQueryVariables>;
export const ConsoleCreateMerchantDocument = new TypedDocumentString(`
    mutation ConsoleCreateMerchant($name: String!) {
  createMerchant(name: $name) {
    __typename
    ... on CreateMerchantSuccess {
      secret
      merchant {
        id
        name
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateMerchantMutation, ConsoleCreateMerchantMutationVariables>;
export const ConsoleApiKeysDocument = new TypedDocumentString(`
    query ConsoleApiKeys($merchantId: ID) {
  apiKeys(merchantId: $merchantId) {
    id
    prefix
    role
    publishableKey
    createdAt
    lastUsedAt
    expiresAt
    revokedAt
  }
}
    `) as unknown as TypedDocumentString<ConsoleApiKeysQuery, ConsoleApiKeysQueryVariables>;
export const ConsoleCreateApiKeyDocument = new TypedDocumentString(`
    mutation ConsoleCreateApiKey($role: MerchantKeyRole!, $merchantId: ID) {
  createApiKey(role: $role, merchantId: $merchantId) {
    __typename
    ... on CreateApiKeySuccess {
      secret
      apiKey {
        id
        prefix
        role
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleCreateApiKeyMutation, ConsoleCreateApiKeyMutationVariables>;
export const ConsoleRevokeApiKeyDocument = new TypedDocumentString(`
    mutation ConsoleRevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    __typename
    ... on RevokeApiKeySuccess {
      apiKey {
        id
        revokedAt
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRevokeApiKeyMutation, ConsoleRevokeApiKeyMutationVariables>;
export const ConsoleRollApiKeyDocument = new TypedDocumentString(`
    mutation ConsoleRollApiKey($id: ID!, $expiresInHours: Int!) {
  rollApiKey(id: $id, expiresInHours: $expiresInHours) {
    __typename
    ... on RollApiKeySuccess {
      secret
      apiKey {
        id
        prefix
        role
      }
      previous {
        id
        expiresAt
        revokedAt
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ConsoleRollApiKeyMutation, ConsoleRollApiKeyMutationVariables>;