import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import { refundableAmount } from '../../domain/refunds.ts';
import {
  AmountExceedsRefundableError,
  IdempotencyConflictError,
  InvalidStateError,
  NotFoundError,
  ValidationFailedError,
} from '../../services/errors.ts';
import { refundTransaction, stuckRefundsWhere } from '../../services/refunds.ts';
import { merchantScope, requestedMerchantScope } from '../../services/merchant-scope.ts';
import { builder } from '../builder.ts';
import { cursorPage, filterPerRequest, maxPageSize } from '../pagination.ts';
import { EventSourceEnum, TransactionEventKindEnum } from './enums.ts';
import { ErrorInterface } from './errors.ts';
import { Money, MoneyInput, MoneyValue } from './transaction.ts';

/**
 * Refunds: money given back to the consumer for (part of) a captured transaction, through Alipay's forex_refund.
 * A refund is REQUESTED when recorded and becomes SUCCEEDED or FAILED once Alipay answers definitely; each change
 * is an event of the transaction's history and stream (TransactionEvent.kind REFUND_*).
 */

const adminOnly = { admin: true } as const;

export const RefundStatusEnum = builder.enumType('RefundStatus', {
  description: 'Where a refund stands',
  values: {
    REQUESTED: { description: 'recorded and reserved against the refundable amount; Alipay has not answered definitely yet' },
    SUCCEEDED: { description: 'final: the money went back to the consumer' },
    FAILED: { description: 'final: Alipay refused or failed it (see failureCode); the amount is refundable again' },
  } as const,
});

export const RefundNode = builder.prismaNode('Refund', {
  id: { field: 'id' },
  nullable: true,
  description: 'Money given back to the consumer for (part of) a captured transaction',
  // Tenant isolation for `node`: another merchant's refund loads exactly like a missing one.
  findUnique: (id, context) => {
    const merchantId = merchantScope(context.actor);
    return { id: isUuid(id) ? id : NIL_UUID, ...(merchantId === undefined ? {} : { merchantId }) };
  },
  fields: (t) => ({
    transaction: t.relation('transaction', { description: 'the refunded transaction' }),
    amount: t.field({
      type: Money,
      description: "in the transaction's currency",
      select: { amountMinor: true, currency: true },
      resolve: (refund) => new MoneyValue(refund.amountMinor, refund.currency),
    }),
    reason: t.exposeString('reason', { description: 'as given when requested (sent to Alipay)' }),
    status: t.expose('status', { type: RefundStatusEnum, description: 'where it stands' }),
    source: t.expose('source', { type: EventSourceEnum, description: 'who asked for it' }),
    providerReference: t.exposeString('providerReference', { nullable: true, description: "Alipay's reference, once it gave one" }),
    failureCode: t.exposeString('failureCode', { nullable: true, description: "FAILED: Alipay's error code" }),
    requestedAt: t.expose('requestedAt', { type: 'DateTime', description: 'when it was recorded' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, description: 'when it became SUCCEEDED or FAILED' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'when anything about it last changed' }),
    // How the refund runner is getting on with Alipay: for operations, not for merchants.
    attempts: t.exposeInt('attempts', { authScopes: adminOnly, description: 'ADMIN only: calls of forex_refund made so far' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true, authScopes: adminOnly, description: 'ADMIN only: when Alipay first accepted it' }),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true, authScopes: adminOnly, description: 'ADMIN only: when Alipay is asked next' }),
    lastAttemptError: t.exposeString('lastAttemptError', {
      nullable: true,
      authScopes: adminOnly,
      description: 'ADMIN only: why the last call gave no definite answer (timeout, HTTP 503, SELLER_BALANCE_NOT_ENOUGH, ...)',
    }),
    stuckAt: t.expose('stuckAt', { type: 'DateTime', nullable: true, authScopes: adminOnly, description: 'ADMIN only: when it was found stuck (see stuckRefunds)' }),
  }),
});

type StuckRefundArgs = { merchantId?: string | null };

const stuckRefundWhere = filterPerRequest(async (context, args: StuckRefundArgs) =>
  stuckRefundsWhere(await requestedMerchantScope(context.db, context.actor, args.merchantId)),
);

builder.queryFields((t) => ({
  stuckRefunds: t.prismaConnection(
    {
      type: 'Refund',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      authScopes: adminOnly,
      description:
        'ADMIN only. Refunds still REQUESTED after every check the refund runner makes (REFUND_RECHECK_AFTER_SECONDS x REFUND_RECHECK_LIMIT): Alipay gave no definite answer; someone should look in its merchant portal. Oldest first.',
      args: { merchantId: t.arg.id({ required: false, description: 'only this merchant’s' }) },
      resolve: async (query, _root, args, context) =>
        context.db.prisma.refund.findMany({ ...cursorPage(query, args, await stuckRefundWhere(context, args)), orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }] }),
      totalCount: async (_connection, args, context) => context.db.prisma.refund.count({ where: await stuckRefundWhere(context, args) }),
    },
    { name: 'StuckRefundConnection', description: 'A page of stuck refunds' },
    { name: 'StuckRefundEdge', description: 'A stuck refund and its cursor' },
  ),
}));

