import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { TransactionStatus } from '../../domain/status.ts';
import type { TimeBucket } from '../../domain/time-buckets.ts';
import type { Merchant } from '../../generated/prisma/client.ts';
import { ValidationFailedError } from '../../services/errors.ts';
import { DEFAULT_TIME_ZONE } from '../../services/reports.ts';
import {
  MAX_HOURLY_RANGE_DAYS,
  MAX_RANGE_DAYS,
  STATS_DIMENSIONS,
  rowsAskedFor,
  statsScope,
  transactionStats,
  type StatsAmounts,
  type StatsCounts,
  type StatsDimension,
  type StatsFigure,
  type StatsRow,
  type StatsSize,
  type TransactionStats,
} from '../../services/stats.ts';
import { COMPILED_EXECUTION, builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { TransactionStatusEnum } from './enums.ts';
import { MerchantNode } from './merchant.ts';
import { Money, MoneyValue } from './transaction.ts';

/** transactionStats: ranges, time series and breakdowns in one query (src/services/stats.ts). */

const DIMENSION_DESCRIPTIONS: Record<(typeof STATS_DIMENSIONS)[number], string> = {
  HOUR: `each local hour (an hour that occurs twice is two rows, a skipped hour has none); ranges up to ${MAX_HOURLY_RANGE_DAYS} days`,
  DAY: 'each local calendar day (23 or 25 hours long when the clocks change)',
  WEEK: 'each ISO week (Monday first), cut to the range',
  MONTH: 'each calendar month, cut to the range',
  STATUS: 'each current status (those of the filter, or all)',
  CURRENCY: 'each currency with transactions in the range (or those of the filter)',
  MERCHANT: 'ADMIN only: each merchant with transactions in the range (or the filter merchant)',
};

const Dimension = builder.enumType('TransactionStatsDimension', {
  description: 'What transactionStats groups by: at most one of HOUR, DAY, WEEK, MONTH, and none, some or all of STATUS, CURRENCY, MERCHANT',
  values: Object.fromEntries(STATS_DIMENSIONS.map((dimension) => [dimension, { description: DIMENSION_DESCRIPTIONS[dimension] }])) as Record<
    (typeof STATS_DIMENSIONS)[number],
    { description: string }
  >,
});

const Filter = builder.inputType('TransactionStatsFilter', {
  description: 'Which transactions count; omitted fields do not filter',
  fields: (t) => ({
    statuses: t.field({ type: [TransactionStatusEnum], required: false, description: 'current status is one of these' }),
    currencies: t.stringList({ required: false, description: 'ISO 4217 codes, e.g. ["EUR", "USD"]' }),
    merchantId: t.id({ required: false, description: 'ADMIN only: one merchant' }),
  }),
});

/**
 * A row as the schema reads it: every field a series selects is a property, with no resolver, so compiled queries
 * (graphql-jit) read it inline instead of calling a resolver with its own info object: a series is many rows of them.
 */
type RowView = {
  bucket: TimeBucket;
  start: Date;
  status: TransactionStatus | undefined;
  currency: string | undefined;
  merchant: Merchant | undefined;
  conversionRate: string | undefined;
  amounts: AmountsView[];
} & StatsCounts;
type AmountsView = { currency: string } & Record<StatsFigure, MoneyValue>;

function amountsView(amounts: StatsAmounts): AmountsView {
  const { currency } = amounts;
  return {
    currency,
    created: new MoneyValue(amounts.created, currency),
    captured: new MoneyValue(amounts.captured, currency),
    paid: new MoneyValue(amounts.paid, currency),
    cancelled: new MoneyValue(amounts.cancelled, currency),
    rejected: new MoneyValue(amounts.rejected, currency),
    refunded: new MoneyValue(amounts.refunded, currency),
  };
}

/** The rows as the schema reads them; amounts shared between rows (the zeros of empty buckets) are viewed once. */
function rowViews(rows: readonly StatsRow[]): RowView[] {
  const viewed = new Map<StatsAmounts, AmountsView>();
  const viewOf = (amounts: StatsAmounts) => {
    let view = viewed.get(amounts);
    if (view === undefined) {
      view = amountsView(amounts);
      viewed.set(amounts, view);
    }
    return view;
  };
  return rows.map(({ bucket, status, currency, merchant, counts, conversionRate, amounts }) => ({
    bucket,
    start: new Date(bucket.start),
    status,
    currency,
    merchant,
    created: counts.created,
    captured: counts.captured,
    paid: counts.paid,
    cancelled: counts.cancelled,
    rejected: counts.rejected,
    refunded: counts.refunded,
    conversionRate,
    amounts: amounts.map(viewOf),
  }));
}

const Amounts = builder.objectRef<AmountsView>('TransactionStatsAmounts').implement({
  description: "A row's money in one currency: exact sums of the amounts of the transactions each count counts (refunded: the money refunded)",
  fields: (t) => ({
    currency: t.exposeString('currency', { description: 'ISO 4217' }),
    created: t.expose('created', { type: Money, description: 'of all created' }),
    captured: t.expose('captured', { type: Money, description: 'of those captured (CAPTURED or PAID now)' }),
    paid: t.expose('paid', { type: Money, description: 'of those PAID' }),
    cancelled: t.expose('cancelled', { type: Money, description: 'of those CANCELLED' }),
    rejected: t.expose('rejected', { type: Money, description: 'of those REJECTED' }),
    refunded: t.expose('refunded', { type: Money, description: 'refunded to consumers (SUCCEEDED refunds) of these transactions' }),
  }),
});

const Row = builder.objectRef<RowView>('TransactionStatsRow').implement({
  description: 'The transactions created in one time bucket (and, when grouped, with one status, currency, merchant)',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'first instant of the bucket (inclusive)' }),
    end: t.field({ type: 'DateTime', description: 'first instant after it (exclusive)', resolve: (row) => new Date(row.bucket.end) }),
    date: t.field({ type: 'Date', description: 'the local date at start', resolve: (row) => row.bucket.date }),
    localStart: t.string({
      description: 'local wall-clock time at start with its UTC offset, e.g. 2026-11-01T01:00:00-05:00 (tells the two buckets of a repeated hour apart)',
      resolve: (row) => row.bucket.localStart,
    }),
    status: t.expose('status', { type: TransactionStatusEnum, nullable: true, description: 'when grouped by STATUS' }),
    currency: t.exposeString('currency', { nullable: true, description: 'when grouped by CURRENCY' }),
    merchant: t.expose('merchant', { type: MerchantNode, nullable: true, description: 'when grouped by MERCHANT' }),
    created: t.exposeInt('created', { description: 'transactions created' }),
    captured: t.exposeInt('captured', { description: 'of those, captured: CAPTURED or PAID now (a capture leads only to PAID)' }),
    paid: t.exposeInt('paid', { description: 'of those, PAID now' }),
    cancelled: t.exposeInt('cancelled', { description: 'of those, CANCELLED' }),
    rejected: t.exposeInt('rejected', { description: 'of those, REJECTED (including expired)' }),
    refunded: t.exposeInt('refunded', { description: 'of those, with money refunded (a SUCCEEDED refund, whole or partial)' }),
    conversionRate: t.exposeString('conversionRate', {
      nullable: true,
      description: 'captured / created as a decimal string with 4 decimals, rounded half up ("0.6667"); null when nothing was created',
    }),
    amounts: t.expose('amounts', {
      type: [Amounts],
      description: "money per currency: every currency of the result in every row (zeros included), or the row's own when grouped by CURRENCY",
    }),
  }),
});

