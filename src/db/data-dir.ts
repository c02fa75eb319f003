import { existsSync, readFileSync, unlinkSync } from 'node:fs';
import { chmod, link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * DATA_DIR on the local disk: the embedded database's files, the generated ADMIN key, the sandbox keys. Private to
 * the user running Paystream, and used by one process at a time (PGlite is one process's database: a second
 * process would work on a copy the first never sees).
 */

/** Creates `path` (and missing parents) 0700, and makes an existing one 0700 (older versions left it 0755). */
export async function preparePrivateDirectory(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  await chmod(path, 0o700).catch((error: unknown) => {
    // Not ours to change (another owner): what it holds is created private all the same.
    if ((error as { code?: unknown }).code !== 'EPERM') throw error;
  });
}

export const LOCK_FILE = 'paystream.lock';

type Holder = { pid: number; command: string; startedAt: string };

export class DataDirectoryInUseError extends Error {
  override name = 'DataDirectoryInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: Holder,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.startedAt}): the embedded ` +
        'database serves one process at a time. Stop that process first (the CLI included), or use a PostgreSQL DATABASE_URL.',
    );
  }
}

export type DataDirectoryLock = { release(): Promise<void> };

/**
 * Takes DATA_DIR for this process: DATA_DIR/paystream.lock names the holder (pid, command, start). A lock whose
 * process is alive refuses (DataDirectoryInUseError); one whose process is gone (killed, crashed, the machine
 * restarted), or that names this very pid (a container restarted with the same pid), is stale and taken over.
 * The lock file appears whole (written aside, then hard-linked into place, which fails if one exists), so a
 * reader never mistakes a lock being written for an empty, stale one. Released by `release()` or at exit.
 */
export async function lockDataDirectory(dataDir: string): Promise<DataDirectoryLock> {
  const lockPath = join(dataDir, LOCK_FILE);
  const mine = `${JSON.stringify({ pid: process.pid, command: commandLine(), startedAt: new Date().toISOString() } satisfies Holder)}\n`;
  const draft = `${lockPath}.${process.pid}`;
  await writeFile(draft, mine, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        await link(draft, lockPath);
        return holdLock(lockPath, mine);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      }
      const held = await readFile(lockPath, 'utf8').catch(() => undefined);
      if (held === undefined) continue; // released meanwhile: try again
      const holder = parseHolder(held);
      if (holder !== undefined && holder.pid !== process.pid && isAlive(holder.pid)) throw new DataDirectoryInUseError(dataDir, holder);
      // Stale. Removed only if it is still the one just read: another process taking it over at the same moment
      // has replaced it by its own, live one, which the next attempt then reports.
      if ((await readFile(lockPath, 'utf8').catch(() => undefined)) === held) await unlink(lockPath).catch(() => undefined);
    }
    throw new Error(`could not take ${lockPath}: other processes keep taking it`);
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

function holdLock(lockPath: string, mine: string): DataDirectoryLock {
  const releaseNow = () => {
    // Only our own lock: never one another process took over.
    if (existsSync(lockPath) && readFileSync(lockPath, 'utf8') === mine) unlinkSync(lockPath);
  };
  // An exit without release() (process.exit after a failed start) still releases it; a kill leaves it stale.
  process.once('exit', releaseNow);
  return {
    async release() {
      process.off('exit', releaseNow);
      releaseNow();
    },
  };
}

function parseHolder(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<Holder>;
    if (typeof parsed.pid !== 'number' || !Number.isInteger(parsed.pid) || parsed.pid <= 0) return undefined;
    return { pid: parsed.pid, command: String(parsed.command ?? 'unknown'), startedAt: String(parsed.startedAt ?? 'unknown') };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** What the holder runs, for the refusal message: the script (src/main.ts, src/cli.ts) and its command, no more. */
function commandLine(): string {
  const [script = 'node', command] = process.argv.slice(1);
  const shown = script.startsWith('/') ? relative(process.cwd(), script) : script;
  return [shown, ...(command === undefined ? [] : [command])].join(' ').slice(0, 200);
}
