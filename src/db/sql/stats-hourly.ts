import { TRANSACTION_STATUSES, type TransactionStatus } from '../../domain/status.ts';
import { sql, type SqlSession, type Statement } from '../session.ts';
import { sumTransactionsValues, type StatsFigure, type StatsFilter, type StatsGrouping, type StatsSum } from './stats.ts';

/**
 * transactionStats' hourly figures (transaction_stats_hourly): one merchant's series read from them, folding the
 * changes the transition service records (transaction_stats_changes) into them, rebuilding them from the
 * transactions, and reading both ways for the equality check. The writes themselves are part of the transition service's statements (src/db/sql/transactions.ts,
 * refunds.ts, seed.ts), so a change and its figures commit together.
 */

const COLUMNS = 'merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor';

// Keyed by schema, like the expiry lock: one compaction (or rebuild) at a time per schema.
const TRY_STATS_LOCK = sql<{ acquired: boolean }>(
  `SELECT pg_try_advisory_xact_lock(hashtextextended('paystream:stats-hourly:' || current_schema(), 0)) AS acquired`,
);

/** The compaction's (and rebuild's) turn: a transaction-scoped advisory lock, false when another holds it. */
export async function tryStatsLock(session: SqlSession): Promise<boolean> {
  const [row] = await session.query(TRY_STATS_LOCK);
  return row?.acquired === true;
}

// One statement, so one snapshot: the changes it deletes are exactly those it adds. A change committed meanwhile is
// not seen, stays, and is folded next time; readers see it either among the changes or in the sums, never both.
// A key whose transactions all moved on (its sum back to 0) is deleted rather than kept as a row of zeros. Only
// the compaction and the rebuild write transaction_stats_hourly, one at a time (tryStatsLock), so what it read of
// it is still true when it writes.
const FOLD_CHANGES = sql<{ folded: number }>(
  `WITH batch AS (
    SELECT ctid FROM transaction_stats_changes LIMIT $1::int
  ), folded AS (
    DELETE FROM transaction_stats_changes WHERE ctid IN (SELECT ctid FROM batch) RETURNING ${COLUMNS}
  ), sums AS (
    SELECT merchant_id, hour, currency, status, sum(transactions)::int AS transactions, sum(amount_minor) AS amount_minor,
           sum(refunded)::int AS refunded, sum(refunded_minor) AS refunded_minor, count(*)::int AS changes
    FROM folded GROUP BY merchant_id, hour, currency, status
  ), merged AS (
    SELECT s.*, coalesce(h.transactions, 0) + s.transactions AS total
    FROM sums AS s LEFT JOIN transaction_stats_hourly AS h USING (merchant_id, hour, currency, status)
  ), emptied AS (
    DELETE FROM transaction_stats_hourly AS h USING merged AS m
    WHERE (h.merchant_id, h.hour, h.currency, h.status) = (m.merchant_id, m.hour, m.currency, m.status) AND m.total = 0
  ), upserted AS (
    INSERT INTO transaction_stats_hourly AS h (${COLUMNS})
    SELECT merchant_id, hour, currency, status, transactions, amount_minor, refunded, refunded_minor FROM merged WHERE total <> 0
    ON CONFLICT (merchant_id, hour, currency, status) DO UPDATE
    SET transactions = h.transactions + excluded.transactions, amount_minor = h.amount_minor + excluded.amount_minor,
        refunded = h.refunded + excluded.refunded, refunded_minor = h.refunded_minor + excluded.refunded_minor
  )
  SELECT coalesce(sum(changes), 0)::int AS folded FROM sums`,
);

/**
 * Folds up to `limit` recorded changes into the hourly figures. Returns how many were folded (fewer than `limit`:
 * none are left but those committed meanwhile). Run it under tryStatsLock.
 */
export async function foldStatsChanges(session: SqlSession, limit: number): Promise<number> {
  const [row] = await session.query(FOLD_CHANGES, [limit]);
  return row?.folded ?? 0;
}

// The backfill (and a repair): the figures of every transaction, from the transactions. Run in a REPEATABLE READ
// transaction (one snapshot for the three statements): a change committed meanwhile is in neither the transactions
// read nor the changes deleted, so its recorded change stays and still counts once.
const CLEAR_CHANGES = sql(`DELETE FROM transaction_stats_changes`);
const CLEAR_HOURLY = sql(`DELETE FROM transaction_stats_hourly`);
const FILL_HOURLY = sql(
  `INSERT INTO transaction_stats_hourly (${COLUMNS})
   SELECT merchant_id, date_trunc('hour', created_at, 'UTC'), currency, status, count(*), sum(amount_minor),
          count(*) FILTER (WHERE refunded_minor > 0), sum(refunded_minor)
   FROM transactions
   GROUP BY 1, 2, 3, 4
   ORDER BY 1, 2, 3, 4`,
);

