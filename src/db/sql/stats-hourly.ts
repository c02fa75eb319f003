import { sql, type SqlSession } from '../session.ts';

/**
 * transactionStats' hourly figures (transaction_stats_hourly): folding the changes the transition service records
 * (transaction_stats_changes) into them, rebuilding them from the transactions, and reading both ways for the
 * equality check. The writes themselves are part of the transition service's statements (src/db/sql/transactions.ts,
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
