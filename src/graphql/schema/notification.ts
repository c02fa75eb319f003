import { NotFoundError, ValidationFailedError } from '../../services/errors.ts';
import { resolveAnomaly } from '../../services/anomalies.ts';
import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import type { Prisma } from '../../generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { cursorPage, maxPageSize } from '../pagination.ts';
import { TransactionStatusEnum } from './enums.ts';
import { Money } from './transaction.ts';

/**
 * Notification ingestion as internal dashboards see it: every notification's outcome per transaction, the
 * anomalies that need a human, and counts of refused notifications. ADMIN only; merchant keys get FORBIDDEN.
 */

const NotificationSenderEnum = builder.enumType('NotificationSender', { values: ['ALIPAY', 'SIGNED_EVENT'] as const });
const NotificationOutcomeEnum = builder.enumType('NotificationOutcome', {
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
  values: {
    CAPTURED_AFTER_CANCEL: { description: 'money arrived for a cancelled transaction: refund needed' },
    CAPTURED_AFTER_REJECTION: { description: 'money arrived for a rejected (e.g. expired) transaction: refund needed' },
    ORPHAN: { description: 'a notification for no known transaction' },
    AMOUNT_MISMATCH: { description: "the notification's amount or currency disagrees with the transaction" },
    CONFLICTING_STATUS: { description: "a status that contradicts the transaction's history" },
  } as const,
});
const AnomalyStatusEnum = builder.enumType('AnomalyStatus', { values: ['OPEN', 'RESOLVED'] as const });

const adminOnly = { admin: true } as const;
const MAX_INT = 2_147_483_647n;

builder.prismaNode('Notification', {
  id: { field: 'id' },
  nullable: true,
  authScopes: adminOnly,
  findUnique: (id, context) => ({ id: isUuid(id) && context.actor.role === 'ADMIN' ? id : NIL_UUID }),
  fields: (t) => ({
    sender: t.expose('sender', { type: NotificationSenderEnum }),
    externalId: t.exposeString('externalId', { nullable: true, description: 'the sender’s event id (signed event id, Alipay notify_id)' }),
    eventType: t.exposeString('eventType', { nullable: true, description: 'payment.captured, TRADE_SUCCESS, ...' }),
    transactionReference: t.exposeString('transactionReference', { nullable: true, description: 'the transaction as the sender named it' }),
    transaction: t.relation('transaction', { nullable: true }),
    targetStatus: t.expose('targetStatus', { type: TransactionStatusEnum, nullable: true }),
    amount: t.field({
      type: Money,
      nullable: true,
      description: 'the amount the sender reported',
      select: { amountMinor: true, currency: true },
      resolve: (row) => (row.amountMinor !== null && row.currency !== null ? { minorUnits: row.amountMinor, currency: row.currency } : null),
    }),
    providerReference: t.exposeString('providerReference', { nullable: true }),
    outcome: t.expose('outcome', { type: NotificationOutcomeEnum }),
    detail: t.exposeString('detail', { nullable: true }),
    anomaly: t.relation('anomaly', { nullable: true }),
    transactionEvent: t.relation('transactionEvent', { nullable: true, description: 'the history entry it wrote (APPLIED)' }),
    contentType: t.exposeString('contentType'),
    rawBody: t.string({
      description: 'the body exactly as received, read as UTF-8 (see rawBodyBase64 for the bytes)',
      select: { rawBody: true },
      resolve: (row) => Buffer.from(row.rawBody).toString('utf8'),
    }),
    rawBodyBase64: t.string({ select: { rawBody: true }, resolve: (row) => Buffer.from(row.rawBody).toString('base64') }),
    deliveries: t.exposeInt('deliveries', { description: 'how often the sender delivered this event id' }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime' }),
    lastReceivedAt: t.expose('lastReceivedAt', { type: 'DateTime' }),
  }),
});

builder.prismaNode('Anomaly', {
  id: { field: 'id' },
  nullable: true,
  authScopes: adminOnly,
  findUnique: (id, context) => ({ id: isUuid(id) && context.actor.role === 'ADMIN' ? id : NIL_UUID }),
  fields: (t) => ({
    kind: t.expose('kind', { type: AnomalyKindEnum }),
    status: t.expose('status', { type: AnomalyStatusEnum }),
    transaction: t.relation('transaction', { nullable: true }),
    detail: t.exposeString('detail'),
    resolution: t.exposeString('resolution', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
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
    sender: t.field({ type: NotificationSenderEnum, resolve: (row) => row.sender }),
    reason: t.exposeString('reason', { description: 'MISSING_SIGNATURE, BAD_SIGNATURE, UNKNOWN_KEY, STALE_TIMESTAMP, ...' }),
    count: t.int({ description: 'saturates at 2^31-1', resolve: (row) => Number(row.count > MAX_INT ? MAX_INT : row.count) }),
    firstSeenAt: t.expose('firstSeenAt', { type: 'DateTime' }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime' }),
  }),
});

const NotificationOutcomeCount = builder.objectRef<OutcomeCount>('NotificationOutcomeCount').implement({
  fields: (t) => ({
    sender: t.field({ type: NotificationSenderEnum, resolve: (row) => row.sender }),
    outcome: t.field({ type: NotificationOutcomeEnum, resolve: (row) => row.outcome }),
    count: t.exposeInt('count'),
  }),
});

const NotificationStats = builder.objectRef<Stats>('NotificationStats').implement({
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime' }),
    rejections: t.field({ type: [NotificationRejectionCount], resolve: (stats) => stats.rejections }),
    outcomes: t.field({ type: [NotificationOutcomeCount], description: 'inbox outcomes of notifications received since `since`', resolve: (stats) => stats.outcomes }),
    openAnomalies: t.exposeInt('openAnomalies'),
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
        status: t.arg({ type: AnomalyStatusEnum, required: false, defaultValue: 'OPEN' }),
        kind: t.arg({ type: AnomalyKindEnum, required: false }),
      },
      resolve: (query, _root, args, context) =>
        context.db.prisma.anomaly.findMany({
          ...cursorPage(query, args, anomalyWhere(args)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: (_connection, args, context) =>
        context.db.prisma.anomaly.count({ where: anomalyWhere(args) }),
    },
    { name: 'AnomalyConnection' },
    { name: 'AnomalyEdge' },
  ),
  notificationStats: t.field({
    type: NotificationStats,
    authScopes: adminOnly,
    description: 'ADMIN only. Refused notifications (all time) and inbox outcomes since `since` (default: the last 24 hours)',
    args: { since: t.arg({ type: 'DateTime', required: false }) },
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
    args: { id: t.arg.id({ required: true }), resolution: t.arg.string({ required: true }) },
    errors: {
      types: [NotFoundError, ValidationFailedError],
      union: { name: 'ResolveAnomalyResult' },
      result: { name: 'ResolveAnomalySuccess' },
      dataField: { name: 'anomaly' },
    },
    resolve: (_query, _root, args, context) => {
      const id = decodeGlobalId(args.id, 'Anomaly');
      if (id === undefined) throw new NotFoundError('anomaly');
      return resolveAnomaly(context.db, id, args.resolution);
    },
  }),
}));
