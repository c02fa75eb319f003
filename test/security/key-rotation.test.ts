import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openDatabase } from '../../src/db/client.ts';
import { API_KEY_CACHE_TTL_MS, revokeApiKey } from '../../src/services/merchants.ts';
import { createTestDatabase, TEST_DATABASE_URL } from '../support/database.ts';
import { ROOT, startProcess, type RunningProcess } from '../support/process.ts';
import { startServerProcess } from '../support/processes.ts';
import { startTestServer } from '../support/server.ts';

// Keys can be rotated and revoked (#13.4): changing ADMIN_API_KEY and restarting revokes the previous one; key:list
// shows keys without secrets; key:revoke (another process) ends a key's requests and streams at once; the generated
// embedded ADMIN key never reaches stdout, where the JSON logs go.

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), 'paystream-keys-'));
  cleanups.push(async () => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

/** One database for several starts: a PostgreSQL schema, or an embedded one in a DATA_DIR. */
async function sharedDatabaseEnv(): Promise<Record<string, string>> {
  if (TEST_DATABASE_URL === undefined) return { DATABASE_URL: '', DATA_DIR: scratch() };
  const db = await createTestDatabase({ poolSize: 1 });
  await db.close();
  cleanups.push(() => db.drop());
  return { DATABASE_URL: db.url ?? '', DATA_DIR: scratch() };
}

async function status(url: string, key: string): Promise<number> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: '{ transactions(first: 1) { totalCount } }' }),
  });
  await response.body?.cancel();
  return response.status;
}

const cli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });

describe('rotating ADMIN_API_KEY', () => {
  it('revokes the previous ADMIN key on the next start, and refuses to start with a revoked one', async () => {
    const env = await sharedDatabaseEnv();
    const oldKey = `psk_old_admin_${Date.now()}_0123456789`;
    const newKey = `psk_new_admin_${Date.now()}_0123456789`;

    const first = await startServerProcess({ ...env, ADMIN_API_KEY: oldKey });
    expect(await status(first.url, oldKey)).toBe(200);
    expect(await first.stop()).toBe(0);

    const second = await startServerProcess({ ...env, ADMIN_API_KEY: newKey });
    try {
      expect(await status(second.url, newKey)).toBe(200);
      expect(await status(second.url, oldKey)).toBe(401);
    } finally {
      expect(await second.stop()).toBe(0);
    }

    // An instance still configured with the old key (a late restart) must neither start nor revoke the new one.
    const stale = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], { NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', ...env, ADMIN_API_KEY: oldKey });
    cleanups.push(() => stale.stop('SIGKILL'));
    await expect(stale.waitFor(/listening on/, 60_000)).rejects.toThrow(/ADMIN_API_KEY has been revoked/);
    expect(stale.child.exitCode).not.toBe(0);

    const third = await startServerProcess({ ...env, ADMIN_API_KEY: newKey });
    try {
      expect(await status(third.url, newKey)).toBe(200);
    } finally {
      await third.stop();
    }
  }, 180_000);

  it('never prints the generated embedded ADMIN key: it is in its file (0600), and the logs say where', async () => {
    const dataDir = scratch();
    const running = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      NODE_ENV: 'development',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      ADMIN_API_KEY: '',
      DATA_DIR: dataDir,
    });
    cleanups.push(() => running.stop('SIGKILL'));
    const [, url] = await running.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\/graphql/, 60_000);
    const file = join(dataDir, 'admin-api-key');
    const key = readFileSync(file, 'utf8').trim();
    expect(key).toMatch(/^psk_/);
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(await status(url ?? '', key)).toBe(200);
    expect(running.stdout() + running.stderr()).not.toContain(key);
    const generated = running
      .stdout()
      .split('\n')
      .filter((line) => line.includes('ADMIN key generated'))
      .map((line) => JSON.parse(line) as { file?: string });
    expect(generated).toEqual([expect.objectContaining({ file })]);
    await running.stop('SIGTERM');
  }, 90_000);
});