builder.prismaObjectFields('Transaction', (t) => ({
  refundedAmount: t.field({
    type: Money,
    description: 'the sum of its SUCCEEDED refunds',
    select: { refundedMinor: true, currency: true },
    resolve: (transaction) => new MoneyValue(transaction.refundedMinor, transaction.currency),
  }),
  refundableAmount: t.field({
    type: Money,
    description: 'what a refund may still give back: for a CAPTURED or PAID transaction its amount less its SUCCEEDED and REQUESTED refunds; zero otherwise',
    select: { status: true, amountMinor: true, refundedMinor: true, refundPendingMinor: true, currency: true },
    resolve: (transaction) => new MoneyValue(refundableAmount(transaction), transaction.currency),
  }),
  refunds: t.relation('refunds', { description: 'its refunds, oldest first', query: { orderBy: [{ requestedAt: 'asc' }, { id: 'asc' }] } }),
}));

builder.prismaObjectFields('TransactionEvent', (t) => ({
  kind: t.expose('kind', { type: TransactionEventKindEnum, description: 'a status change, or a refund’s (then status is unchanged)' }),
  refund: t.relation('refund', { nullable: true, description: 'the refund a REFUND_* event is about' }),
}));

builder.prismaObjectFields('Notification', (t) => ({
  refundReference: t.exposeString('refundReference', { nullable: true, description: 'refund notifications: the refund as the sender named it (Alipay out_return_no)' }),
  refund: t.relation('refund', { nullable: true, description: 'refund notifications: the refund it names, when it is one of ours' }),
}));

builder.prismaObjectField('Anomaly', 'refund', (t) =>
  t.relation('refund', {
    nullable: true,
    description: 'CAPTURED_AFTER_CANCEL / CAPTURED_AFTER_REJECTION: the refund ADMIN made to give the money back (resolved when it succeeds)',
  }),
);

builder.objectType(AmountExceedsRefundableError, {
  name: 'AmountExceedsRefundableError',
  description: 'More than is still refundable was asked for (code AMOUNT_EXCEEDS_REFUNDABLE); nothing was recorded',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    refundableAmount: t.field({
      type: Money,
      description: 'what is still refundable now',
      resolve: (error) => new MoneyValue(error.refundableMinor, error.currency),
    }),
  }),
});

const RefundTransactionInput = builder.inputType('RefundTransactionInput', {
  description: 'What to give back, of which transaction, and why',
  fields: (t) => ({
    transactionId: t.id({ required: true, description: 'a CAPTURED or PAID transaction' }),
    amount: t.field({ type: MoneyInput, required: false, description: "in the transaction's currency; omitted: everything still refundable" }),
    reason: t.string({ required: true, description: 'sent to Alipay: 1 to 128 printable characters, no double quote' }),
    idempotencyKey: t.string({
      required: false,
      description: 'same key + same input: the same refund; same key + other input: IdempotencyConflictError (kept with the refund)',
    }),
  }),
});

builder.mutationFields((t) => ({
  refundTransaction: t.field({
    type: RefundNode,
    description:
      'Gives (part of) a captured transaction back to the consumer. The refund is recorded REQUESTED, then sent to Alipay; follow it on the transaction’s events. Merchant keys refund their own transactions; ADMIN those of every merchant, and also the money of a CAPTURED_AFTER_CANCEL or CAPTURED_AFTER_REJECTION anomaly.',
    // Keys that act for a merchant's money; any other role (a read-only key) is refused, here and in the service.
    authScopes: { merchant: true, admin: true },
    args: { input: t.arg({ type: RefundTransactionInput, required: true, description: 'the transaction, the amount and the reason' }) },
    errors: {
      types: [ValidationFailedError, NotFoundError, InvalidStateError, AmountExceedsRefundableError, IdempotencyConflictError],
      union: { name: 'RefundTransactionResult', description: 'RefundTransactionSuccess, or why nothing was recorded' },
      result: { name: 'RefundTransactionSuccess', description: 'The refund was recorded (or, with the same idempotencyKey and input, found again)' },
      dataField: { name: 'refund', description: 'the refund, REQUESTED (or as it stands now)' },
    },
    resolve: (_root, { input }, context) => {
      const transactionId = decodeGlobalId(input.transactionId, 'Transaction');
      if (transactionId === undefined) throw new NotFoundError();
      return refundTransaction(context.db, context.actor, { ...input, transactionId });
    },
  }),
}));
