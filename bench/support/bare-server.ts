import { createServer } from 'node:http';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { serveBenchIpc } from './ipc.ts';

/**
 * The baseline: a bare graphql-ws server with the same subscription shape, no database, no auth
 * lookups, no log. A POST /publish pushes an event to the subscribers of one merchant from memory.
 */

const schema = buildSchema(`
  scalar DateTime
  enum TransactionStatus { CREATED REDIRECTED CAPTURED PAID REJECTED CANCELLED }
  enum PaymentProduct { ALIPAY }
  enum EventSource { MERCHANT_API PROVIDER_NOTIFICATION SETTLEMENT SYSTEM }
  type Money { value: String! currency: String! minorUnits: String! }
  type Transaction {
    id: ID! merchantReference: String! amount: Money! paymentProduct: PaymentProduct! status: TransactionStatus!
    isFinal: Boolean! isCancellable: Boolean! redirectUrl: String returnUrl: String! providerReference: String
    statusReason: String createdAt: DateTime! updatedAt: DateTime!
  }
  enum TransactionEventKind { STATUS_CHANGED REFUND_REQUESTED REFUND_SUCCEEDED REFUND_FAILED }
  type Refund { id: ID! status: String! amount: Money! failureCode: String }
  type TransactionEvent {
    cursor: String! sequence: Int! kind: TransactionEventKind! status: TransactionStatus! previousStatus: TransactionStatus
    source: EventSource! occurredAt: DateTime! refund: Refund transaction: Transaction!
  }
  type Query { ok: Boolean }
  type Subscription { transactionEvents(after: String, statuses: [TransactionStatus!], kinds: [TransactionEventKind!]): TransactionEvent! }
`);

type Payload = { transactionEvents: Record<string, unknown> };

/** A minimal push queue as the async iterator graphql-js consumes. */
class Queue implements AsyncIterableIterator<Payload> {
  private readonly items: Payload[] = [];
  private waiting: ((result: IteratorResult<Payload>) => void) | undefined;
  constructor(private readonly onEnd: () => void) {}
  push(item: Payload): void {
    const waiting = this.waiting;
    if (waiting) {
      this.waiting = undefined;
      waiting({ value: item, done: false });
    } else this.items.push(item);
  }
  async next(): Promise<IteratorResult<Payload>> {
    const item = this.items.shift();
    if (item) return { value: item, done: false };
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
  async return(): Promise<IteratorResult<Payload>> {
    this.onEnd();
    this.waiting?.({ value: undefined, done: true });
    return { value: undefined, done: true };
  }
  [Symbol.asyncIterator](): this {
    return this;
  }
}

const byMerchant = new Map<string, Set<Queue>>();
let attached = 0;
const redirectUrl = process.env['BENCH_REDIRECT_URL'] ?? '';

const http = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/publish') {
    response.writeHead(404).end();
    return;
  }
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    const { merchant, transactionId, sequence } = JSON.parse(body) as { merchant: string; transactionId: string; sequence: number };
    const now = new Date().toISOString();
    const event: Payload = {
      transactionEvents: {
        cursor: Buffer.from(`ev1:${Date.now()}:${sequence}`).toString('base64url'),
        sequence: 3,
        kind: 'STATUS_CHANGED',
        status: 'CANCELLED',
        previousStatus: 'REDIRECTED',
        source: 'MERCHANT_API',
        occurredAt: now,
        refund: null,
        transaction: {
          id: transactionId,
          merchantReference: `bench-${sequence}`,
          amount: { value: '10.00', currency: 'EUR', minorUnits: '1000' },
          paymentProduct: 'ALIPAY',
          status: 'CANCELLED',
          isFinal: true,
          isCancellable: false,
          redirectUrl,
          returnUrl: 'https://shop.example/return',
          providerReference: null,
          statusReason: 'CANCELLED_BY_MERCHANT',
          createdAt: now,
          updatedAt: now,
        },
      },
    };
    for (const queue of byMerchant.get(merchant) ?? []) queue.push(event);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});

const webSockets = new WebSocketServer({ server: http, path: '/graphql' });
useServer<Record<string, unknown> | undefined, { merchant?: string }>(
  {
    schema,
    onConnect: (ctx) => {
      const authorization = ctx.connectionParams?.['authorization'];
      if (typeof authorization !== 'string') return false;
      ctx.extra.merchant = authorization.replace(/^Bearer /, '');
      return true;
    },
    context: (ctx) => ({ merchant: ctx.extra.merchant }),
    roots: {
      subscription: {
        transactionEvents: (_args: unknown, context: { merchant: string }) => {
          let set = byMerchant.get(context.merchant);
          if (!set) {
            set = new Set();
            byMerchant.set(context.merchant, set);
          }
          const queue: Queue = new Queue(() => {
            if (set?.delete(queue)) attached -= 1;
          });
          set.add(queue);
          attached += 1;
          return queue;
        },
      },
    },
  },
  webSockets,
  12_000,
);

await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const address = http.address();
serveBenchIpc({
  port: typeof address === 'object' && address ? address.port : 0,
  attached: () => attached,
  close: async () => {
    for (const client of webSockets.clients) client.terminate();
    await new Promise((resolve) => http.close(resolve));
  },
});
