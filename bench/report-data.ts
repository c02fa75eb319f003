import { rebuildStats } from '../src/services/stats-hourly.ts';
import { settleDatabase } from './harness.ts';
import type { TestDatabase } from '../test/support/database.ts';

/**
 * The reports benchmarks' data (bench:reports, bench:stats): 1,000,000 transactions over 90 days and 100 merchants,
 * seeded with INSERT ... SELECT generate_series, as a bulk load would: secondary indexes dropped during the load
 * and rebuilt after, foreign-key triggers skipped (consistent by construction), then VACUUM ANALYZE, and
 * transactionStats' hourly figures rebuilt from the transactions (src/services/stats-hourly.ts).
 */

export const REPORT_DATA = {
  transactions: Number(process.env['BENCH_TRANSACTIONS'] ?? 1_000_000),
  merchants: 100,
  days: 90,
  firstDay: '2026-01-01',
  currencies: ['EUR', 'USD', 'CNY', 'JPY', 'GBP'],
} as const;

/**
 * Transactions in time order (as they would be written), a deterministic spread of merchants, currencies and
 * outcomes (`transactions` and `merchants` change the counts): 60% PAID (settled 1-3 days later), 15% CAPTURED, 10% REDIRECTED, 5% REJECTED, 5% CANCELLED, 5% CREATED.
 * 8% of the CAPTURED and PAID ones have a partial refund (half the amount) a few hours after their last status change:
 * 80% SUCCEEDED, 10% FAILED, 10% still REQUESTED, with the refund sums and versions the refund flow leaves.
 * The merchant comes from a multiplicative hash of the row number, so each merchant has every currency and outcome
 * (n mod 100 would tie a merchant to one currency and one outcome). With `history`, each transaction's event log
 * too (~3.4 events each, and each refund's REFUND_* events). Returns the seconds it took.
 */
