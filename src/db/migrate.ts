/**
 * Applies prisma/migrations/<name>/migration.sql files, Prisma-compatibly, without the Prisma CLI.
 *
 * - Pending migrations (directories not recorded as applied) run in name order, each inside its own
 *   transaction together with its `_prisma_migrations` row: a failing migration leaves no trace.
 * - Bookkeeping uses Prisma's own `_prisma_migrations` table (same columns, same checksum: SHA-256 hex of
 *   the UTF-8 file contents), so `prisma migrate deploy` / `migrate status` elsewhere see these migrations
 *   as applied, and migrations Prisma applied are recognised here.
 * - Concurrency: everything runs on ONE connection holding Prisma Migrate's session advisory lock
 *   (pg_advisory_lock(72707369)), so instances starting together (and Prisma Migrate itself) serialise,
 *   and it works through a pool of exactly one connection (PGlite behind @electric-sql/pglite-socket).
 * - Refuses to run (MigrationError) when an applied migration's file was edited afterwards (checksum
 *   mismatch) or a migration is recorded as failed (started, never finished, not rolled back).
 * - Tables are created unqualified, in the connection's current schema (first schema of search_path),
 *   so `?options=-c search_path=x` / `SET search_path` selects where everything goes.
 * - Statements PostgreSQL refuses inside a transaction (e.g. CREATE INDEX CONCURRENTLY) cannot be used in
 *   migrations applied by this runner.
 *
 * New migrations are generated with `npm run db:diff -- --name <name>` (scripts/migration-diff.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/** The advisory lock key Prisma Migrate takes (schema-engine's postgres connector). */
export const PRISMA_MIGRATE_ADVISORY_LOCK_KEY = 72707369;
export const MIGRATIONS_TABLE = '_prisma_migrations';
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** Exactly the table the Prisma schema engine creates (sql-schema-connector, postgres flavour). */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

/** Anything with pg's promise `query`: a connected pg.Client, a pg.PoolClient, ... (used as one session). */
export interface MigrationClient {
  query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}
/** A pool (pg.Pool or alike): one client is checked out for the whole run and released afterwards. */
export interface MigrationPool {
  connect(): Promise<MigrationClient & { release(err?: Error | boolean): void }>;
}
export type MigrationTarget = pg.Pool | MigrationPool | MigrationClient;

export interface MigrateOptions {
  log?: (msg: string) => void;
  /** Defaults to prisma/migrations of this repository. */
  migrationsDir?: string;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export interface MigrationFile {
  /** The directory name, e.g. 20261126000000_init: what `_prisma_migrations.migration_name` records. */
  name: string;
  sql: string;
  checksum: string;
}

/** Prisma's checksum: SHA-256 of the script (read as UTF-8, as the Prisma CLI does), lowercase hex. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/**
 * Prisma's `script_matches_checksum`: tolerant of CRLF/LF conversions (git autocrlf) and of the
 * non-zero-padded hex some old Prisma versions recorded.
 */
export function checksumMatches(sql: string, recorded: string): boolean {
  const variants = [sql, sql.replaceAll('\r\n', '\n'), sql.replaceAll('\n', '\r\n')];
  return variants.some((script) => {
    const digest = createHash('sha256').update(script, 'utf8').digest();
    const formatted =
      recorded.length !== 0 && recorded.length !== 64
        ? [...digest].map((byte) => byte.toString(16)).join('')
        : digest.toString('hex');
    return formatted === recorded;
  });
}

/** Reads `<dir>/<name>/migration.sql` for every sub-directory, in name order. */
export async function readMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new MigrationError(`cannot read migrations directory ${migrationsDir}: ${(error as Error).message}`);
  }
  const names = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = join(migrationsDir, name, 'migration.sql');
      let sql: string;
      try {
        sql = await readFile(file, 'utf8');
      } catch (error) {
        throw new MigrationError(`cannot read ${file}: ${(error as Error).message}`, name);
      }
      return { name, sql, checksum: migrationChecksum(sql) };
    }),
  );
}

interface Session {
  client: MigrationClient;
  release(err?: Error): void;
}

