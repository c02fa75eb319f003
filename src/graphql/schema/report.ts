import { requestedMerchantScope } from '../../services/merchant-scope.ts';
import {
  DEFAULT_TIME_ZONE,
  conversionFunnel,
  merchantBreakdown,
  refundRows,
  remittance,
  reportDayBounds,
  resolveReportDay,
  statusRows,
  stuckTransactionsWhere,
  type ConversionFunnel,
  type MerchantDailyReport,
  type RefundReportRow,
  type RemittanceRow,
  type ReportDay,
  type StatusRow,
} from '../../services/reports.ts';
import { builder } from '../builder.ts';
import { cursorPage, filterPerRequest, maxPageSize } from '../pagination.ts';
import { TransactionStatusEnum } from './enums.ts';
import { MerchantNode } from './merchant.ts';
import { Money, MoneyValue } from './transaction.ts';

/**
 * Reports (merchants: their own; ADMIN: all merchants or one) and the operations views (ADMIN only).
 * Each part of a DailyReport is its own query, run only when selected, and sibling parts run in parallel.
 */

type DailyReportShape = { day: ReportDay; merchantId: string | undefined };

const DailyReportRow = builder.objectRef<StatusRow>('DailyReportRow').implement({
  description: 'Transactions created that day with this current status and currency',
  fields: (t) => ({
    status: t.field({ type: TransactionStatusEnum, description: 'the current status', resolve: (row) => row.status }),
    currency: t.exposeString('currency', { description: 'ISO 4217 code' }),
    count: t.exposeInt('count', { description: 'how many transactions' }),
    total: t.field({ type: Money, description: 'exact sum of their amounts', resolve: (row) => new MoneyValue(row.totalMinor, row.currency) }),
  }),
});

const RemittanceRowType = builder.objectRef<RemittanceRow>('RemittanceRow').implement({
  description:
    'One currency of the remittance: transactions whose PAID event happened that day (whenever created), and the refunds ' +
    'that succeeded that day and come off it. Both are shown; net may be negative. A currency with only refunds that ' +
    'day has count 0',
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'ISO 4217 code' }),
    count: t.exposeInt('count', { description: 'transactions that reached PAID that day' }),
    total: t.field({ type: Money, description: 'exact sum of their amounts (before refunds)', resolve: (row) => new MoneyValue(row.totalMinor, row.currency) }),
    refundCount: t.exposeInt('refundCount', {
      description:
        'refunds that succeeded that day, of CAPTURED or PAID transactions (a refund of money captured after a cancel ' +
        'or rejection was never remitted, so it is not deducted)',
    }),
    refunded: t.field({ type: Money, description: 'exact sum of those refunds', resolve: (row) => new MoneyValue(row.refundedMinor, row.currency) }),
    net: t.field({
      type: Money,
      description: 'total minus refunded: what the day adds to the remittance; negative when the refunds exceed the payments',
      resolve: (row) => new MoneyValue(row.netMinor, row.currency),
    }),
  }),
});

type RefundTallyShape = { count: number; totalMinor: bigint; currency: string };

const RefundTally = builder.objectRef<RefundTallyShape>('RefundTally').implement({
  description: 'How many refunds, and their exact sum',
  fields: (t) => ({
    count: t.exposeInt('count', { description: 'how many refunds' }),
    total: t.field({ type: Money, description: 'exact sum of their amounts', resolve: (tally) => new MoneyValue(tally.totalMinor, tally.currency) }),
  }),
});

const DailyRefundRowType = builder.objectRef<RefundReportRow>('DailyRefundRow').implement({
  description: 'Refunds in one currency, by the day of each change: requested that day, and succeeded or failed that day',
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'ISO 4217 code' }),
    requested: t.field({
      type: RefundTally,
      description: 'refunds requested that day, whatever became of them since',
      resolve: (row) => ({ ...row.requested, currency: row.currency }),
    }),
    succeeded: t.field({
      type: RefundTally,
      description: 'refunds that succeeded that day (the money went back to the consumer), whenever requested',
      resolve: (row) => ({ ...row.succeeded, currency: row.currency }),
    }),
    failed: t.field({
      type: RefundTally,
      description: 'refunds that failed that day (their amount is refundable again), whenever requested',
      resolve: (row) => ({ ...row.failed, currency: row.currency }),
    }),
  }),
});

const ConversionFunnelType = builder.objectRef<ConversionFunnel>('ConversionFunnel').implement({
  description:
    "How far the day's created transactions got, by their event history. The success path counts cumulatively " +
    '(a transaction that reached PAID counts as redirected, captured and paid, even if a notification skipped a step).',
  fields: (t) => ({
    created: t.exposeInt('created', { description: 'transactions created that day' }),
    redirected: t.exposeInt('redirected', { description: 'reached REDIRECTED or beyond on the success path' }),
    captured: t.exposeInt('captured', { description: 'reached CAPTURED or PAID' }),
    paid: t.exposeInt('paid', { description: 'reached PAID' }),
    rejected: t.exposeInt('rejected', { description: 'ended REJECTED (closed by Alipay, declined, or expired)' }),
    cancelled: t.exposeInt('cancelled', { description: 'ended CANCELLED, whoever cancelled (docs/ENDINGS.md)' }),
    cancelledByConsumer: t.exposeInt('cancelledByConsumer', {
      description: 'of cancelled: by the consumer on the payment page (statusReason CANCELLED_BY_CONSUMER)',
    }),
    cancelledByMerchant: t.exposeInt('cancelledByMerchant', {
      description: 'of cancelled: by the merchant, cancelTransaction (statusReason CANCELLED_BY_MERCHANT)',
    }),
    conversionRate: t.string({
      nullable: true,
      description: 'captured / created as a decimal string with 4 decimals, rounded half up ("0.6667"); null when nothing was created',
      resolve: (funnel) => funnel.conversionRate ?? null,
    }),
  }),
});

