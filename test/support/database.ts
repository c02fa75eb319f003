import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

/** The suite's PostgreSQL when one is given (CI sets DATABASE_URL); otherwise each file gets an in-memory PGlite. */
export const TEST_DATABASE_URL = process.env['DATABASE_URL'] || undefined;

export type TestDatabase = Database & {
  /** DATABASE_URL for a server process that must see this same database. */
  readonly url: string | undefined;
  drop(): Promise<void>;
};

/** A fresh, migrated database of its own: a new schema on PostgreSQL, or a new embedded PGlite. */
export async function createTestDatabase(options: { onQuery?: (sql: string) => void; poolSize?: number } = {}): Promise<TestDatabase> {
  if (TEST_DATABASE_URL === undefined) {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://', poolSize: 1, ...(options.onQuery ? { onQuery: options.onQuery } : {}) });
    await migrate(db.pool);
    return Object.assign(db, { url: undefined, drop: () => db.close() });
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('schema', schema);
  const db = await openDatabase({
    databaseUrl: url.toString(),
    dataDir: 'memory://',
    poolSize: options.poolSize ?? 8,
    ...(options.onQuery ? { onQuery: options.onQuery } : {}),
  });
  await migrate(db.pool);
  return Object.assign(db, {
    url: url.toString(),
    async drop() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await cleanup.end();
    },
  });
}
