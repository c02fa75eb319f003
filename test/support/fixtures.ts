import type { Database } from '../../src/db/client.ts';
import { seedTransactions, type SeedTransaction } from '../../src/db/sql/seed.ts';

/**
 * One transaction with a chosen past (src/db/sql/seed.ts, the one seeding helper of tests, benchmarks and
 * drills: the row and its history as the transition service leaves them, at chosen instants, which reports
 * about calendar days need). Returns its id. For many at once, call seedTransactions itself.
 */
export async function insertTransaction(db: Database, transaction: SeedTransaction): Promise<string> {
  const [id] = await seedTransactions(db.sql, [transaction]);
  if (id === undefined) throw new Error('seedTransactions returned no id');
  return id;
}

export async function insertMerchant(db: Database, name: string): Promise<string> {
  const merchant = await db.prisma.merchant.create({ data: { name } });
  return merchant.id;
}
