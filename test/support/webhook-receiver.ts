import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A webhook as a receiver got it. */
export type ReceivedWebhook = { id: string; timestamp: string; signature: string; body: string; receivedAt: number };

/** What the receiver answers one request with (delayMs: wait first; never: never answer). */
export type ReceiverAnswer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number; never?: boolean };

/**
 * A real HTTP receiver of webhooks on 127.0.0.1, answering as `answer` decides (200 by default), recording every
 * request, and keeping an idempotent store: the first body per webhook-id, as a receiver should.
 */
export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  /** webhook-id -> how many times it was stored (only ever 1 when the store is idempotent and it was acknowledged). */
  store: Map<string, string>;
  answer: (request: ReceivedWebhook, index: number) => ReceiverAnswer;
  close(): Promise<void>;
};

function header(request: IncomingMessage, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    store: new Map(),
    answer: () => ({ status: 200 }),
    close: async () => undefined,
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const webhook = {
        id: header(request, 'webhook-id'),
        timestamp: header(request, 'webhook-timestamp'),
        signature: header(request, 'webhook-signature'),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      const index = receiver.received.push(webhook) - 1;
      const answer = receiver.answer(webhook, index);
      if (answer.never) return;
      setTimeout(() => {
        if (answer.status >= 200 && answer.status < 300 && !receiver.store.has(webhook.id)) receiver.store.set(webhook.id, webhook.body);
        response.writeHead(answer.status, answer.headers ?? {});
        response.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
