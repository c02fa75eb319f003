import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Prisma } from '../generated/prisma/client.ts';

/**
 * One database session inside a transaction, for hand-written SQL that must run the same way on Prisma's
 * interactive transaction and on a plain pg client from the same pool. Hot write paths (notification
 * ingestion) use the pg client: a Prisma interactive transaction costs several times more per statement.
 *
 * Portable results: select int8 columns as text (pg returns int8 as strings, Prisma as bigint) and cast
 * every parameter explicitly in the SQL.
 */
export type SqlSession = {
  /**
   * `name` makes it a prepared statement where the session supports them (pg: parsed and planned once per
   * connection); give it only to fixed statement texts, one name per text.
   */
  query<Row>(text: string, values?: readonly unknown[], name?: string): Promise<Row[]>;
};

export function prismaSession(tx: Prisma.TransactionClient): SqlSession {
  return { query: (text, values = []) => tx.$queryRawUnsafe(text, ...values) };
}

export function pgSession(client: pg.ClientBase): SqlSession {
  return {
    query: async <Row>(text: string, values: readonly unknown[] = [], name?: string) =>
      (await client.query(name === undefined ? { text, values: [...values] } : { name, text, values: [...values] })).rows as Row[],
  };
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
 * Waits for every one of statements sent together (a pipelined flight), then fails with the first failure in
 * the order they were sent: the statement that failed, not the ones that only failed after it. Waiting for
 * all of them means nothing of the flight is still on the wire when the caller moves on.
 */
export async function settleFlight<const T extends readonly unknown[]>(statements: T): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
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
    const query: SqlSession['query'] = (text, values, name) => (beginFailed === undefined ? session.query(text, values, name) : Promise.reject(beginFailed));
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
  const bytes = randomBytes(16);
  const time = BigInt(now);
  for (let index = 0; index < 6; index += 1) bytes[index] = Number((time >> BigInt(8 * (5 - index))) & 0xffn);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
