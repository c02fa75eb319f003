import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Prisma } from '../generated/prisma/client.ts';

/**
 * The one way raw SQL runs. Every hand-written statement is a `Statement` constant under src/db/sql/, run through
 * a `SqlSession`, behind a named function there that maps its rows; the rest of src/ calls those functions.
 * A session is the database's pool (`db.sql`), a pg connection of one's own, a pg transaction
 * (withPgTransaction: hot write paths, pipelined) or a Prisma interactive transaction (prismaSession: raw
 * steps inside work that also uses Prisma's API).
 *
 * Portable results: select int8 columns as text (pg returns int8 as strings, Prisma as bigint) and cast
 * every parameter explicitly in the SQL.
 */

/** A fixed statement text and the row it returns (`Row` is only a type). */
export type Statement<Row> = {
  readonly text: string;
  /**
   * Runs it as a named prepared statement where the session supports them (pg: parsed and planned once per
   * connection, then only executed): give one to statements on hot paths. One name per text.
   */
  readonly name: string | undefined;
  /** Never set: carries the row type. */
  readonly row?: Row;
};

export function sql<Row = Record<string, unknown>>(text: string, name?: string): Statement<Row> {
  return { text, name };
}

export type SqlSession = {
  query<Row>(statement: Statement<Row>, values?: readonly unknown[]): Promise<Row[]>;
};

/** A session on a pg pool or connection (each pooled connection prepares named statements once). */
export function pgSession(client: Pick<pg.ClientBase, 'query'>): SqlSession {
  return {
    query: async <Row>({ name, text }: Statement<Row>, values: readonly unknown[] = []) =>
      (await client.query(name === undefined ? { text, values: [...values] } : { name, text, values: [...values] })).rows as Row[],
  };
}

/** A session inside a Prisma interactive transaction (statement names are ignored: Prisma prepares by itself). */
export function prismaSession(tx: Prisma.TransactionClient): SqlSession {
  return { query: <Row>({ text }: Statement<Row>, values: readonly unknown[] = []) => tx.$queryRawUnsafe<Row[]>(text, ...values) };
}

/** A pg session inside withPgTransaction. */
export type PgTransactionSession = SqlSession & {
  /**
   * Sends COMMIT now, behind the statements already sent and without waiting for their answers (the pool's
   * connections pipeline). PostgreSQL runs it only after them; if one of them failed, the transaction is
   * already aborted and COMMIT rolls it back instead: this then rejects with TransactionRolledBack, and the
   * failed statement's own promise carries the reason. So every condition that must stop the commit has to
   * be an error raised by a statement sent before it (a constraint, a unique index), not a check made in
   * JavaScript on an answer.
   */
  commit(): Promise<void>;
};

/**
 * Waits for every one of statements sent together without waiting for each other's answers (pipelined), then
 * fails with the first failure in the order they were sent: the statement that failed, not the ones that only
 * failed after it. Waiting for all of them means nothing sent is still on the wire when the caller moves on.
 */
export async function awaitPipelined<const T extends readonly unknown[]>(statements: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(statements);
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as { -readonly [K in keyof T]: Awaited<T[K]> };
}

/** COMMIT came back as ROLLBACK: a statement sent before it failed, and nothing was committed. */
export class TransactionRolledBack extends Error {
  constructor() {
    super('the transaction was rolled back: a statement sent before COMMIT failed');
  }
}

/**
 * Runs `work` in a database transaction on a pool client: BEGIN, work, COMMIT (ROLLBACK when work throws).
 * Resolves only after COMMIT succeeded. A client whose state is unknown (connection lost, failed rollback)
 * is discarded rather than returned to the pool.
 *
 * Round trips: the pool's connections pipeline (src/db/client.ts), so BEGIN goes out together with work's
 * first statements, and work may send COMMIT together with its last ones (`session.commit()`); otherwise
 * COMMIT is sent after work resolves. Every statement work sends must be awaited by work (a failed one
 * makes the ones after it fail too).
 */
export async function withPgTransaction<T>(
  pool: pg.Pool,
  work: (session: PgTransactionSession) => Promise<T>,
  options: { statementTimeoutMs?: number } = {},
): Promise<T> {
  const { statementTimeoutMs } = options;
  if (statementTimeoutMs !== undefined && !(Number.isInteger(statementTimeoutMs) && statementTimeoutMs > 0)) {
    throw new Error(`statementTimeoutMs must be a positive integer, got ${statementTimeoutMs}`);
  }
  // One simple-protocol statement: a limit on every statement costs no extra round trip.
  const begin = statementTimeoutMs === undefined ? 'BEGIN' : `BEGIN; SET LOCAL statement_timeout = ${statementTimeoutMs}`;
  const client = await pool.connect();
  let broken: Error | undefined;
  // pg emits 'error' on a checked-out client whose connection drops (a database restart), besides failing its
  // query; the pool listens only while the client is idle. Without a listener here that event is an uncaught
  // exception and the whole process exits (found by bench/drills/db-restart.ts).
  const onConnectionError = (error: Error) => {
    broken = error;
  };
  client.on('error', onConnectionError);
  // A statement PostgreSQL refused (it carries a SQLSTATE) leaves the session usable; a failed round trip
  // (lost connection, protocol error) does not. Errors thrown by `work` itself are judged by the ROLLBACK.
  const control = async (statement: string) => {
    try {
      return await client.query(statement);
    } catch (error) {
      if (!hasSqlState(error)) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  };
  let commitSent = false;
  const commit = async () => {
    if (commitSent) throw new Error('commit() called twice');
    commitSent = true;
    const answer = await control('COMMIT');
    if (answer.command !== 'COMMIT') throw new TransactionRolledBack();
  };
  try {
    let beginFailed: unknown;
    const begun = control(begin);
    // Handled at once (work may still be running when it fails; it is awaited below either way).
    begun.catch((error: unknown) => {
      beginFailed = error;
    });
    // Answers come back in order: once BEGIN's is in, nothing more is sent outside the transaction.
    const session = pgSession(client);
    const query: SqlSession['query'] = (statement, values) => (beginFailed === undefined ? session.query(statement, values) : Promise.reject(beginFailed));
    let result: T;
    try {
      result = await work({ query, commit });
      await begun;
    } catch (error) {
      await begun.catch(() => undefined);
      if (!commitSent) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
      }
      throw error;
    }
    if (!commitSent) await commit();
    return result;
  } finally {
    client.removeListener('error', onConnectionError);
    client.release(broken);
  }
}

function hasSqlState(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A time-ordered UUID (RFC 9562 version 7), as Prisma's `@default(uuid(7))` makes for rows it inserts:
 * rows inserted with hand-written SQL get ids of the same kind.
 */
export function uuidv7(now = Date.now()): string {
  // randomUUID draws from an entropy cache Node refills once per 128 ids (randomBytes(16) asks the CSPRNG every
  // time): its variant and last 74 random bits are kept, the first 48 bits become the time, then the version.
  const random = randomUUID();
  const time = Math.trunc(now).toString(16).padStart(12, '0');
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
