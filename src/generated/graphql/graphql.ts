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

/** More than is still refundable was asked for (code AMOUNT_EXCEEDS_REFUNDABLE); nothing was recorded */
export type AmountExceedsRefundableError = Error & {
  __typename?: 'AmountExceedsRefundableError';
  /** what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED */
  code: Scalars['String']['output'];
  /** what went wrong, for a person (may change) */
  message: Scalars['String']['output'];
  /** what is still refundable now */
  refundableAmount: Money;
};

/** ADMIN only. Something notifications reported that was not applied and needs a human (one open per transaction and kind) */
export type Anomaly = Node & {
  __typename?: 'Anomaly';
  /** when it was opened */
  createdAt: Scalars['DateTime']['output'];
  /** what was reported against what we had, in words */
  detail: Scalars['String']['output'];
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** what went wrong */
  kind: AnomalyKind;
  /** the notifications that reported it, oldest first */
  notifications: Array<Notification>;
  /** CAPTURED_AFTER_CANCEL / CAPTURED_AFTER_REJECTION: the refund ADMIN made to give the money back (resolved when it succeeds) */
  refund?: Maybe<Refund>;
  /** what was done, as resolveAnomaly was told; null while OPEN */
  resolution?: Maybe<Scalars['String']['output']>;
  /** when it was resolved; null while OPEN */
  resolvedAt?: Maybe<Scalars['DateTime']['output']>;
  /** whether it still needs a human */
  status: AnomalyStatus;
  /** the transaction concerned; null for an ORPHAN */
  transaction?: Maybe<Transaction>;
};

