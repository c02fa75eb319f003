/**
 * Migration diff: what SQL takes the database built by prisma/migrations to prisma/schema.prisma.
 *
 * `prisma migrate dev` cannot run here (its native schema-engine binary cannot be downloaded), so this
 * script drives Prisma's own schema engine compiled to WebAssembly (@prisma/schema-engine-wasm, pinned
 * exactly: 8.1.0-2.59be4fda is the published build right after the 8.1.0-1.d1b3f377 engine that
 * prisma 7.10.1 embeds, which is not on npm) through the @prisma/adapter-pg driver adapter.
 * The SQL it prints is the engine's own rendering: the same text `prisma migrate dev` writes.
 * When upgrading prisma, bump @prisma/schema-engine-wasm to the matching engine build
 * (node_modules/@prisma/engines-version/package.json) and re-run test/db/migrations.test.ts.
 *
 * Usage (DATABASE_URL defaults to postgresql://postgres@127.0.0.1:5432/test):
 *
 *   npm run db:diff                          print the SQL (stdout) from prisma/migrations to schema.prisma;
 *                                            prints nothing (and a note on stderr) when they already match
 *   npm run db:diff -- --name add_refunds    write prisma/migrations/<UTC yyyymmddHHMMSS>_add_refunds/migration.sql
 *                                            (nothing is written when there is no difference)
 *   npm run db:diff -- --name backfill_x --create-only
 *                                            write the migration even when empty, for hand-written SQL
 *   npm run db:diff -- --check               exit 1 (printing the SQL) when schema.prisma and the migrations
 *                                            differ, 0 when they match: use it in CI
 *   npm run db:diff -- --from-empty          the whole schema as SQL, from an empty database
 *
 * Other flags: --schema <file|dir> (default prisma/schema.prisma), --migrations <dir> (default
 * prisma/migrations), --url <postgres url> (default $DATABASE_URL), --shadow auto|database|schema (see
 * below), --verbose (schema engine logs on stderr).
 * Exit codes: 0 success / no difference, 1 difference found with --check, 2 error.
 *
 * How it works: the engine replays every prisma/migrations/<dir>/migration.sql into a *shadow database*
 * and diffs the result against the datamodel. The shadow database is a temporary database
 * `paystream_shadow_<random>` created on the DATABASE_URL server and dropped afterwards (needs CREATEDB).
 * If the role may not create databases, the migrations are instead replayed into a temporary schema
 * `paystream_shadow_<random>` of the DATABASE_URL database, which the engine then diffs against the
 * datamodel, and which is dropped afterwards (`--shadow schema` forces this; migrations must then not
 * schema-qualify objects, which Prisma-generated ones never do). Nothing else is read or changed.
 * A run killed with SIGKILL can leave a paystream_shadow_* database/schema behind: drop it by hand.
 *
 * Workflow for a schema change: edit prisma/schema.prisma, run `npm run db:diff -- --name <what_changed>`,
 * review (and if needed hand-edit, e.g. data backfills) the new migration.sql BEFORE it is applied anywhere
 * (applied migrations are checksummed; src/db/migrate.ts refuses edited ones), run
 * `npx vitest run test/db/migrations.test.ts` (which proves migrations == schema.prisma), commit.
 * Notes:
 *   - Unlike `prisma migrate dev`, no data-loss warnings comment is prepended: read the SQL for DROPs.
 *   - src/db/migrate.ts runs each migration.sql inside a transaction, so statements that PostgreSQL refuses
 *     in a transaction (CREATE INDEX CONCURRENTLY, using an enum value added by ALTER TYPE ... ADD VALUE
 *     in the same migration) must be split into separate migrations / avoided.
 *   - The wasm glue is loaded by instantiating schema_engine_bg.wasm ourselves, so no
 *     `--experimental-wasm-modules` flag is needed (works under tsx and vitest alike).
 *
 * The helpers below are exported for test/db/migrations.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type {
  DiffTarget,
  MigrationDirectory,
  MigrationList,
  SchemaContainer,
  SchemaEngine,
} from '@prisma/schema-engine-wasm';
import pg from 'pg';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';
export const DEFAULT_SCHEMA_PATH = join(PROJECT_ROOT, 'prisma', 'schema.prisma');
export const DEFAULT_MIGRATIONS_DIR = join(PROJECT_ROOT, 'prisma', 'migrations');
/** Byte for byte what `prisma migrate dev` writes to prisma/migrations/migration_lock.toml. */
export const MIGRATION_LOCK_CONTENT =
  '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n';
