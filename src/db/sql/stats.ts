import type { OffsetTimeline } from '../../domain/time-buckets.ts';
import type { TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, type SqlSession, type Statement } from '../session.ts';

/**
 * transactionStats' statements (src/services/stats.ts composes them): a time zone's UTC offsets over a date range,
 * and the aggregate of the transactions created in a list of buckets. Sums are exact: SUM(bigint) is NUMERIC, sent
 * as text and read with BigInt, never a float.
 */

// ---------------------------------------------------------------------------------------------------------
// Offsets

// The zone's UTC offset from a day before `from` to two days after `to` (PostgreSQL reads an ambiguous local
// midnight as its later instant, so the margin keeps every real boundary of the range inside the span). Sampled
// every hour; where two samples differ the change is found to the second (time zone rules change offsets at whole
// seconds, at most once in an hour). Rows: the span's start with its offset, each change, and the span's end.
const OFFSET_TIMELINE = sql<{ at: Date; utc_offset: number | null }>(
  `
    WITH span AS (
      SELECT ($1::date - 1)::timestamp AT TIME ZONE $3::text AS start, ($2::date + 2)::timestamp AT TIME ZONE $3::text AS stop
    ), samples AS (
      SELECT at, (at AT TIME ZONE $3::text) - (at AT TIME ZONE 'UTC') AS utc_offset
      FROM span, generate_series(span.start, span.stop, interval '1 hour') AS at
    ), pairs AS (
      SELECT at, utc_offset, lead(at) OVER w AS next_at, lead(utc_offset) OVER w AS next_offset
      FROM samples WINDOW w AS (ORDER BY at)
    )
    SELECT start AS at, extract(epoch FROM (start AT TIME ZONE $3::text) - (start AT TIME ZONE 'UTC'))::int AS utc_offset FROM span
    UNION ALL
    SELECT (SELECT min(second) FROM generate_series(at + interval '1 second', next_at, interval '1 second') AS second
            WHERE (second AT TIME ZONE $3::text) - (second AT TIME ZONE 'UTC') <> utc_offset),
           extract(epoch FROM next_offset)::int
    FROM pairs WHERE next_offset <> utc_offset
    UNION ALL
    SELECT stop, NULL FROM span
    ORDER BY at`,
  'paystream_stats_offset_timeline',
);