/** Replaces the hourly figures with the transactions' (in the caller's REPEATABLE READ transaction, under tryStatsLock). */
export async function rebuildHourlyStats(session: SqlSession): Promise<void> {
  await session.query(CLEAR_CHANGES);
  await session.query(CLEAR_HOURLY);
  await session.query(FILL_HOURLY);
}

/** One key's figures as recorded (folded and not) and as counted from the transactions; absent: none. */
export type HourlyDifference = Readonly<{
  merchantId: string;
  /** The UTC hour, YYYY-MM-DDTHH. */
  hour: string;
  currency: string;
  status: string;
  /** transactions, amount, refunded, refunded amount. */
  recorded: readonly [number, string, number, string] | undefined;
  counted: readonly [number, string, number, string] | undefined;
}>;

type DifferenceRow = {
  keys: number;
  merchant_id: string | null;
  hour: string | null;
  currency: string | null;
  status: string | null;
  recorded: [number, string, number, string] | null;
  counted: [number, string, number, string] | null;
};

// Both sides in one statement (one snapshot), compared in the database: only the keys that differ come back (at
// most $1 of them), with how many keys were compared. A key summing to zero everywhere is no key.
const COMPARE_FIGURES = sql<DifferenceRow>(
  `WITH recorded AS (
    SELECT merchant_id, hour, currency, status,
           json_build_array(sum(transactions), sum(amount_minor)::text, sum(refunded), sum(refunded_minor)::text)::text AS figures
    FROM (SELECT ${COLUMNS} FROM transaction_stats_hourly UNION ALL SELECT ${COLUMNS} FROM transaction_stats_changes) AS h
    GROUP BY merchant_id, hour, currency, status
    HAVING sum(transactions) <> 0 OR sum(amount_minor) <> 0 OR sum(refunded) <> 0 OR sum(refunded_minor) <> 0
  ), counted AS (
    SELECT merchant_id, date_trunc('hour', created_at, 'UTC') AS hour, currency, status,
           json_build_array(count(*), sum(amount_minor)::text, count(*) FILTER (WHERE refunded_minor > 0), sum(refunded_minor)::text)::text AS figures
    FROM transactions
    GROUP BY 1, 2, 3, 4
  ), compared AS (
    SELECT merchant_id, hour, currency, status, recorded.figures AS recorded, counted.figures AS counted
    FROM recorded FULL JOIN counted USING (merchant_id, hour, currency, status)
  ), differing AS (
    SELECT * FROM compared WHERE recorded IS DISTINCT FROM counted
    ORDER BY merchant_id, hour, currency, status LIMIT $1::int
  )
  SELECT (SELECT count(*)::int FROM compared) AS keys, merchant_id::text, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour,
         currency::text, status::text, recorded::json AS recorded, counted::json AS counted
  FROM (SELECT 1) AS one LEFT JOIN differing ON true`,
);

