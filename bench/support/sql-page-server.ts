import { CURRENCY_CODES, currencyExponent } from '../../src/domain/money.ts';
import { startSqlBaselineServer } from './sql-baseline-server.ts';

/**
 * The list page's floor (issue 19): bare node:http and pg, one hand-written SQL statement that builds the whole
 * `transactions(first: N)` answer as JSON (the page with each transaction's history, pageInfo and totalCount), the
 * text passed through untouched. It answers exactly what Paystream answers to TransactionsDocument for the
 * merchant of BENCH_API_KEY (bench:read checks the two equal), and checks the bearer key by comparison.
 */

// Global ids, Pothos' cursors (`GPC:S:<id>`), money in the currency's exponent and DateTime as the API writes them.
const PAGE = `
  WITH page AS (
    SELECT * FROM transactions WHERE merchant_id = $1::uuid ORDER BY created_at DESC, id DESC LIMIT $2::int + 1
  ), edges AS (
    SELECT row_number() OVER (ORDER BY created_at DESC, id DESC) AS position,
           encode(convert_to('GPC:S:' || id, 'UTF8'), 'base64') AS cursor,
           json_build_object(
             'id', encode(convert_to('Transaction:' || id, 'UTF8'), 'base64'),
             'merchantReference', merchant_reference,
             'amount', json_build_object(
               'value', round(amount_minor::numeric / 10::numeric ^ ($3::jsonb ->> currency::text)::int, ($3::jsonb ->> currency::text)::int)::text,
               'currency', currency, 'minorUnits', amount_minor::text),
             'paymentProduct', payment_product, 'status', status,
             'isFinal', status IN ('PAID', 'REJECTED', 'CANCELLED'), 'isCancellable', status IN ('CREATED', 'REDIRECTED'),
             'redirectUrl', redirect_url, 'returnUrl', return_url, 'providerReference', provider_reference,
             'statusReason', status_reason,
             'createdAt', to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'updatedAt', to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
             'events', (SELECT coalesce(json_agg(json_build_object('sequence', e.sequence, 'status', e.status, 'source', e.source) ORDER BY e.sequence), '[]')
                        FROM transaction_events e WHERE e.transaction_id = page.id)
           ) AS node
    FROM page
  )
  SELECT json_build_object('data', json_build_object('transactions', json_build_object(
    'totalCount', (SELECT count(*) FROM transactions WHERE merchant_id = $1::uuid),
    'pageInfo', json_build_object(
      'hasNextPage', (SELECT count(*) FROM edges) > $2::int, 'hasPreviousPage', false,
      'startCursor', (SELECT cursor FROM edges WHERE position = 1),
      'endCursor', (SELECT cursor FROM edges WHERE position = least($2::int, (SELECT count(*) FROM edges)))),
    'edges', (SELECT coalesce(json_agg(json_build_object('cursor', cursor, 'node', node) ORDER BY position), '[]') FROM edges WHERE position <= $2::int)
  )))::text AS body`;

const EXPONENTS = JSON.stringify(Object.fromEntries(CURRENCY_CODES.map((code) => [code, currencyExponent(code)])));

export function startSqlPageServer(env: NodeJS.ProcessEnv): Promise<{ port: number; close(): Promise<void> }> {
  const { BENCH_MERCHANT_ID: merchantId, BENCH_API_KEY: apiKey } = env;
  if (!merchantId || !apiKey) throw new Error('BENCH_MERCHANT_ID and BENCH_API_KEY are required');
  const pageSize = Number(env['BENCH_PAGE_SIZE'] ?? 50);
  const expected = `Bearer ${apiKey}`;
  return startSqlBaselineServer(env, (pool) => async ({ authorization }) => {
    if (authorization !== expected) return undefined;
    const { rows } = await pool.query<{ body: string }>({ name: 'sql_page', text: PAGE, values: [merchantId, pageSize, EXPONENTS] });
    return rows[0]?.body;
  });
}
