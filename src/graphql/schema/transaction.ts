import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import { formatMinorUnits } from '../../domain/money.ts';
import { isCancellable, isFinal } from '../../domain/status.ts';
import { encodeEventCursor } from '../../events/cursor.ts';
import type { TransactionListFilter } from '../../db/sql/transaction-reads.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { ForbiddenError, IdempotencyConflictError, InvalidStateError, NotFoundError, ValidationFailedError } from '../../services/errors.ts';
import { merchantScope, requestedMerchantScope } from '../../services/merchant-scope.ts';
import { CLIENT_SECRET_TTL_HOURS } from '../../services/client-secrets.ts';
import { cancelTransaction, createTransaction, findTransaction } from '../../services/transactions.ts';
import { TRANSACTION_COUNT_LIMIT, countTransactionList, listTransactions, type TransactionCount } from '../../services/transaction-reads.ts';
import { COMPILED_EXECUTION, builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { cursorPage, filterPerRequest, maxPageSize } from '../pagination.ts';
import { EventSourceEnum, PaymentProductEnum, TransactionStatusEnum } from './enums.ts';

/**
 * What a Money field resolves to. `minorUnits` is a getter, not a resolver: compiled queries (graphql-jit) read a
 * field without one inline, where a resolver is a call with its own info object (a stats series has one per figure,
 * currency and row).
 */
export class MoneyValue {
  constructor(
    readonly amountMinor: bigint,
    readonly currency: string,
  ) {}

  get minorUnits(): string {
    return this.amountMinor.toString();
  }
}

export const Money = builder.objectRef<MoneyValue>('Money').implement({
  description: 'An exact amount: a decimal string in major units, never a float',
  fields: (t) => ({
    value: t.string({ description: 'decimal string in major units with the currency’s decimals, e.g. "19.99"', resolve: (money) => formatMinorUnits(money.amountMinor, money.currency) }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code, e.g. "EUR"' }),
    minorUnits: t.exposeString('minorUnits', { description: 'the same amount in integer minor units, as a string (e.g. "1999")' }),
  }),
});

export const TransactionNode = builder.prismaNode('Transaction', {
  description: 'A payment a merchant asked for: its amount, where it stands, and its whole history',
  id: { field: 'id' },
  nullable: true,
  // Tenant isolation for `node`: another merchant's transaction loads exactly like a missing one.
  findUnique: (id, context) => ({ id: isUuid(id) ? id : NIL_UUID, ...tenantWhere(context) }),
  fields: (t) => ({
    merchantReference: t.exposeString('merchantReference', { description: 'the merchant’s own reference (e.g. its order number), as sent' }),
    // No `select` on the computed fields below: the type loads every scalar column anyway (Pothos' include mode),
    // and a field with one is resolved through the prisma plugin's loader check on every row of a list (#19).
    amount: t.field({
      type: Money,
      description: 'what the consumer pays, exactly',
      resolve: (transaction) => new MoneyValue(transaction.amountMinor, transaction.currency),
    }),
    paymentProduct: t.expose('paymentProduct', { type: PaymentProductEnum, description: 'how the consumer pays' }),
    status: t.expose('status', { type: TransactionStatusEnum, description: 'where the payment stands now' }),
    isFinal: t.boolean({ description: 'true once the status can no longer change (PAID, REJECTED, CANCELLED)', resolve: (transaction) => isFinal(transaction.status) }),
    isCancellable: t.boolean({ description: 'true while cancelTransaction may still cancel it (CREATED, REDIRECTED)', resolve: (transaction) => isCancellable(transaction.status) }),
    redirectUrl: t.exposeString('redirectUrl', { nullable: true, description: 'where to send the consumer to pay (the Alipay gateway, signed); null before the redirect exists' }),
    returnUrl: t.exposeString('returnUrl', {
      description: 'where the consumer is sent after Alipay (through Paystream, which adds transactionId and status), as normalised',
    }),
    providerReference: t.exposeString('providerReference', { nullable: true, description: 'Alipay’s trade number, once Alipay has told us' }),
    statusReason: t.exposeString('statusReason', {
      nullable: true,
      description: 'why it reached its status, when there is more to say: e.g. CANCELLED_BY_MERCHANT, CANCELLED_BY_ADMIN, TRADE_CLOSED, EXPIRED',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when createTransaction made it' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'when its status (or another field) last changed' }),
    events: t.relation('events', {
      description: 'Status history, oldest first',
      query: { orderBy: { sequence: 'asc' } },
    }),
    merchant: t.relation('merchant', {
      description: 'The merchant it belongs to (what ADMIN lists show; a merchant key only ever sees its own)',
    }),
  }),
});

builder.prismaObject('TransactionEvent', {
  description: 'One change in a transaction’s history (and on the event stream): its status moved, or a refund was asked for or ended',
  fields: (t) => ({
    cursor: t.string({
      description: "Opaque; the merchant's event stream is totally ordered by it; valid as `after`",
      // No `select`: every scalar column is loaded (include mode), and a field with one goes through the prisma
      // plugin's loader check on every row, which compiled execution cannot follow (a reload per page).
      resolve: (event) => encodeEventCursor(event),
    }),
    sequence: t.exposeInt('sequence', { description: '1, 2, 3... within its transaction, without gaps' }),
    transaction: t.relation('transaction', { description: 'the transaction this event belongs to' }),
    status: t.expose('status', { type: TransactionStatusEnum, description: 'the transaction’s status after this event' }),
    previousStatus: t.expose('previousStatus', { type: TransactionStatusEnum, nullable: true, description: 'its status before; null for the CREATED event' }),
    source: t.expose('source', { type: EventSourceEnum, description: 'who caused it' }),
    reason: t.exposeString('reason', { nullable: true, description: 'why, when there is more to say (e.g. CANCELLED_BY_MERCHANT, EXPIRED, a provider’s code)' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'when it was recorded' }),
  }),
});

function tenantWhere(context: GraphQLContext): { merchantId?: string } {
  const merchantId = merchantScope(context.actor);
  return merchantId === undefined ? {} : { merchantId };
}

const TransactionFilter = builder.inputType('TransactionFilter', {
  description: 'Which transactions to list; every field given must match',
  fields: (t) => ({
    statuses: t.field({ type: [TransactionStatusEnum], required: false, description: 'one of these statuses' }),
    currency: t.string({ required: false, description: 'ISO 4217 code (upper or lower case)' }),
    merchantReference: t.string({ required: false, description: 'exactly this merchant reference' }),
    createdFrom: t.field({ type: 'DateTime', required: false, description: 'inclusive' }),
    createdTo: t.field({ type: 'DateTime', required: false, description: 'exclusive' }),
    merchantId: t.id({ required: false, description: 'ADMIN only' }),
  }),
});

type TransactionFilterShape = typeof TransactionFilter.$inferInput;

/** The filter as the list's statements take it (the merchant: the caller's own, or the one ADMIN asked for). */
const transactionFilter = filterPerRequest(async (context, { filter }: { filter?: TransactionFilterShape | null }): Promise<TransactionListFilter> => {
  const merchantId = await requestedMerchantScope(context.db, context.actor, filter?.merchantId, ['filter', 'merchantId']);
  return {
    merchantId,
    statuses: filter?.statuses ?? undefined,
    currency: filter?.currency?.toUpperCase() ?? undefined,
    merchantReference: filter?.merchantReference ?? undefined,
    createdFrom: filter?.createdFrom ?? undefined,
    createdTo: filter?.createdTo ?? undefined,
  };
});

/** The same filter for Prisma (selections the prepared statements do not answer). */
function transactionWhere(filter: TransactionListFilter): Prisma.TransactionWhereInput {
  const where: Prisma.TransactionWhereInput = filter.merchantId === undefined ? {} : { merchantId: filter.merchantId };
  if (filter.statuses !== undefined) where.status = { in: [...filter.statuses] };
  if (filter.currency !== undefined) where.currency = filter.currency;
  if (filter.merchantReference !== undefined) where.merchantReference = filter.merchantReference;
  if (filter.createdFrom !== undefined || filter.createdTo !== undefined) {
    where.createdAt = {
      ...(filter.createdFrom !== undefined ? { gte: filter.createdFrom } : {}),
      ...(filter.createdTo !== undefined ? { lt: filter.createdTo } : {}),
    };
  }
  return where;
}

export const MoneyInput = builder.inputType('MoneyInput', {
  description: 'An exact amount: a decimal string and its currency (never a float)',
  fields: (t) => ({
    value: t.string({ required: true, description: 'decimal string in major units, e.g. "19.99"' }),
    currency: t.string({ required: true, description: 'ISO 4217' }),
  }),
});

const CreateTransactionInput = builder.inputType('CreateTransactionInput', {
  description: 'What a merchant asks to be paid',
  fields: (t) => ({
    merchantReference: t.string({ required: true, description: 'your own reference (e.g. the order number): 1 to 255 printable characters' }),
    amount: t.field({ type: MoneyInput, required: true, description: 'positive, with at most the currency’s decimals, at most MAX_TRANSACTION_AMOUNT' }),
    returnUrl: t.string({
      required: true,
      description:
        'absolute http(s) URL, at most 2048 characters, no control characters or credentials; stored normalised (WHATWG). ' +
        'The consumer comes back here through Paystream with transactionId and status added to the query',
    }),
    paymentProduct: t.field({ type: PaymentProductEnum, required: false, defaultValue: 'ALIPAY', description: 'how the consumer pays' }),
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
    extensions: { [COMPILED_EXECUTION]: true },
    args: { id: t.arg.id({ required: true, description: 'the transaction’s id' }) },
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
      extensions: { [COMPILED_EXECUTION]: true },
      args: { filter: t.arg({ type: TransactionFilter, required: false, description: 'which transactions; none: all the caller may see' }) },
      resolve: async (query, _root, args, context) => {
        const filter = await transactionFilter(context, args);
        return listTransactions(context.db, filter, cursorPage(query, args, transactionWhere(filter), tenantWhere(context)), merchantScope(context.actor));
      },
    },
    {
      name: 'TransactionConnection',
      description: 'A page of transactions',
      fields: (t) => ({
        totalCount: t.int({
          description:
            `how many transactions the whole list has (every page together, the same filter), counted up to ${TRANSACTION_COUNT_LIMIT.toLocaleString('en')}: ` +
            `a longer list answers ${TRANSACTION_COUNT_LIMIT.toLocaleString('en')} with totalCountIsExact false. Counting reads every matching row, ` +
            'so it stops there and costs the same however long the list grows (as Shopify caps its counts); exact totals of ' +
            'every period come from transactionStats and the reports. Leave it out of pages that do not show it',
          // Like the prisma plugin's own totalCount: asked alone, the page is not read.
          extensions: { pothosPrismaTotalCount: true },
          resolve: async (connection, _args, context) => (await listCount(connection, context)).count,
        }),
        totalCountIsExact: t.boolean({
          description: `false when the list has more than ${TRANSACTION_COUNT_LIMIT.toLocaleString('en')} transactions and totalCount stopped counting there`,
          extensions: { pothosPrismaTotalCount: true },
          resolve: async (connection, _args, context) => (await listCount(connection, context)).exact,
        }),
      }),
    },
    { name: 'TransactionEdge', description: 'A transaction and its cursor' },
  ),
}));

/** Both count fields of one connection share one count; a connection object is its query's (Pothos keeps its args on it). */
const listCounts = new WeakMap<object, Promise<TransactionCount>>();

function listCount(connection: object, context: GraphQLContext): Promise<TransactionCount> {
  let counted = listCounts.get(connection);
  if (counted === undefined) {
    const { args } = connection as { args: { filter?: TransactionFilterShape | null } };
    counted = transactionFilter(context, args).then((filter) => countTransactionList(context.db, filter));
    listCounts.set(connection, counted);
  }
  return counted;
}

/** The client secret issued with each created transaction, until its answer has been written. */
const issuedClientSecrets = new WeakMap<object, string>();

builder.mutationFields((t) => ({
  // A prismaField, so that Pothos plans the answer's selection as loaded by the resolver: the created row comes back
  // with its history from the statement that wrote it, and no further query reads what was just written.
  createTransaction: t.prismaField({
    type: 'Transaction',
    authScopes: { merchant: true },
    extensions: { [COMPILED_EXECUTION]: true },
    description:
      'A merchant key asks to be paid: the transaction is created and REDIRECTED, with the redirectUrl to send the consumer to. ' +
      'Merchant keys only (an ADMIN key gets FORBIDDEN)',
    args: { input: t.arg({ type: CreateTransactionInput, required: true, description: 'what to be paid, and where the consumer returns' }) },
    errors: {
      types: [ValidationFailedError, IdempotencyConflictError],
      union: { name: 'CreateTransactionResult', description: 'CreateTransactionSuccess, or why nothing was created' },
      result: {
        name: 'CreateTransactionSuccess',
        description: 'The transaction was created (or, with the same idempotencyKey and input, found again)',
        fields: (t) => ({
          clientSecret: t.string({
            description: `For the merchant's checkout page, with its publishable key: reads this transaction and follows its status (docs/FRONTEND.md). Returned once (each answer, replays included, carries a new one); expires ${CLIENT_SECRET_TTL_HOURS} hours after it was issued. Never put it in a URL or a log.`,
            resolve: (transaction) => issuedClientSecrets.get(transaction) ?? '',
          }),
        }),
      },
      dataField: { name: 'transaction', description: 'the transaction, REDIRECTED, with its redirectUrl' },
    },
    resolve: async (_query, _root, { input }, context) => {
      if (context.actor.role !== 'MERCHANT') throw new ForbiddenError('a merchant key is needed');
      const created = await createTransaction(context, context.actor.merchantId, input);
      issuedClientSecrets.set(created, created.clientSecret);
      return created;
    },
  }),
  cancelTransaction: t.field({
    type: TransactionNode,
    description:
      'Cancels a CREATED or REDIRECTED transaction (later, money is moving: InvalidStateError). A merchant key cancels its own; ' +
      'an ADMIN key those of every merchant, recorded as ADMIN_API / CANCELLED_BY_ADMIN',
    args: { id: t.arg.id({ required: true, description: 'the transaction’s id' }) },
    errors: {
      types: [NotFoundError, InvalidStateError],
      union: { name: 'CancelTransactionResult', description: 'CancelTransactionSuccess, or why nothing was cancelled' },
      result: { name: 'CancelTransactionSuccess', description: 'The transaction is CANCELLED' },
      dataField: { name: 'transaction', description: 'the transaction, CANCELLED' },
    },
    resolve: (_root, args, context) => {
      const id = decodeGlobalId(args.id, 'Transaction');
      if (id === undefined) throw new NotFoundError();
      const { actor } = context;
      // The Mutation type's scopes already keep read-only and publishable keys out; this says so to the compiler too.
      if (actor.role !== 'ADMIN' && actor.role !== 'MERCHANT') throw new ForbiddenError('a merchant secret key or an ADMIN key is needed');
      return cancelTransaction(context, actor, id);
    },
  }),
}));
