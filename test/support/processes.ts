import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { startProcess } from './process.ts';

/** Real processes for multi-instance tests: the server as `npm start` runs it, and a Redis of our own. */

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export type ServerProcess = {
  url: string;
  /** Everything it printed (for failure messages). */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
};

/** The server as `npm start` runs it (`tsx src/main.ts`), on a port of its choosing. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const running = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    ...env,
  });
  try {
    const [, url] = await running.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+)\/graphql/, 60_000);
    return { url: url ?? '', output: () => running.stdout() + running.stderr(), stop: () => running.stop('SIGTERM') };
  } catch (error) {
    await running.stop('SIGKILL');
    throw error;
  }
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const failure = failed();
    if (failure !== undefined) throw new Error(`${what}: ${failure}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export type RedisProcess = {
  url: string;
  /** Stops it (connections drop, pub/sub messages published meanwhile are lost). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
};

/** A private redis-server on a free port, so a test can take it down and bring it back. */
export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = started;
    await waitUntil(
      () =>
        new Promise<boolean>((resolve) => {
          const probe = createServer();
          probe.once('error', () => resolve(true)); // port taken: redis is listening
          probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
        }),
      'redis-server',
      10_000,
      () => (started.exitCode !== null ? `redis-server exited with ${started.exitCode}` : undefined),
    );
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      const running = child;
      if (!running || running.exitCode !== null) return;
      const exited = exitOf(running);
      running.kill('SIGKILL');
      await exited;
    },
    start,
  };
}
