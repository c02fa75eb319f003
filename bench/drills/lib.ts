/**
 * What the fault drills drive the system with (bench/drills/template.ts sets them up): notification senders,
 * merchant-client subscribers, TCP proxies to cut, the server as a process of its own or in this one.
 */
import { spawn } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { MerchantClient, TransactionEventMessage } from '../../src/client/merchant-client.ts';
import { createMerchantClient } from '../../src/client/merchant-client.ts';
import { RefundTransactionDocument } from '../../src/client/operations.ts';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { signAlipay, signEvent } from '../../src/domain/signatures.ts';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { START_OF_LOG } from '../../src/events/log.ts';
import { createApp } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { buildRefundNotification } from '../../src/providers/alipay/sandbox/refunds.ts';
import { transition } from '../../src/services/transitions.ts';
import type { GraphQLClient } from '../harness.ts';
import { keepAliveAgent } from '../lib.ts';
import { compareWithLog, type Status, type StreamComparison } from './judges.ts';

/** What every seeded transaction is for, and what the senders report. */
export const AMOUNT = { value: '19.99', currency: 'EUR', minor: 1999n };

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await Promise.resolve(condition()).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

export function shuffle<T>(items: T[]): T[] {
  for (let index = items.length - 1; index > 0; index -= 1) {
    const other = Math.floor(Math.random() * (index + 1));
    [items[index], items[other]] = [items[other] as T, items[index] as T];
  }
  return items;
}

export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

// ---------------------------------------------------------------------------------------------------------
// Senders: signed events (HMAC) and Alipay form posts, prepared once, sent over keep-alive HTTP.

export type EventKey = { keyId: string; secret: string };
export type Prepared = { eventId: string; path: string; headers: Record<string, string>; body: Buffer };

export function newEventKey(): EventKey {
  return { keyId: 'drill', secret: randomBytes(24).toString('hex') };
}

export function signedEvent(key: EventKey, transactionId: string, status: Status, amount: { value: string; currency: string } = AMOUNT): Prepared {
  const eventId = `evt_${randomBytes(10).toString('hex')}`;
  const body = Buffer.from(
    JSON.stringify({
      id: eventId,
      type: `payment.${status.toLowerCase()}`,
      created: new Date().toISOString(),
      payment: { id: encodeGlobalId('Transaction', transactionId), status, providerReference: 'drill-psp', amount: { value: amount.value, currency: amount.currency } },
    }),
  );
  // A little ahead of now: a drill (and its resends) stays inside the 5-minute replay window.
  const timestamp = Math.floor(Date.now() / 1000) + 60;
  return {
    eventId,
    path: '/notifications/events',
    headers: { 'content-type': 'application/json', 'x-key-id': key.keyId, 'x-timestamp': String(timestamp), 'x-signature': signEvent(key.secret, timestamp, body) },
    body,
  };
}

export const ALIPAY_TRADE_STATUS: Partial<Record<Status, string>> = {
  REDIRECTED: 'WAIT_BUYER_PAY',
  CAPTURED: 'TRADE_SUCCESS',
  REJECTED: 'TRADE_CLOSED',
};

export function alipayNotification(privateKeyPem: string, transactionId: string, status: Status, totalFee = AMOUNT.value): Prepared {
  const tradeStatus = ALIPAY_TRADE_STATUS[status];
  if (tradeStatus === undefined) throw new Error(`Alipay does not report ${status}`);
  const notifyId = randomBytes(16).toString('hex');
  const params: Record<string, string> = {
    notify_time: '2026-11-26 12:00:00',
    notify_type: 'trade_status_sync',
    notify_id: notifyId,
    out_trade_no: transactionId,
    trade_no: `2026${randomBytes(8).toString('hex')}`,
    trade_status: tradeStatus,
    total_fee: totalFee,
    currency: AMOUNT.currency,
  };
  const signed = { ...params, sign_type: 'RSA2', sign: signAlipay(params, privateKeyPem) };
  return {
    eventId: notifyId,
    path: '/notifications/alipay',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(new URLSearchParams(signed).toString()),
  };
}

export type SendReply = { status: number; body: string; retryAfter: string | undefined } | { status: 0; error: string };

