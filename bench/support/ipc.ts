import { fork, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { serverNodeArgsFromEnv } from '../harness.ts';
import { recordServerMemory } from './server-memory.ts';

/**
 * bench:subscriptions' servers and sender, each in a child process of its own. Unlike bench/harness.ts's
 * servers, these answer questions over IPC that only the process itself can: its memory after a forced GC
 * (started with --expose-gc) and how many subscriptions are attached.
 */

export type MemoryFigures = { heapUsed: number; external: number; rss: number };
type Request = { id: number; type: 'memory' | 'attached' | 'cpu' | 'close' };
type Reply = { id: number; memory?: MemoryFigures; attached?: number; cpuMicros?: number };
type Ready = { type: 'ready'; port: number };

export type BenchServerControls = {
  port: number;
  /** Subscriptions currently attached. */
  attached: () => number;
  close: () => Promise<void>;
};

/** In the child: announce the port, then answer requests until closed. */
export function serveBenchIpc(controls: BenchServerControls): void {
  const send = (message: Ready | Reply) => process.send?.(message);
  process.on('message', (message: Request) => {
    void (async () => {
      if (message.type === 'memory') send({ id: message.id, memory: await settledMemory() });
      else if (message.type === 'attached') send({ id: message.id, attached: controls.attached() });
      else if (message.type === 'cpu') {
        const usage = process.cpuUsage();
        send({ id: message.id, cpuMicros: usage.user + usage.system });
      }
      else {
        await controls.close();
        send({ id: message.id });
        process.exit(0);
      }
    })();
  });
  send({ type: 'ready', port: controls.port });
}

async function settledMemory(): Promise<MemoryFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('start the bench server with --expose-gc');
  for (let round = 0; round < 4; round += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const usage = process.memoryUsage();
  return { heapUsed: usage.heapUsed, external: usage.external, rss: usage.rss };
}

export type BenchServer = {
  url: string;
  memory(): Promise<MemoryFigures>;
  attached(): Promise<number>;
  /** CPU time the process has used so far (user + system), in ms: unlike latency, barely moved by the machine's load. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
};

/** In the bench: fork `script` with tsx and --expose-gc, wait for its port. */
export async function startBenchServer(script: string, env: Record<string, string>): Promise<BenchServer> {
  const child: ChildProcess = fork(script, [], {
    // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") as for the other benchmarks.
    execArgv: ['--expose-gc', ...serverNodeArgsFromEnv(), '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 0;
  const pending = new Map<number, (reply: Reply) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: Ready | Reply) => {
      if ('type' in message) resolve(message.port);
      else pending.get(message.id)?.(message);
    });
  });
  const request = (type: Request['type']) =>
    new Promise<Reply>((resolve) => {
      nextId += 1;
      pending.set(nextId, resolve);
      child.send({ id: nextId, type } satisfies Request);
    });
  return {
    url: `http://127.0.0.1:${port}`,
    async memory() {
      const reply = await request('memory');
      if (!reply.memory) throw new Error('no memory figures');
      return reply.memory;
    },
    async attached() {
      return (await request('attached')).attached ?? 0;
    },
    async cpuMs() {
      return ((await request('cpu')).cpuMicros ?? 0) / 1000;
    },
    async close() {
      recordServerMemory(basename(script, '.ts'), child.pid);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await request('close');
      await exited;
    },
  };
}

export type WriterChange = { uuid: string; globalId: string; headers?: Record<string, string>; body?: string };

export type WriterCommand = {
  type: 'run';
  /** Each change's `body` POSTed to `url`; it succeeded when the answer is 2xx and contains `expect`. */
  mode: 'post';
  changes: WriterChange[];
  /** Changes per second (open loop), or else `concurrency` in flight as fast as they go. */
  rate?: number;
  concurrency?: number;
  url: string;
  expect: string;
};

export type WriterOutcome = { failed: number; refusals: string[] };

export type WriterMark = { what: 'sent' | 'committed'; id: string; at: number };

export type WriterMessage =
  | { type: 'ready' }
  /** The marks travel with the result, not one message each: a message per change would cost both processes CPU during the measurement. */
  | { type: 'done'; failed: number; refusals: string[]; marks: WriterMark[] };

export type Writer = {
  /**
   * Runs the changes; `onMark` hears (what, transaction id, wall-clock ms) of each one's start and of its
   * acknowledgement (or answer), all at the end of the run. Resolves with the number that failed and why the
   * first few did.
   */
  run(command: Omit<WriterCommand, 'type'>, onMark: (what: 'sent' | 'committed', id: string, at: number) => void): Promise<WriterOutcome>;
  close(): Promise<void>;
};

export async function startWriter(script: string, env: Record<string, string>): Promise<Writer> {
  const child = fork(script, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let onDone: (message: Extract<WriterMessage, { type: 'done' }>) => void = () => undefined;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on('message', (message: WriterMessage) => {
      if (message.type === 'ready') resolve();
      else onDone(message);
    });
  });
  return {
    run(command, onMark) {
      return new Promise((resolve) => {
        onDone = ({ failed, refusals, marks }) => {
          for (const mark of marks) onMark(mark.what, mark.id, mark.at);
          resolve({ failed, refusals });
        };
        child.send({ type: 'run', ...command } satisfies WriterCommand);
      });
    },
    async close() {
      recordServerMemory(basename(script, '.ts'), child.pid);
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' });
      await exited;
    },
  };
}