describe('key:list and key:revoke', () => {
  // The CLI shares the database with a running server only on PostgreSQL (the embedded one is one process's).
  it.runIf(TEST_DATABASE_URL !== undefined)('lists keys without secrets, and revokes one by prefix: its requests and streams end at once', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const victim = await server.createMerchant('Revoked by the operator');
    const bystander = await server.createMerchant('Keeps its key');
    const env = { DATABASE_URL: server.db.url ?? '', DATA_DIR: scratch(), ADMIN_API_KEY: '' };

    const { stdout: listed } = await cli(['key:list'], env);
    for (const secret of [victim.key, bystander.key, server.adminKey]) expect(listed).not.toContain(secret);
    const { keys } = JSON.parse(listed) as { keys: { id: string; prefix: string; role: string; merchant: { name: string } | null; createdAt: string; revokedAt: string | null }[] };
    const listedVictim = keys.find((key) => key.merchant?.name === 'Revoked by the operator');
    expect(listedVictim).toMatchObject({ prefix: victim.key.slice(0, 12), role: 'MERCHANT', revokedAt: null });
    expect(keys.find((key) => key.role === 'ADMIN')).toMatchObject({ merchant: null });

    // Streams of the victim's key on both transports, and its key remembered by the server (cache warm).
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const socketClosed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await new Promise((resolve) => socket.once('open', resolve));
    const acknowledged = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${victim.key}` } }));
    await acknowledged;
    socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { transactionEvents { status } }' } }));
    const sse = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${victim.key}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { transactionEvents { status } }' }),
    });
    const sseEnded = sse.text().then(
      () => 'ended',
      () => 'ended',
    );
    expect(await status(server.url, victim.key)).toBe(200); // authenticated, and now remembered

    const { stdout: revoked } = await cli(['key:revoke', victim.key.slice(0, 12)], env);
    const revokedAt = Date.now();
    expect(JSON.parse(revoked)).toMatchObject({ key: { id: listedVictim?.id, revokedAt: expect.any(String) }, alreadyRevoked: false });
    expect(revoked).not.toContain(victim.key);

    // At once, not after the key cache's lifetime or the next periodic sweep (both API_KEY_CACHE_TTL_MS).
    expect(await socketClosed).toBe(4401);
    expect(await sseEnded).toBe('ended');
    expect(await status(server.url, victim.key)).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(API_KEY_CACHE_TTL_MS);
    expect(await status(server.url, bystander.key)).toBe(200);

    // Again: nothing changes; an unknown or ambiguous reference is a clear error with a non-zero exit.
    expect(JSON.parse((await cli(['key:revoke', listedVictim?.id ?? ''], env)).stdout)).toMatchObject({ alreadyRevoked: true });
    const unknown = await cli(['key:revoke', 'psk_nothing'], env).catch((error: { code: number; stderr: string }) => error);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('API key not found') });
    const tooShort = await cli(['key:revoke', 'psk_'], env).catch((error: { code: number; stderr: string }) => error);
    expect(tooShort).toMatchObject({ code: 1, stderr: expect.stringContaining('at least 8') });
    const missing = await cli(['key:revoke'], env).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 2 });
  }, 120_000);

  // Another process on the same database exists only with PostgreSQL (the embedded one is one process's).
  it.runIf(TEST_DATABASE_URL !== undefined)('a revocation by another process reaches a running server at once, not after its key cache expires', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const merchant = await server.createMerchant('Revoked elsewhere');
    expect(await status(server.url, merchant.key)).toBe(200); // authenticated, and now remembered
    const apiKey = await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: merchant.merchantId } });
    // Its own pool and key cache: what another process has.
    const other = await openDatabase({ databaseUrl: server.db.url, dataDir: 'memory://', poolSize: 1 });
    cleanups.push(() => other.close());
    const revokedAt = Date.now();
    await revokeApiKey(other, apiKey.id);
    let answer = await status(server.url, merchant.key);
    while (answer !== 401 && Date.now() - revokedAt < API_KEY_CACHE_TTL_MS) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await status(server.url, merchant.key);
    }
    expect(answer).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(API_KEY_CACHE_TTL_MS / 2);
  }, 60_000);
});
