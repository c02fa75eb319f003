import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTransactionsUpTo, readTransactionPage, readTransactionsById, type TransactionListFilter } from '../../src/db/sql/transaction-reads.ts';
import { seedTransactions, type SeedTransaction } from '../../src/db/sql/seed.ts';
import type { Prisma } from '../../src/generated/prisma/client.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { insertMerchant } from '../support/fixtures.ts';

/**
 * The list's prepared statements answer exactly what Prisma answers for the same page (src/db/sql/transaction-reads.ts
 * replaced Prisma on the list page and on transaction(id)): the same rows, in the same order, with the same fields
 * and histories, for every filter, both directions, cursors inside, outside and absent from the list.
 */

let db: TestDatabase;
let acme: string;
let globex: string;
const ids: string[] = [];

const HOUR = 3_600_000;
const base = Date.parse('2026-11-01T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  acme = await insertMerchant(db, 'Acme');
  globex = await insertMerchant(db, 'Globex');
  const seeds: SeedTransaction[] = [];
  for (let index = 0; index < 24; index += 1) {
    seeds.push({
      merchantId: index % 4 === 3 ? globex : acme,
      merchantReference: `order-${index % 5}`,
      amountMinor: BigInt(100 + index),
      currency: index % 3 === 0 ? 'JPY' : 'EUR',
      // Pairs created in the same millisecond: the page order falls back to the id.
      createdAt: new Date(base + Math.floor(index / 2) * HOUR),
      history:
        index % 6 === 0
          ? []
          : index % 6 === 1
            ? [{ status: 'REDIRECTED' }]
            : index % 6 === 2
              ? [{ status: 'REDIRECTED' }, { status: 'CAPTURED', at: new Date(base + index * HOUR + 60_000) }]
              : index % 6 === 3
                ? [{ status: 'REDIRECTED' }, { status: 'CANCELLED', reason: 'CANCELLED_BY_MERCHANT' }]
                : [{ status: 'REDIRECTED' }, { status: 'CAPTURED' }, { status: 'PAID' }],
      ...(index % 6 === 4 ? { refunds: [{ amountMinor: 10n }] } : {}),
    });
  }
  ids.push(...(await seedTransactions(db.sql, seeds)));
});
afterAll(() => db?.drop());

// Built when a test runs: the merchants exist only then.
const filters: [string, () => TransactionListFilter][] = [
  ['every merchant', () => ({})],
  ['one merchant', () => ({ merchantId: acme })],
  ['statuses', () => ({ merchantId: acme, statuses: ['PAID', 'CAPTURED'] })],
  ['currency', () => ({ merchantId: globex, currency: 'JPY' })],
  ['a longer currency matches nothing', () => ({ merchantId: acme, currency: 'EURO' })],
  ['reference', () => ({ merchantId: acme, merchantReference: 'order-2' })],
  ['date range', () => ({ merchantId: acme, createdFrom: new Date(base + 3 * HOUR), createdTo: new Date(base + 9 * HOUR) })],
  ['status and date range', () => ({ statuses: ['REDIRECTED'], createdFrom: new Date(base + 2 * HOUR) })],
];

function prismaWhere(filter: TransactionListFilter): Prisma.TransactionWhereInput {
  return {
    ...(filter.merchantId !== undefined ? { merchantId: filter.merchantId } : {}),
    ...(filter.statuses !== undefined ? { status: { in: [...filter.statuses] } } : {}),
    ...(filter.currency !== undefined ? { currency: filter.currency } : {}),
    ...(filter.merchantReference !== undefined ? { merchantReference: filter.merchantReference } : {}),
    ...(filter.createdFrom || filter.createdTo
      ? { createdAt: { ...(filter.createdFrom ? { gte: filter.createdFrom } : {}), ...(filter.createdTo ? { lt: filter.createdTo } : {}) } }
      : {}),
  };
}

/** The page as the list resolved it before: Prisma's cursor pagination (src/graphql/pagination.ts's cursorPage). */
async function prismaPage(filter: TransactionListFilter, take: number, cursorId: string | undefined, scope: string | undefined, withHistory: boolean) {
  const where = prismaWhere(filter);
  const scoped = scope === undefined ? {} : { merchantId: scope };
  return db.prisma.transaction.findMany({
    ...(withHistory ? { include: { events: { orderBy: { sequence: 'asc' } } } } : {}),
    take,
    skip: cursorId === undefined ? 0 : 1,
    // Without a filter, no OR: Prisma drops an empty alternative (src/graphql/pagination.ts).
    ...(cursorId === undefined ? { where } : { cursor: { id: cursorId, ...scoped }, where: Object.keys(where).length === 0 ? scoped : { ...scoped, OR: [where, { ...scoped, id: cursorId }] } }),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
}

describe('readTransactionPage', () => {
  it.each(filters)('reads the pages Prisma reads: %s', async (_label, filterOf) => {
    const filter = filterOf();
    const scope = filter.merchantId;
    // Cursors: every row of either merchant (in the list or not), and one that names no row.
    const cursors = [undefined, ...ids, '0190f0f0-0000-7000-8000-00000000abcd'];
    for (const cursorId of cursors) {
      for (const take of [4, -4, 30, -30]) {
        for (const withHistory of [true, false]) {
          const window = { take, cursorId, cursorMerchantId: scope };
          const expected = await prismaPage(filter, take, cursorId, scope, withHistory);
          expect(await readTransactionPage(db.sql, filter, window, withHistory), JSON.stringify({ filter, take, cursorId, withHistory })).toEqual(expected);
        }
      }
    }
  });

  it('returns the histories whole, refund events included', async () => {
    const page = await readTransactionPage(db.sql, { merchantId: acme }, { take: 50 }, true);
    const histories = page.map((row) => ('events' in row && Array.isArray(row.events) ? row.events.length : -1));
    expect(histories).toContain(6);
    expect(histories.every((length) => length >= 1)).toBe(true);
  });
});

describe('readTransactionsById', () => {
  it('reads what Prisma reads, whatever the merchant, skipping unknown ids', async () => {
    const wanted = [ids[0]!, ids[3]!, ids[3]!, '0190f0f0-0000-7000-8000-00000000abcd'];
    for (const withHistory of [true, false]) {
      const expected = await db.prisma.transaction.findMany({ where: { id: { in: wanted } }, ...(withHistory ? { include: { events: { orderBy: { sequence: 'asc' } } } } : {}) });
      const byId = (rows: { id: string }[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
      expect(byId(await readTransactionsById(db.sql, wanted, withHistory))).toEqual(byId(expected));
    }
    expect(await readTransactionsById(db.sql, [], true)).toEqual([]);
  });
});

describe('countTransactionsUpTo', () => {
  it.each(filters)('counts what Prisma counts: %s', async (label, filterOf) => {
    const filter = filterOf();
    const count = await countTransactionsUpTo(db.sql, filter, 1000);
    expect(count).toSatisfy((counted: number) => (label.includes('nothing') ? counted === 0 : counted > 0));
    expect(count).toBe(await db.prisma.transaction.count({ where: prismaWhere(filter) }));
  });

  it('stops one row past its limit', async () => {
    expect(await countTransactionsUpTo(db.sql, { merchantId: acme }, 5)).toBe(6);
    expect(await countTransactionsUpTo(db.sql, { merchantId: globex }, 6)).toBe(6);
    expect(await countTransactionsUpTo(db.sql, { merchantId: globex }, 5)).toBe(6);
    expect(await countTransactionsUpTo(db.sql, { merchantId: globex }, 7)).toBe(6);
  });
});
