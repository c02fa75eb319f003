import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

/** What a baseline answers a request with: the body of a 200, or undefined for a 401 (an unknown key). */
export type BaselineAnswer = (request: { authorization: string | undefined; body: Buffer }) => Promise<string | undefined>;

/**
 * A hand-written-SQL baseline's server (bench/support/sql-page-server.ts, sql-stats-server.ts): bare node:http and
 * a pg pool of DATABASE_POOL_SIZE on DATABASE_URL (its `?schema=` as the search_path, as Paystream reads it), each
 * request answered by `answerWith(pool)` as GraphQL's JSON.
 */
export async function startSqlBaselineServer(env: NodeJS.ProcessEnv, answerWith: (pool: pg.Pool) => BaselineAnswer): Promise<{ port: number; close(): Promise<void> }> {
  if (!env['DATABASE_URL']) throw new Error('DATABASE_URL is required');
  const connection = new URL(env['DATABASE_URL']);
  const schema = connection.searchParams.get('schema');
  connection.searchParams.delete('schema');
  const pool = new pg.Pool({
    connectionString: connection.toString(),
    max: Number(env['DATABASE_POOL_SIZE'] ?? 10),
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const answer = answerWith(pool);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      answer({ authorization: request.headers.authorization, body: Buffer.concat(chunks) }).then(
        (body) => {
          if (body === undefined) response.writeHead(401).end();
          else response.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8' }).end(body);
        },
        (error: unknown) => {
          response.writeHead(500).end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => void pool.end().then(() => resolve()));
        server.closeAllConnections();
      }),
  };
}
