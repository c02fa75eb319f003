import { GraphQLError } from 'graphql';
import { encodeGlobalId } from '../../domain/ids.ts';
import { isFinal } from '../../domain/status.ts';
import { currentThenChanges, isCurrentState, readAfterAttaching, type CurrentState } from '../../events/current-state.ts';
import { isNotice, type StreamItem } from '../../events/stream.ts';
import { CLIENT_SECRET_TTL_HOURS } from '../../services/client-secrets.ts';
import { NotFoundError } from '../../services/errors.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { TransactionStatusEnum } from './enums.ts';
import { Money, MoneyValue } from './transaction.ts';

/**
 * What a merchant's checkout page may see (#15): one transaction, opened by the merchant's publishable key and the
 * transaction's client secret (docs/FRONTEND.md). Its own types, so nothing a secret key sees (references, URLs of
 * the merchant, notifications, reasons) can leak through a field added to Transaction later.
 */

const CHECKOUT = { checkout: true } as const;

const CheckoutStatusChange = builder.prismaObject('TransactionEvent', {
  variant: 'CheckoutStatusChange',
  description: 'One status change of the transaction, as its checkout page sees it',
  fields: (t) => ({
    status: t.expose('status', { type: TransactionStatusEnum, description: 'the status it changed into' }),
    previousStatus: t.expose('previousStatus', { type: TransactionStatusEnum, nullable: true, description: 'the status before; null for the first' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'when it changed' }),
  }),
});

const CheckoutTransaction = builder.prismaObject('Transaction', {
  variant: 'CheckoutTransaction',
  description:
    "A transaction as the merchant's checkout page sees it (publishable key + client secret): status, amount, where to send the consumer, and the status history; nothing else",
  fields: (t) => ({
    id: t.string({
      description: 'the global id of the transaction (the same as Transaction.id)',
      select: { id: true },
      resolve: (transaction) => encodeGlobalId('Transaction', transaction.id),
    }),
    status: t.expose('status', { type: TransactionStatusEnum, description: 'the current status' }),
    isFinal: t.boolean({ description: 'true once the status can no longer change', select: { status: true }, resolve: (transaction) => isFinal(transaction.status) }),
    amount: t.field({
      type: Money,
      description: 'what the consumer pays',
      select: { amountMinor: true, currency: true },
      resolve: (transaction) => new MoneyValue(transaction.amountMinor, transaction.currency),
    }),
    redirectUrl: t.exposeString('redirectUrl', { nullable: true, description: 'where to send the consumer to pay (Alipay)' }),
    version: t.exposeInt('version', {
      description: 'bumped on every change: of two states of this transaction, the one with the higher version is the newer',
    }),
    statusHistory: t.relation('events', {
      type: CheckoutStatusChange,
      description: 'the status changes, oldest first (refund changes are not shown to the page)',
      query: { where: { kind: 'STATUS_CHANGED' }, orderBy: { sequence: 'asc' } },
    }),
  }),
});

/** The transaction the caller's client secret opened; the scope guarantees there is one. */
function checkoutTransactionId(context: GraphQLContext): string {
  if (context.actor.role !== 'PUBLISHABLE' || context.actor.transactionId === undefined) throw new NotFoundError();
  return context.actor.transactionId;
}

builder.queryFields((t) => ({
  checkoutTransaction: t.prismaField({
    type: CheckoutTransaction,
    skipTypeScopes: true,
    authScopes: CHECKOUT,
    description: `Publishable key + client secret only: the transaction the client secret opens (client secrets expire ${CLIENT_SECRET_TTL_HOURS} hours after createTransaction issued them)`,
    resolve: (query, _root, _args, context) => context.db.prisma.transaction.findUniqueOrThrow({ ...query, where: { id: checkoutTransactionId(context) } }),
  }),
}));

builder.subscriptionFields((t) => ({
  checkoutTransactionUpdated: t.prismaField({
    type: CheckoutTransaction,
    skipTypeScopes: true,
    authScopes: CHECKOUT,
    description:
      'Publishable key + client secret only: the transaction as it is now, then again after each change; complete once the status is final. After a reconnect the first answer is again the current state: nothing is missed between reading and following.',
    subscribe: async (_root, _args, context) => {
      const transactionId = checkoutTransactionId(context);
      const { actor } = context;
      const merchantId = actor.role === 'PUBLISHABLE' ? actor.merchantId : undefined;
      const stream = await context.events.openTransactionStream({ transactionId, merchantId, disconnect: context.disconnect });
      const current = await readAfterAttaching(stream, () => context.db.prisma.transaction.findUnique({ where: { id: transactionId } }));
      if (!current) throw new NotFoundError();
      // The page has nothing more to follow once the status is final.
      return currentThenChanges(current, stream, { untilFinal: true });
    },
    resolve: (query, payload: unknown, _args, context) => {
      const item = payload as CurrentState | StreamItem;
      if (!isCurrentState(item) && isNotice(item)) throw new GraphQLError(item.message, { extensions: { code: item.notice } });
      const transaction = isCurrentState(item) ? item.current : item.transaction;
      return query.select === undefined && query.include === undefined
        ? transaction
        : context.db.prisma.transaction.findUniqueOrThrow({ ...query, where: { id: transaction.id } });
    },
  }),
}));
