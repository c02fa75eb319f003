import { GraphQLError } from 'graphql';
import { decodeGlobalId } from '../../domain/ids.ts';
import { decodeEventCursor, type EventPosition } from '../../events/cursor.ts';
import { transactionAsOf } from '../../events/log.ts';
import { currentThenChanges, isCurrentState, readAfterAttaching, type CurrentState } from '../../events/current-state.ts';
import { isNotice, type StreamItem } from '../../events/stream.ts';
import type { Refund, Transaction, TransactionEvent } from '../../generated/prisma/client.ts';
import { NotFoundError } from '../../services/errors.ts';
import { merchantScope, requestedMerchantScope } from '../../services/merchant-scope.ts';
import { rememberedMerchant } from '../../services/merchants.ts';
import { builder } from '../builder.ts';
import { invalidArgument } from '../errors.ts';
import { TransactionEventKindEnum, TransactionStatusEnum } from './enums.ts';

/**
 * Live status over graphql-ws (WebSocket) and SSE. Authorisation happens here, at subscribe time; the
 * stream itself only ever carries the caller's merchant's events (ADMIN: all, or one merchant).
 *
 * Payloads come from the relay with the event, its transaction and (refund events) its refund already read, so
 * the usual selections (`status`, `kind`, `cursor`, `transaction { status amount { value } }`, `refund { status }`)
 * resolve without a query per subscriber. A selection reaching further (e.g. `transaction { events }`) is loaded
 * for it.
 */

type PrismaQuery = { include?: object; select?: object };

builder.subscriptionFields((t) => ({
  transactionEvents: t.prismaField({
    type: 'TransactionEvent',
    description:
      "The caller's status and refund changes, in the stream's total order. With `after`: first every event after that cursor, then live; no gap and no duplicate in between.",
    args: {
      after: t.arg.string({ required: false, description: 'a `cursor` of a TransactionEvent received before' }),
      statuses: t.arg({
        type: [TransactionStatusEnum],
        required: false,
        description: 'only status changes into these statuses: refund events (whose status is unchanged) are left out unless `kinds` asks for them',
      }),
      kinds: t.arg({ type: [TransactionEventKindEnum], required: false, description: 'only events of these kinds (with `statuses`: its status changes among them)' }),
      merchantId: t.arg.id({ required: false, description: "ADMIN only: one merchant's events" }),
    },
    subscribe: async (_root, args, context) => {
      const after = parseAfter(args.after);
      const merchantId = await requestedMerchantScope(context.db, context.actor, args.merchantId);
      return context.events.openEventsStream({
        merchantId,
        statuses: args.statuses ?? undefined,
        kinds: args.kinds ?? undefined,
        after,
        disconnect: context.disconnect,
      });
    },
    resolve: (query, item: StreamItem, _args, context) => {
      const { event, transaction, refund } = committed(item);
      if (carriesSelection(query, { transaction: [], refund: [] })) return { ...event, transaction, refund };
      // An ADMIN feed names each event's merchant: from a short cache, not a query per event (bench:console).
      if (carriesSelection(query, { transaction: ['merchant'], refund: [] })) {
        return rememberedMerchant(context.db, transaction.merchantId).then((merchant) => ({ ...event, transaction: { ...transaction, merchant }, refund }));
      }
      return context.db.prisma.transactionEvent
        .findUniqueOrThrow({ ...query, where: { id: event.id } })
        .then((row: TransactionEvent & { transaction?: Transaction }) =>
          row.transaction === undefined ? row : { ...row, transaction: transactionAsOf(row.transaction, event) },
        );
    },
  }),
  transactionUpdated: t.prismaField({
    type: 'Transaction',
    description:
      'The transaction as it is now, then again after each of its status and refund changes: no change is missed between reading and following, and a reconnect starts again with the current state.',
    args: { id: t.arg.id({ required: true, description: 'the transaction’s id (another merchant’s: NOT_FOUND, as a missing one)' }) },
    subscribe: async (_root, args, context) => {
      const transactionId = decodeGlobalId(args.id, 'Transaction');
      if (transactionId === undefined) throw new NotFoundError();
      const merchantId = merchantScope(context.actor);
      const stream = await context.events.openTransactionStream({ transactionId, merchantId, disconnect: context.disconnect });
      const current = await readAfterAttaching(stream, () =>
        context.db.prisma.transaction.findFirst({ where: { id: transactionId, ...(merchantId === undefined ? {} : { merchantId }) } }),
      );
      if (!current) throw new NotFoundError();
      return currentThenChanges(current, stream, { untilFinal: false });
    },
    resolve: (query, item: StreamItem | CurrentState, _args, context) => {
      if (isCurrentState(item)) {
        return carriesSelection(query, {}) ? item.current : context.db.prisma.transaction.findUniqueOrThrow({ ...query, where: { id: item.current.id } });
      }
      const { event, transaction } = committed(item);
      if (carriesSelection(query, {})) return transaction;
      return context.db.prisma.transaction
        .findUniqueOrThrow({ ...query, where: { id: transaction.id } })
        .then((row) => transactionAsOf(row, event));
    },
  }),
}));

function committed(item: StreamItem): { event: TransactionEvent; transaction: Transaction; refund: Refund | null } {
  // The stream's last word to an SSE subscriber (WebSocket ones are disconnected with it instead).
  if (isNotice(item)) throw new GraphQLError(item.message, { extensions: { code: item.notice } });
  return item;
}

function parseAfter(after: string | null | undefined): EventPosition | undefined {
  if (after == null) return undefined;
  const position = decodeEventCursor(after);
  if (position === undefined) throw invalidArgument(['after'], 'not an event cursor (pass the `cursor` of an event you received)');
  return position;
}

/**
 * Whether what the relay read (the row, plus the `carried` relations with their scalars), with the nested
 * relations `carried` names for each (whole rows, added by the caller), answers the planned query. Anything
 * beyond, another nested relation or a narrowed selection, is left to Prisma.
 */
function carriesSelection(query: PrismaQuery, carried: Readonly<Record<string, readonly string[]>>): boolean {
  if (query.select !== undefined) return false;
  for (const [relation, nested] of Object.entries(query.include ?? {})) {
    const nestedCarried = carried[relation];
    if (nestedCarried === undefined) return false;
    if (nested === true) continue;
    if (typeof nested !== 'object' || nested === null) return false;
    const { include, select } = nested as PrismaQuery;
    if (select !== undefined) return false;
    for (const [inner, value] of Object.entries(include ?? {})) if (value !== true || !nestedCarried.includes(inner)) return false;
  }
  return true;
}
