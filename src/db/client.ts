import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { lockDataDirectory, preparePrivateDirectory, type DataDirectoryLock } from './data-dir.ts';
import { pgSession, type SqlSession } from './session.ts';

/**
 * The only place that knows how to reach the database. Both back ends go through the same code path:
 * the `pg` driver and Prisma's pg adapter. The embedded PGlite is served over a local socket, so it
 * speaks the same wire protocol as a real PostgreSQL, with a pool of one connection (PGlite is one session).
 */

export type DatabaseKind = 'postgresql' | 'embedded';

export type Database = {
  readonly kind: DatabaseKind;
  readonly prisma: PrismaClient;
  /** The same pool Prisma uses: for transactions of hand-written SQL (withPgTransaction), migrations, health checks. */
  readonly pool: pg.Pool;
  /** Raw statements on the pool (src/db/sql/ runs them; see src/db/session.ts). */
  readonly sql: SqlSession;
  /** The PostgreSQL schema every table lives in. */
  readonly schema: string;
  /**
   * A connection string for a second, dedicated session (LISTEN, long-lived locks). Embedded, a second socket
   * still reaches PGlite's one session, so nothing there uses it (the relay LISTENs on the pool).
   */
  readonly connectionString: string;
  close(): Promise<void>;
};

export type OpenDatabaseOptions = {
  /** postgresql://... ; `?schema=name` selects a schema, as in Prisma's URLs. Unset: embedded PGlite. */
  databaseUrl: string | undefined;
  /** Where the embedded database keeps its files; `memory://` keeps it in memory. */
  dataDir: string;
  poolSize: number;
  /** Called with every SQL statement Prisma or `sql` sends (used by tests that count statements). */
  onQuery?: (sql: string) => void;
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl !== undefined) {
    const { connectionString, schema } = splitSchema(options.databaseUrl);
    return connect('postgresql', connectionString, schema, options.poolSize, options.onQuery, async () => {});
  }
  const embedded = await startEmbedded(options.dataDir);
  return connect('embedded', embedded.connectionString, 'public', 1, options.onQuery, embedded.stop);
}

/** A session that reports each statement's text before running it. */
function countedSession(session: SqlSession, onQuery: (sql: string) => void): SqlSession {
  return {
    query: (statement, values) => {
      onQuery(statement.text);
      return session.query(statement, values);
    },
  };
}

function splitSchema(databaseUrl: string): { connectionString: string; schema: string } {
  const url = new URL(databaseUrl);
  const schema = url.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`DATABASE_URL schema "${schema}" is not a plain lower-case identifier`);
  url.searchParams.delete('schema');
  return { connectionString: url.toString(), schema };
}

async function connect(
  kind: DatabaseKind,
  connectionString: string,
  schema: string,
  poolSize: number,
  onQuery: ((sql: string) => void) | undefined,
  stopServer: () => Promise<void>,
): Promise<Database> {
  const embedded = kind === 'embedded';
  const pool = new pg.Pool({
    connectionString,
    max: poolSize,
    // PGlite is one session however many sockets reach it: a pool connection closed for idling would be
    // replaced by one whose prepared statements (named, per connection in pg) already exist in that session.
    ...(embedded ? { idleTimeoutMillis: 0 } : {}),
    // Raw SQL (locks, migrations) is written unqualified; Prisma qualifies with `schema` itself.
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 5_000,
    // Statements sent one after another on a connection go out without waiting for the previous answer
    // (PostgreSQL answers in order). Code that awaits each statement is unaffected; the ingestion
    // transaction sends BEGIN with its first statements and COMMIT with its last (src/db/session.ts).
    pipeline: true,
  });
  // An idle client's error (database restarted) must not crash the process; the next query reports it.
  pool.on('error', () => {});
  if (embedded) {
    // pg-pool discards a connection after any failed pool.query (and Prisma's adapter does the same): the new
    // one reaches the same PGlite session, which still holds the old connection's prepared statements. Clear
    // them before anything else runs on it (queued first; pg sends a connection's queries in order).
    pool.on('connect', (client) => {
      client.query('DEALLOCATE ALL').catch(() => undefined);
    });
  }
  const adapter = new PrismaPg(pool, { schema });
  const prisma = new PrismaClient({
    adapter,
    log: onQuery ? [{ emit: 'event', level: 'query' }] : [],
    transactionOptions: { maxWait: 10_000, timeout: 15_000 },
  });
  if (onQuery) prisma.$on('query', (event) => onQuery(event.query));
  let closed = false;
  return {
    kind,
    prisma,
    pool,
    sql: onQuery ? countedSession(pgSession(pool), onQuery) : pgSession(pool),
    schema,
    connectionString: withSearchPath(connectionString, schema),
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
      await stopServer();
    },
  };
}

function withSearchPath(connectionString: string, schema: string): string {
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function startEmbedded(dataDir: string): Promise<{ connectionString: string; stop: () => Promise<void> }> {
  let dataPath = dataDir;
  let lock: DataDirectoryLock | undefined;
  if (!dataDir.startsWith('memory://')) {
    await preparePrivateDirectory(dataDir);
    lock = await lockDataDirectory(dataDir);
    dataPath = join(dataDir, 'pgdata');
    await preparePrivateDirectory(dataPath);
  }
  try {
    const pglite = await PGlite.create(dataPath);
    // Two sockets: the pool holds one connection, but when it replaces that connection (after a failed query)
    // the old socket may still be closing while the new one connects; with one allowed, the new one was refused.
    // The server serialises the sockets' queries and keeps a transaction to the socket that opened it.
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 2 });
    await server.start();
    return {
      connectionString: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`,
      async stop() {
        await server.stop();
        await pglite.close();
        await lock?.release();
      },
    };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