const MerchantDailyReportType = builder.objectRef<MerchantDailyReport>('MerchantDailyReport').implement({
  description: 'One merchant’s part of a DailyReport (ADMIN: byMerchant)',
  fields: (t) => ({
    merchant: t.field({ type: MerchantNode, description: 'the merchant', resolve: (report) => report.merchant }),
    rows: t.field({ type: [DailyReportRow], description: 'as DailyReport.rows, for this merchant', resolve: (report) => [...report.rows] }),
    funnel: t.field({ type: ConversionFunnelType, description: 'as DailyReport.funnel, for this merchant', resolve: (report) => report.funnel }),
    remittance: t.field({ type: [RemittanceRowType], description: 'as DailyReport.remittance, for this merchant', resolve: (report) => [...report.remittance] }),
    refunds: t.field({ type: [DailyRefundRowType], description: 'as DailyReport.refunds, for this merchant', resolve: (report) => [...report.refunds] }),
  }),
});

const DailyReport = builder.objectRef<DailyReportShape>('DailyReport').implement({
  description: 'One calendar day in a time zone, for one merchant or (ADMIN) all merchants',
  fields: (t) => ({
    date: t.field({ type: 'Date', description: 'the calendar day reported on', resolve: (report) => report.day.date }),
    timeZone: t.string({ description: 'the IANA zone, as the tz database spells it', resolve: (report) => report.day.timeZone }),
    startsAt: t.field({
      type: 'DateTime',
      description: 'first instant of the day in timeZone (inclusive)',
      resolve: async (report, _args, context) => (await reportDayBounds(context.db, report.day)).start,
    }),
    endsAt: t.field({
      type: 'DateTime',
      description: 'first instant of the next day (exclusive): a DST day is 23 or 25 hours long',
      resolve: async (report, _args, context) => (await reportDayBounds(context.db, report.day)).end,
    }),
    merchant: t.field({
      type: MerchantNode,
      nullable: true,
      description: 'the merchant reported on; null for all merchants',
      resolve: (report, _args, context) =>
        report.merchantId === undefined ? null : context.db.prisma.merchant.findUnique({ where: { id: report.merchantId } }),
    }),
    rows: t.field({
      type: [DailyReportRow],
      description: 'one per (current status, currency) with at least one transaction created that day',
      resolve: (report, _args, context) => statusRows(context.db, report.day, report.merchantId),
    }),
    funnel: t.field({
      type: ConversionFunnelType,
      description: 'how far the day’s created transactions got',
      resolve: (report, _args, context) => conversionFunnel(context.db, report.day, report.merchantId),
    }),
    remittance: t.field({
      type: [RemittanceRowType],
      description: 'per currency: what reached PAID that day, the refunds that come off it that day, and the net',
      resolve: (report, _args, context) => remittance(context.db, report.day, report.merchantId),
    }),
    refunds: t.field({
      type: [DailyRefundRowType],
      description: 'per currency with refund activity that day: refunds requested, succeeded and failed that day',
      resolve: (report, _args, context) => refundRows(context.db, report.day, report.merchantId),
    }),
    byMerchant: t.field({
      type: [MerchantDailyReportType],
      description:
        'the same report per merchant with activity that day, by merchant name: every merchant (or the merchantId asked for) for ADMIN, its own for a merchant key (so selecting it never fails a merchant’s report)',
      resolve: (report, _args, context) => merchantBreakdown(context.db, report.day, report.merchantId),
    }),
  }),
});

type StuckArgs = { olderThanMinutes: number; merchantId?: string | null };

const stuckWhere = filterPerRequest(async (context, args: StuckArgs) =>
  stuckTransactionsWhere(args.olderThanMinutes, await requestedMerchantScope(context.db, context.actor, args.merchantId)),
);

builder.queryFields((t) => ({
  dailyReport: t.field({
    type: DailyReport,
    description:
      'An invalid date, time zone or merchantId is a GraphQL error with extensions.code VALIDATION_FAILED and ' +
      'extensions.fields (path, message), since the result type is not a union.',
    args: {
      date: t.arg({ type: 'Date', required: true, description: 'the calendar day, in timeZone' }),
      timeZone: t.arg.string({ required: false, defaultValue: DEFAULT_TIME_ZONE, description: 'IANA, e.g. Asia/Shanghai' }),
      merchantId: t.arg.id({ required: false, description: 'ADMIN only' }),
    },
    resolve: async (_root, args, context) => {
      const merchantId = await requestedMerchantScope(context.db, context.actor, args.merchantId);
      const day = await resolveReportDay(context.db, args.date, args.timeZone ?? DEFAULT_TIME_ZONE);
      return { day, merchantId };
    },
  }),

  stuckTransactions: t.prismaConnection(
    {
      type: 'Transaction',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      authScopes: { admin: true },
      description:
        'ADMIN only. CREATED or REDIRECTED for longer than olderThanMinutes since their last status change, oldest first',
      args: {
        olderThanMinutes: t.arg.int({ required: true, description: 'minutes since their last status change, at least 1' }),
        merchantId: t.arg.id({ required: false, description: 'only this merchant’s' }),
      },
      resolve: async (query, _root, args, context) =>
        context.db.prisma.transaction.findMany({
          ...cursorPage(query, args, await stuckWhere(context, args)),
          orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }],
        }),
      totalCount: async (_connection, args, context) => context.db.prisma.transaction.count({ where: await stuckWhere(context, args) }),
    },
    { name: 'StuckTransactionConnection', description: 'A page of stuck transactions' },
    { name: 'StuckTransactionEdge', description: 'A stuck transaction and its cursor' },
  ),
}));
