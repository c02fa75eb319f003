import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitPipelined, sql, TransactionRolledBack, withPgTransaction } from '../../src/db/session.ts';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import pg from 'pg';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';

// withPgTransaction on the pipelining pool: BEGIN leaves with work's first statements, COMMIT with its last.
// On both databases (the embedded one is a pool of one connection: a broken session would show at once).

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query('CREATE TABLE session_probe (id int PRIMARY KEY)');
});
afterAll(() => db?.drop());

const probeIds = async () => (await db.pool.query<{ id: number }>('SELECT id FROM session_probe ORDER BY id')).rows.map((row) => row.id);
const insert = (id: number) => sql(`INSERT INTO session_probe (id) VALUES (${id})`);

it('commits a flight sent together with its COMMIT', async () => {
  const answer = await withPgTransaction(db.pool, async (session) => {
    const [first, second] = await awaitPipelined([session.query(insert(1)), session.query(insert(2)), session.commit()]);
    return [first, second];
  });
  expect(answer).toEqual([[], []]);
  expect(await probeIds()).toEqual([1, 2]);
});

it('rolls the whole flight back when a statement before COMMIT fails, and reports that statement', async () => {
  const failure = await withPgTransaction(db.pool, async (session) => {
    await awaitPipelined([session.query(insert(3)), session.query(insert(1)), session.query(insert(4)), session.commit()]);
  }).catch((error: unknown) => error);
  // The duplicate key, not the statements that only failed after it, nor the COMMIT that became a rollback.
  expect(failure).toMatchObject({ code: '23505' });
  expect(failure).not.toBeInstanceOf(TransactionRolledBack);
  expect(await probeIds()).toEqual([1, 2]);
  // The connection is clean: the next transaction on it commits.
  await withPgTransaction(db.pool, async (session) => {
    await session.query(insert(5));
  });
  expect(await probeIds()).toEqual([1, 2, 5]);
});

it('says so when COMMIT came back as a rollback', async () => {
  const failure = await withPgTransaction(db.pool, async (session) => {
    const failing = session.query(insert(1)).catch(() => 'failed');
    const committed = session.commit().catch((error: unknown) => error);
    return [await failing, await committed];
  });
  expect(failure[0]).toBe('failed');
  expect(failure[1]).toBeInstanceOf(TransactionRolledBack);
  expect(await probeIds()).toEqual([1, 2, 5]);
});

it('rolls back what work sent when work throws before committing', async () => {
  const failure = await withPgTransaction(db.pool, async (session) => {
    await session.query(insert(6));
    throw new Error('changed my mind');
  }).catch((error: unknown) => error);
  expect(failure).toEqual(new Error('changed my mind'));
  expect(await probeIds()).toEqual([1, 2, 5]);
});

it.runIf(TEST_DATABASE_URL !== undefined)('fails cleanly when BEGIN fails while work is still running (connection gone)', async () => {
  // The pool's one connection goes through a proxy the test controls: BEGIN goes out and is held, then the
  // connection is cut while work still waits on a timer. So BEGIN fails first, every time (killing the backend
  // instead raced with the pool noticing it and handing out a fresh connection).
  const upstream = new URL(db.connectionString);
  let holding = false;
  const sockets: Socket[] = [];
  const proxy = createServer((client) => {
    const server = connect(Number(upstream.port || 5432), upstream.hostname);
    sockets.push(client, server);
    client.on('data', (chunk: Buffer) => {
      if (!holding) server.write(chunk);
    });
    server.pipe(client);
    for (const socket of [client, server]) {
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.forEach((other) => other.destroy()));
    }
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const through = new URL(upstream);
  through.host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const pool = new pg.Pool({ connectionString: through.toString(), max: 1, pipeline: true });
  pool.on('error', () => undefined);
  try {
    await pool.query('SELECT 1');
    holding = true;
    let workFinished = false;
    const failure = await withPgTransaction(pool, async (session) => {
      setTimeout(() => sockets.forEach((socket) => socket.destroy()), 10);
      await new Promise((resolve) => setTimeout(resolve, 50));
      workFinished = true;
      return session.query(insert(7));
    }).catch((error: unknown) => error);
    expect(workFinished).toBe(true);
    // BEGIN's own failure, which work's statement then reported without being sent.
    expect(failure).toBeInstanceOf(Error);
    expect(String(failure)).toMatch(/Connection terminated/);
    // The connection was handed back as broken, so the pool dropped it.
    expect(pool.totalCount).toBe(0);
  } finally {
    await pool.end();
    await new Promise((resolve) => proxy.close(resolve));
  }
});