export function httpSender(baseUrl: string, maxSockets: number): { send(prepared: Prepared): Promise<SendReply>; close(): void } {
  const agent = keepAliveAgent(maxSockets);
  const target = new URL(baseUrl);
  return {
    send(prepared) {
      return new Promise((resolve) => {
        const outgoing = request(
          {
            host: target.hostname,
            port: Number(target.port),
            path: prepared.path,
            method: 'POST',
            agent,
            headers: { ...prepared.headers, 'content-length': String(prepared.body.length) },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const retryAfter = response.headers['retry-after'];
              resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined });
            });
            response.on('error', (error) => resolve({ status: 0, error: error.message }));
          },
        );
        outgoing.setTimeout(30_000, () => outgoing.destroy(new Error('timeout')));
        outgoing.on('error', (error) => resolve({ status: 0, error: error.message }));
        outgoing.end(prepared.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** An acknowledgement: 200, and for Alipay exactly `success`. */
export function isAcknowledged(prepared: Prepared, reply: SendReply): boolean {
  if (reply.status !== 200) return false;
  return prepared.path === '/notifications/alipay' ? reply.body === 'success' : (JSON.parse(reply.body) as { received?: unknown }).received === true;
}

// ---------------------------------------------------------------------------------------------------------
// Subscribers: the merchant client, from the start of the log, resuming from its last cursor on reconnect.

export type Subscriber = { client: MerchantClient; received: TransactionEventMessage[]; errors: string[]; connects: number };

export function subscribeFromStart(baseUrl: string, apiKey: string): Subscriber {
  const subscriber: Subscriber = { client: undefined as unknown as MerchantClient, received: [], errors: [], connects: 0 };
  subscriber.client = createMerchantClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    apiKey,
    retryWait: () => sleep(50 + Math.random() * 50),
    on: { connected: () => (subscriber.connects += 1) },
  });
  subscriber.client.transactionEvents({
    after: encodeEventCursor(START_OF_LOG),
    onEvent: (event) => subscriber.received.push(event),
    onError: (error) => subscriber.errors.push(error.message),
  });
  return subscriber;
}

/** The merchant's log as the database has it, in stream order, as cursors. */
export async function merchantLogCursors(db: Database, merchantId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ txid: string; id: string }>(
    'SELECT txid::text, id::text FROM transaction_events WHERE merchant_id = $1 ORDER BY transaction_events.txid, transaction_events.id',
    [merchantId],
  );
  return rows.map((row) => encodeEventCursor({ txid: BigInt(row.txid), id: BigInt(row.id) }));
}

/**
 * Commits one last change of the merchant (its marker transaction cancelled through the transition service),
 * waits until every subscriber has it, then compares each stream with the log. Streams deliver in log order,
 * so anything that should not be there (a duplicate, an event of another merchant) arrives before the marker:
 * no pause is needed to let it show up.
 */
export async function settleSubscribers<const T extends readonly Subscriber[]>(
  db: Database,
  merchantId: string,
  markerTransactionId: string,
  subscribers: T,
  timeoutMs: number,
): Promise<{ -readonly [K in keyof T]: StreamComparison }> {
  const outcome = await transition(db, { transactionId: markerTransactionId, target: 'CANCELLED', source: 'MERCHANT_API' });
  if (outcome.kind !== 'applied') throw new Error(`cancelling the marker transaction: ${outcome.kind}`);
  const log = await merchantLogCursors(db, merchantId);
  const marker = log.at(-1);
  await waitUntil(
    () => subscribers.every((subscriber) => subscriber.received.some((event) => event.cursor === marker)),
    'every subscriber to receive the marker',
    timeoutMs,
  ).catch(() => undefined);
  return subscribers.map((subscriber) => compareWithLog(subscriber.received, log)) as { -readonly [K in keyof T]: StreamComparison };
}

/** The app in this process on `db` (createApp, as `npm start` builds it), on a loopback port. */
export async function startInProcessServer(db: Database, env: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', RATE_LIMIT_REQUESTS: '0', ...env, PORT: '0' });
  const app = createApp({ config, db, logger: createLogger('silent') });
  const port = await app.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, close: async () => void (await app.close()) };
}

// ---------------------------------------------------------------------------------------------------------

/** A TCP hop in front of PostgreSQL or Redis that a drill can cut (every connection dropped, new ones refused) and restore on the same port. */
export class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly upstream: { host: string; port: number }) {}

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.upstream.port, this.upstream.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** DATABASE_URL (with its ?schema=) rewritten to go through the proxy. */
export function throughProxy(url: string, proxy: CuttableProxy): string {
  const target = new URL(url);
  target.host = proxy.url;
  return target.toString();
}

