import { NotFoundError, ValidationFailedError } from '../../services/errors.ts';
import { resolveAnomaly } from '../../services/anomalies.ts';
import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { cursorPage, maxPageSize } from '../pagination.ts';
import { TransactionStatusEnum } from './enums.ts';
import { Money, MoneyValue } from './transaction.ts';

/**
 * Notification ingestion as internal dashboards see it: every notification's outcome per transaction, the
 * anomalies that need a human, and counts of refused notifications. ADMIN only; merchant keys get FORBIDDEN.
 */

const NotificationSenderEnum = builder.enumType('NotificationSender', {
  description: 'Who sent a notification',
  values: {
    ALIPAY: { description: 'Alipay’s asynchronous notification (POST /notifications/alipay, RSA2-signed)' },
    SIGNED_EVENT: { description: 'a signed event (POST /notifications/events, HMAC), e.g. the settlement’s payment.paid' },
  } as const,
});
const NotificationOutcomeEnum = builder.enumType('NotificationOutcome', {
  description: 'What an authentic notification did',
  values: {
    APPLIED: { description: 'the status changed' },
    DUPLICATE: { description: 'the transaction already had this status (another event said the same)' },
    NO_OP: { description: 'consistent, nothing to change (e.g. TRADE_CLOSED confirming a merchant cancel)' },
    STALE: { description: 'late and out of order: the transaction was already past this status' },
    ANOMALY: { description: 'not applied; see anomaly' },
    IGNORED: { description: 'informational, no status (Alipay TRADE_FINISHED)' },
    MALFORMED: { description: 'authentic but unusable; kept raw, answered 4xx' },
  } as const,
});
const AnomalyKindEnum = builder.enumType('AnomalyKind', {
  description: 'What a notification reported that could not be applied, and needs a human',
  values: {
    CAPTURED_AFTER_CANCEL: { description: 'money arrived for a cancelled transaction: refund needed' },
    CAPTURED_AFTER_REJECTION: { description: 'money arrived for a rejected (e.g. expired) transaction: refund needed' },
    ORPHAN: { description: 'a notification for no known transaction' },
    AMOUNT_MISMATCH: { description: "the notification's amount or currency disagrees with the transaction" },
    CONFLICTING_STATUS: { description: "a status that contradicts the transaction's history" },
  } as const,
});
const AnomalyStatusEnum = builder.enumType('AnomalyStatus', {
  description: 'Whether an anomaly still needs a human',
  values: {
    OPEN: { description: 'not handled yet' },
    RESOLVED: { description: 'handled: resolveAnomaly said what was done (or a refund settled it)' },
  } as const,
});

const adminOnly = { admin: true } as const;
const MAX_INT = 2_147_483_647n;

builder.prismaNode('Notification', {
  description: 'ADMIN only. One authentic notification (per sender and event id), exactly as received, and what it did',
  id: { field: 'id' },
  nullable: true,
  authScopes: adminOnly,
  findUnique: (id, context) => ({ id: isUuid(id) && context.actor.role === 'ADMIN' ? id : NIL_UUID }),
  fields: (t) => ({
    sender: t.expose('sender', { type: NotificationSenderEnum, description: 'who sent it' }),
    externalId: t.exposeString('externalId', { nullable: true, description: 'the sender’s event id (signed event id, Alipay notify_id)' }),
    eventType: t.exposeString('eventType', { nullable: true, description: 'payment.captured, TRADE_SUCCESS, ...' }),
    transactionReference: t.exposeString('transactionReference', { nullable: true, description: 'the transaction as the sender named it' }),
    transaction: t.relation('transaction', { nullable: true, description: 'the transaction it names; null when it names none we know (ORPHAN)' }),
    targetStatus: t.expose('targetStatus', { type: TransactionStatusEnum, nullable: true, description: 'the status it reports; null when it reports none' }),
    amount: t.field({
      type: Money,
      nullable: true,
      description: 'the amount the sender reported',
      select: { amountMinor: true, currency: true },
      resolve: (row) => (row.amountMinor !== null && row.currency !== null ? new MoneyValue(row.amountMinor, row.currency) : null),
    }),
    providerReference: t.exposeString('providerReference', { nullable: true, description: 'Alipay’s trade number, as reported' }),
    outcome: t.expose('outcome', { type: NotificationOutcomeEnum, description: 'what it did' }),
    detail: t.exposeString('detail', { nullable: true, description: 'why, in words, when the outcome needs explaining' }),
    anomaly: t.relation('anomaly', { nullable: true, description: 'the anomaly it opened or joined (ANOMALY)' }),
    transactionEvent: t.relation('transactionEvent', { nullable: true, description: 'the history entry it wrote (APPLIED)' }),
    contentType: t.exposeString('contentType', { description: 'the Content-Type it came with' }),
    rawBody: t.string({
      description: 'the body exactly as received, read as UTF-8 (see rawBodyBase64 for the bytes)',
      select: { rawBody: true },
      resolve: (row) => Buffer.from(row.rawBody).toString('utf8'),
    }),
    rawBodyBase64: t.string({ description: 'the body’s bytes exactly as received, base64', select: { rawBody: true }, resolve: (row) => Buffer.from(row.rawBody).toString('base64') }),
    deliveries: t.exposeInt('deliveries', { description: 'how often the sender delivered this event id' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'its first delivery' }),
    lastReceivedAt: t.expose('lastReceivedAt', { type: 'DateTime', description: 'its latest delivery' }),
  }),
});

