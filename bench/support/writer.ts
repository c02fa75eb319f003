import { Agent, request } from 'node:http';
import type { WriterCommand, WriterMark, WriterMessage } from './ipc.ts';

/**
 * The benchmark's source of status changes, in a process of its own (as the provider's systems are):
 * sends POSTs at a given rate or with a given concurrency, and reports the wall-clock moments each one
 * was sent and acknowledged. It shares the machine's two cores with the server under test, so it does as
 * little as it can while measuring: it sleeps until the next change is due (not a 1 ms poll) and reports
 * the moments once, at the end.
 */

const send = (message: WriterMessage) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// node:http with keep-alive rather than fetch: the load generator shares the machine's two cores with the
// server under test, and fetch costs several times more CPU per request.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function apply(command: WriterCommand, index: number, marks: WriterMark[]): Promise<boolean> {
  const change = command.changes[index];
  if (!change) return true;
  marks.push({ what: 'sent', id: change.globalId, at: now() });
  try {
    const response = await post(command.url, { 'content-type': 'application/json', ...change.headers }, change.body ?? '');
    marks.push({ what: 'committed', id: change.globalId, at: now() });
    return response.status >= 200 && response.status < 300 && response.text.includes(command.expect);
  } catch {
    return false;
  }
}

async function run(command: WriterCommand, marks: WriterMark[]): Promise<number> {
  let failed = 0;
  const total = command.changes.length;
  if (command.rate !== undefined) {
    // Open loop: a slow change does not slow the schedule down.
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    const dueAt = (index: number) => started + (index / (command.rate as number)) * 1000;
    for (let fired = 0; fired < total; ) {
      while (fired < total && dueAt(fired) <= performance.now()) {
        const index = fired;
        fired += 1;
        inFlight.push(apply(command, index, marks).then((ok) => void (ok || (failed += 1))));
      }
      if (fired < total) await sleep(Math.max(0, dueAt(fired) - performance.now()));
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: command.concurrency ?? 1 }, async () => {
        while (next < total) {
          const index = next;
          next += 1;
          if (!(await apply(command, index, marks))) failed += 1;
        }
      }),
    );
  }
  return failed;
}

process.on('message', (command: WriterCommand | { type: 'close' }) => {
  if (command.type === 'close') {
    process.exit(0);
    return;
  }
  const marks: WriterMark[] = [];
  void run(command, marks).then((failed) => send({ type: 'done', failed, marks }));
});
send({ type: 'ready' });