/** A page of anomalies */
export type AnomalyConnection = {
  __typename?: 'AnomalyConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<AnomalyEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** An anomaly and its cursor */
export type AnomalyEdge = {
  __typename?: 'AnomalyEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: Anomaly;
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

/** An API key, without its secret (shown once, when made) */
export type ApiKey = {
  __typename?: 'ApiKey';
  /** when it was made */
  createdAt: Scalars['DateTime']['output'];
  /** when it stops working (a rolled key); null: never */
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** the key id (key:revoke and revokeApiKey take it) */
  id: Scalars['ID']['output'];
  /** when it last authenticated (to the minute); null: never */
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  /** the first characters of the secret, for recognising it */
  prefix: Scalars['String']['output'];
  /** PUBLISHABLE keys only: the key itself (not a secret: it goes in your pages) */
  publishableKey?: Maybe<Scalars['String']['output']>;
  /** when it was revoked; null: not revoked */
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  /** ADMIN, MERCHANT (secret), MERCHANT_READ_ONLY (secret, queries and subscriptions only) or PUBLISHABLE (browser) */
  role: Scalars['String']['output'];
};

/** CancelTransactionSuccess, or why nothing was cancelled */
export type CancelTransactionResult = CancelTransactionSuccess | InvalidStateError | NotFoundError;

/** The transaction is CANCELLED */
export type CancelTransactionSuccess = {
  __typename?: 'CancelTransactionSuccess';
  /** the transaction, CANCELLED */
  transaction: Transaction;
};

/** One status change of the transaction, as its checkout page sees it */
export type CheckoutStatusChange = {
  __typename?: 'CheckoutStatusChange';
  /** when it changed */
  occurredAt: Scalars['DateTime']['output'];
  /** the status before; null for the first */
  previousStatus?: Maybe<TransactionStatus>;
  /** the status it changed into */
  status: TransactionStatus;
};

/** A transaction as the merchant's checkout page sees it (publishable key + client secret): status, amount, where to send the consumer, and the status history; nothing else */
export type CheckoutTransaction = {
  __typename?: 'CheckoutTransaction';
  /** what the consumer pays */
  amount: Money;
  /** the global id of the transaction (the same as Transaction.id) */
  id: Scalars['String']['output'];
  /** true once the status can no longer change */
  isFinal: Scalars['Boolean']['output'];
  /** where to send the consumer to pay (Alipay) */
  redirectUrl?: Maybe<Scalars['String']['output']>;
  /** the current status */
  status: TransactionStatus;
  /** the status changes, oldest first (refund changes are not shown to the page) */
  statusHistory: Array<CheckoutStatusChange>;
  /** bumped on every change: of two states of this transaction, the one with the higher version is the newer */
  version: Scalars['Int']['output'];
};

/** How far the day's created transactions got, by their event history. The success path counts cumulatively (a transaction that reached PAID counts as redirected, captured and paid, even if a notification skipped a step). */
export type ConversionFunnel = {
  __typename?: 'ConversionFunnel';
  /** ended CANCELLED, whoever cancelled (docs/ENDINGS.md) */
  cancelled: Scalars['Int']['output'];
  /** of cancelled: by the consumer on the payment page (statusReason CANCELLED_BY_CONSUMER) */
  cancelledByConsumer: Scalars['Int']['output'];
  /** of cancelled: by the merchant, cancelTransaction (statusReason CANCELLED_BY_MERCHANT) */
  cancelledByMerchant: Scalars['Int']['output'];
  /** reached CAPTURED or PAID */
  captured: Scalars['Int']['output'];
  /** captured / created as a decimal string with 4 decimals, rounded half up ("0.6667"); null when nothing was created */
  conversionRate?: Maybe<Scalars['String']['output']>;
  /** transactions created that day */
  created: Scalars['Int']['output'];
  /** reached PAID */
  paid: Scalars['Int']['output'];
  /** reached REDIRECTED or beyond on the success path */
  redirected: Scalars['Int']['output'];
  /** ended REJECTED (closed by Alipay, declined, or expired) */
  rejected: Scalars['Int']['output'];
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type CreateApiKeyResult = CreateApiKeySuccess | ValidationError;

/** A key made */
export type CreateApiKeySuccess = {
  __typename?: 'CreateApiKeySuccess';
  /** the new key */
  apiKey: ApiKey;
  /** the new key itself; shown once, never again (for PUBLISHABLE keys also in ApiKey.publishableKey) */
  secret: Scalars['String']['output'];
};

/** CreateMerchantSuccess, or why nothing was created */
export type CreateMerchantResult = CreateMerchantSuccess | ValidationError;

/** The merchant was created with its first API key */
export type CreateMerchantSuccess = {
  __typename?: 'CreateMerchantSuccess';
  /** its first key (a MERCHANT key); the secret is `secret` */
  apiKey: ApiKey;
  /** the new merchant */
  merchant: Merchant;
  /** the API key secret; shown once, never again */
  secret: Scalars['String']['output'];
};

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

/** CreateTransactionSuccess, or why nothing was created */
export type CreateTransactionResult = CreateTransactionSuccess | IdempotencyConflictError | ValidationError;

/** The transaction was created (or, with the same idempotencyKey and input, found again) */
export type CreateTransactionSuccess = {
  __typename?: 'CreateTransactionSuccess';
  /** For the merchant's checkout page, with its publishable key: reads this transaction and follows its status (docs/FRONTEND.md). Returned once (each answer, replays included, carries a new one); expires 24 hours after it was issued. Never put it in a URL or a log. */
  clientSecret: Scalars['String']['output'];
  /** the transaction, REDIRECTED, with its redirectUrl */
  transaction: Transaction;
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

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type CreateWebhookEndpointResult = CreateWebhookEndpointSuccess | ValidationError;

/** The endpoint was registered; keep its secret */
export type CreateWebhookEndpointSuccess = {
  __typename?: 'CreateWebhookEndpointSuccess';
  /** the endpoint */
  endpoint: WebhookEndpoint;
  /** the signing secret (`whsec_…`, the Standard Webhooks format): shown once, never again. Verify every delivery with it (docs/WEBHOOKS.md) */
  secret: Scalars['String']['output'];
};

/** Refunds in one currency, by the day of each change: requested that day, and succeeded or failed that day */
export type DailyRefundRow = {
  __typename?: 'DailyRefundRow';
  /** ISO 4217 code */
  currency: Scalars['String']['output'];
  /** refunds that failed that day (their amount is refundable again), whenever requested */
  failed: RefundTally;
  /** refunds requested that day, whatever became of them since */
  requested: RefundTally;
  /** refunds that succeeded that day (the money went back to the consumer), whenever requested */
  succeeded: RefundTally;
};

/** One calendar day in a time zone, for one merchant or (ADMIN) all merchants */
export type DailyReport = {
  __typename?: 'DailyReport';
  /** the same report per merchant with activity that day, by merchant name: every merchant (or the merchantId asked for) for ADMIN, its own for a merchant key (so selecting it never fails a merchant’s report) */
  byMerchant: Array<MerchantDailyReport>;
  /** the calendar day reported on */
  date: Scalars['Date']['output'];
  /** first instant of the next day (exclusive): a DST day is 23 or 25 hours long */
  endsAt: Scalars['DateTime']['output'];
  /** how far the day’s created transactions got */
  funnel: ConversionFunnel;
  /** the merchant reported on; null for all merchants */
  merchant?: Maybe<Merchant>;
  /** per currency with refund activity that day: refunds requested, succeeded and failed that day */
  refunds: Array<DailyRefundRow>;
  /** per currency: what reached PAID that day, the refunds that come off it that day, and the net */
  remittance: Array<RemittanceRow>;
  /** one per (current status, currency) with at least one transaction created that day */
  rows: Array<DailyReportRow>;
  /** first instant of the day in timeZone (inclusive) */
  startsAt: Scalars['DateTime']['output'];
  /** the IANA zone, as the tz database spells it */
  timeZone: Scalars['String']['output'];
};

/** Transactions created that day with this current status and currency */
export type DailyReportRow = {
  __typename?: 'DailyReportRow';
  /** how many transactions */
  count: Scalars['Int']['output'];
  /** ISO 4217 code */
  currency: Scalars['String']['output'];
  /** the current status */
  status: TransactionStatus;
  /** exact sum of their amounts */
  total: Money;
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type DeleteWebhookEndpointResult = DeleteWebhookEndpointSuccess | NotFoundError;

/** The endpoint was deleted, with its delivery log */
export type DeleteWebhookEndpointSuccess = {
  __typename?: 'DeleteWebhookEndpointSuccess';
  /** the id the endpoint had */
  deletedId: Scalars['ID']['output'];
};

/** A refusal a caller is meant to handle: every error type of a result union implements it */
export type Error = {
  /** what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED */
  code: Scalars['String']['output'];
  /** what went wrong, for a person (may change) */
  message: Scalars['String']['output'];
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

/** One input field that was refused */
export type FieldError = {
  __typename?: 'FieldError';
  /** what it must be */
  message: Scalars['String']['output'];
  /** the field, from the argument down, e.g. ["input", "amount", "value"] */
  path: Array<Scalars['String']['output']>;
};

/** This idempotencyKey was used with another input (code IDEMPOTENCY_CONFLICT); nothing was created */
export type IdempotencyConflictError = Error & {
  __typename?: 'IdempotencyConflictError';
  /** what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED */
  code: Scalars['String']['output'];
  /** what went wrong, for a person (may change) */
  message: Scalars['String']['output'];
};

/** Not allowed in the current status (code INVALID_STATE), e.g. cancelling a CAPTURED transaction */
export type InvalidStateError = Error & {
  __typename?: 'InvalidStateError';
  /** what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED */
  code: Scalars['String']['output'];
  /** the status that refused it */
  currentStatus: TransactionStatus;
  /** what went wrong, for a person (may change) */
  message: Scalars['String']['output'];
};

/** A business that takes payments through Paystream, with its own API keys and data */
export type Merchant = Node & {
  __typename?: 'Merchant';
  /** Browser origins whose pages may use the merchant's publishable key (CORS, WebSocket); set with setAllowedOrigins */
  allowedOrigins: Array<Scalars['String']['output']>;
  /** when it was created */
  createdAt: Scalars['DateTime']['output'];
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** its display name */
  name: Scalars['String']['output'];
};

/** A page of merchants */
export type MerchantConnection = {
  __typename?: 'MerchantConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<MerchantEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** One merchant’s part of a DailyReport (ADMIN: byMerchant) */
export type MerchantDailyReport = {
  __typename?: 'MerchantDailyReport';
  /** as DailyReport.funnel, for this merchant */
  funnel: ConversionFunnel;
  /** the merchant */
  merchant: Merchant;
  /** as DailyReport.refunds, for this merchant */
  refunds: Array<DailyRefundRow>;
  /** as DailyReport.remittance, for this merchant */
  remittance: Array<RemittanceRow>;
  /** as DailyReport.rows, for this merchant */
  rows: Array<DailyReportRow>;
};

/** A merchant and its cursor */
export type MerchantEdge = {
  __typename?: 'MerchantEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: Merchant;
};

/** What a new merchant key may do */
export type MerchantKeyRole =
  /** for browser pages: alone it only identifies the merchant (docs/FRONTEND.md) */
  | 'PUBLISHABLE'
  /** queries and subscriptions, no mutation: reporting backends */
  | 'READ_ONLY'
  /** everything for its merchant: server-side only */
  | 'SECRET';

/** An exact amount: a decimal string in major units, never a float */
export type Money = {
  __typename?: 'Money';
  /** ISO 4217 code, e.g. "EUR" */
  currency: Scalars['String']['output'];
  /** the same amount in integer minor units, as a string (e.g. "1999") */
  minorUnits: Scalars['String']['output'];
  /** decimal string in major units with the currency’s decimals, e.g. "19.99" */
  value: Scalars['String']['output'];
};

/** An exact amount: a decimal string and its currency (never a float) */
export type MoneyInput = {
  /** ISO 4217 */
  currency: Scalars['String']['input'];
  /** decimal string in major units, e.g. "19.99" */
  value: Scalars['String']['input'];
};

/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type Mutation = {
  __typename?: 'Mutation';
  /** Cancels a CREATED or REDIRECTED transaction (later, money is moving: InvalidStateError). A merchant key cancels its own; an ADMIN key any, recorded as ADMIN_API / CANCELLED_BY_ADMIN */
  cancelTransaction: CancelTransactionResult;
  /** A new key for the merchant: its secret is in the answer, once */
  createApiKey: CreateApiKeyResult;
  /** ADMIN only (a merchant key gets FORBIDDEN). Creates a merchant and its first API key, whose secret is shown this once */
  createMerchant: CreateMerchantResult;
  /** A merchant key asks to be paid: the transaction is created and REDIRECTED, with the redirectUrl to send the consumer to. Merchant keys only (an ADMIN key gets FORBIDDEN) */
  createTransaction: CreateTransactionResult;
  /** Registers an endpoint: every later event of the merchant that it wants is POSTed to it, signed with the secret returned here (once). Merchant keys register their own; ADMIN for a merchant named by merchantId. */
  createWebhookEndpoint: CreateWebhookEndpointResult;
  /** Deletes an endpoint, its pending deliveries and its delivery log */
  deleteWebhookEndpoint: DeleteWebhookEndpointResult;
  /** Sends again every delivery of an endpoint that FAILED and was queued since a time (after an outage of the receiver) */
  redeliverFailedWebhooks: RedeliverFailedWebhooksResult;
  /** Sends one delivery again now (whatever its status), same webhook-id and body, with a fresh retry schedule */
  redeliverWebhook: RedeliverWebhookResult;
  /** Gives (part of) a captured transaction back to the consumer. The refund is recorded REQUESTED, then sent to Alipay; follow it on the transaction’s events. Merchant keys refund their own transactions; ADMIN any, and also the money of a CAPTURED_AFTER_CANCEL or CAPTURED_AFTER_REJECTION anomaly. */
  refundTransaction: RefundTransactionResult;
  /** ADMIN only. Marks an anomaly RESOLVED, saying what was done (resolving twice keeps the first) */
  resolveAnomaly: ResolveAnomalyResult;
  /** Revokes a key of the caller's merchant (ADMIN: any merchant key): at once, on every transport */
  revokeApiKey: RevokeApiKeyResult;
  /** A new key of the same role now; the rolled one keeps working until `expiresInHours` from now (0: revoked now; at most 168) */
  rollApiKey: RollApiKeyResult;
  /** Gives an endpoint a new signing secret (returned once). During the overlap both secrets sign every delivery (two signatures in webhook-signature), so the receiver can switch without refusing one. */
  rollWebhookEndpointSecret: RollWebhookEndpointSecretResult;
  /** Sends a `webhook.test` message to an endpoint, signed and logged like every delivery: to check the receiver and its signature check */
  sendTestWebhook: SendTestWebhookResult;
  /** Replaces the browser origins allowed to use the merchant's publishable key (at most 20; an empty list: none). Takes effect within 5 seconds on every instance */
  setAllowedOrigins: SetAllowedOriginsResult;
  /** Changes an endpoint: URL, description, events wanted, enabled (disable it, or enable it again after Paystream disabled it) */
  updateWebhookEndpoint: UpdateWebhookEndpointResult;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationCancelTransactionArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationCreateApiKeyArgs = {
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  role: MerchantKeyRole;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationCreateMerchantArgs = {
  name: Scalars['String']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationCreateTransactionArgs = {
  input: CreateTransactionInput;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationCreateWebhookEndpointArgs = {
  input: CreateWebhookEndpointInput;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationDeleteWebhookEndpointArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationRedeliverFailedWebhooksArgs = {
  endpointId: Scalars['ID']['input'];
  since: Scalars['DateTime']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationRedeliverWebhookArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationRefundTransactionArgs = {
  input: RefundTransactionInput;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationResolveAnomalyArgs = {
  id: Scalars['ID']['input'];
  resolution: Scalars['String']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationRevokeApiKeyArgs = {
  id: Scalars['ID']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationRollApiKeyArgs = {
  expiresInHours?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationRollWebhookEndpointSecretArgs = {
  id: Scalars['ID']['input'];
  overlapHours?: InputMaybe<Scalars['Int']['input']>;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationSendTestWebhookArgs = {
  endpointId: Scalars['ID']['input'];
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationSetAllowedOriginsArgs = {
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  origins: Array<Scalars['String']['input']>;
};


/** Changes: each answers a union of its Success type and the Error types it may refuse with (select them too) */
export type MutationUpdateWebhookEndpointArgs = {
  input: UpdateWebhookEndpointInput;
};

/** Anything with a global id: fetch it again with `node(id:)` */
export type Node = {
  /** opaque global id */
  id: Scalars['ID']['output'];
};

/** Nothing the caller may see has this id (code NOT_FOUND): absent, another merchant’s, or not an id */
export type NotFoundError = Error & {
  __typename?: 'NotFoundError';
  /** what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED */
  code: Scalars['String']['output'];
  /** what went wrong, for a person (may change) */
  message: Scalars['String']['output'];
};

/** ADMIN only. One authentic notification (per sender and event id), exactly as received, and what it did */
export type Notification = Node & {
  __typename?: 'Notification';
  /** the amount the sender reported */
  amount?: Maybe<Money>;
  /** the anomaly it opened or joined (ANOMALY) */
  anomaly?: Maybe<Anomaly>;
  /** the Content-Type it came with */
  contentType: Scalars['String']['output'];
  /** how often the sender delivered this event id */
  deliveries: Scalars['Int']['output'];
  /** why, in words, when the outcome needs explaining */
  detail?: Maybe<Scalars['String']['output']>;
  /** payment.captured, TRADE_SUCCESS, ... */
  eventType?: Maybe<Scalars['String']['output']>;
  /** the sender’s event id (signed event id, Alipay notify_id) */
  externalId?: Maybe<Scalars['String']['output']>;
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** its latest delivery */
  lastReceivedAt: Scalars['DateTime']['output'];
  /** what it did */
  outcome: NotificationOutcome;
  /** Alipay’s trade number, as reported */
  providerReference?: Maybe<Scalars['String']['output']>;
  /** the body exactly as received, read as UTF-8 (see rawBodyBase64 for the bytes) */
  rawBody: Scalars['String']['output'];
  /** the body’s bytes exactly as received, base64 */
  rawBodyBase64: Scalars['String']['output'];
  /** its first delivery */
  receivedAt: Scalars['DateTime']['output'];
  /** refund notifications: the refund it names, when it is one of ours */
  refund?: Maybe<Refund>;
  /** refund notifications: the refund as the sender named it (Alipay out_return_no) */
  refundReference?: Maybe<Scalars['String']['output']>;
  /** who sent it */
  sender: NotificationSender;
  /** the status it reports; null when it reports none */
  targetStatus?: Maybe<TransactionStatus>;
  /** the transaction it names; null when it names none we know (ORPHAN) */
  transaction?: Maybe<Transaction>;
  /** the history entry it wrote (APPLIED) */
  transactionEvent?: Maybe<TransactionEvent>;
  /** the transaction as the sender named it */
  transactionReference?: Maybe<Scalars['String']['output']>;
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

/** How many authentic notifications of one sender had one outcome */
export type NotificationOutcomeCount = {
  __typename?: 'NotificationOutcomeCount';
  /** how many */
  count: Scalars['Int']['output'];
  /** what they did */
  outcome: NotificationOutcome;
  /** who sent them */
  sender: NotificationSender;
};

/** Notifications refused before reaching the inbox (bad signature, unknown key, replay, unreadable body), all time */
export type NotificationRejectionCount = {
  __typename?: 'NotificationRejectionCount';
  /** saturates at 2^31-1 */
  count: Scalars['Int']['output'];
  /** the first such refusal */
  firstSeenAt: Scalars['DateTime']['output'];
  /** the latest (counts are written every NOTIFICATION_REFUSAL_FLUSH_SECONDS) */
  lastSeenAt: Scalars['DateTime']['output'];
  /** MISSING_SIGNATURE, BAD_SIGNATURE, UNKNOWN_KEY, STALE_TIMESTAMP, ... */
  reason: Scalars['String']['output'];
  /** the endpoint that refused them */
  sender: NotificationSender;
};

/** Who sent a notification */
export type NotificationSender =
  /** Alipay’s asynchronous notification (POST /notifications/alipay, RSA2-signed) */
  | 'ALIPAY'
  /** a signed event (POST /notifications/events, HMAC), e.g. the settlement’s payment.paid */
  | 'SIGNED_EVENT';

/** How notification ingestion is going: refusals, outcomes, open anomalies */
export type NotificationStats = {
  __typename?: 'NotificationStats';
  /** anomalies still OPEN, now */
  openAnomalies: Scalars['Int']['output'];
  /** inbox outcomes of notifications received since `since` */
  outcomes: Array<NotificationOutcomeCount>;
  /** refused notifications per sender and reason, all time */
  rejections: Array<NotificationRejectionCount>;
  /** the start of the outcomes’ window */
  since: Scalars['DateTime']['output'];
};

/** Where a page sits in the whole list (Relay cursor connections) */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** the cursor of the last row of this page; null for an empty page */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** true when rows follow this page (ask with `after: endCursor`) */
  hasNextPage: Scalars['Boolean']['output'];
  /** true when rows precede this page (ask with `before: startCursor`) */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** the cursor of the first row of this page; null for an empty page */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** How the consumer pays */
export type PaymentProduct =
  /** Alipay cross-border (create_forex_trade) */
  | 'ALIPAY';

/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type Query = {
  __typename?: 'Query';
  /** ADMIN only. Newest first; OPEN ones by default */
  anomalies: AnomalyConnection;
  /** The caller's merchant's keys (ADMIN: `merchantId`'s), oldest first, revoked ones included */
  apiKeys: Array<ApiKey>;
  /** Publishable key + client secret only: the transaction the client secret opens (client secrets expire 24 hours after createTransaction issued them) */
  checkoutTransaction: CheckoutTransaction;
  /** An invalid date, time zone or merchantId is a GraphQL error with extensions.code VALIDATION_FAILED and extensions.fields (path, message), since the result type is not a union. */
  dailyReport: DailyReport;
  /** ADMIN only. Every merchant, by name */
  merchants: MerchantConnection;
  /** Any object by its global id; null when the id names nothing the caller may see (absent, another merchant's, or not an id) */
  node?: Maybe<Node>;
  /** Objects by their global ids, in the order asked; each entry is null exactly when `node` would be */
  nodes: Array<Maybe<Node>>;
  /** ADMIN only. Refused notifications (all time) and inbox outcomes since `since` (default: the last 24 hours) */
  notificationStats: NotificationStats;
  /** ADMIN only. Refunds still REQUESTED after every check the refund runner makes (REFUND_RECHECK_AFTER_SECONDS x REFUND_RECHECK_LIMIT): Alipay gave no definite answer; someone should look in its merchant portal. Oldest first. */
  stuckRefunds: StuckRefundConnection;
  /** ADMIN only. CREATED or REDIRECTED for longer than olderThanMinutes since their last status change, oldest first */
  stuckTransactions: StuckTransactionConnection;
  /** null when absent or not the caller's */
  transaction?: Maybe<Transaction>;
  /** Transactions created from `from` to `to` (local dates, inclusive, at most 366 days) in `timeZone`, bucketed by time and broken down by status, currency and merchant. Merchant keys see their own merchant; ADMIN sees all, or one with filter.merchantId. The cost counts the rows: a result over GRAPHQL_MAX_COST is refused with QUERY_TOO_COMPLEX before it runs. */
  transactionStats: TransactionStatsResult;
  /** Newest first */
  transactions: TransactionConnection;
  /** The delivery log, newest first: the caller's deliveries (ADMIN: every merchant's), filtered by endpoint, status and time */
  webhookDeliveries: WebhookDeliveryConnection;
  /** The caller's webhook endpoints, newest first (ADMIN: every merchant's, or one merchant's with merchantId) */
  webhookEndpoints: WebhookEndpointConnection;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryAnomaliesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kind?: InputMaybe<AnomalyKind>;
  last?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<AnomalyStatus>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryApiKeysArgs = {
  merchantId?: InputMaybe<Scalars['ID']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryDailyReportArgs = {
  date: Scalars['Date']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  timeZone?: InputMaybe<Scalars['String']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryMerchantsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryNodesArgs = {
  ids: Array<Scalars['ID']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryNotificationStatsArgs = {
  since?: InputMaybe<Scalars['DateTime']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryStuckRefundsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryStuckTransactionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  olderThanMinutes: Scalars['Int']['input'];
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryTransactionArgs = {
  id: Scalars['ID']['input'];
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryTransactionStatsArgs = {
  filter?: InputMaybe<TransactionStatsFilter>;
  from: Scalars['Date']['input'];
  groupBy?: InputMaybe<Array<TransactionStatsDimension>>;
  timeZone?: InputMaybe<Scalars['String']['input']>;
  to: Scalars['Date']['input'];
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryTransactionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<TransactionFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryWebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  createdFrom?: InputMaybe<Scalars['DateTime']['input']>;
  createdTo?: InputMaybe<Scalars['DateTime']['input']>;
  endpointId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<WebhookDeliveryStatus>;
};


/** What an API key may read: a merchant key its own merchant’s data, an ADMIN key every merchant’s */
export type QueryWebhookEndpointsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type RedeliverFailedWebhooksResult = NotFoundError | RedeliverFailedWebhooksSuccess;

/** The failed deliveries are due again */
export type RedeliverFailedWebhooksSuccess = {
  __typename?: 'RedeliverFailedWebhooksSuccess';
  /** how many deliveries were queued again */
  count: Scalars['Int']['output'];
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type RedeliverWebhookResult = NotFoundError | RedeliverWebhookSuccess;

/** The mutation succeeded */
export type RedeliverWebhookSuccess = {
  __typename?: 'RedeliverWebhookSuccess';
  /** the new delivery, queued */
  delivery: WebhookDelivery;
};

/** Money given back to the consumer for (part of) a captured transaction */
export type Refund = Node & {
  __typename?: 'Refund';
  /** ADMIN only: when Alipay first accepted it */
  acceptedAt?: Maybe<Scalars['DateTime']['output']>;
  /** in the transaction's currency */
  amount: Money;
  /** ADMIN only: calls of forex_refund made so far */
  attempts: Scalars['Int']['output'];
  /** when it became SUCCEEDED or FAILED */
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  /** FAILED: Alipay's error code */
  failureCode?: Maybe<Scalars['String']['output']>;
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** ADMIN only: why the last call gave no definite answer (timeout, HTTP 503, SELLER_BALANCE_NOT_ENOUGH, ...) */
  lastAttemptError?: Maybe<Scalars['String']['output']>;
  /** ADMIN only: when Alipay is asked next */
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** Alipay's reference, once it gave one */
  providerReference?: Maybe<Scalars['String']['output']>;
  /** as given when requested (sent to Alipay) */
  reason: Scalars['String']['output'];
  /** when it was recorded */
  requestedAt: Scalars['DateTime']['output'];
  /** who asked for it */
  source: EventSource;
  /** where it stands */
  status: RefundStatus;
  /** ADMIN only: when it was found stuck (see stuckRefunds) */
  stuckAt?: Maybe<Scalars['DateTime']['output']>;
  /** the refunded transaction */
  transaction: Transaction;
  /** when anything about it last changed */
  updatedAt: Scalars['DateTime']['output'];
};

/** Where a refund stands */
export type RefundStatus =
  /** final: Alipay refused or failed it (see failureCode); the amount is refundable again */
  | 'FAILED'
  /** recorded and reserved against the refundable amount; Alipay has not answered definitely yet */
  | 'REQUESTED'
  /** final: the money went back to the consumer */
  | 'SUCCEEDED';

/** How many refunds, and their exact sum */
export type RefundTally = {
  __typename?: 'RefundTally';
  /** how many refunds */
  count: Scalars['Int']['output'];
  /** exact sum of their amounts */
  total: Money;
};

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

/** RefundTransactionSuccess, or why nothing was recorded */
export type RefundTransactionResult = AmountExceedsRefundableError | IdempotencyConflictError | InvalidStateError | NotFoundError | RefundTransactionSuccess | ValidationError;

/** The refund was recorded (or, with the same idempotencyKey and input, found again) */
export type RefundTransactionSuccess = {
  __typename?: 'RefundTransactionSuccess';
  /** the refund, REQUESTED (or as it stands now) */
  refund: Refund;
};

/** One currency of the remittance: transactions whose PAID event happened that day (whenever created), and the refunds that succeeded that day and come off it. Both are shown; net may be negative. A currency with only refunds that day has count 0 */
export type RemittanceRow = {
  __typename?: 'RemittanceRow';
  /** transactions that reached PAID that day */
  count: Scalars['Int']['output'];
  /** ISO 4217 code */
  currency: Scalars['String']['output'];
  /** total minus refunded: what the day adds to the remittance; negative when the refunds exceed the payments */
  net: Money;
  /** refunds that succeeded that day, of CAPTURED or PAID transactions (a refund of money captured after a cancel or rejection was never remitted, so it is not deducted) */
  refundCount: Scalars['Int']['output'];
  /** exact sum of those refunds */
  refunded: Money;
  /** exact sum of their amounts (before refunds) */
  total: Money;
};

/** ResolveAnomalySuccess, or why nothing changed */
export type ResolveAnomalyResult = NotFoundError | ResolveAnomalySuccess | ValidationError;

/** The anomaly is RESOLVED */
export type ResolveAnomalySuccess = {
  __typename?: 'ResolveAnomalySuccess';
  /** the anomaly, RESOLVED */
  anomaly: Anomaly;
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type RevokeApiKeyResult = NotFoundError | RevokeApiKeySuccess;

/** A key revoked: it no longer authenticates and its open subscriptions have ended */
export type RevokeApiKeySuccess = {
  __typename?: 'RevokeApiKeySuccess';
  /** the revoked key */
  apiKey: ApiKey;
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type RollApiKeyResult = NotFoundError | RollApiKeySuccess | ValidationError;

/** A key rolled: a new secret now, the previous one valid until its expiresAt */
export type RollApiKeySuccess = {
  __typename?: 'RollApiKeySuccess';
  /** the new key */
  apiKey: ApiKey;
  /** the rolled key, with its expiresAt */
  previous: ApiKey;
  /** the new key itself; shown once, never again */
  secret: Scalars['String']['output'];
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type RollWebhookEndpointSecretResult = NotFoundError | RollWebhookEndpointSecretSuccess | ValidationError;

/** The endpoint has a new secret; keep it */
export type RollWebhookEndpointSecretSuccess = {
  __typename?: 'RollWebhookEndpointSecretSuccess';
  /** the endpoint */
  endpoint: WebhookEndpoint;
  /** the signing secret (`whsec_…`, the Standard Webhooks format): shown once, never again. Verify every delivery with it (docs/WEBHOOKS.md) */
  secret: Scalars['String']['output'];
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type SendTestWebhookResult = NotFoundError | SendTestWebhookSuccess;

/** The mutation succeeded */
export type SendTestWebhookSuccess = {
  __typename?: 'SendTestWebhookSuccess';
  /** the test delivery, queued */
  delivery: WebhookDelivery;
};

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type SetAllowedOriginsResult = SetAllowedOriginsSuccess | ValidationError;

/** The merchant's allowed origins, as stored (normalised, without duplicates) */
export type SetAllowedOriginsSuccess = {
  __typename?: 'SetAllowedOriginsSuccess';
  /** e.g. https://shop.example */
  allowedOrigins: Array<Scalars['String']['output']>;
};

/** A page of stuck refunds */
export type StuckRefundConnection = {
  __typename?: 'StuckRefundConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<StuckRefundEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** A stuck refund and its cursor */
export type StuckRefundEdge = {
  __typename?: 'StuckRefundEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: Refund;
};

/** A page of stuck transactions */
export type StuckTransactionConnection = {
  __typename?: 'StuckTransactionConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<StuckTransactionEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** A stuck transaction and its cursor */
export type StuckTransactionEdge = {
  __typename?: 'StuckTransactionEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: Transaction;
};

/** Live changes, over WebSocket (graphql-transport-ws) or server-sent events */
export type Subscription = {
  __typename?: 'Subscription';
  /** Publishable key + client secret only: the transaction as it is now, then again after each change; complete once the status is final. After a reconnect the first answer is again the current state: nothing is missed between reading and following. */
  checkoutTransactionUpdated: CheckoutTransaction;
  /** The caller's status and refund changes, in the stream's total order. With `after`: first every event after that cursor, then live; no gap and no duplicate in between. */
  transactionEvents: TransactionEvent;
  /** The transaction as it is now, then again after each of its status and refund changes: no change is missed between reading and following, and a reconnect starts again with the current state. */
  transactionUpdated: Transaction;
};


/** Live changes, over WebSocket (graphql-transport-ws) or server-sent events */
export type SubscriptionTransactionEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  kinds?: InputMaybe<Array<TransactionEventKind>>;
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  statuses?: InputMaybe<Array<TransactionStatus>>;
};


/** Live changes, over WebSocket (graphql-transport-ws) or server-sent events */
export type SubscriptionTransactionUpdatedArgs = {
  id: Scalars['ID']['input'];
};

/** A payment a merchant asked for: its amount, where it stands, and its whole history */
export type Transaction = Node & {
  __typename?: 'Transaction';
  /** what the consumer pays, exactly */
  amount: Money;
  /** when createTransaction made it */
  createdAt: Scalars['DateTime']['output'];
  /** Status history, oldest first */
  events: Array<TransactionEvent>;
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** true while cancelTransaction may still cancel it (CREATED, REDIRECTED) */
  isCancellable: Scalars['Boolean']['output'];
  /** true once the status can no longer change (PAID, REJECTED, CANCELLED) */
  isFinal: Scalars['Boolean']['output'];
  /** The merchant it belongs to (what ADMIN lists show; a merchant key only ever sees its own) */
  merchant: Merchant;
  /** the merchant’s own reference (e.g. its order number), as sent */
  merchantReference: Scalars['String']['output'];
  /** ADMIN only: every notification received about this transaction and what it did, oldest first */
  notifications: Array<Notification>;
  /** how the consumer pays */
  paymentProduct: PaymentProduct;
  /** Alipay’s trade number, once Alipay has told us */
  providerReference?: Maybe<Scalars['String']['output']>;
  /** where to send the consumer to pay (the Alipay gateway, signed); null before the redirect exists */
  redirectUrl?: Maybe<Scalars['String']['output']>;
  /** what a refund may still give back: for a CAPTURED or PAID transaction its amount less its SUCCEEDED and REQUESTED refunds; zero otherwise */
  refundableAmount: Money;
  /** the sum of its SUCCEEDED refunds */
  refundedAmount: Money;
  /** its refunds, oldest first */
  refunds: Array<Refund>;
  /** where the consumer is sent after Alipay (through Paystream, which adds transactionId and status), as normalised */
  returnUrl: Scalars['String']['output'];
  /** where the payment stands now */
  status: TransactionStatus;
  /** why it reached its status, when there is more to say: e.g. CANCELLED_BY_MERCHANT, CANCELLED_BY_ADMIN, TRADE_CLOSED, EXPIRED */
  statusReason?: Maybe<Scalars['String']['output']>;
  /** when its status (or another field) last changed */
  updatedAt: Scalars['DateTime']['output'];
};

/** A page of transactions */
export type TransactionConnection = {
  __typename?: 'TransactionConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<TransactionEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** A transaction and its cursor */
export type TransactionEdge = {
  __typename?: 'TransactionEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: Transaction;
};

/** One change in a transaction’s history (and on the event stream): its status moved, or a refund was asked for or ended */
export type TransactionEvent = {
  __typename?: 'TransactionEvent';
  /** Opaque; the merchant's event stream is totally ordered by it; valid as `after` */
  cursor: Scalars['String']['output'];
  /** a status change, or a refund’s (then status is unchanged) */
  kind: TransactionEventKind;
  /** when it was recorded */
  occurredAt: Scalars['DateTime']['output'];
  /** its status before; null for the CREATED event */
  previousStatus?: Maybe<TransactionStatus>;
  /** why, when there is more to say (e.g. CANCELLED_BY_MERCHANT, EXPIRED, a provider’s code) */
  reason?: Maybe<Scalars['String']['output']>;
  /** the refund a REFUND_* event is about */
  refund?: Maybe<Refund>;
  /** 1, 2, 3... within its transaction, without gaps */
  sequence: Scalars['Int']['output'];
  /** who caused it */
  source: EventSource;
  /** the transaction’s status after this event */
  status: TransactionStatus;
  /** the transaction this event belongs to */
  transaction: Transaction;
};

/** What a TransactionEvent records: a status change or a refund’s step */
export type TransactionEventKind =
  /** a refund failed (reason: the provider’s error code); status is unchanged */
  | 'REFUND_FAILED'
  /** a refund was requested (see refund); status is unchanged */
  | 'REFUND_REQUESTED'
  /** a refund succeeded; status is unchanged */
  | 'REFUND_SUCCEEDED'
  /** the transaction moved from previousStatus to status */
  | 'STATUS_CHANGED';

/** Which transactions to list; every field given must match */
export type TransactionFilter = {
  /** inclusive */
  createdFrom?: InputMaybe<Scalars['DateTime']['input']>;
  /** exclusive */
  createdTo?: InputMaybe<Scalars['DateTime']['input']>;
  /** ISO 4217 code (any case) */
  currency?: InputMaybe<Scalars['String']['input']>;
  /** ADMIN only */
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  /** exactly this merchant reference */
  merchantReference?: InputMaybe<Scalars['String']['input']>;
  /** any of these statuses */
  statuses?: InputMaybe<Array<TransactionStatus>>;
};

/** Transactions created in a date range, bucketed and broken down; every bucket present, zeros included */
export type TransactionStats = {
  __typename?: 'TransactionStats';
  /** every currency of the amounts of each row, in code order */
  currencies: Array<Scalars['String']['output']>;
  /** first local date (inclusive) */
  from: Scalars['Date']['output'];
  /** the dimensions of each row */
  groupBy: Array<TransactionStatsDimension>;
  /** in time order, then merchant name, status and currency: every bucket for every series */
  rows: Array<TransactionStatsRow>;
  /** the IANA zone, as the tz database spells it */
  timeZone: Scalars['String']['output'];
  /** last local date (inclusive) */
  to: Scalars['Date']['output'];
};

/** A row's money in one currency: exact sums of the amounts of the transactions each count counts (refunded: the money refunded) */
export type TransactionStatsAmounts = {
  __typename?: 'TransactionStatsAmounts';
  /** of those CANCELLED */
  cancelled: Money;
  /** of those captured (CAPTURED or PAID now) */
  captured: Money;
  /** of all created */
  created: Money;
  /** ISO 4217 */
  currency: Scalars['String']['output'];
  /** of those PAID */
  paid: Money;
  /** refunded to consumers (SUCCEEDED refunds) of these transactions */
  refunded: Money;
  /** of those REJECTED */
  rejected: Money;
};

/** What transactionStats groups by: at most one of HOUR, DAY, WEEK, MONTH, and any of STATUS, CURRENCY, MERCHANT */
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

/** The statistics, or a ValidationError naming each bad argument */
export type TransactionStatsResult = TransactionStats | ValidationError;

/** The transactions created in one time bucket (and, when grouped, with one status, currency, merchant) */
export type TransactionStatsRow = {
  __typename?: 'TransactionStatsRow';
  /** money per currency: every currency of the result in every row (zeros included), or the row's own when grouped by CURRENCY */
  amounts: Array<TransactionStatsAmounts>;
  /** of those, CANCELLED */
  cancelled: Scalars['Int']['output'];
  /** of those, captured: CAPTURED or PAID now (a capture leads only to PAID) */
  captured: Scalars['Int']['output'];
  /** captured / created as a decimal string with 4 decimals, rounded half up ("0.6667"); null when nothing was created */
  conversionRate?: Maybe<Scalars['String']['output']>;
  /** transactions created */
  created: Scalars['Int']['output'];
  /** when grouped by CURRENCY */
  currency?: Maybe<Scalars['String']['output']>;
  /** the local date at start */
  date: Scalars['Date']['output'];
  /** first instant after it (exclusive) */
  end: Scalars['DateTime']['output'];
  /** local wall-clock time at start with its UTC offset, e.g. 2026-11-01T01:00:00-05:00 (tells the two buckets of a repeated hour apart) */
  localStart: Scalars['String']['output'];
  /** when grouped by MERCHANT */
  merchant?: Maybe<Merchant>;
  /** of those, PAID now */
  paid: Scalars['Int']['output'];
  /** of those, with money refunded (a SUCCEEDED refund, whole or partial) */
  refunded: Scalars['Int']['output'];
  /** of those, REJECTED (including expired) */
  rejected: Scalars['Int']['output'];
  /** first instant of the bucket (inclusive) */
  start: Scalars['DateTime']['output'];
  /** when grouped by STATUS */
  status?: Maybe<TransactionStatus>;
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

/** What the mutation answers: its Success type, or one of the Error types (select them too) */
export type UpdateWebhookEndpointResult = NotFoundError | UpdateWebhookEndpointSuccess | ValidationError;

/** The mutation succeeded */
export type UpdateWebhookEndpointSuccess = {
  __typename?: 'UpdateWebhookEndpointSuccess';
  /** the endpoint, changed */
  endpoint: WebhookEndpoint;
};

/** The input was refused (code VALIDATION_FAILED); nothing was done */
export type ValidationError = Error & {
  __typename?: 'ValidationError';
  /** what went wrong, for a program: stable, e.g. NOT_FOUND, VALIDATION_FAILED */
  code: Scalars['String']['output'];
  /** every refused field, each with its reason */
  fields: Array<FieldError>;
  /** what went wrong, for a person (may change) */
  message: Scalars['String']['output'];
};

/** One HTTP request of a delivery and what came back */
export type WebhookAttempt = {
  __typename?: 'WebhookAttempt';
  /** when the request was sent */
  attemptedAt: Scalars['DateTime']['output'];
  /** from sending to the complete answer (or the error), in milliseconds */
  durationMs: Scalars['Int']['output'];
  /** why no answer came: timeout, connection refused, refused address, ... */
  error?: Maybe<Scalars['String']['output']>;
  /** the first bytes (up to 512) of the response body */
  responseExcerpt?: Maybe<Scalars['String']['output']>;
  /** the receiver's HTTP status; null when none came */
  statusCode?: Maybe<Scalars['Int']['output']>;
};

/** One event (or test message) for one endpoint: its attempts, where it stands, and its body */
export type WebhookDelivery = Node & {
  __typename?: 'WebhookDelivery';
  /** every attempt, oldest first */
  attemptLog: Array<WebhookAttempt>;
  /** attempts made so far, redeliveries included */
  attempts: Scalars['Int']['output'];
  /** when it became SUCCEEDED or FAILED */
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  /** when it was queued: in the same database transaction as its event */
  createdAt: Scalars['DateTime']['output'];
  /** where it is sent */
  endpoint: WebhookEndpoint;
  /** the event it carries; null for a test message */
  event?: Maybe<TransactionEvent>;
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** its latest attempt; null before the first */
  lastAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** PENDING: when it is attempted next (deliveries of a disabled endpoint wait until it is enabled) */
  nextAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** the JSON body sent (fixed at the first attempt); null before the first attempt */
  payload?: Maybe<Scalars['String']['output']>;
  /** where the delivery stands */
  status: WebhookDeliveryStatus;
  /** `transaction.<status>` (e.g. transaction.paid), `refund.requested|succeeded|failed`, or `webhook.test` */
  type: Scalars['String']['output'];
  /** the webhook-id header: the event's cursor, identical on every attempt and redelivery (the receiver's idempotency key); `test_…` for test messages */
  webhookId: Scalars['String']['output'];
};

/** A page of the delivery log */
export type WebhookDeliveryConnection = {
  __typename?: 'WebhookDeliveryConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<WebhookDeliveryEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** A delivery in a page */
export type WebhookDeliveryEdge = {
  __typename?: 'WebhookDeliveryEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: WebhookDelivery;
};

/** Where a webhook delivery stands */
export type WebhookDeliveryStatus =
  /** every attempt of the retry schedule (about three days) failed; redeliver it when the receiver is back */
  | 'FAILED'
  /** waiting for its next attempt (see nextAttemptAt), or in one */
  | 'PENDING'
  /** an attempt got a 2xx answer */
  | 'SUCCEEDED';

/** A merchant's HTTPS receiver of webhooks: which events it gets, whether it is enabled, and how its deliveries went */
export type WebhookEndpoint = Node & {
  __typename?: 'WebhookEndpoint';
  /** when it was created */
  createdAt: Scalars['DateTime']['output'];
  /** the owner's note */
  description: Scalars['String']['output'];
  /** when it was last disabled */
  disabledAt?: Maybe<Scalars['DateTime']['output']>;
  /** why it is disabled: by its owner, or by Paystream (the receiver answered 410 Gone, or every attempt failed for WEBHOOK_DISABLE_AFTER) */
  disabledReason?: Maybe<Scalars['String']['output']>;
  /** false: nothing is sent to it; its pending deliveries wait until it is enabled again */
  enabled: Scalars['Boolean']['output'];
  /** since when every attempt has failed; null when the last attempt succeeded. Past WEBHOOK_DISABLE_AFTER (5 days) it is disabled */
  failingSince?: Maybe<Scalars['DateTime']['output']>;
  /** opaque global id */
  id: Scalars['ID']['output'];
  /** the kinds of events it receives */
  kinds: Array<TransactionEventKind>;
  /** whose events it receives */
  merchant: Merchant;
  /** after a secret roll: until when the previous secret still signs beside the current one */
  previousSecretExpiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** status changes only into these statuses; empty: every status change (when STATUS_CHANGED is among kinds) */
  statuses: Array<TransactionStatus>;
  /** when it was last changed */
  updatedAt: Scalars['DateTime']['output'];
  /** where each delivery is POSTed */
  url: Scalars['String']['output'];
};

/** A page of webhook endpoints */
export type WebhookEndpointConnection = {
  __typename?: 'WebhookEndpointConnection';
  /** the rows of this page, each with its cursor */
  edges: Array<WebhookEndpointEdge>;
  /** where this page sits in the whole list */
  pageInfo: PageInfo;
  /** how many rows the whole list has (every page together), with the same filter */
  totalCount: Scalars['Int']['output'];
};

/** A webhook endpoint in a page */
export type WebhookEndpointEdge = {
  __typename?: 'WebhookEndpointEdge';
  /** opaque; pass it as `after` (or `before`) to page on from this row */
  cursor: Scalars['String']['output'];
  /** the row */
  node: WebhookEndpoint;
};

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

export type CreateMerchantMutationVariables = Exact<{
  name: Scalars['String']['input'];
}>;


export type CreateMerchantMutation = { __typename?: 'Mutation', createMerchant:
    | { __typename: 'CreateMerchantSuccess', secret: string, merchant: { __typename?: 'Merchant', id: string, name: string, createdAt: string }, apiKey: { __typename?: 'ApiKey', id: string, prefix: string, role: string } }
    | { __typename: 'ValidationError', message: string, code: string }
   };

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

export type StuckTransactionsQueryVariables = Exact<{
  olderThanMinutes: Scalars['Int']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type StuckTransactionsQuery = { __typename?: 'Query', stuckTransactions: { __typename?: 'StuckTransactionConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'StuckTransactionEdge', node: { __typename?: 'Transaction', id: string, status: TransactionStatus, updatedAt: string } }> } };

export type MerchantsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type MerchantsQuery = { __typename?: 'Query', merchants: { __typename?: 'MerchantConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'MerchantEdge', node: { __typename?: 'Merchant', id: string, name: string, createdAt: string } }> } };

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

export type StuckRefundsQueryVariables = Exact<{
  merchantId?: InputMaybe<Scalars['ID']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type StuckRefundsQuery = { __typename?: 'Query', stuckRefunds: { __typename?: 'StuckRefundConnection', totalCount: number, edges: Array<{ __typename?: 'StuckRefundEdge', node: { __typename?: 'Refund', attempts: number, acceptedAt?: string | null, lastAttemptError?: string | null, stuckAt?: string | null, id: string, reason: string, status: RefundStatus, source: EventSource, providerReference?: string | null, failureCode?: string | null, requestedAt: string, completedAt?: string | null, transaction: { __typename?: 'Transaction', id: string, merchantReference: string }, amount: { __typename?: 'Money', value: string, currency: string, minorUnits: string } } }> } };

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

export type CheckoutTransactionFieldsFragment = { __typename?: 'CheckoutTransaction', id: string, status: TransactionStatus, isFinal: boolean, version: number, redirectUrl?: string | null, amount: { __typename?: 'Money', value: string, currency: string } };

export type CheckoutTransactionQueryVariables = Exact<{ [key: string]: never; }>;


export type CheckoutTransactionQuery = { __typename?: 'Query', checkoutTransaction: { __typename?: 'CheckoutTransaction', id: string, status: TransactionStatus, isFinal: boolean, version: number, redirectUrl?: string | null, statusHistory: Array<{ __typename?: 'CheckoutStatusChange', status: TransactionStatus, previousStatus?: TransactionStatus | null, occurredAt: string }>, amount: { __typename?: 'Money', value: string, currency: string } } };

export type CheckoutTransactionUpdatedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type CheckoutTransactionUpdatedSubscription = { __typename?: 'Subscription', checkoutTransactionUpdated: { __typename?: 'CheckoutTransaction', id: string, status: TransactionStatus, isFinal: boolean, version: number, redirectUrl?: string | null, amount: { __typename?: 'Money', value: string, currency: string } } };

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

export type SetAllowedOriginsMutationVariables = Exact<{
  origins: Array<Scalars['String']['input']> | Scalars['String']['input'];
  merchantId?: InputMaybe<Scalars['ID']['input']>;
}>;


export type SetAllowedOriginsMutation = { __typename?: 'Mutation', setAllowedOrigins:
    | { __typename: 'SetAllowedOriginsSuccess', allowedOrigins: Array<string> }
    | { __typename: 'ValidationError', message: string, code: string }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
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