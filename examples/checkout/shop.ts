import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A tiny merchant shop in front of Paystream (docs/FRONTEND.md): its own backend, on its own port, holds the secret
 * key and creates payments; its page holds only the publishable key and each payment's client secret. The page
 * sends the consumer through Alipay (the built-in sandbox when no gateway is configured) and, back on the shop,
 * shows the payment's status live over SSE, resuming after a network drop (the first answer is always the current
 * state).
 *
 *   PAYSTREAM_URL=http://127.0.0.1:4000 SECRET_KEY=psk_… PUBLISHABLE_KEY=pk_… node --import tsx examples/checkout/shop.ts
 *
 * The shop's origin (printed at start) must be among the merchant's allowed origins (setAllowedOrigins).
 */

export type ShopOptions = { paystreamUrl: string; secretKey: string; publishableKey: string; port?: number };
export type Shop = { url: string; server: Server; close(): Promise<void> };

const CREATE = `mutation ($input: CreateTransactionInput!) {
  createTransaction(input: $input) {
    __typename
    ... on CreateTransactionSuccess { clientSecret transaction { id redirectUrl } }
    ... on Error { code message }
  }
}`;

export async function startShop(options: ShopOptions): Promise<Shop> {
  let shopUrl = '';
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://shop').pathname;
    if (request.method === 'POST' && path === '/pay') {
      // The backend: the secret key never leaves this process.
      void createPayment(options, `${shopUrl}/return`).then(
        (payment) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(payment));
        },
        (error: unknown) => {
          response.writeHead(502, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
        },
      );
      return;
    }
    if (request.method === 'GET' && (path === '/' || path === '/return')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page(options.paystreamUrl, options.publishableKey));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found');
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: shopUrl,
    server,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

async function createPayment(options: ShopOptions, returnUrl: string): Promise<{ transactionId: string; clientSecret: string; redirectUrl: string }> {
  const response = await fetch(`${options.paystreamUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.secretKey}` },
    body: JSON.stringify({
      query: CREATE,
      variables: { input: { merchantReference: `shop-${Date.now()}`, amount: { value: '9.99', currency: 'EUR' }, returnUrl } },
    }),
  });
  const body = (await response.json()) as {
    data?: { createTransaction: { __typename: string; clientSecret?: string; transaction?: { id: string; redirectUrl: string }; message?: string } };
  };
  const created = body.data?.createTransaction;
  if (created?.__typename !== 'CreateTransactionSuccess' || !created.transaction || created.clientSecret === undefined) {
    throw new Error(`createTransaction failed: ${JSON.stringify(body)}`);
  }
  return { transactionId: created.transaction.id, clientSecret: created.clientSecret, redirectUrl: created.transaction.redirectUrl };
}

/** The page: only the publishable key is in it; the client secret comes from the shop's backend, per payment. */
function page(paystreamUrl: string, publishableKey: string): string {
  const config = JSON.stringify({ paystreamUrl, publishableKey }).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tea shop</title></head>
<body>
<h1>Tea shop</h1>
<p>Green tea, 9.99 EUR <button id="pay">Pay with Alipay</button></p>
<p>Payment status: <strong id="status">none yet</strong> <span id="note"></span></p>
<script type="module">
const { paystreamUrl, publishableKey } = ${config};
const status = document.getElementById('status');
const note = document.getElementById('note');
document.getElementById('pay').addEventListener('click', async () => {
  const response = await fetch('/pay', { method: 'POST' });
  const payment = await response.json();
  // Kept for the return: the session's tab only, never a URL.
  sessionStorage.setItem('clientSecret', payment.clientSecret);
  location.assign(payment.redirectUrl);
});

const QUERY = 'subscription { checkoutTransactionUpdated { status isFinal version } }';
let version = -1;

/** Follows the payment over SSE; after a drop, subscribes again (the first answer is the current state). */
async function follow(clientSecret) {
  for (;;) {
    try {
      const response = await fetch(paystreamUrl + '/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer ' + publishableKey },
        body: JSON.stringify({ query: QUERY, extensions: { clientSecret } }),
      });
      if (!response.ok) {
        note.textContent = 'refused (' + response.status + ')';
        return;
      }
      note.textContent = 'live';
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\\n\\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\\n').find((line) => line.startsWith('data: '));
          if (!block.startsWith('event: next') || !data) continue;
          const transaction = JSON.parse(data.slice(6)).data?.checkoutTransactionUpdated;
          if (!transaction || transaction.version <= version) continue;
          version = transaction.version;
          status.textContent = transaction.status;
          if (transaction.isFinal) {
            note.textContent = 'final';
            await reader.cancel();
            return;
          }
        }
      }
    } catch {
      // A network drop, or a page whose origin the merchant did not allow (the browser then hides the answer).
    }
    note.textContent = 'reconnecting';
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

const clientSecret = sessionStorage.getItem('clientSecret');
if (location.pathname === '/return' && clientSecret) follow(clientSecret);
</script>
</body></html>`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  const shop = await startShop({
    paystreamUrl: env('PAYSTREAM_URL'),
    secretKey: env('SECRET_KEY'),
    publishableKey: env('PUBLISHABLE_KEY'),
    port: Number(process.env['PORT'] ?? 5000),
  });
  process.stdout.write(`Tea shop on ${shop.url} (add it to the merchant's allowed origins: setAllowedOrigins)\n`);
}
