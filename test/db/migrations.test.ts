// prisma/migrations must build exactly prisma/schema.prisma, and src/db/migrate.ts must apply them
// Prisma-compatibly. Runs against a real PostgreSQL (DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test),
// each case in its own freshly created schema, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  diffDatabaseToSchema,
  diffMigrationsToSchema,
  readMigrationsList,
  withSchemaEngine,
} from '../../scripts/migration-diff.ts';
import {
  DEFAULT_MIGRATIONS_DIR,
  MigrationError,
  migrate,
  migrationChecksum,
  pendingMigrations,
  readMigrations,
} from '../../src/db/migrate.ts';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
const createdSchemas: string[] = [];
const pools: pg.Pool[] = [];
const tempDirs: string[] = [];

function urlFor(schema: string): string {
  const url = new URL(DATABASE_URL);
  url.searchParams.delete('schema');
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function freshSchema(): Promise<string> {
  const schema = `mig_test_${randomBytes(6).toString('hex')}`;
  await admin.query(`CREATE SCHEMA "${schema}"`);
  createdSchemas.push(schema);
  return schema;
}

function poolFor(schema: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: urlFor(schema), max });
  pools.push(pool);
  return pool;
}

/** A copy of prisma/migrations that a test may change. */
async function migrationsCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paystream-migrations-'));
  tempDirs.push(dir);
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

let allMigrations: string[];

