import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.ts';
import { startProcess, type RunningProcess } from '../support/process.ts';

// What Paystream keeps on the local disk (the embedded database, the generated ADMIN key, the sandbox keys) is
// readable by its own user only: DATA_DIR and the database directory 0700, key files 0600.

const directories: string[] = [];
const processes: RunningProcess[] = [];
afterAll(async () => {
  await Promise.all(processes.map((running) => running.stop('SIGKILL')));
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function scratch(): string {
  const directory = mkdtempSync(join(tmpdir(), 'paystream-files-'));
  directories.push(directory);
  return directory;
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

it('npm start on a fresh DATA_DIR creates it and the database directory 0700, and the key files 0600', async () => {
  const dataDir = join(scratch(), 'nested', 'data');
  const running = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_URL: '',
    ADMIN_API_KEY: '',
    DATA_DIR: dataDir,
  });
  processes.push(running);
  await running.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+\/graphql/, 60_000);
  expect(mode(dataDir)).toBe('700');
  expect(mode(join(dataDir, 'pgdata'))).toBe('700');
  expect(mode(join(dataDir, 'admin-api-key'))).toBe('600');
  expect(mode(join(dataDir, 'sandbox-keys.json'))).toBe('600');
  await running.stop('SIGTERM');
}, 90_000);

it('an existing DATA_DIR left world-readable by an older version is made private at start', async () => {
  const dataDir = scratch();
  mkdirSync(join(dataDir, 'pgdata'));
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, 'pgdata'), 0o755);
  const db = await openDatabase({ databaseUrl: undefined, dataDir, poolSize: 1 });
  try {
    expect(mode(dataDir)).toBe('700');
    expect(mode(join(dataDir, 'pgdata'))).toBe('700');
  } finally {
    await db.close();
  }
}, 60_000);
