import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { transition } from '../../src/services/transitions.ts';
import type { WriterCommand, WriterMessage } from './ipc.ts';

/**
 * The benchmark's source of status changes, in a process of its own (as an ingestion instance would
 * be): applies provider notifications through the transition service, or sends POSTs, at a given rate
 * or with a given concurrency, and reports the wall-clock moment each change started.
 */

const config = loadConfig(process.env);
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
const send = (message: WriterMessage) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function apply(command: WriterCommand, index: number): Promise<boolean> {
  const change = command.changes[index];
  if (!change) return true;
  send({ type: 'sent', id: change.globalId, at: now() });
  try {
    let ok: boolean;
    if (command.mode === 'transition') {
      const outcome = await transition(db, { transactionId: change.uuid, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
      ok = outcome.kind === 'applied';
    } else {
      const response = await fetch(command.url ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(change.authorization ? { authorization: change.authorization } : {}) },
        body: change.body ?? '',
      });
      const text = await response.text();
      ok = response.ok && text.includes(command.expect ?? '');
    }
    // Committed (transition) or answered (POST): from here on it is the subscription system's time.
    send({ type: 'committed', id: change.globalId, at: now() });
    return ok;
  } catch {
    return false;
  }
}

async function run(command: WriterCommand): Promise<number> {
  let failed = 0;
  const total = command.changes.length;
  if (command.rate !== undefined) {
    // Open loop: a slow change does not slow the schedule down.
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let fired = 0; fired < total; ) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * command.rate) + 1);
      while (fired < due) {
        const index = fired;
        fired += 1;
        inFlight.push(apply(command, index).then((ok) => void (ok || (failed += 1))));
      }
      await sleep(1);
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: command.concurrency ?? 1 }, async () => {
        while (next < total) {
          const index = next;
          next += 1;
          if (!(await apply(command, index))) failed += 1;
        }
      }),
    );
  }
  return failed;
}

process.on('message', (command: WriterCommand | { type: 'close' }) => {
  if (command.type === 'close') {
    void db.close().then(() => process.exit(0));
    return;
  }
  void run(command).then((failed) => send({ type: 'done', failed }));
});
send({ type: 'ready' });
