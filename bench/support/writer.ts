import { connect, type Socket } from 'node:net';
import type { WriterCommand, WriterMark, WriterMessage } from './ipc.ts';

/**
 * The benchmark's source of status changes, in a process of its own (as the provider's systems are):
 * sends POSTs at a given rate or with a given concurrency, and reports the wall-clock moments each one
 * was sent and acknowledged. It shares the machine's two cores with the server under test, so it does as
 * little as it can while measuring:
 * - it sleeps until the next change is due (not a 1 ms poll) and reports the moments once, at the end;
 * - it speaks HTTP/1.1 itself over keep-alive sockets: each request is one prepared buffer written to an idle
 *   socket, each answer is read off the bytes (status line, Content-Length). node:http's client cost about
 *   0.7 ms of CPU per request here (fetch several times more), a tenth of a core at 200 requests a second.
 */

const send = (message: WriterMessage) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Answer = { status: number; text: string };

/** One keep-alive connection; one request at a time. */
class Connection {
  private readonly socket: Socket;
  private buffered: Buffer = Buffer.alloc(0);
  idleSince = 0;
  private pending: { resolve(answer: Answer): void; reject(error: Error): void } | undefined;
  broken = false;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (error: Error) => {
      this.broken = true;
      this.pending?.reject(error);
      this.pending = undefined;
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed')));
  }

  request(bytes: Buffer): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(bytes);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const headerEnd = this.buffered.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const head = this.buffered.subarray(0, headerEnd).toString('latin1');
    const body = bodyOf(head, this.buffered.subarray(headerEnd + 4));
    if (body === 'incomplete') return;
    if (body === 'unsupported') {
      this.socket.destroy(new Error(`answer with neither Content-Length nor chunked encoding: ${head.split('\r\n')[0]}`));
      return;
    }
    this.buffered = this.buffered.subarray(headerEnd + 4 + body.consumed);
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ status: Number(head.slice(9, 12)), text: body.text });
  }
}

/** The answer's body, once all of it is in: by Content-Length, or chunked (what Node sends after writeHead). */
function bodyOf(head: string, rest: Buffer): { text: string; consumed: number } | 'incomplete' | 'unsupported' {
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) {
    return rest.length < Number(length) ? 'incomplete' : { text: rest.subarray(0, Number(length)).toString('utf8'), consumed: Number(length) };
  }
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return 'unsupported';
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', offset);
    if (lineEnd < 0) return 'incomplete';
    const size = Number.parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
    const dataStart = lineEnd + 2;
    if (rest.length < dataStart + size + 2) return 'incomplete';
    if (size === 0) return { text: Buffer.concat(parts).toString('utf8'), consumed: dataStart + 2 };
    parts.push(rest.subarray(dataStart, dataStart + size));
    offset = dataStart + size + 2;
  }
}

const idle: Connection[] = [];
// Servers close keep-alive connections idle for 5 s (Node's default); a connection idle half that long is not reused.
const MAX_IDLE_MS = 2_500;

function takeConnection(url: URL): Connection {
  for (let connection = idle.pop(); connection; connection = idle.pop()) {
    if (!connection.broken && performance.now() - connection.idleSince < MAX_IDLE_MS) return connection;
    connection.close();
  }
  return new Connection(url.hostname, Number(url.port));
}

async function post(url: URL, headers: Record<string, string>, body: string): Promise<Answer> {
  const payload = Buffer.from(body);
  const lines = [`POST ${url.pathname} HTTP/1.1`, `host: ${url.host}`, `content-length: ${payload.length}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
  const connection = takeConnection(url);
  try {
    const answer = await connection.request(bytes);
    connection.idleSince = performance.now();
    idle.push(connection);
    return answer;
  } catch (error) {
    connection.close();
    throw error;
  }
}

async function apply(command: WriterCommand, index: number, marks: WriterMark[]): Promise<boolean> {
  const change = command.changes[index];
  if (!change) return true;
  marks.push({ what: 'sent', id: change.globalId, at: now() });
  try {
    const response = await post(new URL(command.url), { 'content-type': 'application/json', ...change.headers }, change.body ?? '');
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
