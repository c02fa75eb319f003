import { connect, type Socket } from 'node:net';

/**
 * The subscription benchmark sender's HTTP/1.1 client: each request is one prepared buffer written to an idle
 * keep-alive socket, each answer is read off the bytes (status line, Content-Length or chunked). node:http's
 * client cost about 0.7 ms of CPU per request here (fetch several times more), a tenth of a core at 200/s.
 */

export type Answer = { status: number; text: string };

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

// Servers close keep-alive connections idle for 5 s (Node's default); a connection idle half that long is not reused.
const MAX_IDLE_MS = 2_500;

/**
 * Idle keep-alive connections per origin. One pool for every server once sent the baseline's first second of
 * POSTs down the connections the previous target (Paystream) had left idle: 404s counted as "not accepted".
 */
export class HttpSender {
  private readonly idle = new Map<string, Connection[]>();

  async post(url: URL, headers: Record<string, string>, body: string): Promise<Answer> {
    const payload = Buffer.from(body);
    const lines = [`POST ${url.pathname} HTTP/1.1`, `host: ${url.host}`, `content-length: ${payload.length}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
    const connection = this.take(url);
    try {
      const answer = await connection.request(bytes);
      connection.idleSince = performance.now();
      this.poolOf(url).push(connection);
      return answer;
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  close(): void {
    for (const pool of this.idle.values()) for (const connection of pool.splice(0)) connection.close();
  }

  private poolOf(url: URL): Connection[] {
    let pool = this.idle.get(url.host);
    if (!pool) {
      pool = [];
      this.idle.set(url.host, pool);
    }
    return pool;
  }

  private take(url: URL): Connection {
    const pool = this.poolOf(url);
    for (let connection = pool.pop(); connection; connection = pool.pop()) {
      if (!connection.broken && performance.now() - connection.idleSince < MAX_IDLE_MS) return connection;
      connection.close();
    }
    return new Connection(url.hostname, Number(url.port));
  }
}

/** Why an answer does not count as accepted (2xx containing `expect`), or undefined when it does. */
export function refusal(answer: Answer, expect: string): string | undefined {
  if (answer.status >= 200 && answer.status < 300 && answer.text.includes(expect)) return undefined;
  return `${answer.status} ${answer.text.slice(0, 200)}`;
}
