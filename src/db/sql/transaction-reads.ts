import type {
  EventSource,
  PaymentProduct,
  Transaction,
  TransactionEvent,
  TransactionEventKind,
  TransactionStatus,
} from '../../generated/prisma/client.ts';
import { sql, type SqlSession, type Statement } from '../session.ts';

/**
 * The read side of transactions for the API's hot paths (issue 19): a page of the list, lookups by id and the
 * list's count, each one named prepared statement (parsed and planned once per connection) returning the rows as
 * Prisma would (Transaction, with its history when asked), so Pothos resolves every field from them without a
 * further query. Prisma's own statement for the same page, a LATERAL join of JSONB objects sent unnamed, was
 * planned again on every request: planning cost more than running it (bench:read, under load: 18 ms unnamed, 7 ms
 * named, 3 ms for this text).
 */

/** Which transactions a list holds; every condition given must match. */
export type TransactionListFilter = Readonly<{
  merchantId?: string | undefined;
  statuses?: readonly TransactionStatus[] | undefined;
  currency?: string | undefined;
  merchantReference?: string | undefined;
  /** Inclusive. */
  createdFrom?: Date | undefined;
  /** Exclusive. */
  createdTo?: Date | undefined;
}>;

/** Where a page starts, in Prisma's terms (what Pothos' connection hands its resolver). */
export type TransactionPageWindow = Readonly<{
  /** Rows to read: positive, newest first; negative, the rows before the cursor (still returned newest first). */
  take: number;
  /** The row the page starts after (take > 0) or before (take < 0); a cursor row outside `cursorMerchantId` positions nothing. */
  cursorId?: string | undefined;
  /** The merchant the cursor row must belong to (the caller's), undefined for ADMIN. */
  cursorMerchantId?: string | undefined;
}>;

/**
 * A transaction as the statements send it: one JSON array per row (no key repeated per row or event), the rows of a
 * page in one JSON text, so Node parses one string natively instead of every column of every row through pg's type
 * parsers. Instants are epoch milliseconds (the columns hold milliseconds), amounts decimal strings (int8 is exact
 * only as text).
 */
type TransactionEntry = [
  id: string,
  merchantId: string,
  merchantReference: string,
  amountMinor: string,
  currency: string,
  paymentProduct: PaymentProduct,
  status: TransactionStatus,
  redirectUrl: string | null,
  returnUrl: string,
  providerReference: string | null,
  statusReason: string | null,
  version: number,
  refundedMinor: string,
  refundPendingMinor: string,
  createdAt: number,
  updatedAt: number,
  /** Oldest first; present when the history was asked for. */
  events?: HistoryEntry[],
];

type HistoryEntry = [
  id: string,
  txid: string,
  merchantId: string,
  sequence: number,
  status: TransactionStatus,
  previousStatus: TransactionStatus | null,
  source: EventSource,
  reason: string | null,
  occurredAt: number,
  kind: TransactionEventKind,
  refundId: string | null,
  webhookEndpointId: string | null,
];

const ENTRY = `json_build_array(t.id, t.merchant_id, t.merchant_reference, t.amount_minor::text, t.currency, t.payment_product,
  t.status, t.redirect_url, t.return_url, t.provider_reference, t.status_reason, t.version, t.refunded_minor::text,
  t.refund_pending_minor::text, (extract(epoch FROM t.created_at) * 1000)::int8, (extract(epoch FROM t.updated_at) * 1000)::int8`;

const HISTORY = `, (SELECT coalesce(json_agg(json_build_array(e.id::text, e.txid::text, e.merchant_id, e.sequence, e.status, e.previous_status,
    e.source, e.reason, (extract(epoch FROM e.occurred_at) * 1000)::int8, e.kind, e.refund_id, e.webhook_endpoint_id) ORDER BY e.sequence), '[]')
  FROM transaction_events e WHERE e.transaction_id = t.id)`;

/** The rows of `from` (an alias `t` of transactions), as one JSON array of entries in `order`. */
function entries(withHistory: boolean, from: string, order: string): string {
  return `SELECT coalesce(json_agg(${ENTRY}${withHistory ? HISTORY : ''}) ORDER BY ${order}), '[]')::text AS entries FROM ${from}`;
}

function toTransactions(text: string | undefined): Transaction[] {
  return (JSON.parse(text ?? '[]') as TransactionEntry[]).map((entry) => {
    const transaction: Transaction & { events?: TransactionEvent[] } = {
      id: entry[0],
      merchantId: entry[1],
      merchantReference: entry[2],
      amountMinor: BigInt(entry[3]),
      currency: entry[4],
      paymentProduct: entry[5],
      status: entry[6],
      redirectUrl: entry[7],
      returnUrl: entry[8],
      providerReference: entry[9],
      statusReason: entry[10],
      version: entry[11],
      refundedMinor: BigInt(entry[12]),
      refundPendingMinor: BigInt(entry[13]),
      createdAt: new Date(entry[14]),
      updatedAt: new Date(entry[15]),
    };
    const history = entry[16];
    if (history !== undefined) transaction.events = history.map((event) => toEvent(entry[0], event));
    return transaction;
  });
}

function toEvent(
  transactionId: string,
  [id, txid, merchantId, sequence, status, previousStatus, source, reason, occurredAt, kind, refundId, webhookEndpointId]: HistoryEntry,
): TransactionEvent {
  return {
    id: BigInt(id),
    txid: BigInt(txid),
    transactionId,
    merchantId,
    sequence,
    status,
    previousStatus,
    source,
    reason,
    occurredAt: new Date(occurredAt),
    kind,
    refundId,
    webhookEndpointId,
  };
}

