import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/client.ts';
import { createApp } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { startSqlPageServer } from './support/sql-page-server.ts';
import { startSqlStatsServer } from './support/sql-stats-server.ts';

/**
 * The server under test, run by the benchmarks in a child process (bench/harness.ts startServerProcess):
 *   paystream  createApp on DATABASE_URL (already migrated by the benchmark), configured from the environment
 *   bare       graphql-yoga with a one-field schema on the same node:http setup: the ceiling our stack can reach
 *   sql-page   node:http + pg answering the list page with one hand-written SQL statement (bench/support/sql-page-server.ts)
 *   sql-stats  node:http + pg answering bench:stats' one-merchant series with hand-written SQL (bench/support/sql-stats-server.ts)
 * Listens on a free loopback port, prints `LISTENING <port>`, stops cleanly on SIGTERM (so --cpu-prof is written).
 */

async function startPaystream(): Promise<{ port: number; close(): Promise<void> }> {
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
  if (config.databaseUrl === undefined) throw new Error('DATABASE_URL is required');
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  const app = createApp({ config, db, logger: createLogger(config.logLevel) });
  const port = await app.listen(0, '127.0.0.1');
  return {
    port,
    async close() {
      await app.close();
      // Load generators hang up with requests still running; let their queries finish before the pool ends.
      const deadline = Date.now() + 5_000;
      while (db.pool.totalCount > db.pool.idleCount || db.pool.waitingCount > 0) {
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await db.close();
    },
  };
}

async function startBare(): Promise<{ port: number; close(): Promise<void> }> {
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: false,
    logging: false,
  });
  const server = createServer((request, response) => void yoga.requestListener(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const mode = process.argv[2];
if (mode !== 'paystream' && mode !== 'bare' && mode !== 'sql-page' && mode !== 'sql-stats') {
  process.stderr.write('usage: serve.ts paystream|bare|sql-page|sql-stats\n');
  process.exit(2);
}
const starts = { paystream: startPaystream, bare: startBare, 'sql-page': () => startSqlPageServer(process.env), 'sql-stats': () => startSqlStatsServer(process.env) };
const running = await starts[mode]();
process.stdout.write(`LISTENING ${running.port}\n`);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void running.close().finally(() => process.exit(0));
});