beforeAll(async () => {
  allMigrations = (await readMigrations()).map((m) => m.name);
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()));
  for (const schema of createdSchemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('prisma/migrations', () => {
  it('has an init migration and the PostgreSQL lock file, with nothing pinned to the "public" schema', async () => {
    expect(allMigrations[0]).toBe('20261126000000_init');
    const lock = await readFile(join(DEFAULT_MIGRATIONS_DIR, 'migration_lock.toml'), 'utf8');
    expect(lock).toMatch(/^provider = "postgresql"$/m);
    for (const migration of await readMigrations()) expect(migration.sql).not.toMatch(/"public"\./);
  });

  it('replayed from scratch, builds exactly schema.prisma (schema engine diff is empty)', async () => {
    const outcome = await diffMigrationsToSchema();
    expect(outcome.sql).toBe('-- This is an empty migration.\n');
    expect(outcome.empty).toBe(true);
  });

  it('also when replayed into a temporary schema (roles without CREATEDB)', async () => {
    const outcome = await diffMigrationsToSchema({ shadow: 'schema' });
    expect(outcome.sql).toBe('-- This is an empty migration.\n');
  });
});

describe('migrate()', () => {
  it('applies every migration into the current schema; the result matches schema.prisma', async () => {
    const schema = await freshSchema();
    const pool = poolFor(schema);
    expect(await pendingMigrations(pool)).toEqual(allMigrations);

    const logs: string[] = [];
    const first = await migrate(pool, { log: (msg) => logs.push(msg) });
    expect(first.applied).toEqual(allMigrations);
    expect(logs.some((line) => line.includes(allMigrations[0]!))).toBe(true);
    expect(await pendingMigrations(pool)).toEqual([]);

    // Created unqualified, i.e. in the schema search_path selects, and nothing in "public".
    const { rows: tables } = await admin.query<{ table_schema: string }>(
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name IN ('merchants', '_prisma_migrations') AND table_schema = $1`,
      [schema],
    );
    expect(tables).toHaveLength(1);

    // Prisma's own bookkeeping, as `prisma migrate deploy` would have written it.
    const { rows } = await pool.query(
      'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    );
    const files = await readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(allMigrations);
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(migrationChecksum(files[i]!.sql));
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }

    // The database the runner built is what schema.prisma describes, per Prisma's schema engine.
    const diff = await diffDatabaseToSchema({ databaseUrl: urlFor(schema) });
    expect(diff.sql).toBe('-- This is an empty migration.\n');
    expect(diff.empty).toBe(true);

    // Idempotent.
    expect((await migrate(pool)).applied).toEqual([]);
    const { rows: count } = await pool.query('SELECT count(*)::int AS n FROM _prisma_migrations');
    expect(count[0].n).toBe(allMigrations.length);
  });

  it('the diff notices a database that does not match schema.prisma', async () => {
    const schema = await freshSchema();
    const pool = poolFor(schema, 1);
    await migrate(pool);
    await pool.query('ALTER TABLE merchants ADD COLUMN nickname TEXT');
    const diff = await diffDatabaseToSchema({ databaseUrl: urlFor(schema) });
    expect(diff.empty).toBe(false);
    expect(diff.sql).toContain('DROP COLUMN "nickname"');
  });

  it('two instances migrating at once (two pools) apply each migration exactly once', async () => {
    const schema = await freshSchema();
    const [a, b] = await Promise.all([migrate(poolFor(schema)), migrate(poolFor(schema))]);
    expect([...a.applied, ...b.applied].sort()).toEqual(allMigrations);
    expect(a.applied.length === 0 || b.applied.length === 0).toBe(true);
    const { rows } = await admin.query(
      `SELECT migration_name, count(*)::int AS n FROM "${schema}"._prisma_migrations GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual(allMigrations.map((name) => ({ migration_name: name, n: 1 })));
  });

  it('works through a pool of exactly one connection, and through a single client', async () => {
    const schema = await freshSchema();
    const single = poolFor(schema, 1);
    expect((await migrate(single)).applied).toEqual(allMigrations);
    expect(await pendingMigrations(single)).toEqual([]);
    // The lock was released and the one connection returned: the pool still works.
    const { rows } = await single.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = 72707369 AND pid = pg_backend_pid()`,
    );
    expect(rows[0].n).toBe(0);

    const client = new pg.Client({ connectionString: urlFor(schema) });
    await client.connect();
    try {
      expect((await migrate(client)).applied).toEqual([]);
    } finally {
      await client.end();
    }
  });

  it('refuses an applied migration whose file was edited afterwards (checksum mismatch)', async () => {
    const schema = await freshSchema();
    const pool = poolFor(schema, 1);
    const dir = await migrationsCopy();
    await migrate(pool, { migrationsDir: dir });
    const file = join(dir, allMigrations[0]!, 'migration.sql');
    await writeFile(file, `${await readFile(file, 'utf8')}\n-- edited after apply\n`);
    await expect(migrate(pool, { migrationsDir: dir })).rejects.toThrow(MigrationError);
    await expect(migrate(pool, { migrationsDir: dir })).rejects.toThrow(/modified after it was applied/);

    // Same refusal when the recorded checksum is tampered with, files untouched.
    await pool.query(`UPDATE _prisma_migrations SET checksum = repeat('0', 64) WHERE migration_name = $1`, [
      allMigrations[0],
    ]);
    await expect(migrate(pool)).rejects.toThrow(/modified after it was applied/);
  });

  it('accepts CRLF checkouts of an applied migration, as Prisma does', async () => {
    const schema = await freshSchema();
    const pool = poolFor(schema, 1);
    const dir = await migrationsCopy();
    await migrate(pool, { migrationsDir: dir });
    const file = join(dir, allMigrations[0]!, 'migration.sql');
    await writeFile(file, (await readFile(file, 'utf8')).replaceAll('\n', '\r\n'));
    expect((await migrate(pool, { migrationsDir: dir })).applied).toEqual([]);
  });

  it('refuses to run while a migration is recorded as failed', async () => {
    const schema = await freshSchema();
    const pool = poolFor(schema, 1);
    await migrate(pool);
    await pool.query(
      `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, applied_steps_count)
       VALUES (gen_random_uuid()::text, repeat('a', 64), '20990101000000_broken', 'boom', now(), 0)`,
    );
    await expect(migrate(pool)).rejects.toThrow(/recorded as failed.*20990101000000_broken/);
  });

  it('rolls back a failing migration entirely and records nothing', async () => {
    const schema = await freshSchema();
    const pool = poolFor(schema, 1);
    const dir = await migrationsCopy();
    await mkdir(join(dir, '20990101000000_bad'));
    await writeFile(
      join(dir, '20990101000000_bad', 'migration.sql'),
      'CREATE TABLE half_done (id INT);\nSELECT no_such_function();\n',
    );
    const error = await migrate(pool, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migrationName).toBe('20990101000000_bad');
    const { rows } = await pool.query(`SELECT to_regclass('half_done') AS t`);
    expect(rows[0].t).toBeNull();
    expect(await pendingMigrations(pool, { migrationsDir: dir })).toEqual(['20990101000000_bad']);
  });

  it('works on the embedded PGlite served over pglite-socket (one session, pool of one)', async () => {
    const db = await PGlite.create('memory://');
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    const pool = new pg.Pool({
      connectionString: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
      max: 1,
    });
    try {
      const [a, b] = await Promise.all([migrate(pool), migrate(pool)]);
      expect([...a.applied, ...b.applied]).toEqual(allMigrations);
      expect(await pendingMigrations(pool)).toEqual([]);
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM _prisma_migrations');
      expect(rows[0].n).toBe(allMigrations.length);
    } finally {
      await pool.end();
      await server.stop();
      await db.close();
    }
  });

  it("interoperates with Prisma's own migrate deploy (schema engine applyMigrations), both ways", async () => {
    const filters = { externalTables: [], externalEnums: [] };
    const migrationsList = await readMigrationsList(DEFAULT_MIGRATIONS_DIR);
    const prismaDeploy = (schema: string) =>
      withSchemaEngine({ databaseUrl: urlFor(schema) }, (engine) => engine.applyMigrations({ migrationsList, filters }));

    // Ours first: Prisma finds nothing to apply (same table, names and checksums).
    const ours = await freshSchema();
    await migrate(poolFor(ours, 1));
    expect((await prismaDeploy(ours)).appliedMigrationNames).toEqual([]);

    // Prisma first: ours finds nothing to apply and no checksum mismatch.
    const theirs = await freshSchema();
    expect((await prismaDeploy(theirs)).appliedMigrationNames).toEqual(allMigrations);
    expect((await migrate(poolFor(theirs, 1))).applied).toEqual([]);
  });
});