/** What the schema engine renders for an empty migration. */
export const EMPTY_MIGRATION_SQL = '-- This is an empty migration.\n';

const NO_FILTERS = { externalTables: [] as string[], externalEnums: [] as string[] };

/** Cleanups of shadow databases/schemas in use, run on SIGINT/SIGTERM by the CLI. */
const activeCleanups = new Set<() => Promise<void>>();

// ---------------------------------------------------------------------------------------------------
// Loading the wasm engine without --experimental-wasm-modules
// ---------------------------------------------------------------------------------------------------

type EngineGlue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
let gluePromise: Promise<EngineGlue> | undefined;
let lastPanic: string | undefined;

/** Instantiates schema_engine_bg.wasm once per process and returns the wasm-bindgen glue module. */
export function loadSchemaEngineWasm(): Promise<EngineGlue> {
  gluePromise ??= (async () => {
    // The engine reports Rust panics through this global before trapping.
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message: (message: string) => {
        lastPanic = message;
      },
    };
    const glue = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm')), 'schema_engine_bg.wasm');
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start(): void };
    (glue as unknown as { __wbg_set_wasm(exports: WebAssembly.Exports): void }).__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return glue;
  })();
  return gluePromise;
}

// ---------------------------------------------------------------------------------------------------
// Connections: a driver-adapter factory that also provides (and cleans up) a shadow database
// ---------------------------------------------------------------------------------------------------

export interface PgTarget {
  /** libpq-style connection string for pg (search_path given through `options`, if any). */
  connectionString: string;
  /** The PostgreSQL schema the engine should look at ("public" unless the URL says otherwise). */
  schema: string | undefined;
}

/**
 * Accepts Prisma-style `?schema=name` as well as pg-style `?options=-c search_path=name` and returns
 * a connection string pg understands plus the schema name the engine must describe.
 */
export function resolvePgTarget(url: string): PgTarget {
  const u = new URL(url);
  let schema = u.searchParams.get('schema') ?? undefined;
  if (schema !== undefined) {
    u.searchParams.delete('schema');
    const options = u.searchParams.get('options') ?? '';
    if (!/search_path/.test(options)) {
      u.searchParams.set('options', `${options} -c search_path=${schema}`.trim());
    }
  } else {
    const match = /search_path\s*=\s*("?)([^",\s]+)\1/.exec(u.searchParams.get('options') ?? '');
    schema = match?.[2];
  }
  return { connectionString: u.toString(), schema };
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** OID of PostgreSQL's internal one-byte `"char"` type (pg_class.relkind, pg_constraint.contype, ...). */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function retypeCharColumns<T>(result: T): T {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as QueryResultLike | undefined)?.fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
  return result;
}

/**
 * The schema engine's catalog queries return `"char"` columns, which @prisma/adapter-pg 7.10 rejects
 * ("Column type 'char' could not be deserialized"). pg already decodes them as strings, so this client
 * reports them as text.
 */
class CharAsTextClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // An own property over pg.Client#query and all its overloads (an override would have to restate each).
    const query = super.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      // pg.Pool#query calls client.query(config, values, callback): patch callbacks as well as promises.
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const callback = args[last] as (err: unknown, res: unknown) => void;
        args[last] = (err: unknown, res: unknown) => callback(err, err ? res : retypeCharColumns(res));
      }
      const result = query(...args);
      return result instanceof Promise ? result.then(retypeCharColumns) : result;
    }) as pg.Client['query'];
  }
}

/**
 * An adapter on its own pool (ended on dispose). executeScript is replaced: adapter-pg splits scripts on
 * every ";" (breaking `$$ ... ; ... $$` function bodies and string literals), whereas Prisma's native
 * engine sends a migration script whole, as one simple-protocol query, which is what we do.
 */
async function connectAdapter(connectionString: string, schema: string | undefined): Promise<SqlDriverAdapter> {
  const pool = new pg.Pool({ connectionString, Client: CharAsTextClient, max: 4 });
  const adapter = await new PrismaPg(pool, { disposeExternalPool: true, ...(schema ? { schema } : {}) }).connect();
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (error) {
      const e = error as pg.DatabaseError;
      throw new DriverAdapterError({
        kind: 'postgres',
        code: e.code ?? 'N/A',
        severity: e.severity ?? 'ERROR',
        message: e.message,
        detail: e.detail,
        column: e.column,
        hint: e.hint,
      });
    }
  };
  return adapter;
}

