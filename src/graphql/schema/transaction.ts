import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import { formatMinorUnits } from '../../domain/money.ts';
import { isCancellable, isFinal } from '../../domain/status.ts';
import { encodeEventCursor } from '../../events/cursor.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { ForbiddenError, IdempotencyConflictError, InvalidStateError, NotFoundError, ValidationFailedError } from '../../services/errors.ts';
import { merchantScope, requestedMerchantScope } from '../../services/merchant-scope.ts';
import { cancelTransaction, createTransaction, findTransaction } from '../../services/transactions.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { cursorPage, filterPerRequest, maxPageSize } from '../pagination.ts';
import { EventSourceEnum, PaymentProductEnum, TransactionStatusEnum } from './enums.ts';

export type MoneyShape = { minorUnits: bigint; currency: string };

export const Money = builder.objectRef<MoneyShape>('Money').implement({
  description: 'An exact amount: a decimal string in major units, never a float',
  fields: (t) => ({
    value: t.string({ resolve: (money) => formatMinorUnits(money.minorUnits, money.currency) }),
    currency: t.exposeString('currency'),
    minorUnits: t.string({ resolve: (money) => money.minorUnits.toString() }),
  }),
});

export const TransactionNode = builder.prismaNode('Transaction', {
  id: { field: 'id' },
  nullable: true,
  // Tenant isolation for `node`: another merchant's transaction loads exactly like a missing one.
  findUnique: (id, context) => ({ id: isUuid(id) ? id : NIL_UUID, ...tenantWhere(context) }),
  fields: (t) => ({
    merchantReference: t.exposeString('merchantReference'),
    amount: t.field({
      type: Money,
      select: { amountMinor: true, currency: true },
      resolve: (transaction) => ({ minorUnits: transaction.amountMinor, currency: transaction.currency }),
    }),
    paymentProduct: t.expose('paymentProduct', { type: PaymentProductEnum }),
    status: t.expose('status', { type: TransactionStatusEnum }),
    isFinal: t.boolean({ select: { status: true }, resolve: (transaction) => isFinal(transaction.status) }),
    isCancellable: t.boolean({ select: { status: true }, resolve: (transaction) => isCancellable(transaction.status) }),
    redirectUrl: t.exposeString('redirectUrl', { nullable: true }),
    returnUrl: t.exposeString('returnUrl', {
      description: 'where the consumer is sent after Alipay (through Paystream, which adds transactionId and status), as normalised',
    }),
    providerReference: t.exposeString('providerReference', { nullable: true }),
    statusReason: t.exposeString('statusReason', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    events: t.relation('events', {
      description: 'Status history, oldest first',
      query: { orderBy: { sequence: 'asc' } },
    }),
  }),
});

builder.prismaObject('TransactionEvent', {
  fields: (t) => ({
    cursor: t.string({
      description: "Opaque; the merchant's event stream is totally ordered by it; valid as `after`",
      select: { txid: true, id: true },
      resolve: (event) => encodeEventCursor(event),
    }),
    sequence: t.exposeInt('sequence'),
    transaction: t.relation('transaction'),
    status: t.expose('status', { type: TransactionStatusEnum }),
    previousStatus: t.expose('previousStatus', { type: TransactionStatusEnum, nullable: true }),
    source: t.expose('source', { type: EventSourceEnum }),
    reason: t.exposeString('reason', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

function tenantWhere(context: GraphQLContext): { merchantId?: string } {
  const merchantId = merchantScope(context.actor);
  return merchantId === undefined ? {} : { merchantId };
}

const TransactionFilter = builder.inputType('TransactionFilter', {
  fields: (t) => ({
    statuses: t.field({ type: [TransactionStatusEnum], required: false }),
    currency: t.string({ required: false }),
    merchantReference: t.string({ required: false }),
    createdFrom: t.field({ type: 'DateTime', required: false, description: 'inclusive' }),
    createdTo: t.field({ type: 'DateTime', required: false, description: 'exclusive' }),
    merchantId: t.id({ required: false, description: 'ADMIN only' }),
  }),
});

type TransactionFilterShape = typeof TransactionFilter.$inferInput;

const transactionWhere = filterPerRequest(async (context, { filter }: { filter?: TransactionFilterShape | null }) => {
  const merchantId = await requestedMerchantScope(context.db, context.actor, filter?.merchantId, ['filter', 'merchantId']);
  const where: Prisma.TransactionWhereInput = merchantId === undefined ? {} : { merchantId };
  if (filter?.statuses != null) where.status = { in: filter.statuses };
  if (filter?.currency != null) where.currency = filter.currency.toUpperCase();
  if (filter?.merchantReference != null) where.merchantReference = filter.merchantReference;
  if (filter?.createdFrom != null || filter?.createdTo != null) {
    where.createdAt = {
      ...(filter.createdFrom != null ? { gte: filter.createdFrom } : {}),
      ...(filter.createdTo != null ? { lt: filter.createdTo } : {}),
    };
  }
  return where;
});

export const MoneyInput = builder.inputType('MoneyInput', {
  fields: (t) => ({
    value: t.string({ required: true, description: 'decimal string in major units, e.g. "19.99"' }),
    currency: t.string({ required: true, description: 'ISO 4217' }),
  }),
});

const CreateTransactionInput = builder.inputType('CreateTransactionInput', {
  fields: (t) => ({
    merchantReference: t.string({ required: true }),
    amount: t.field({ type: MoneyInput, required: true }),
    returnUrl: t.string({
      required: true,
      description:
        'absolute http(s) URL, at most 2048 characters, no control characters or credentials; stored normalised (WHATWG). ' +
        'The consumer comes back here through Paystream with transactionId and status added to the query',
    }),
    paymentProduct: t.field({ type: PaymentProductEnum, required: false, defaultValue: 'ALIPAY' }),
    idempotencyKey: t.string({
      required: false,
      description: 'same key + same input: same result; same key + other input: IdempotencyConflictError',
    }),
  }),
});

builder.queryFields((t) => ({
  transaction: t.prismaField({
    type: 'Transaction',
    nullable: true,
    description: "null when absent or not the caller's",
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) => {
      const id = decodeGlobalId(args.id, 'Transaction');
      if (id === undefined) return null;
      return findTransaction(context.db, query, id, merchantScope(context.actor));
    },
  }),
  transactions: t.prismaConnection(
    {
      type: 'Transaction',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      description: 'Newest first',
      args: { filter: t.arg({ type: TransactionFilter, required: false }) },
      resolve: async (query, _root, args, context) =>
        context.db.prisma.transaction.findMany({
          ...cursorPage(query, args, await transactionWhere(context, args), tenantWhere(context)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: async (_connection, args, context) =>
        context.db.prisma.transaction.count({ where: await transactionWhere(context, args) }),
    },
    { name: 'TransactionConnection' },
    { name: 'TransactionEdge' },
  ),
}));

builder.mutationFields((t) => ({
  createTransaction: t.field({
    type: TransactionNode,
    authScopes: { merchant: true },
    args: { input: t.arg({ type: CreateTransactionInput, required: true }) },
    errors: {
      types: [ValidationFailedError, IdempotencyConflictError],
      union: { name: 'CreateTransactionResult' },
      result: { name: 'CreateTransactionSuccess' },
      dataField: { name: 'transaction' },
    },
    resolve: (_root, { input }, context) => {
      if (context.actor.role !== 'MERCHANT') throw new ForbiddenError('a merchant key is needed');
      return createTransaction(context, context.actor.merchantId, input);
    },
  }),
  cancelTransaction: t.field({
    type: TransactionNode,
    args: { id: t.arg.id({ required: true }) },
    errors: {
      types: [NotFoundError, InvalidStateError],
      union: { name: 'CancelTransactionResult' },
      result: { name: 'CancelTransactionSuccess' },
      dataField: { name: 'transaction' },
    },
    resolve: (_root, args, context) => {
      const id = decodeGlobalId(args.id, 'Transaction');
      if (id === undefined) throw new NotFoundError();
      return cancelTransaction(context, context.actor, id);
    },
  }),
}));