const Stats = builder.objectRef<TransactionStats>('TransactionStats').implement({
  description: 'Transactions created in a date range, bucketed and broken down; every bucket present, zeros included',
  fields: (t) => ({
    from: t.field({ type: 'Date', description: 'first local date (inclusive)', resolve: (stats) => stats.from }),
    to: t.field({ type: 'Date', description: 'last local date (inclusive)', resolve: (stats) => stats.to }),
    timeZone: t.exposeString('timeZone', { description: 'the IANA zone, as the tz database spells it' }),
    groupBy: t.field({ type: [Dimension], description: 'the dimensions of each row', resolve: (stats) => [...stats.groupBy] }),
    currencies: t.stringList({ description: 'every currency of the amounts of each row, in code order', resolve: (stats) => [...stats.currencies] }),
    rows: t.field({
      type: [Row],
      description: 'in time order, then merchant name, status and currency: every bucket for every series',
      resolve: (stats) => rowViews(stats.rows),
    }),
  }),
});

// ---------------------------------------------------------------------------------------------------------
// Cost: the query cost counts the rows

/** The `amounts` fields under a selection (fragments included): each stands for one entry per currency. */
function amountsNodes(selections: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>): FieldNode[] {
  return (selections?.selections ?? []).flatMap((selection) => {
    if (selection.kind === Kind.FRAGMENT_SPREAD) return amountsNodes(fragments[selection.name.value]?.selectionSet, fragments);
    if (selection.kind === Kind.FIELD && selection.name.value === 'amounts') return [selection];
    return amountsNodes(selection.selectionSet, fragments);
  });
}