/** The UTC offsets of `timeZone` (a name PostgreSQL knows) around the local dates `from` to `to`. */
export async function readOffsetTimeline(session: SqlSession, from: string, to: string, timeZone: string): Promise<OffsetTimeline> {
  const rows = await session.query(OFFSET_TIMELINE, [from, to, timeZone]);
  const end = rows.pop();
  if (end === undefined || rows.length === 0) throw new Error('offset timeline returned no span');
  return {
    changes: rows.map((row) => ({ at: row.at.getTime(), utcOffsetSeconds: row.utc_offset ?? 0 })),
    end: end.at.getTime(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Aggregates

/**
 * What a statement groups by besides the currency (money is always per currency): the bucket when there are several
 * (`time`), the current status, the merchant.
 */
export type StatsGrouping = Readonly<{ time: boolean; status: boolean; merchant: boolean }>;

export type StatsFilter = Readonly<{
  statuses: readonly TransactionStatus[];
  /** Empty: every currency. */
  currencies: readonly string[];
  /** Undefined: every merchant. */
  merchantId: string | undefined;
}>;

/**
 * What each figure counts, and what it sums (minor units of the row's currency). A transaction counts in the bucket of
 * its creation, by its current status, which the state machine makes exact: CAPTURED leads only to PAID, so
 * "captured" (ever) is CAPTURED or PAID now; PAID, REJECTED and CANCELLED are final. `refunded`: the transactions with
 * SUCCEEDED refunds, and the refunded money (kept on the row by the refund flow). A new figure is a line here and one
 * in stats-hourly.ts's FIGURES (the same figure from the hourly figures; TypeScript asks for it).
 */
const FIGURES = {
  created: { counts: 'true', sums: 't.amount_minor' },
  captured: { counts: "t.status IN ('CAPTURED', 'PAID')", sums: 't.amount_minor' },
  paid: { counts: "t.status = 'PAID'", sums: 't.amount_minor' },
  cancelled: { counts: "t.status = 'CANCELLED'", sums: 't.amount_minor' },
  rejected: { counts: "t.status = 'REJECTED'", sums: 't.amount_minor' },
  refunded: { counts: 't.refunded_minor > 0', sums: 't.refunded_minor' },
} as const;

export type StatsFigure = keyof typeof FIGURES;
export const STATS_FIGURES = Object.keys(FIGURES) as StatsFigure[];

/** The same figures as sums of amounts, in minor units of `currency` (refunded: the money refunded). */
export type StatsAmounts = Readonly<{ currency: string } & Record<StatsFigure, bigint>>;

/** Counts and exact sums (minor units) of one bucket, currency and grouping's values. */
export type StatsSum = Readonly<{
  /** 0-based index into the buckets the statement was given. */
  bucket: number;
  status: TransactionStatus | undefined;
  merchantId: string | undefined;
  counts: Readonly<Record<StatsFigure, number>>;
  /** The sums, with their currency. */
  amounts: StatsAmounts;
}>;

type SumRow = { bucket: number; status: TransactionStatus | null; currency: string; merchant_id: string | null } & Record<StatsFigure, number> &
  Record<`${StatsFigure}_minor`, string>;

type Shape = StatsGrouping & { merchantFilter: boolean };

// $1/$2 bound the range (for the index), $3 the statuses, $4 the currencies (none: all), then the merchant and the
// bucket starts when the shape has them. width_bucket finds each row's bucket by binary search in the starts (then the
// end of the last), so no row pays for a time zone conversion; with one bucket there is nothing to find. Grouped by the
// columns themselves, not by their text: the planner then knows how few groups there are (a whole range by merchant
// and currency aggregates in parallel, in memory).
const aggregateStatement = ({ time, status, merchant, merchantFilter }: Shape): Statement<SumRow> => {
  const starts = `$${merchantFilter ? 6 : 5}::timestamptz[]`;
  const bucket = `width_bucket(t.created_at, ${starts})`;
  const groups = [...(time ? [bucket] : []), ...(status ? ['t.status'] : []), 't.currency', ...(merchant ? ['t.merchant_id'] : [])];
  return sql<SumRow>(
    `
    SELECT ${time ? `${bucket} - 1` : '0'} AS bucket,
           ${status ? 't.status::text' : 'NULL::text'} AS status,
           t.currency::text AS currency,
           ${merchant ? 't.merchant_id::text' : 'NULL::text'} AS merchant_id,
           ${STATS_FIGURES.map((figure) => `count(*) FILTER (WHERE ${FIGURES[figure].counts})::int AS ${figure}`).join(',\n           ')},
           ${STATS_FIGURES.map((figure) => `coalesce(sum(${FIGURES[figure].sums}) FILTER (WHERE ${FIGURES[figure].counts}), 0)::text AS ${figure}_minor`).join(',\n           ')}
    FROM transactions t
    WHERE t.created_at >= $1::timestamptz AND t.created_at < $2::timestamptz
      AND t.status = ANY($3::"TransactionStatus"[])
      AND (cardinality($4::text[]) = 0 OR t.currency::text = ANY($4::text[]))
      ${merchantFilter ? 'AND t.merchant_id = $5::uuid' : ''}
    GROUP BY ${groups.join(', ')}`,
    // One plan per merchant is right whatever the range (the merchant's index); across merchants a 1-day and a
    // 90-day range want different plans, so those are planned each time with their values.
    merchantFilter ? `paystream_stats${time ? '_time' : ''}${status ? '_status' : ''}${merchant ? '_merchant' : ''}` : undefined,
  );
};

const SHAPES: readonly Shape[] = [false, true].flatMap((time) =>
  [false, true].flatMap((status) => [false, true].flatMap((merchant) => [false, true].map((merchantFilter) => ({ time, status, merchant, merchantFilter })))),
);
const AGGREGATES = new Map(SHAPES.map((shape) => [shapeKey(shape), aggregateStatement(shape)]));

function shapeKey({ time, status, merchant, merchantFilter }: Shape): string {
  return `${time}/${status}/${merchant}/${merchantFilter}`;
}

/**
 * The bucket starts as a timestamptz[] literal, built once per boundaries array (the service remembers a range's
 * buckets, so a dashboard's repeated ranges send the same array): the driver would format every Date of it each time.
 */
const startsLiterals = new WeakMap<readonly number[], string>();

function startsLiteral(boundaries: readonly number[]): string {
  let literal = startsLiterals.get(boundaries);
  if (literal === undefined) {
    literal = `{${boundaries.map((at) => new Date(at).toISOString()).join(',')}}`;
    startsLiterals.set(boundaries, literal);
  }
  return literal;
}

/** Its values: $1/$2 the range, $3 the statuses, $4 the currencies, then the merchant and the starts when needed. */
export function sumTransactionsValues(boundaries: readonly number[], grouping: StatsGrouping, filter: StatsFilter): unknown[] {
  return [
    new Date(boundaries[0] ?? 0),
    new Date(boundaries[boundaries.length - 1] ?? 0),
    [...filter.statuses],
    [...filter.currencies],
    ...(filter.merchantId === undefined ? [] : [filter.merchantId]),
    ...(grouping.time ? [startsLiteral(boundaries)] : []),
  ];
}

/**
 * Counts and sums of the transactions created in each bucket (`boundaries`: the buckets' starts, in order, then the
 * last one's end) that pass `filter`, per currency and the grouping's values. Only combinations with transactions
 * have a row.
 */
export async function sumTransactions(
  session: SqlSession,
  boundaries: readonly number[],
  grouping: StatsGrouping,
  filter: StatsFilter,
): Promise<StatsSum[]> {
  const statement = AGGREGATES.get(shapeKey({ ...grouping, merchantFilter: filter.merchantId !== undefined }));
  if (statement === undefined) throw new Error('no statement for this grouping');
  const rows = await session.query(statement, sumTransactionsValues(boundaries, grouping, filter));
  // Written out (not built from STATS_FIGURES): this runs for every row of every answer.
  return rows.map((row) => ({
    bucket: row.bucket,
    status: row.status ?? undefined,
    merchantId: row.merchant_id ?? undefined,
    counts: { created: row.created, captured: row.captured, paid: row.paid, cancelled: row.cancelled, rejected: row.rejected, refunded: row.refunded },
    amounts: {
      currency: row.currency,
      created: BigInt(row.created_minor),
      captured: BigInt(row.captured_minor),
      paid: BigInt(row.paid_minor),
      cancelled: BigInt(row.cancelled_minor),
      rejected: BigInt(row.rejected_minor),
      refunded: BigInt(row.refunded_minor),
    },
  }));
}