/** The conditions a filter adds, in parameter order; one statement text (and prepared name) per combination. */
const FILTER_CONDITIONS = [
  ['merchantId', 'm', (n: number) => `t.merchant_id = $${n}::uuid`],
  ['statuses', 's', (n: number) => `t.status = ANY ($${n}::"TransactionStatus"[])`],
  // bpchar without a length: a longer value must not be cut to three characters and match.
  ['currency', 'c', (n: number) => `t.currency = $${n}::bpchar`],
  ['merchantReference', 'r', (n: number) => `t.merchant_reference = $${n}::text`],
  ['createdFrom', 'f', (n: number) => `t.created_at >= $${n}::timestamptz`],
  ['createdTo', 't', (n: number) => `t.created_at < $${n}::timestamptz`],
] as const;

function filterParts(filter: TransactionListFilter, first: number): { conditions: string[]; values: unknown[]; key: string } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  let key = '';
  for (const [field, letter, condition] of FILTER_CONDITIONS) {
    const value = filter[field];
    if (value === undefined) continue;
    conditions.push(condition(first + values.length));
    values.push(Array.isArray(value) ? [...(value as readonly string[])] : value);
    key += letter;
  }
  return { conditions, values, key };
}

type EntriesRow = { entries: string };

const statements = new Map<string, Statement<EntriesRow>>();

function cachedStatement(name: string, build: () => string): Statement<EntriesRow> {
  let statement = statements.get(name);
  if (!statement) {
    statement = sql<EntriesRow>(build(), name);
    statements.set(name, statement);
  }
  return statement;
}

/**
 * A page of the list, newest first (created_at, then id, both descending: the order of the merchant's index), with
 * each transaction's history when `withHistory`. Same rows as Prisma's cursor pagination: after (or before) the
 * cursor row, found by id within the caller's scope and whatever the filter (a row that has left the filtered list
 * since still positions the page); a cursor that names no such row gives an empty page.
 */
export async function readTransactionPage(
  session: SqlSession,
  filter: TransactionListFilter,
  window: TransactionPageWindow,
  withHistory: boolean,
): Promise<Transaction[]> {
  const backwards = window.take < 0;
  const { conditions, values, key } = filterParts(filter, 2);
  let cursorKey = '';
  if (window.cursorId !== undefined) {
    const idParameter = 2 + values.length;
    values.push(window.cursorId);
    let scope = '';
    if (window.cursorMerchantId !== undefined) {
      values.push(window.cursorMerchantId);
      scope = ` AND c.merchant_id = $${idParameter + 1}::uuid`;
      cursorKey = 'cs';
    } else {
      cursorKey = 'c';
    }
    // No cursor row: the comparison with NULL is never true, and the page is empty.
    conditions.push(`(t.created_at, t.id) ${backwards ? '>' : '<'} (SELECT c.created_at, c.id FROM transactions c WHERE c.id = $${idParameter}::uuid${scope})`);
  }
  const name = `paystream_transaction_page_${key || 'all'}_${cursorKey || 'nc'}_${backwards ? 'b' : 'f'}${withHistory ? '_h' : ''}`;
  const direction = backwards ? 'ASC' : 'DESC';
  // The page is cut in the index's direction from the cursor, and always sent newest first.
  const statement = cachedStatement(name, () =>
    entries(
      withHistory,
      `(SELECT * FROM transactions t ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
  ORDER BY t.created_at ${direction}, t.id ${direction} LIMIT $1::int) AS t`,
      't.created_at DESC, t.id DESC',
    ),
  );
  const [row] = await session.query(statement, [Math.abs(window.take), ...values]);
  return toTransactions(row?.entries);
}

/** The transactions with these ids (any merchant's: the caller checks the tenant), with their histories when asked. */
export async function readTransactionsById(session: SqlSession, ids: readonly string[], withHistory: boolean): Promise<Transaction[]> {
  if (ids.length === 0) return [];
  const statement = cachedStatement(`paystream_transactions_by_id${withHistory ? '_h' : ''}`, () =>
    entries(withHistory, 'transactions t WHERE t.id = ANY ($1::uuid[])', 't.id'),
  );
  const [row] = await session.query(statement, [[...new Set(ids)]]);
  return toTransactions(row?.entries);
}

const countStatements = new Map<string, Statement<{ count: number }>>();

/**
 * How many transactions the filter holds, counting no further than `limit` + 1 rows: the answer is exact up to
 * `limit`, and `limit` + 1 means "more". Counting stops there, so its cost does not grow with the list (an exact
 * count of a million rows is a scan of a million index entries on every page).
 */
export async function countTransactionsUpTo(session: SqlSession, filter: TransactionListFilter, limit: number): Promise<number> {
  const { conditions, values, key } = filterParts(filter, 2);
  const name = `paystream_transaction_count_${key || 'all'}`;
  let statement = countStatements.get(name);
  if (!statement) {
    statement = sql<{ count: number }>(
      `SELECT count(*)::int AS count FROM (SELECT 1 FROM transactions t ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} LIMIT $1::int + 1) AS counted`,
      name,
    );
    countStatements.set(name, statement);
  }
  const [row] = await session.query(statement, [limit, ...values]);
  return row?.count ?? 0;
}
