import type { WriterCommand, WriterMark, WriterMessage, WriterOutcome } from './ipc.ts';
import { HttpSender, refusal } from './http-sender.ts';

/**
 * The benchmark's source of status changes, in a process of its own (as the provider's systems are):
 * sends POSTs at a given rate or with a given concurrency, and reports the wall-clock moments each one
 * was sent and acknowledged. It shares the machine's two cores with the server under test, so it does as
 * little as it can while measuring: it sleeps until the next change is due (not a 1 ms poll), reports the
 * moments once, at the end, and speaks HTTP/1.1 itself (./http-sender.ts).
 */

const send = (message: WriterMessage) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sender = new HttpSender();
/** The first few refusals travel back with the count, so a failing server says why. */
const REFUSALS_KEPT = 5;

/** Sends one change; undefined when it was accepted, else why not. */
async function apply(command: WriterCommand, index: number, marks: WriterMark[]): Promise<string | undefined> {
  const change = command.changes[index];
  if (!change) return undefined;
  marks.push({ what: 'sent', id: change.globalId, at: now() });
  try {
    const answer = await sender.post(new URL(command.url), { 'content-type': 'application/json', ...change.headers }, change.body ?? '');
    marks.push({ what: 'committed', id: change.globalId, at: now() });
    return refusal(answer, command.expect);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function run(command: WriterCommand, marks: WriterMark[]): Promise<WriterOutcome> {
  let failed = 0;
  const refusals: string[] = [];
  const judge = (refused: string | undefined) => {
    if (refused === undefined) return;
    failed += 1;
    if (refusals.length < REFUSALS_KEPT) refusals.push(refused);
  };
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
        inFlight.push(apply(command, index, marks).then(judge));
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
          judge(await apply(command, index, marks));
        }
      }),
    );
  }
  return { failed, refusals };
}

process.on('message', (command: WriterCommand | { type: 'close' }) => {
  if (command.type === 'close') {
    sender.close();
    process.exit(0);
    return;
  }
  const marks: WriterMark[] = [];
  void run(command, marks).then(({ failed, refusals }) => send({ type: 'done', failed, refusals, marks }));
});
send({ type: 'ready' });
