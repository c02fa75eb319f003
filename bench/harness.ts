import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type pg from 'pg';
import { keepAliveAgent } from './lib.ts';
import { recordServerMemory } from './support/server-memory.ts';
import type { TestDatabase } from '../test/support/database.ts';
import type { TypedDocumentString } from '../src/generated/graphql/graphql.ts';

/**
 * What the HTTP benchmarks share: a database of their own, the server under test in a child process (so the
 * load generator and the server never share an event loop), and a lean keep-alive GraphQL client.
 */

export const DEFAULT_BENCH_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/test';

/** A fresh, migrated schema on PostgreSQL (DATABASE_URL, else the local default); never the embedded database. */
export async function createBenchDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase & { url: string }> {
  process.env['DATABASE_URL'] ||= DEFAULT_BENCH_DATABASE_URL;
  // Imported only now: test/support/database.ts reads DATABASE_URL when it loads.
  const { createTestDatabase } = await import('../test/support/database.ts');
  const db = await createTestDatabase(options);
  const url = db.url;
  if (url === undefined) throw new Error('benchmarks need PostgreSQL (DATABASE_URL)');
  await settleDatabase(db.pool);
  return Object.assign(db, { url });
}

/**
 * Writes every dirty page out now (CHECKPOINT), so that the writes of the benchmark before (or of a bulk seed) are
 * not flushed in the middle of a measurement, under one side's block and not the other's. Needs a superuser (the
 * local default); elsewhere the checkpoints come when they come, and the figures are noisier.
 */
export async function settleDatabase(pool: Pick<pg.Pool, 'query'>): Promise<void> {
  await pool.query('CHECKPOINT').catch(() => undefined);
}

export type ServerProcess = {
  port: number;
  url: string;
  /** CPU time (user + system) the server process has used so far, in ms (Linux /proc; NaN elsewhere). */
  cpuMs(): number;
  stop(): Promise<void>;
};

export type ServerProcessOptions = {
  /** Extra variables for the child (DATABASE_URL with ?schema=, LOG_LEVEL, ...). */
  env?: Record<string, string>;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] (set BENCH_SERVER_NODE_ARGS). */
  nodeArgs?: string[];
};

/** Node flags for the server process from BENCH_SERVER_NODE_ARGS (space-separated), for profiling runs. */
export function serverNodeArgsFromEnv(): string[] {
  return (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(/\s+/).filter((flag) => flag !== '');
}

/**
 * Starts bench/serve.ts in a child Node process: `paystream` (createApp on the given database) or `bare` (a
 * trivial graphql-yoga server). Resolves once it has printed its port.
 */
export function startServerProcess(mode: 'paystream' | 'bare' | 'sql-page' | 'sql-stats', options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(import.meta.dirname, 'serve.ts'), mode], {
    // From the repository root, where `--import tsx` resolves.
    cwd: join(import.meta.dirname, '..'),
    // No rate limit: the benchmarks measure the API, far past one merchant's budget (bench:protection measures the limiter).
    env: { ...process.env, RATE_LIMIT_REQUESTS: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A benchmark that crashes must not leave its server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    recordServerMemory(mode, child.pid);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${mode} server did not start within 60 s`));
    }, 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${mode} server exited with code ${code} before listening`));
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^LISTENING (\d+)$/.exec(line.trim());
      if (!match?.[1]) {
        process.stdout.write(`[${mode} server] ${line}\n`);
        return;
      }
      clearTimeout(timer);
      const port = Number(match[1]);
      resolve({ port, url: `http://127.0.0.1:${port}`, cpuMs: () => processCpuMs(child.pid), stop });
    });
  });
}

export type GraphQLPayload<TResult> = {
  data?: TResult | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
};

export type GraphQLClient = {
  execute<TResult, TVariables>(
    document: TypedDocumentString<TResult, TVariables>,
    variables: TVariables,
  ): Promise<{ status: number; payload: GraphQLPayload<TResult> }>;
  close(): void;
};

/** POST /graphql over keep-alive node:http (cheaper per call than fetch, so the client adds little to what is measured). */
export function graphqlClient(baseUrl: string, apiKey: string, maxSockets = 64): GraphQLClient {
  const agent = keepAliveAgent(maxSockets);
  const endpoint = new URL('/graphql', baseUrl);
  return {
    execute(document, variables) {
      const body = JSON.stringify({ query: document.toString(), variables });
      return new Promise((resolve, reject) => {
        const outgoing = request(
          endpoint,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json',
              authorization: `Bearer ${apiKey}`,
              'content-length': Buffer.byteLength(body),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              try {
                const payload = JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLPayload<never>;
                resolve({ status: response.statusCode ?? 0, payload });
              } catch (error) {
                reject(error instanceof Error ? error : new Error(String(error)));
              }
            });
            response.on('error', reject);
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}

/** A JSON GraphQL request body, for load generators that send the same bytes every time. */
export function graphqlBody<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): string {
  return JSON.stringify({ query: document.toString(), variables });
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime: 100 on Linux (USER_HZ). */
const USER_HZ = 100;

/** CPU time (user + system) used by process `pid`, in ms, from /proc/<pid>/stat; NaN when unavailable. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    // The fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return Number.NaN;
  }
}
