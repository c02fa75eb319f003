import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

// The embedded database (the default without DATABASE_URL) is one PGlite session behind a socket. pg-pool
// replaces a connection after a failed query; the replacement must work at once, and named prepared statements
// (the relay's log reads, reports, ingestion) must survive the replacement, although the session keeps them.

let db: Database;
beforeAll(async () => {
  db = await openDatabase({ databaseUrl: undefined, dataDir: 'memory://', poolSize: 1 });
  await migrate(db.pool);
});
afterAll(() => db?.close());

const named = async () => (await db.pool.query<{ answer: number }>({ name: 'embedded_probe', text: 'SELECT 42 AS answer' })).rows[0]?.answer;

describe('embedded database: a failed query costs nothing after it', () => {
  it.each([
    ['an error raised while executing', 'SELECT 1/0'],
    ['a constraint violation', "INSERT INTO merchants (id, name, created_at) VALUES ('00000000-0000-7000-8000-000000000001', 'x', now()), ('00000000-0000-7000-8000-000000000001', 'y', now())"],
    ['a syntax error', 'SELEC 1'],
    ['a missing table', 'SELECT * FROM no_such_table'],
  ])('%s', async (_what, sql) => {
    expect(await named()).toBe(42);
    await expect(db.pool.query(sql)).rejects.toThrow();
    // The very next query, a plain one and a prepared one the old connection had already prepared.
    expect((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(await named()).toBe(42);
  });

  it('a failed Prisma query, then Prisma and prepared statements again', async () => {
    expect(await named()).toBe(42);
    const merchantsBefore = await db.prisma.merchant.count();
    await expect(db.prisma.$queryRawUnsafe('SELECT * FROM no_such_table')).rejects.toThrow();
    // Prisma reads and writes on the replaced connection: the count it had, then a row it writes and reads back.
    expect(await db.prisma.merchant.count()).toBe(merchantsBefore);
    const written = await db.prisma.merchant.create({ data: { name: 'after a failed query' } });
    expect(await db.prisma.merchant.findUnique({ where: { id: written.id }, select: { name: true } })).toEqual({ name: 'after a failed query' });
    expect(await named()).toBe(42);
  });

  it('keeps its one connection when idle (a new one would meet the old prepared statements)', async () => {
    expect(await named()).toBe(42);
    // pg-pool's default closes a connection idle for 10 s; 0 keeps it. (Waiting 10 s here would show the same.)
    expect(db.pool.options.idleTimeoutMillis).toBe(0);
    expect(db.pool.totalCount).toBe(1);
  });

  it('a connection discarded as broken is replaced by a working one', async () => {
    expect(await named()).toBe(42);
    const client = await db.pool.connect();
    client.release(new Error('treated as broken'));
    expect(await named()).toBe(42);
  });
});