export async function seedReportData(db: TestDatabase, options: { history: boolean; transactions?: number; merchants?: number }): Promise<number> {
  const begin = performance.now();
  const { days, firstDay, currencies } = REPORT_DATA;
  // bench:growth seeds one merchant with 10,000 to 1,000,000 transactions the same way.
  const { transactions = REPORT_DATA.transactions, merchants = REPORT_DATA.merchants } = options;
  const client = await db.pool.connect();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    await client.query(`SET synchronous_commit = off`);
    // Consistent by construction, so the per-row foreign-key triggers (4.4M lookups) are skipped for the
    // load, as pg_restore does. Needs a superuser, which the benchmark database's postgres role is.
    await client.query(`SET session_replication_role = replica`);
    await client.query(`INSERT INTO merchants (id, name, created_at)
      SELECT gen_random_uuid(), 'Merchant ' || lpad(n::text, 3, '0'), timestamptz '2025-12-01' FROM generate_series(1, ${merchants}) AS n`);
    // Secondary indexes are rebuilt after the load: far faster than maintaining them row by row.
    const { rows: indexes } = await client.query<{ name: string; definition: string }>(`
      SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename IN ('transactions', 'transaction_events') AND indexname NOT LIKE '%_pkey'`);
    for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    const outcome = `(n * 13) % 100`;
    await client.query(`
      WITH merchant_ids AS (SELECT array_agg(id ORDER BY name) AS ids FROM merchants)
      INSERT INTO transactions (id, merchant_id, merchant_reference, amount_minor, currency, status, redirect_url, return_url, provider_reference, status_reason, version, created_at, updated_at)
      SELECT md5(n::text)::uuid, ids[1 + (n::bigint * 2654435761 % 4294967296) * ${merchants} / 4294967296], 'order-' || n, 100 + (n * 31) % 100000,
             (ARRAY[${currencies.map((currency) => `'${currency}'`).join(',')}])[1 + n % ${currencies.length}],
             (CASE WHEN ${outcome} < 60 THEN 'PAID' WHEN ${outcome} < 75 THEN 'CAPTURED' WHEN ${outcome} < 85 THEN 'REDIRECTED'
                   WHEN ${outcome} < 90 THEN 'REJECTED' WHEN ${outcome} < 95 THEN 'CANCELLED' ELSE 'CREATED' END)::"TransactionStatus",
             'https://openapi.alipay.example/gateway.do?service=create_forex_trade&partner=2088000000000000&out_trade_no=' || md5(n::text) || '&total_fee=19.99&currency=EUR&sign_type=RSA2&sign=' || repeat('x', 120),
             'https://shop.example/return', CASE WHEN ${outcome} < 75 THEN 'ALI' || n END,
             CASE WHEN ${outcome} >= 85 AND ${outcome} < 95 THEN 'CLOSED' END,
             CASE WHEN ${outcome} < 60 THEN 4 WHEN ${outcome} < 75 THEN 3 WHEN ${outcome} < 95 THEN 2 + (${outcome} >= 85)::int ELSE 1 END,
             timestamptz '${firstDay} 00:00Z' + n * interval '${(days * 86_400) / transactions} seconds',
             timestamptz '${firstDay} 00:00Z' + n * interval '${(days * 86_400) / transactions} seconds'
      FROM merchant_ids, generate_series(1, ${transactions}) AS n`);
    // Refunds, from the row number n kept in merchant_reference: requested 6 hours after the last status change
    // (PAID: as its event below), completed 10 minutes later. Their rows, then the transactions' sums and versions.
    const refunded = `(n * 7) % 100 < 8`;
    await client.query(`
      INSERT INTO refunds (id, transaction_id, merchant_id, amount_minor, currency, reason, status, source, requested_at, completed_at, updated_at)
      SELECT md5('refund-' || n)::uuid, id, merchant_id, amount_minor / 2, currency, 'bench refund', refund_status::"RefundStatus", 'MERCHANT_API',
             requested_at, CASE WHEN refund_status <> 'REQUESTED' THEN requested_at + interval '10 minutes' END, requested_at
      FROM (
        SELECT t.*, n,
               CASE (n * 11) % 10 WHEN 0 THEN 'FAILED' WHEN 1 THEN 'REQUESTED' ELSE 'SUCCEEDED' END AS refund_status,
               CASE WHEN t.status = 'PAID' THEN t.created_at + interval '1 day' + (t.amount_minor % 48) * interval '1 hour'
                    ELSE t.created_at + interval '3 minutes' END + interval '6 hours' AS requested_at
        FROM transactions t CROSS JOIN LATERAL (SELECT substring(t.merchant_reference FROM 7)::int AS n) AS row_number
        WHERE t.status IN ('CAPTURED', 'PAID')
      ) AS candidates
      WHERE ${refunded}`);
    await client.query(`
      UPDATE transactions t
      SET refunded_minor = CASE WHEN r.status = 'SUCCEEDED' THEN r.amount_minor ELSE 0 END,
          refund_pending_minor = CASE WHEN r.status = 'REQUESTED' THEN r.amount_minor ELSE 0 END,
          version = t.version + CASE WHEN r.status = 'REQUESTED' THEN 1 ELSE 2 END,
          updated_at = coalesce(r.completed_at, r.requested_at)
      FROM refunds r WHERE r.transaction_id = t.id`);
    if (options.history) {
      // Histories: CREATED for all; REDIRECTED +1 s for all but the CREATED ones; CAPTURED +3 min; PAID +1..3 days; closed +1 h.
      await client.query(`
        INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, occurred_at)
        SELECT id, merchant_id, 1, 'CREATED'::"TransactionStatus", NULL::"TransactionStatus", 'MERCHANT_API'::"EventSource", created_at FROM transactions
        UNION ALL
        SELECT id, merchant_id, 2, 'REDIRECTED', 'CREATED', 'MERCHANT_API', created_at + interval '1 second' FROM transactions WHERE status <> 'CREATED'
        UNION ALL
        SELECT id, merchant_id, 3, 'CAPTURED', 'REDIRECTED', 'PROVIDER_NOTIFICATION', created_at + interval '3 minutes' FROM transactions WHERE status IN ('CAPTURED', 'PAID')
        UNION ALL
        SELECT id, merchant_id, 4, 'PAID', 'CAPTURED', 'SETTLEMENT', created_at + interval '1 day' + (amount_minor % 48) * interval '1 hour' FROM transactions WHERE status = 'PAID'
        UNION ALL
        SELECT id, merchant_id, 3, status, 'REDIRECTED', 'MERCHANT_API', created_at + interval '1 hour' FROM transactions WHERE status IN ('REJECTED', 'CANCELLED')`);
      // Each refund's history rows after the status changes (PAID: version 4 before the refund, CAPTURED: 3).
      await client.query(`
        INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, occurred_at, kind, refund_id)
        SELECT r.transaction_id, r.merchant_id, before.version + 1, t.status, t.status, 'MERCHANT_API'::"EventSource", r.requested_at,
               'REFUND_REQUESTED'::"TransactionEventKind", r.id
        FROM refunds r JOIN transactions t ON t.id = r.transaction_id
        CROSS JOIN LATERAL (SELECT CASE WHEN t.status = 'PAID' THEN 4 ELSE 3 END AS version) AS before
        UNION ALL
        SELECT r.transaction_id, r.merchant_id, before.version + 2, t.status, t.status, 'PROVIDER_NOTIFICATION'::"EventSource", r.completed_at,
               ('REFUND_' || r.status::text)::"TransactionEventKind", r.id
        FROM refunds r JOIN transactions t ON t.id = r.transaction_id
        CROSS JOIN LATERAL (SELECT CASE WHEN t.status = 'PAID' THEN 4 ELSE 3 END AS version) AS before
        WHERE r.status <> 'REQUESTED'`);
    }
    await client.query(`SET session_replication_role = DEFAULT`);
    for (const index of indexes) await client.query(index.definition);
    await client.query('VACUUM ANALYZE transactions');
    await client.query('VACUUM ANALYZE transaction_events');
    await client.query('VACUUM ANALYZE refunds');
  } finally {
    client.release();
  }
  // Loaded around the transition service, like any bulk load: transactionStats' hourly figures are backfilled.
  if (!(await rebuildStats(db))) throw new Error('rebuilding the hourly figures: another compaction held the lock');
  await db.pool.query('VACUUM ANALYZE transaction_stats_hourly');
  await settleDatabase(db.pool);
  return (performance.now() - begin) / 1000;
}

/** The date `days` after `date` (YYYY-MM-DD). */
export function dayAfter(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