/** How many keys the figures have, and those (up to `limit`) where recorded and counted differ. */
export async function compareHourlyStats(session: SqlSession, limit: number): Promise<{ keys: number; differing: HourlyDifference[] }> {
  const rows = await session.query(COMPARE_FIGURES, [limit]);
  return {
    keys: rows[0]?.keys ?? 0,
    differing: rows.flatMap((row) =>
      row.merchant_id === null || row.hour === null || row.currency === null || row.status === null
        ? []
        : [{ merchantId: row.merchant_id, hour: row.hour, currency: row.currency, status: row.status, recorded: row.recorded ?? undefined, counted: row.counted ?? undefined }],
    ),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A merchant's series (src/db/sql/stats.ts reads the transactions for the others)

/**
 * The figures of src/db/sql/stats.ts from the hourly figures and the changes not yet folded into them. A transaction
 * is +1 under its current status in the hour it was created in, so each status's sums are counts of transactions:
 * the statements sum per status (four sums a row instead of twelve filtered ones: the numeric sums are most of their
 * time) and each figure takes the statuses it counts, as stats.ts's FIGURES does. A status whose transactions all
 * moved on sums to 0 and has no row, as a figure without transactions has none there.
 */
const FIGURES: Record<StatsFigure, { counts: (status: TransactionStatus) => boolean; of: 'transactions' | 'refunded' }> = {
  created: { counts: () => true, of: 'transactions' },
  captured: { counts: (status) => status === 'CAPTURED' || status === 'PAID', of: 'transactions' },
  paid: { counts: (status) => status === 'PAID', of: 'transactions' },
  cancelled: { counts: (status) => status === 'CANCELLED', of: 'transactions' },
  rejected: { counts: (status) => status === 'REJECTED', of: 'transactions' },
  refunded: { counts: () => true, of: 'refunded' },
};

/** Which figures a row of each status counts its transactions in (every status counts its refunds in `refunded`). */
type StatusFigures = Readonly<Record<Exclude<StatsFigure, 'refunded'>, boolean>>;
const FIGURES_OF = new Map<string, StatusFigures>(
  TRANSACTION_STATUSES.map((status) => [
    status,
    {
      created: FIGURES.created.counts(status),
      captured: FIGURES.captured.counts(status),
      paid: FIGURES.paid.counts(status),
      cancelled: FIGURES.cancelled.counts(status),
      rejected: FIGURES.rejected.counts(status),
    },
  ]),
);

type FiguresRow = {
  bucket: number;
  /** HOUR_ROWS: from transaction_stats_changes (not folded yet), to add to the hour's row. */
  change?: boolean;
  status: TransactionStatus;
  currency: string;
  merchant_id: string | null;
  transactions: number;
  amount_minor: string;
  refunded: number;
  refunded_minor: string;
};

// $1/$2 bound the range, $3 the statuses, $4 the currencies (none: all), $5 the merchant: both tables are read by their
// primary key's (merchant_id, hour) prefix.
const SERIES_WHERE = `merchant_id = $5::uuid AND hour >= $1::timestamptz AND hour < $2::timestamptz AND status = ANY($3::"TransactionStatus"[])
        AND (cardinality($4::text[]) = 0 OR currency::text = ANY($4::text[]))`;
const SERIES_FIGURES = `SELECT ${COLUMNS}, false AS change FROM transaction_stats_hourly WHERE ${SERIES_WHERE}
      UNION ALL
      SELECT ${COLUMNS}, true AS change FROM transaction_stats_changes WHERE ${SERIES_WHERE}`;

// The bucket of an hour is found as a transaction's is (width_bucket over the starts, $6), exact because every start
// is a whole hour.
const groupedStatement = ({ time, merchant }: Pick<StatsGrouping, 'time' | 'merchant'>): Statement<FiguresRow> => {
  const bucket = 'width_bucket(h.hour, $6::timestamptz[])';
  const groups = [...(time ? [bucket] : []), 'h.status', 'h.currency', ...(merchant ? ['h.merchant_id'] : [])];
  return sql<FiguresRow>(
    `
    SELECT ${time ? `${bucket} - 1` : '0'} AS bucket, h.status::text AS status, h.currency::text AS currency,
           ${merchant ? 'h.merchant_id::text' : 'NULL::text'} AS merchant_id,
           sum(h.transactions)::int AS transactions, sum(h.amount_minor)::text AS amount_minor,
           sum(h.refunded)::int AS refunded, sum(h.refunded_minor)::text AS refunded_minor
    FROM (${SERIES_FIGURES}) AS h
    GROUP BY ${groups.join(', ')}
    HAVING sum(h.transactions) > 0`,
    `paystream_stats_hourly${time ? '_time' : ''}${merchant ? '_merchant' : ''}`,
  );
};
const GROUPED = new Map([false, true].flatMap((time) => [false, true].map((merchant) => [`${time}/${merchant}`, groupedStatement({ time, merchant })])));

// One hour a bucket (an hourly series in a whole-hour zone): each row is a bucket's already, so the rows come as they
// are stored, with their hour's index (from $1, the first bucket's start), and are added up in JavaScript
// (hourTotals): no grouping for PostgreSQL to plan and run, about a fifth of the round trip.
const HOUR_ROWS = sql<Omit<FiguresRow, 'merchant_id'>>(
  `
    SELECT (extract(epoch FROM h.hour - $1::timestamptz) / 3600)::int AS bucket, h.status::text AS status, h.currency::text AS currency,
           h.transactions, h.amount_minor::text AS amount_minor, h.refunded, h.refunded_minor::text AS refunded_minor, h.change
    FROM (${SERIES_FIGURES}) AS h`,
  'paystream_stats_hourly_rows',
);

const HOUR = 3_600_000;

/**
 * Whether the hourly figures can answer: one merchant's (a merchant's hours are one index range; across merchants
 * the transactions are read, fast enough in parallel), and every bucket starts and ends on a whole UTC hour, which
 * holds in every zone whose offsets are whole hours (not in Asia/Kolkata, Australia/Adelaide, Asia/Kathmandu...,
 * nor on the day of a half-hour change: those read the transactions).
 */
export function hourlyFiguresServe(boundaries: readonly number[], filter: StatsFilter): boolean {
  return filter.merchantId !== undefined && boundaries.every((boundary) => boundary % HOUR === 0);
}

/**
 * HOUR_ROWS' rows as the grouped statement gives them: one per bucket, status and currency (a folded row and changes
 * not yet folded add up), those whose transactions all moved on left out (its HAVING). The folded rows are one per
 * hour, status and currency already (the table's key): only changes need adding up.
 */
function hourTotals(rows: readonly Omit<FiguresRow, 'merchant_id'>[]): readonly Omit<FiguresRow, 'merchant_id'>[] {
  if (!rows.some((row) => row.change)) return rows.every((row) => row.transactions > 0) ? rows : rows.filter((row) => row.transactions > 0);
  const totals = new Map<string, Omit<FiguresRow, 'merchant_id'>>();
  for (const row of rows) {
    const key = `${row.bucket} ${row.status} ${row.currency}`;
    const known = totals.get(key);
    totals.set(
      key,
      known === undefined
        ? row
        : {
            ...known,
            transactions: known.transactions + row.transactions,
            amount_minor: (BigInt(known.amount_minor) + BigInt(row.amount_minor)).toString(),
            refunded: known.refunded + row.refunded,
            refunded_minor: (BigInt(known.refunded_minor) + BigInt(row.refunded_minor)).toString(),
          },
    );
  }
  return [...totals.values()].filter((total) => total.transactions > 0);
}

/** One row's figures: its transactions in each figure its status counts, its refunds in `refunded`. */
function sumOfRow(row: Omit<FiguresRow, 'merchant_id'>, merchantId: string | null, grouping: StatsGrouping): StatsSum {
  const figures = FIGURES_OF.get(row.status);
  if (figures === undefined) throw new Error(`hourly figures: unknown status ${row.status}`);
  const count = row.transactions;
  const sum = BigInt(row.amount_minor);
  const refunded = row.refunded > 0 ? row.refunded : 0;
  return {
    bucket: row.bucket,
    status: grouping.status ? row.status : undefined,
    merchantId: merchantId ?? undefined,
    counts: {
      created: figures.created ? count : 0,
      captured: figures.captured ? count : 0,
      paid: figures.paid ? count : 0,
      cancelled: figures.cancelled ? count : 0,
      rejected: figures.rejected ? count : 0,
      refunded,
    },
    amounts: {
      currency: row.currency,
      created: figures.created ? sum : 0n,
      captured: figures.captured ? sum : 0n,
      paid: figures.paid ? sum : 0n,
      cancelled: figures.cancelled ? sum : 0n,
      rejected: figures.rejected ? sum : 0n,
      refunded: refunded > 0 ? BigInt(row.refunded_minor) : 0n,
    },
  };
}

/**
 * src/db/sql/stats.ts's sumTransactions for buckets the hourly figures serve (`hourlyFiguresServe`): the same sums,
 * one entry per status (several entries of a bucket then add up in the caller).
 */
export async function sumHourlyFigures(session: SqlSession, boundaries: readonly number[], grouping: StatsGrouping, filter: StatsFilter): Promise<StatsSum[]> {
  if (!hourlyFiguresServe(boundaries, filter)) throw new Error('the hourly figures cannot answer these buckets');
  const values = sumTransactionsValues(boundaries, grouping, filter);
  const statement = GROUPED.get(`${grouping.time}/${grouping.merchant}`);
  if (statement === undefined) throw new Error('no hourly statement for this grouping');
  if (grouping.time && boundaries.every((boundary, index) => index === 0 || boundary - (boundaries[index - 1] ?? 0) === HOUR)) {
    const merchantId = grouping.merchant ? (filter.merchantId ?? null) : null;
    return hourTotals(await session.query(HOUR_ROWS, values.slice(0, 5))).map((row) => sumOfRow(row, merchantId, grouping));
  }
  return (await session.query(statement, values)).map((row) => sumOfRow(row, row.merchant_id, grouping));
}