builder.prismaNode('Anomaly', {
  description: 'ADMIN only. Something notifications reported that was not applied and needs a human (one open per transaction and kind)',
  id: { field: 'id' },
  nullable: true,
  authScopes: adminOnly,
  findUnique: (id, context) => ({ id: isUuid(id) && context.actor.role === 'ADMIN' ? id : NIL_UUID }),
  fields: (t) => ({
    kind: t.expose('kind', { type: AnomalyKindEnum, description: 'what went wrong' }),
    status: t.expose('status', { type: AnomalyStatusEnum, description: 'whether it still needs a human' }),
    transaction: t.relation('transaction', { nullable: true, description: 'the transaction concerned; null for an ORPHAN' }),
    detail: t.exposeString('detail', { description: 'what was reported against what we had, in words' }),
    resolution: t.exposeString('resolution', { nullable: true, description: 'what was done, as resolveAnomaly was told; null while OPEN' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was opened' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true, description: 'when it was resolved; null while OPEN' }),
    notifications: t.relation('notifications', { description: 'the notifications that reported it, oldest first', query: { orderBy: { receivedAt: 'asc' } } }),
  }),
});

builder.prismaObjectField('Transaction', 'notifications', (t) =>
  t.relation('notifications', {
    authScopes: adminOnly,
    description: 'ADMIN only: every notification received about this transaction and what it did, oldest first',
    query: { orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }] },
  }),
);

type RejectionCount = { sender: 'ALIPAY' | 'SIGNED_EVENT'; reason: string; count: bigint; firstSeenAt: Date; lastSeenAt: Date };
type OutcomeCount = { sender: 'ALIPAY' | 'SIGNED_EVENT'; outcome: typeof NotificationOutcomeEnum.$inferType; count: number };
type Stats = { since: Date; rejections: RejectionCount[]; outcomes: OutcomeCount[]; openAnomalies: number };

const NotificationRejectionCount = builder.objectRef<RejectionCount>('NotificationRejectionCount').implement({
  description: 'Notifications refused before reaching the inbox (bad signature, unknown key, replay, unreadable body), all time',
  fields: (t) => ({
    sender: t.field({ type: NotificationSenderEnum, description: 'the endpoint that refused them', resolve: (row) => row.sender }),
    reason: t.exposeString('reason', { description: 'MISSING_SIGNATURE, BAD_SIGNATURE, UNKNOWN_KEY, STALE_TIMESTAMP, ...' }),
    count: t.int({ description: 'saturates at 2^31-1', resolve: (row) => Number(row.count > MAX_INT ? MAX_INT : row.count) }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime', description: 'the first such refusal' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', description: 'the latest (counts are written every NOTIFICATION_REFUSAL_FLUSH_SECONDS)' }),
  }),
});

const NotificationOutcomeCount = builder.objectRef<OutcomeCount>('NotificationOutcomeCount').implement({
  description: 'How many authentic notifications of one sender had one outcome',
  fields: (t) => ({
    sender: t.field({ type: NotificationSenderEnum, description: 'who sent them', resolve: (row) => row.sender }),
    outcome: t.field({ type: NotificationOutcomeEnum, description: 'what they did', resolve: (row) => row.outcome }),
    count: t.exposeInt('count', { description: 'how many' }),
  }),
});