/** Sets a dispose hook that runs after the adapter's own dispose. */
function afterDispose(adapter: SqlDriverAdapter, hook: () => Promise<void>): SqlDriverAdapter {
  const dispose = adapter.dispose.bind(adapter);
  let done: Promise<void> | undefined;
  adapter.dispose = () => {
    done ??= (async () => {
      try {
        await dispose();
      } finally {
        await hook();
      }
    })();
    return done;
  };
  return adapter;
}

/**
 * The factory handed to the engine. @prisma/adapter-pg's own connectToShadowDb (7.10.1) drops the shadow
 * database while its pool is still connected (the DROP then fails and the database leaks), and with a
 * connection string it would even connect the "shadow" to the main database; hence this one.
 */
class PgMigrationAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  /** Cleanups still owed (open adapters, shadow databases/schemas): run by close(). */
  private readonly pending = new Set<() => Promise<void>>();

  constructor(
    private readonly target: PgTarget,
    private readonly log: (msg: string) => void,
  ) {}

  private track(adapter: SqlDriverAdapter, extra?: () => Promise<void>): SqlDriverAdapter {
    const cleanup = async () => {
      this.pending.delete(cleanup);
      await extra?.();
    };
    let disposed = false;
    const wrapped = afterDispose(adapter, async () => {
      disposed = true;
      await cleanup();
    });
    this.pending.add(async () => {
      if (!disposed) await wrapped.dispose();
    });
    return wrapped;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const { connectionString, schema } = this.target;
    return this.track(await connectAdapter(connectionString, schema));
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = `paystream_shadow_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: this.target.connectionString });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    } catch (error) {
      await admin.end();
      throw error;
    }
    this.log(`shadow: created database ${name}`);
    const drop = async () => {
      try {
        // The pool is ended by now; FORCE (PostgreSQL 13+) covers connections the engine leaked.
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
        this.log(`shadow: dropped database ${name}`);
      } finally {
        await admin.end();
      }
    };
    const u = new URL(this.target.connectionString);
    u.pathname = `/${encodeURIComponent(name)}`;
    u.searchParams.delete('options'); // the shadow database is fresh: its objects live in "public"
    let adapter: SqlDriverAdapter;
    try {
      adapter = await connectAdapter(u.toString(), undefined);
    } catch (error) {
      await drop();
      throw error;
    }
    return this.track(adapter, drop);
  }

  /** Disposes every adapter the engine did not dispose and drops any shadow database/schema left. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const cleanup of [...this.pending]) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
  }
}

// ---------------------------------------------------------------------------------------------------
// Engine sessions and diffs
// ---------------------------------------------------------------------------------------------------

export interface EngineOptions {
  /** Defaults to $DATABASE_URL, then postgresql://postgres@127.0.0.1:5432/test. */
  databaseUrl?: string;
  /** Prisma schema file, or a directory of *.prisma files. Defaults to prisma/schema.prisma. */
  schemaPath?: string;
  /** Receives schema-engine log lines and shadow-database notes. Default: errors and warnings only. */
  log?: (msg: string) => void;
}

/** Reads a schema file, or every *.prisma file under a directory (multi-file schemas). */
export async function readSchemaFiles(schemaPath: string = DEFAULT_SCHEMA_PATH): Promise<SchemaContainer[]> {
  const info = await stat(schemaPath);
  if (!info.isDirectory()) return [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }];
  const entries = await readdir(schemaPath, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.prisma'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  if (files.length === 0) throw new Error(`no .prisma files under ${schemaPath}`);
  return Promise.all(files.map(async (path) => ({ path, content: await readFile(path, 'utf8') })));
}

/**
 * Loads a migrations directory exactly as the Prisma CLI does before handing it to the engine: every
 * sub-directory with its migration.sql (read as UTF-8), sorted by name, plus migration_lock.toml.
 * A missing lock file is treated as the PostgreSQL one (the engine needs the provider).
 */
export async function readMigrationsList(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationList> {
  const lockContent = await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8').catch(() => null);
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => []);
  const directories: MigrationDirectory[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const file = join(migrationsDir, entry.name, 'migration.sql');
    const content = await readFile(file, 'utf8').then(
      (value) => ({ tag: 'ok' as const, value }),
      (error: Error) => ({ tag: 'error' as const, value: error.message }),
    );
    directories.push({ path: entry.name, migrationFile: { path: 'migration.sql', content } });
  }
  directories.sort((a, b) => a.path.localeCompare(b.path));
  if (lockContent !== null && !/provider\s*=\s*"postgresql"/.test(lockContent)) {
    throw new Error(`${join(migrationsDir, 'migration_lock.toml')} is not for provider "postgresql"`);
  }
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: lockContent ?? MIGRATION_LOCK_CONTENT },
    shadowDbInitScript: '',
    migrationDirectories: directories,
  };
}

function defaultLog(msg: string): void {
  // Engine lines are JSON ({"level":"INFO",...}); only surface problems unless asked for more.
  if (msg.startsWith('{') && /"level":"(INFO|DEBUG|TRACE)"/.test(msg)) return;
  if (msg.startsWith('shadow:')) return;
  process.stderr.write(`${msg}\n`);
}

/** Runs `fn` with a schema engine connected to the database; always frees connections and shadows. */
export async function withSchemaEngine<T>(
  options: EngineOptions,
  fn: (engine: SchemaEngine, schemaFiles: SchemaContainer[]) => Promise<T>,
): Promise<T> {
  const glue = await loadSchemaEngineWasm();
  const log = options.log ?? defaultLog;
  const target = resolvePgTarget(options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL);
  const schemaFiles = await readSchemaFiles(options.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const factory = new PgMigrationAdapterFactory(target, log);
  const cleanup = () => factory.close();
  activeCleanups.add(cleanup);
  let engine: SchemaEngine | undefined;
  try {
    engine = await glue.SchemaEngine.new(
      { datamodels: schemaFiles.map((file) => [file.path, file.content] as [string, string]) },
      (msg: string) => log(msg),
      bindMigrationAwareSqlAdapterFactory(factory),
    );
    return await fn(engine, schemaFiles);
  } catch (error) {
    if (lastPanic !== undefined && error instanceof Error) error.message += `\nschema engine panic: ${lastPanic}`;
    throw error;
  } finally {
    engine?.free();
    activeCleanups.delete(cleanup);
    await factory.close();
  }
}

export interface DiffOutcome {
  /** True when the two sides describe the same database schema. */
  empty: boolean;
  /** The migration script (the engine's "-- This is an empty migration." when empty). */
  sql: string;
}

async function diff(engine: SchemaEngine, from: DiffTarget, to: DiffTarget): Promise<DiffOutcome> {
  const result = await engine.diff({ from, to, script: true, exitCode: true, filters: NO_FILTERS });
  return { empty: result.exitCode === 0, sql: result.stdout ?? '' };
}

export interface MigrationsDiffOptions extends EngineOptions {
  migrationsDir?: string;
  /**
   * Where the migrations are replayed: a temporary database (what `prisma migrate dev` does), a temporary
   * schema of the DATABASE_URL database (for roles without CREATEDB), or `auto` (default): a database
   * when the role may create one, else a schema.
   */
  shadow?: 'auto' | 'database' | 'schema';
}

async function canCreateDatabase(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT rolcreatedb OR rolsuper AS ok FROM pg_catalog.pg_roles WHERE rolname = current_user',
    );
    return rows[0]?.ok === true;
  } finally {
    await client.end();
  }
}

/** SQL from the database the migrations directory builds (replayed in a shadow database) to the schema. */
export async function diffMigrationsToSchema(options: MigrationsDiffOptions = {}): Promise<DiffOutcome> {
  const migrations = await readMigrationsList(options.migrationsDir);
  const url = options.databaseUrl ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
  const shadow = options.shadow ?? 'auto';
  if (shadow === 'database' || (shadow === 'auto' && (await canCreateDatabase(resolvePgTarget(url).connectionString)))) {
    return withSchemaEngine(options, (engine, files) =>
      diff(engine, { tag: 'migrations', ...migrations }, { tag: 'schemaDatamodel', files }),
    );
  }
  return diffMigrationsViaShadowSchema(migrations, { ...options, databaseUrl: url });
}

/**
 * The engine's `migrations` diff target only takes a shadow *database*; its datamodel side always lives
 * in "public". With a shadow *schema* we replay the migrations ourselves (each file as one script, as
 * the engine does) and diff that live schema, whose name the engine then leaves out of the rendered SQL.
 */
async function diffMigrationsViaShadowSchema(
  migrations: MigrationList,
  options: EngineOptions & { databaseUrl: string },
): Promise<DiffOutcome> {
  const log = options.log ?? defaultLog;
  const { connectionString } = resolvePgTarget(options.databaseUrl);
  const name = `paystream_shadow_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const shadowUrl = new URL(connectionString);
  shadowUrl.searchParams.set('options', `-c search_path=${name}`);
  const admin = new pg.Client({ connectionString });
  await admin.connect();
  const dropSchema = async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
    log(`shadow: dropped schema ${name}`);
  };
  activeCleanups.add(dropSchema);
  try {
    await admin.query(`CREATE SCHEMA ${quoteIdent(name)}`);
    log(`shadow: created schema ${name}`);
    const replay = new pg.Client({ connectionString: shadowUrl.toString() });
    await replay.connect();
    try {
      for (const directory of migrations.migrationDirectories) {
        const content = directory.migrationFile.content;
        if (content.tag === 'error') throw new Error(`cannot read ${directory.path}/migration.sql: ${content.value}`);
        try {
          await replay.query(content.value);
        } catch (error) {
          throw new Error(
            `Migration \`${directory.path}\` failed to apply cleanly to the shadow schema: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
    } finally {
      await replay.end();
    }
    return await diffDatabaseToSchema({ ...options, databaseUrl: shadowUrl.toString() });
  } finally {
    activeCleanups.delete(dropSchema);
    try {
      await dropSchema();
    } finally {
      await admin.end();
    }
  }
}

/**
 * SQL from the live database (the schema named by the URL's `?schema=` / `options=-c search_path=`,
 * default "public") to the Prisma schema. Empty when the database matches schema.prisma.
 * `_prisma_migrations` is ignored, as Prisma does.
 */
export async function diffDatabaseToSchema(options: EngineOptions = {}): Promise<DiffOutcome> {
  return withSchemaEngine(options, (engine, files) =>
    diff(engine, { tag: 'schemaDatasource', files, configDir: PROJECT_ROOT }, { tag: 'schemaDatamodel', files }),
  );
}

/** SQL for the whole schema from an empty database (note: starts with CREATE SCHEMA IF NOT EXISTS "public"). */
export async function diffEmptyToSchema(options: EngineOptions = {}): Promise<DiffOutcome> {
  return withSchemaEngine(options, (engine, files) => diff(engine, { tag: 'empty' }, { tag: 'schemaDatamodel', files }));
}

// ---------------------------------------------------------------------------------------------------
// Writing migrations
// ---------------------------------------------------------------------------------------------------

/** `yyyymmddHHMMSS` in UTC, the prefix `prisma migrate dev` gives migration directories. */
export function migrationTimestamp(date: Date = new Date()): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

/** Migration names become directory names and `_prisma_migrations.migration_name` (varchar 255). */
export function sanitizeMigrationName(name: string): string {
  const clean = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  if (!clean) throw new Error(`invalid migration name ${JSON.stringify(name)}: use letters, digits and _`);
  return clean;
}

/**
 * Creates `<migrationsDir>/<timestamp>_<name>/migration.sql` (and migration_lock.toml if missing).
 * The timestamp is now (UTC), bumped past the newest existing migration so the new one sorts last.
 */
export async function writeMigration(
  migrationsDir: string,
  name: string,
  sql: string,
  now: Date = new Date(),
): Promise<string> {
  const existing = (await readMigrationsList(migrationsDir)).migrationDirectories.map((d) => d.path);
  let stamp = migrationTimestamp(now);
  const newest = existing.map((dir) => /^(\d{14})_/.exec(dir)?.[1]).filter((s): s is string => !!s).sort().at(-1);
  if (newest !== undefined && stamp <= newest) {
    const t = newest.replace(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/, '$1-$2-$3T$4:$5:$6Z');
    stamp = migrationTimestamp(new Date(Date.parse(t) + 1000));
  }
  const dirName = `${stamp}_${sanitizeMigrationName(name)}`;
  const dir = join(migrationsDir, dirName);
  if (existsSync(dir)) throw new Error(`migration directory already exists: ${dir}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'migration.sql'), sql, 'utf8');
  const lock = join(migrationsDir, 'migration_lock.toml');
  if (!existsSync(lock)) await writeFile(lock, MIGRATION_LOCK_CONTENT, 'utf8');
  return dir;
}

// ---------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------

interface CliArgs {
  name?: string;
  check: boolean;
  createOnly: boolean;
  fromEmpty: boolean;
  verbose: boolean;
  help: boolean;
  schema?: string;
  migrations?: string;
  url?: string;
  shadow?: string;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { check: false, createOnly: false, fromEmpty: false, verbose: false, help: false };
  const valueFlags = {
    '--name': 'name',
    '--schema': 'schema',
    '--migrations': 'migrations',
    '--url': 'url',
    '--shadow': 'shadow',
  } as const;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    if (flag in valueFlags) {
      const value = eq > 0 && raw.startsWith('--') ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') throw new Error(`${flag} needs a value`);
      args[valueFlags[flag as keyof typeof valueFlags]] = value;
    } else if (flag === '--check') args.check = true;
    else if (flag === '--create-only' || flag === '--allow-empty') args.createOnly = true;
    else if (flag === '--from-empty') args.fromEmpty = true;
    else if (flag === '--verbose' || flag === '-v') args.verbose = true;
    else if (flag === '--help' || flag === '-h') args.help = true;
    else throw new Error(`unknown argument ${raw} (see --help)`);
  }
  if (args.name !== undefined && args.check) throw new Error('--name and --check are exclusive');
  if (args.fromEmpty && (args.name !== undefined || args.check)) throw new Error('--from-empty only prints');
  if (args.createOnly && args.name === undefined) throw new Error('--create-only needs --name');
  if (args.shadow !== undefined && !['auto', 'database', 'schema'].includes(args.shadow)) {
    throw new Error('--shadow takes auto, database or schema');
  }
  return args;
}

function usage(): string {
  const source = fileURLToPath(import.meta.url);
  return `usage: npm run db:diff -- [--name <name> [--create-only] | --check | --from-empty]
       [--schema <path>] [--migrations <dir>] [--url <postgres url>] [--shadow auto|database|schema] [--verbose]
(see the comment at the top of ${relative(process.cwd(), source)})\n`;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(usage());
    return 0;
  }
  const migrationsDir = resolve(args.migrations ?? DEFAULT_MIGRATIONS_DIR);
  const options: MigrationsDiffOptions & { migrationsDir: string } = {
    migrationsDir,
    ...(args.shadow ? { shadow: args.shadow as MigrationsDiffOptions['shadow'] } : {}),
    schemaPath: resolve(args.schema ?? DEFAULT_SCHEMA_PATH),
    ...(args.url ? { databaseUrl: args.url } : {}),
    ...(args.verbose ? { log: (msg: string) => process.stderr.write(`${msg}\n`) } : {}),
  };

  if (args.fromEmpty) {
    process.stdout.write((await diffEmptyToSchema(options)).sql);
    return 0;
  }

  const outcome = await diffMigrationsToSchema(options);
  if (args.name !== undefined) {
    if (outcome.empty && !args.createOnly) {
      process.stderr.write('No difference between prisma/migrations and the schema: no migration written.\n');
      return 0;
    }
    const dir = await writeMigration(migrationsDir, args.name, outcome.empty ? EMPTY_MIGRATION_SQL : outcome.sql);
    process.stdout.write(outcome.sql);
    process.stderr.write(`Wrote ${relative(process.cwd(), join(dir, 'migration.sql'))}\n`);
    return 0;
  }
  if (outcome.empty) {
    process.stderr.write('The migrations directory matches the schema: no difference.\n');
    return 0;
  }
  process.stdout.write(outcome.sql);
  if (args.check) {
    process.stderr.write(
      'prisma/migrations does not build the schema: run `npm run db:diff -- --name <what_changed>`.\n',
    );
    return 1;
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`migration-diff: ${signal}, dropping shadow database/schema\n`);
      const timeout = new Promise((done) => setTimeout(done, 5_000).unref());
      void Promise.race([Promise.allSettled([...activeCleanups].map((cleanup) => cleanup())), timeout]).then(() =>
        process.exit(130),
      );
    });
  }
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`migration-diff: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 2;
    },
  );
}
