import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';

/** The real entry point (`npm start` runs the same file), as a child process. */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADMIN_API_KEY = 'psk_lifecycle_admin_key_0123456789';

type Started = { child: ChildProcessWithoutNullStreams; port: number; stdout: () => string; stderr: () => string; exited: Promise<{ code: number | null; at: number }> };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

function run(env: Record<string, string>): Omit<Started, 'port'> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: Date.now() })));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts a server on its own database (a PostgreSQL schema, or an embedded one in a temporary DATA_DIR). */
async function startServer(env: Record<string, string> = {}): Promise<Started> {
  let databaseEnv: Record<string, string>;
  if (TEST_DATABASE_URL !== undefined) {
    const db: TestDatabase = await createTestDatabase({ poolSize: 1 });
    await db.close();
    cleanups.push(() => db.drop());
    databaseEnv = { DATABASE_URL: db.url ?? '' };
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'paystream-lifecycle-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    databaseEnv = { DATA_DIR: dataDir };
  }
  const started = run({ NODE_ENV: 'production', SANDBOX_IN_PRODUCTION: 'true', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ADMIN_API_KEY, ...databaseEnv, ...env });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = /"port":(\d+)/.exec(started.stdout());
    if (match?.[1]) return { ...started, port: Number(match[1]) };
    if (started.child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start: ${started.stderr()}${started.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A POST whose body arrives in two parts: in flight from its headers until `finish()` is called. `accepted`
 * resolves once the server has taken it as a request: it asks `Expect: 100-continue`, and Node's server answers
 * 100 Continue only after parsing the headers and handing the request on (no guessing with a pause).
 */
function slowRequest(port: number, body: string): { accepted: Promise<void>; finish: () => void; response: Promise<{ status: number; body: string }> } {
  const half = Math.floor(body.length / 2);
  let finish = () => {};
  let accept = () => {};
  const accepted = new Promise<void>((resolve) => {
    accept = resolve;
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const outgoing = http.request(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${ADMIN_API_KEY}`,
          expect: '100-continue',
        },
      },
      (incoming) => {
        let text = '';
        incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body: text }));
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.once('continue', () => {
      outgoing.write(body.slice(0, half));
      accept();
    });
    outgoing.flushHeaders();
    finish = () => outgoing.end(body.slice(half));
  });
  return { accepted, finish: () => finish(), response };
}

function openGraphqlWs(port: number): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
    socket.once('error', reject);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${ADMIN_API_KEY}` } })));
    socket.once('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'connection_ack') resolve(socket);
      else reject(new Error(`unexpected ${data.toString()}`));
    });
  });
}

describe('graceful shutdown on SIGTERM', () => {
  it('stops accepting, finishes the in-flight request, closes WebSockets with 1012, exits 0', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_SECONDS: '8' });
    const socket = await openGraphqlWs(server.port);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const inFlight = slowRequest(server.port, JSON.stringify({ query: '{ transactions(first: 1) { totalCount } }' }));
    await inFlight.accepted;

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    // Reconnect-friendly: graphql-ws clients retry on 1012 (Service Restart).
    expect(await closed).toBe(1012);
    // No new connections...
    await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
    // ...but the request already in flight completes normally.
    inFlight.finish();
    expect(await inFlight.response).toEqual({ status: 200, body: JSON.stringify({ data: { transactions: { totalCount: 0 } } }) });

    const { code, at } = await server.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(8_000);
    const lines = server.stdout().split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; level: number; cutConnections?: number });
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down: draining in-flight requests', 'stopped']));
    // NODE_ENV=production ran the sandbox only because SANDBOX_IN_PRODUCTION=true, and said so at warn level (#13.1).
    expect(lines.find((line) => line.msg.startsWith('SANDBOX IN PRODUCTION:'))?.level).toBe(40);
    expect(lines.find((line) => line.msg === 'stopped')?.cutConnections).toBe(0);
    expect(server.stderr()).toBe('');
  });

  it('is bounded by SHUTDOWN_TIMEOUT_SECONDS when a request never finishes', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_SECONDS: '3' });
    const stalled = slowRequest(server.port, JSON.stringify({ query: '{ __typename }' }));
    stalled.response.catch(() => {}); // cut by the server, as intended
    await stalled.accepted;
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');
    const { code, at } = await server.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeGreaterThanOrEqual(1_000);
    expect(at - signalledAt).toBeLessThan(3_500);
    expect(server.stdout()).toMatch(/"cutConnections":1/);
  });
});

describe.concurrent('configuration is validated at start', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['NOTIFICATION_KEYS', { NOTIFICATION_KEYS: 'broken' }],
    // The other variables' messages are covered in-process by test/config.test.ts.
    ['SHUTDOWN_TIMEOUT_SECONDS', { SHUTDOWN_TIMEOUT_SECONDS: 'soon' }],
    // Production without a gateway would run the sandbox, which confirms payments no one made (#13.1).
    ['ALIPAY_GATEWAY_URL', { NODE_ENV: 'production' }],
  ])('bad %s: exit code 1 and one line on stderr naming it, at once', async (variable, env) => {
    const started = run({ DATA_DIR: join(tmpdir(), 'paystream-never-created'), ...env });
    const { code } = await started.exited;
    expect(code).toBe(1);
    expect(started.stderr()).toMatch(/must|expected/);
    const lines = started.stderr().split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^invalid configuration: ${variable} `));
    expect(started.stdout()).toBe('');
  });
});