const NotificationStats = builder.objectRef<Stats>('NotificationStats').implement({
  description: 'How notification ingestion is going: refusals, outcomes, open anomalies',
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime', description: 'the start of the outcomes’ window' }),
    rejections: t.field({ type: [NotificationRejectionCount], description: 'refused notifications per sender and reason, all time', resolve: (stats) => stats.rejections }),
    outcomes: t.field({ type: [NotificationOutcomeCount], description: 'inbox outcomes of notifications received since `since`', resolve: (stats) => stats.outcomes }),
    openAnomalies: t.exposeInt('openAnomalies', { description: 'anomalies still OPEN, now' }),
  }),
});

const DAY_MS = 86_400_000;

function anomalyWhere(args: { status?: 'OPEN' | 'RESOLVED' | null; kind?: Prisma.AnomalyWhereInput['kind'] | null }): Prisma.AnomalyWhereInput {
  return { ...(args.status ? { status: args.status } : {}), ...(args.kind ? { kind: args.kind } : {}) };
}

builder.queryFields((t) => ({
  anomalies: t.prismaConnection(
    {
      type: 'Anomaly',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      authScopes: adminOnly,
      description: 'ADMIN only. Newest first; OPEN ones by default',
      args: {
        status: t.arg({ type: AnomalyStatusEnum, required: false, defaultValue: 'OPEN', description: 'which ones (default OPEN)' }),
        kind: t.arg({ type: AnomalyKindEnum, required: false, description: 'only this kind' }),
      },
      resolve: (query, _root, args, context) =>
        context.db.prisma.anomaly.findMany({
          ...cursorPage(query, args, anomalyWhere(args)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: (_connection, args, context) =>
        context.db.prisma.anomaly.count({ where: anomalyWhere(args) }),
    },
    { name: 'AnomalyConnection', description: 'A page of anomalies' },
    { name: 'AnomalyEdge', description: 'An anomaly and its cursor' },
  ),
  notificationStats: t.field({
    type: NotificationStats,
    authScopes: adminOnly,
    description: 'ADMIN only. Refused notifications (all time) and inbox outcomes since `since` (default: the last 24 hours)',
    args: { since: t.arg({ type: 'DateTime', required: false, description: 'count outcomes from this instant (default: 24 hours ago)' }) },
    resolve: async (_root, args, context) => {
      const since = args.since ?? new Date(Date.now() - DAY_MS);
      const [rejections, outcomes, openAnomalies] = await Promise.all([
        context.db.prisma.notificationRejection.findMany({ orderBy: [{ sender: 'asc' }, { reason: 'asc' }] }),
        context.db.prisma.notification.groupBy({
          by: ['sender', 'outcome'],
          where: { receivedAt: { gte: since } },
          _count: { _all: true },
          orderBy: [{ sender: 'asc' }, { outcome: 'asc' }],
        }),
        context.db.prisma.anomaly.count({ where: { status: 'OPEN' } }),
      ]);
      return {
        since,
        rejections,
        outcomes: outcomes.map((row) => ({ sender: row.sender, outcome: row.outcome, count: row._count._all })),
        openAnomalies,
      };
    },
  }),
}));

builder.mutationFields((t) => ({
  resolveAnomaly: t.prismaField({
    type: 'Anomaly',
    authScopes: adminOnly,
    description: 'ADMIN only. Marks an anomaly RESOLVED, saying what was done (resolving twice keeps the first)',
    args: {
      id: t.arg.id({ required: true, description: 'the anomaly’s id' }),
      resolution: t.arg.string({ required: true, description: 'what was done about it, for the record' }),
    },
    errors: {
      types: [NotFoundError, ValidationFailedError],
      union: { name: 'ResolveAnomalyResult', description: 'ResolveAnomalySuccess, or why nothing changed' },
      result: { name: 'ResolveAnomalySuccess', description: 'The anomaly is RESOLVED' },
      dataField: { name: 'anomaly', description: 'the anomaly, RESOLVED' },
    },
    resolve: (_query, _root, args, context) => {
      const id = decodeGlobalId(args.id, 'Anomaly');
      if (id === undefined) throw new NotFoundError('anomaly');
      return resolveAnomaly(context.db, id, args.resolution);
    },
  }),
}));
