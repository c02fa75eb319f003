import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelTransactionDocument, CreateMerchantDocument, CreateTransactionDocument, TransactionDocument, TransactionsDocument } from '../../src/client/operations.ts';
import type { TypedDocumentString } from '../../src/generated/graphql/graphql.ts';
import { ROOT, startProcess, type RunningProcess } from '../support/process.ts';
import { TEST_DATABASE_URL, createTestDatabase } from '../support/database.ts';

const started: RunningProcess[] = [];
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(started.map((process) => process.stop('SIGKILL')));
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function dataDir(): string {
  const directory = mkdtempSync(join(tmpdir(), 'paystream-start-'));
  directories.push(directory);
  return directory;
}

async function npmStart(env: Record<string, string | undefined>): Promise<{ process: RunningProcess; url: string }> {
  // A generous shutdown bound: closing the embedded database is slow on a loaded machine.
  const running = startProcess('npm', ['start', '--silent'], { PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'development', SHUTDOWN_TIMEOUT_SECONDS: '30', ...env });
  started.push(running);
  const [, url] = await running.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\/graphql/, 60_000);
  return { process: running, url: url ?? '' };
}

async function call<TResult, TVariables>(url: string, key: string, document: TypedDocumentString<TResult, TVariables>, variables: TVariables) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: document.toString(), variables }),
  });
  return (await response.json()) as { data?: TResult; errors?: unknown[] };
}

/** The whole merchant journey of API.md over real HTTP against `npm start`. */
async function merchantJourney(url: string, adminKey: string): Promise<void> {
  const created = await call(url, adminKey, CreateMerchantDocument, { name: 'Acme' });
  const merchant = created.data?.createMerchant;
  if (merchant?.__typename !== 'CreateMerchantSuccess') throw new Error(JSON.stringify(created));
  const key = merchant.secret;
  const transaction = await call(url, key, CreateTransactionDocument, {
    input: { merchantReference: 'order-1', amount: { value: '19.99', currency: 'EUR' }, returnUrl: 'https://shop.example/done' },
  });
  const createdTransaction = transaction.data?.createTransaction;
  if (createdTransaction?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(transaction));
  const id = createdTransaction.transaction.id;
  expect(createdTransaction.transaction.status).toBe('REDIRECTED');
  expect((await call(url, key, TransactionDocument, { id })).data?.transaction?.amount.value).toBe('19.99');
  expect((await call(url, key, TransactionsDocument, { first: 10 })).data?.transactions.totalCount).toBe(1);
  const cancelled = await call(url, key, CancelTransactionDocument, { id });
  expect(cancelled.data?.cancelTransaction).toMatchObject({ __typename: 'CancelTransactionSuccess', transaction: { status: 'CANCELLED' } });
}

describe('npm start', () => {
  it('runs on the embedded database with no other step: admin key in its file (never printed), GraphiQL, the whole API', async () => {
    const directory = dataDir();
    const first = await npmStart({ DATABASE_URL: '', DATA_DIR: directory, ADMIN_API_KEY: '' });
    const adminKey = readFileSync(join(directory, 'admin-api-key'), 'utf8').trim();
    expect(adminKey).toMatch(/^psk_/);
    expect(first.process.stdout()).not.toContain(adminKey);

    const graphiql = await fetch(`${first.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toMatch(/graphiql/i);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    await merchantJourney(first.url, adminKey);
    await first.process.stop('SIGTERM');
    expect(first.process.stdout()).toContain('"msg":"stopped"');

    // Restart on the same DATA_DIR: data kept, the key still valid and not printed.
    const second = await npmStart({ DATABASE_URL: '', DATA_DIR: directory, ADMIN_API_KEY: '' });
    expect(second.process.stdout()).not.toContain(adminKey);
    const list = await call(second.url, adminKey, TransactionsDocument, { first: 5 });
    expect(list.data?.transactions.totalCount).toBe(1);
    await second.process.stop('SIGTERM');
    expect(second.process.stdout()).toContain('"msg":"stopped"');
  }, 120_000);

  it('stops gracefully when SIGTERM reaches the process npm start runs, even while it is busy', async () => {
    // What a supervisor or a container runtime does: SIGTERM to the server's process only, not to npm's whole group,
    // while the server is busy. (Under tsx's CLI, the process npm ran relayed the signal to a child process and
    // SIGKILLed it when it had not acknowledged within 60 ms: a busy server never drained.)
    const server = await npmStart({ DATABASE_URL: '', DATA_DIR: dataDir(), ADMIN_API_KEY: '', NODE_OPTIONS: `--import ${join(ROOT, 'test/support/busy-main.mjs')}` });
    const { stdout: table } = await promisify(execFile)('ps', ['-e', '-o', 'pid=,ppid=,args=']);
    const processes = table
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((match) => match !== null)
      .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args ?? '' }));
    // The node processes running src/main.ts below npm (and its sh): the outermost is what npm started, the
    // innermost the server itself (the same process, unless a CLI wraps it).
    const chain: number[] = [];
    for (let parent = server.process.child.pid; ; ) {
      const child = processes.find((candidate) => candidate.ppid === parent);
      if (!child) break;
      if (/^\S*node\s.*\ssrc\/main\.ts$/.test(child.args)) chain.push(child.pid);
      parent = child.pid;
    }
    const [outermost] = chain;
    const innermost = chain.at(-1);
    if (outermost === undefined || innermost === undefined) throw new Error(`no node process runs src/main.ts under npm:\n${table}`);
    process.kill(innermost, 'SIGUSR2');
    await server.process.waitFor(/busy-main: the event loop is blocked/);
    process.kill(outermost, 'SIGTERM');
    await server.process.waitFor(/"msg":"stopped"/);
    await server.process.stop('SIGTERM');
  }, 120_000);

  it.runIf(TEST_DATABASE_URL !== undefined)('runs the same on PostgreSQL with DATABASE_URL and ADMIN_API_KEY', async () => {
    const db = await createTestDatabase();
    try {
      const adminKey = `psk_admin_${Math.random().toString(36).slice(2)}_${Date.now()}`;
      const server = await npmStart({ DATABASE_URL: db.url, DATA_DIR: dataDir(), ADMIN_API_KEY: adminKey });
      await merchantJourney(server.url, adminKey);
      await server.process.stop('SIGTERM');
      expect(server.process.stdout()).toContain('"msg":"stopped"');
    } finally {
      await db.drop();
    }
  }, 120_000);
});

describe('operator CLI', () => {
  it('creates a merchant and prints JSON with its id and secret key', async () => {
    const db = TEST_DATABASE_URL === undefined ? undefined : await createTestDatabase();
    const directory = dataDir();
    try {
      const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'merchant:create', '--name', 'Acme CLI'], {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: db?.url ?? '', DATA_DIR: directory, LOG_LEVEL: 'warn' },
      });
      const printed = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { merchant: { id: string; name: string }; secret: string };
      expect(printed.merchant.name).toBe('Acme CLI');
      expect(Buffer.from(printed.merchant.id, 'base64').toString()).toMatch(/^Merchant:[0-9a-f-]{36}$/);
      expect(printed.secret).toMatch(/^psk_/);
    } finally {
      await db?.drop();
    }
  }, 60_000);

  it('refuses a missing --name with a usage line and a non-zero exit', async () => {
    const failure = await promisify(execFile)('npm', ['run', '--silent', 'cli', '--', 'merchant:create'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir() },
    }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain('--name');
  }, 60_000);
});
