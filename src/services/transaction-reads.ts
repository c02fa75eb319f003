import { isDeepStrictEqual } from 'node:util';
import type { Database } from '../db/client.ts';
import { countTransactionsUpTo, readTransactionPage, readTransactionsById, type TransactionListFilter } from '../db/sql/transaction-reads.ts';
import type { Prisma, Transaction } from '../generated/prisma/client.ts';
import type { TransactionQuery } from './transactions.ts';

/**
 * The transaction list as the API reads it. The selections merchants and dashboards make (a transaction's fields,
 * with or without its history) are read with one prepared statement of src/db/sql/transaction-reads.ts; any other
 * selection (the merchant, refunds, notifications, a nested relation of the history) goes through Prisma as before.
 */

/** A page as Pothos' connection asks for it, with cursorPage's filter and scope (src/graphql/pagination.ts). */
export type TransactionPageQuery = TransactionQuery & {
  take: number;
  skip: number;
  cursor?: Prisma.TransactionWhereUniqueInput | undefined;
  where: Prisma.TransactionWhereInput;
};

/** The history exactly as the Transaction type's `events` field asks Pothos for it. */
const HISTORY_OLDEST_FIRST = { orderBy: { sequence: 'asc' } };

/**
 * Whether the prepared statements answer this selection, and with the history or without: every scalar field
 * (Pothos' include mode) and at most the history, oldest first. undefined: Prisma must answer it.
 */
export function preparedSelection(query: TransactionQuery): { withHistory: boolean } | undefined {
  if (query.select !== undefined) return undefined;
  const relations = Object.keys(query.include ?? {});
  if (relations.length === 0) return { withHistory: false };
  if (relations.length === 1 && relations[0] === 'events' && isDeepStrictEqual(query.include?.events, HISTORY_OLDEST_FIRST)) return { withHistory: true };
  return undefined;
}

/**
 * One page of the list, newest first, the rows Pothos' connection expects for `page` (take one more than the page
 * to learn whether more follow; after a cursor, skip the cursor row). `filter` and `page.where` say the same thing,
 * the one for the prepared statement, the other for Prisma; `cursorMerchantId` is the caller's merchant (the scope
 * a cursor row must be in), undefined for ADMIN.
 */
export async function listTransactions(db: Database, filter: TransactionListFilter, page: TransactionPageQuery, cursorMerchantId: string | undefined): Promise<Transaction[]> {
  const prepared = preparedSelection(page);
  const cursorId = page.cursor?.id;
  if (prepared && page.skip === (cursorId === undefined ? 0 : 1)) {
    return readTransactionPage(db.sql, filter, { take: page.take, cursorId, cursorMerchantId }, prepared.withHistory);
  }
  return db.prisma.transaction.findMany({ ...page, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
}

/** The transactions with these ids (any merchant's: the caller checks the tenant), as `query` selects them. */
export async function readTransactionsForQuery(db: Database, query: TransactionQuery, ids: readonly string[]): Promise<Transaction[]> {
  const prepared = preparedSelection(query);
  if (prepared) return readTransactionsById(db.sql, ids, prepared.withHistory);
  return (await db.prisma.transaction.findMany({ ...query, where: { id: { in: [...new Set(ids)] } } })) as Transaction[];
}

/**
 * Where the list's count stops: a count is a scan of every matching row, and pages are asked for far more often
 * than counts are needed (bench:growth: an exact count of a merchant's million transactions costs more than the
 * page it comes with). Shopify caps its counts the same way; exact totals over any range are what the reports are for.
 */
export const TRANSACTION_COUNT_LIMIT = 10_000;

export type TransactionCount = { count: number; exact: boolean };

/** How many transactions the filter holds, exactly up to TRANSACTION_COUNT_LIMIT, and whether it stopped there. */
export async function countTransactionList(db: Database, filter: TransactionListFilter): Promise<TransactionCount> {
  const counted = await countTransactionsUpTo(db.sql, filter, TRANSACTION_COUNT_LIMIT);
  return counted > TRANSACTION_COUNT_LIMIT ? { count: TRANSACTION_COUNT_LIMIT, exact: false } : { count: counted, exact: true };
}