// ---------------------------------------------------------------------------------------------------------

export const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

export type ServerChild = {
  pid: number;
  url: string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | string | null>;
  /** The last lines it printed (for failure messages). */
  tail(): string;
  /** SIGTERM (clean stop) or SIGKILL (a crash), to this process id only. */
  signal(signal: NodeJS.Signals): void;
};

/**
 * The server as `npm start` runs it (src/main.ts: migrations, then HTTP), in a child process on a fixed
 * port so a restart comes back where clients reconnect. Output is read line by line and only its tail kept.
 */
export function startServerChild(env: Record<string, string>): Promise<ServerChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', HOST: '127.0.0.1', RATE_LIMIT_REQUESTS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  // A drill that crashes must not leave its server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 60 s:\n${lines.join('\n')}`));
    }, 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${lines.join('\n')}`));
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        if (lines.length > 50) lines.shift();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\/graphql/.exec(line);
        if (match?.[1] && child.pid !== undefined) {
          clearTimeout(timer);
          const pid = child.pid;
          resolve({ pid, url: match[1], exited, tail: () => lines.join('\n'), signal: (signal) => process.kill(pid, signal) });
        }
      });
    }
  });
}

/** Stops a server child cleanly (SIGTERM), SIGKILL after 10 s. */
export async function stopServerChild(server: ServerChild): Promise<number | string | null> {
  const timer = setTimeout(() => server.signal('SIGKILL'), 10_000);
  try {
    server.signal('SIGTERM');
  } catch {
    // already gone
  }
  const code = await server.exited;
  clearTimeout(timer);
  return code;
}

/** Sends until acknowledged (a sender's retry loop, with a short pause instead of Retry-After), up to `attempts`. */
export async function sendUntilAcknowledged(
  sender: ReturnType<typeof httpSender>,
  prepared: Prepared,
  attempts: number,
  pauseMs: number,
  onReply?: (reply: SendReply) => void,
): Promise<SendReply | undefined> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const reply = await sender.send(prepared);
    onReply?.(reply);
    if (isAcknowledged(prepared, reply)) return reply;
    await sleep(pauseMs);
  }
  return undefined;
}


// ---------------------------------------------------------------------------------------------------------
// Refunds: the merchant asks over GraphQL; Alipay's refund notifications are prepared like the others.

/** What each drill refund is, unless a drill says otherwise (AMOUNT is refundable in full). */
export const REFUND = { value: '5.00', minor: 500n };

/** Alipay's refund_status_sync (REFUND_SUCCESS) for one of our refunds, signed as Alipay signs it. */
export function alipayRefundNotification(privateKeyPem: string, transactionId: string, refundId: string, returnAmount = REFUND.value): Prepared {
  const signed = buildRefundNotification({ outTradeNo: transactionId, outReturnNo: refundId, returnAmount, currency: AMOUNT.currency }, createPrivateKey(privateKeyPem));
  return {
    eventId: signed['notify_id'] ?? '',
    path: '/notifications/alipay',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(new URLSearchParams(signed).toString()),
  };
}

export type RefundAnswer = { refundId: string; amount: string } | { code: string };

/** refundTransaction as a merchant calls it: the refund recorded (its id and amount), or the typed error's code. */
export async function requestRefund(
  client: GraphQLClient,
  transactionId: string,
  input: { amount?: string; idempotencyKey?: string; reason?: string },
): Promise<RefundAnswer> {
  const { payload } = await client.execute(RefundTransactionDocument, {
    input: {
      transactionId: encodeGlobalId('Transaction', transactionId),
      reason: input.reason ?? 'drill refund',
      ...(input.amount === undefined ? {} : { amount: { value: input.amount, currency: AMOUNT.currency } }),
      ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
    },
  });
  const result = payload.data?.refundTransaction;
  if (result?.__typename === 'RefundTransactionSuccess') return { refundId: decodeGlobalId(result.refund.id, 'Refund') ?? '', amount: result.refund.amount.value };
  if (result && 'code' in result) return { code: result.code };
  throw new Error(`refundTransaction answered ${JSON.stringify(payload).slice(0, 300)}`);
}
