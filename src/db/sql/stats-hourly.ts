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

/** One key's figures, with the sums as decimal strings. */
export type HourlyFigures = Readonly<{
  merchantId: string;
  hour: string;
  currency: string;
  status: string;
  transactions: number;
  amountMinor: string;
  refunded: number;
  refundedMinor: string;
}>;

type FiguresRow = { merchant_id: string; hour: string; currency: string; status: string; transactions: number; amount_minor: string; refunded: number; refunded_minor: string };

const figuresOf = (row: FiguresRow): HourlyFigures => ({
  merchantId: row.merchant_id,
  hour: row.hour,
  currency: row.currency,
  status: row.status,
  transactions: row.transactions,
  amountMinor: row.amount_minor,
  refunded: row.refunded,
  refundedMinor: row.refunded_minor,
});

const FIGURES_SELECT = `merchant_id::text, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour, currency::text, status::text,
  sum(transactions)::int AS transactions, sum(amount_minor)::text AS amount_minor, sum(refunded)::int AS refunded, sum(refunded_minor)::text AS refunded_minor`;

// Both reads in one statement (one snapshot), keys in order, keys summing to zero left out: equal when the
// figures are right.
const COMPARE_FIGURES = sql<FiguresRow & { side: 'recorded' | 'counted' }>(
  `SELECT 'recorded' AS side, ${FIGURES_SELECT}
   FROM (SELECT ${COLUMNS} FROM transaction_stats_hourly UNION ALL SELECT ${COLUMNS} FROM transaction_stats_changes) AS h
   GROUP BY merchant_id, hour, currency, status HAVING sum(transactions) <> 0 OR sum(amount_minor) <> 0 OR sum(refunded) <> 0 OR sum(refunded_minor) <> 0
   UNION ALL
   SELECT 'counted', ${FIGURES_SELECT}
   FROM (SELECT merchant_id, date_trunc('hour', created_at, 'UTC') AS hour, currency, status, 1 AS transactions, amount_minor,
                (refunded_minor > 0)::int AS refunded, refunded_minor FROM transactions) AS h
   GROUP BY merchant_id, hour, currency, status
   ORDER BY side, merchant_id, hour, currency, status`,
);

/** The hourly figures as recorded (folded and not), and as counted from the transactions now. */
export async function compareHourlyStats(session: SqlSession): Promise<{ recorded: HourlyFigures[]; counted: HourlyFigures[] }> {
  const rows = await session.query(COMPARE_FIGURES);
  return {
    recorded: rows.filter((row) => row.side === 'recorded').map(figuresOf),
    counted: rows.filter((row) => row.side === 'counted').map(figuresOf),
  };
}