/**
 * Before anything runs, the cost limit counts the rows the arguments ask for (`costRows` below); once the series
 * found in the range are known (currencies and merchants the arguments did not list, amounts per currency), the
 * operation's cost is checked again with them, and refused (QUERY_TOO_COMPLEX) before the rows are built.
 */
function recheckCost(context: GraphQLContext, info: GraphQLResolveInfo): (size: StatsSize) => void {
  return ({ rows, amountsPerRow, exact }) => {
    if (!exact) return;
    const start = (node: FieldNode) => node.loc?.start ?? -1;
    const measured = new Map<number, number>(info.fieldNodes.map((node) => [start(node), rows]));
    for (const node of info.fieldNodes.flatMap((field) => amountsNodes(field.selectionSet, info.fragments))) measured.set(start(node), amountsPerRow);
    const refusal = context.recheckCost?.(measured);
    if (refusal) throw refusal;
  };
}

builder.queryFields((t) => ({
  transactionStats: t.field({
    type: Stats,
    description:
      'Transactions created from `from` to `to` (local dates, inclusive, at most ' +
      `${MAX_RANGE_DAYS} days) in \`timeZone\`, bucketed by time and broken down by status, currency and merchant. ` +
      "Merchant keys see their own merchant; ADMIN sees all, or one with filter.merchantId. The cost counts the rows: " +
      'a result over GRAPHQL_MAX_COST is refused with QUERY_TOO_COMPLEX before it runs.',
    // The query cost multiplies this field's selection by the rows its arguments ask for (src/http/plugins/query-cost.ts).
    // Runs compiled (src/http/plugins/compiled-queries.ts): a dashboard's series is many rows of the same few fields.
    extensions: {
      [COMPILED_EXECUTION]: true,
      costRows: (args: { from: string; to: string; groupBy?: StatsDimension[] | null; filter?: { statuses?: TransactionStatus[] | null; currencies?: string[] | null } | null }) =>
        rowsAskedFor({ from: args.from, to: args.to, groupBy: args.groupBy ?? [], statuses: args.filter?.statuses ?? undefined, currencies: args.filter?.currencies ?? undefined }),
    },
    errors: {
      types: [ValidationFailedError],
      union: { name: 'TransactionStatsResult', description: 'The statistics, or a ValidationError naming each bad argument' },
      directResult: true,
    },
    args: {
      from: t.arg({ type: 'Date', required: true, description: 'first local date (inclusive)' }),
      to: t.arg({ type: 'Date', required: true, description: 'last local date (inclusive)' }),
      timeZone: t.arg.string({ required: false, defaultValue: DEFAULT_TIME_ZONE, description: 'IANA, e.g. Asia/Shanghai' }),
      groupBy: t.arg({ type: [Dimension], required: false, defaultValue: [], description: 'no time dimension: one bucket for the whole range' }),
      filter: t.arg({ type: Filter, required: false, description: 'which transactions count; none: all the caller may see' }),
    },
    resolve: async (_root, args, context, info) => {
      const groupBy = args.groupBy ?? [];
      const request = {
        from: args.from,
        to: args.to,
        timeZone: args.timeZone ?? DEFAULT_TIME_ZONE,
        groupBy,
        statuses: args.filter?.statuses ?? undefined,
        currencies: args.filter?.currencies ?? undefined,
        merchantId: await statsScope(context.db, context.actor, args.filter?.merchantId, groupBy),
      };
      return transactionStats(context.db, request, { admit: recheckCost(context, info) });
    },
  }),
}));