async function openSession(target: MigrationTarget): Promise<Session> {
  const t = target as Partial<MigrationPool & MigrationClient & { release: unknown }>;
  const isPool =
    target instanceof pg.Pool ||
    (!(target instanceof pg.Client) &&
      typeof t.connect === 'function' &&
      !(typeof t.query === 'function' && typeof t.release === 'function'));
  if (!isPool) {
    if (typeof t.query !== 'function') throw new TypeError('migrate: expected a pg.Pool or a client with query()');
    return { client: target as MigrationClient, release: () => {} };
  }
  const client = await (target as MigrationPool).connect();
  if (!client || typeof client.query !== 'function' || typeof client.release !== 'function') {
    throw new TypeError('migrate: connect() did not return a pool client (pass a connected pg.Client as is)');
  }
  return { client, release: (err) => client.release(err) };
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

async function migrationsTableExists(client: MigrationClient): Promise<boolean> {
  const { rows } = await client.query(
    `SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = '${MIGRATIONS_TABLE}'`,
  );
  return rows.length > 0;
}

async function readHistory(client: MigrationClient): Promise<AppliedRow[]> {
  if (!(await migrationsTableExists(client))) return [];
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM ${MIGRATIONS_TABLE} ORDER BY started_at, migration_name`,
  );
  return rows;
}

/**
 * Checks the recorded history against the files and returns the migrations still to apply.
 * Throws on failed or edited migrations, as `prisma migrate deploy` would.
 */
function planMigrations(files: MigrationFile[], history: AppliedRow[], log: (msg: string) => void): MigrationFile[] {
  const failed = history.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    const detail = failed.map((row) => `${row.migration_name}${row.logs ? `: ${row.logs.split('\n')[0]}` : ''}`);
    throw new MigrationError(
      `migration(s) recorded as failed in ${MIGRATIONS_TABLE}: ${detail.join('; ')}. ` +
        'Fix the database by hand, then mark them with `prisma migrate resolve --rolled-back <name>` ' +
        '(or --applied), or delete the row.',
      failed[0]!.migration_name,
    );
  }
  const applied = history.filter((row) => row.finished_at !== null && row.rolled_back_at === null);
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const row of applied) {
    const file = byName.get(row.migration_name);
    if (!file) {
      log(`warning: migration ${row.migration_name} is applied but missing from the migrations directory`);
    } else if (!checksumMatches(file.sql, row.checksum)) {
      throw new MigrationError(
        `migration ${row.migration_name} was modified after it was applied ` +
          `(recorded checksum ${row.checksum}, file has ${file.checksum}). ` +
          'Restore the original migration.sql and put the change in a new migration.',
        row.migration_name,
      );
    }
  }
  const appliedNames = new Set(applied.map((row) => row.migration_name));
  const pending = files.filter((file) => !appliedNames.has(file.name));
  const lastApplied = files.findLastIndex((file) => appliedNames.has(file.name));
  for (const file of pending) {
    if (files.indexOf(file) < lastApplied) {
      log(`warning: migration ${file.name} sorts before an already applied migration; applying it anyway`);
    }
  }
  return pending;
}

/**
 * Applies every pending migration. Resolves with the names applied by this call (empty when up to date
 * or when another instance applied them while this one waited for the lock).
 */
export async function migrate(target: MigrationTarget, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => {});
  const files = await readMigrations(options.migrationsDir);
  const session = await openSession(target);
  const { client } = session;
  let sessionError: Error | undefined;
  let locked = false;
  const applied: string[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(${PRISMA_MIGRATE_ADVISORY_LOCK_KEY})`);
    locked = true;
    await client.query(CREATE_MIGRATIONS_TABLE);
    const pending = planMigrations(files, await readHistory(client), log);
    if (pending.length === 0) log('migrations: database is up to date');
    for (const migration of pending) {
      log(`migrations: applying ${migration.name}`);
      const started = Date.now();
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO ${MIGRATIONS_TABLE} (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
           VALUES ($1, $2, clock_timestamp(), $3, NULL, now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          sessionError = rollbackError;
        });
        throw new MigrationError(
          `migration ${migration.name} failed and was rolled back: ${(error as Error).message}`,
          migration.name,
          { cause: error },
        );
      }
      applied.push(migration.name);
      log(`migrations: applied ${migration.name} in ${Date.now() - started} ms`);
    }
    return { applied };
  } catch (error) {
    if (!(error instanceof MigrationError)) sessionError ??= error as Error;
    throw error;
  } finally {
    if (locked) {
      await client.query(`SELECT pg_advisory_unlock(${PRISMA_MIGRATE_ADVISORY_LOCK_KEY})`).catch((error: Error) => {
        sessionError ??= error;
      });
    }
    // A session whose state is unknown (broken, lock possibly still held) is discarded, not pooled.
    session.release(sessionError);
  }
}

/** Names of the migrations in the directory not yet applied to the database (for readiness checks). */
export async function pendingMigrations(
  target: MigrationTarget,
  options: Pick<MigrateOptions, 'migrationsDir'> = {},
): Promise<string[]> {
  const files = await readMigrations(options.migrationsDir);
  const session = await openSession(target);
  let sessionError: Error | undefined;
  try {
    const history = await readHistory(session.client);
    const applied = new Set(
      history.filter((row) => row.finished_at !== null && row.rolled_back_at === null).map((row) => row.migration_name),
    );
    return files.filter((file) => !applied.has(file.name)).map((file) => file.name);
  } catch (error) {
    sessionError = error as Error;
    throw error;
  } finally {
    session.release(sessionError);
  }
}
