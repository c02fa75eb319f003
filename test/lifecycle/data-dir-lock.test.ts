import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { ROOT, startProcess, type RunningProcess } from '../support/process.ts';

// The embedded database is one process's: a second process on the same DATA_DIR (the CLI while the server runs,
// a second server) must refuse to start, saying which process holds it, instead of working on a copy the first
// one does not see. A holder that died (SIGKILL, power loss) leaves a stale lock that the next start takes over.

const directories: string[] = [];
const processes: RunningProcess[] = [];
afterAll(async () => {
  await Promise.all(processes.map((running) => running.stop('SIGKILL')));
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const embedded = (dataDir: string) => ({ DATABASE_URL: '', ADMIN_API_KEY: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });

function startServer(dataDir: string): RunningProcess {
  const running = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], { NODE_ENV: 'development', ...embedded(dataDir) });
  processes.push(running);
  return running;
}

async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)('npm', ['run', '--silent', 'cli', '--', ...args], { cwd: ROOT, env: { ...process.env, ...embedded(dataDir), LOG_LEVEL: 'warn' } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

it('a second process on a DATA_DIR in use says which process holds it and exits non-zero; a dead holder\'s lock is taken over', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'paystream-lock-'));
  directories.push(dataDir);
  const server = startServer(dataDir);
  await server.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+\/graphql/, 60_000);
  const holder = String(server.child.pid);

  const refusedCli = await cli(dataDir, 'merchant:create', '--name', 'Second process');
  expect(refusedCli.code).not.toBe(0);
  expect(refusedCli.stderr).toContain(`in use by process ${holder}`);
  expect(refusedCli.stdout).not.toContain('psk_');

  const second = startServer(dataDir);
  await second.waitFor(new RegExp(`in use by process ${holder}`), 60_000);
  expect(await second.stop('SIGTERM')).not.toBe(0);

  // The holder dies without cleaning up: its lock is stale, and the next process takes it over.
  await server.stop('SIGKILL');
  expect(existsSync(join(dataDir, 'paystream.lock'))).toBe(true);
  const created = await cli(dataDir, 'merchant:create', '--name', 'After the crash');
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('psk_');
  // Released at exit: nothing is left to take over.
  expect(existsSync(join(dataDir, 'paystream.lock'))).toBe(false);
}, 240_000);
