import { mkdtempSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { generateRsaKeyPair } from '../../src/domain/signatures.ts';
import { createApp, type App } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { resolveProviderSettings } from '../../src/providers/settings.ts';
import { INGESTION_STATEMENT_TIMEOUT_MS } from '../../src/services/notifications/inbox.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { metricSum } from '../support/http.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';
import { alipayParams, postAlipay, postSignedEvent, signedEventBody } from '../support/notifications.ts';

// "Database down: 503, so the sender retries. Nothing acknowledged is ever lost."
const key = { keyId: 'bank', secret: 'bank-secret-0123456789abcdef' };
const alipay = generateRsaKeyPair();
const env = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'paystream-503-')),
  NOTIFICATION_KEYS: `${key.keyId}:${key.secret}`,
  ALIPAY_PUBLIC_KEY: alipay.publicKeyPem,
};

async function serve(db: Database): Promise<{ app: App; url: string }> {
  const config = loadConfig({ ...env, PORT: '0' });
  const app = createApp({ config, db, logger: createLogger('silent') });
  const port = await app.listen(0, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${port}` };
}

describe('a database that cannot be reached at all', () => {
  let db: Database;
  let server: { app: App; url: string };
  beforeAll(async () => {
    // Port 1 on loopback: connection refused, every time.
    db = await openDatabase({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/test', dataDir: 'memory://', poolSize: 2 });
    server = await serve(db);
  });
  afterAll(async () => {
    await server?.app.close();
    await db?.close();
  });

  it('answers 503 with Retry-After on both endpoints, never a 500 or an acknowledgement', async () => {
    const event = await postSignedEvent(server.url, key, signedEventBody({ transactionId: '0190f0f0-0000-7000-8000-000000000001', status: 'CAPTURED', amount: { value: '1.00', currency: 'EUR' } }));
    expect(event.status).toBe(503);
    expect(event.headers.get('retry-after')).toBe('5');
    expect(event.json()).toMatchObject({ received: false, error: expect.stringMatching(/database unavailable/) });
    const params = alipayParams({ outTradeNo: '0190f0f0-0000-7000-8000-000000000001', tradeStatus: 'TRADE_SUCCESS', totalFee: '1.00', currency: 'EUR' }, alipay.privateKeyPem);
    const notification = await postAlipay(server.url, params);
    expect(notification.status).toBe(503);
    expect(notification.text).not.toBe('success');
    expect(notification.headers.get('retry-after')).toBe('5');
    // Timed like every other answer.
    for (const endpoint of ['events', 'alipay']) {
      expect(await metricSum(server.app.metrics, 'paystream_notifications_total', { endpoint, outcome: 'unavailable' })).toBe(1);
      expect(await metricSum(server.app.metrics, 'paystream_notification_duration_seconds', { endpoint }, 'paystream_notification_duration_seconds_count')).toBe(1);
    }
  });

  it('still refuses a bad signature with 401 (refusals do not need the database)', async () => {
    const response = await postSignedEvent(server.url, { keyId: 'bank', secret: 'not-the-secret-0123456789' }, '{}');
    expect(response.status).toBe(401);
  });
});

/** A TCP hop in front of PostgreSQL that the test can cut and restore: a real outage, not a mock. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly upstream: { host: string; port: number }) {}
  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.upstream.port, this.upstream.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe.skipIf(TEST_DATABASE_URL === undefined)('a PostgreSQL outage in the middle of operation', () => {
  let testDb: TestDatabase;
  let proxied: Database;
  let proxy: CuttableProxy;
  let server: { app: App; url: string };
  beforeAll(async () => {
    testDb = await createTestDatabase();
    const target = new URL(testDb.url ?? '');
    proxy = new CuttableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.open();
    target.host = `127.0.0.1:${proxy.port}`;
    proxied = await openDatabase({ databaseUrl: target.toString(), dataDir: 'memory://', poolSize: 4 });
    server = await serve(proxied);
  });
  afterAll(async () => {
    await server?.app.close();
    await proxied?.close();
    await testDb?.drop();
  });

  it('answers 503 while the database is gone and applies the redelivery once it is back', async () => {
    const { merchant } = await createMerchant(testDb, 'Outage GmbH');
    const config = loadConfig(env);
    const transaction = await createTransaction({ db: testDb, config, alipay: resolveProviderSettings(config).alipay }, merchant.id, {
      merchantReference: 'outage-1',
      amount: { value: '42.00', currency: 'EUR' },
      returnUrl: 'https://shop.example/return',
    });
    const body = signedEventBody({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '42.00', currency: 'EUR' } });
    // Warm the pool so the outage hits established connections, as in production.
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    await proxy.cut();
    const during = await postSignedEvent(server.url, key, body);
    expect(during.status).toBe(503);
    expect(await testDb.prisma.notification.count()).toBe(0);
    expect((await testDb.prisma.transaction.findUniqueOrThrow({ where: { id: transaction.id } })).status).toBe('REDIRECTED');

    await proxy.open();
    const after = await postSignedEvent(server.url, key, body);
    expect(after.status).toBe(200);
    expect(after.json()).toMatchObject({ outcome: 'APPLIED', duplicate: false });
    expect((await testDb.prisma.transaction.findUniqueOrThrow({ where: { id: transaction.id } })).status).toBe('CAPTURED');
  });
});

describe.skipIf(TEST_DATABASE_URL === undefined)('a row lock held longer than the statement timeout', () => {
  let testDb: TestDatabase;
  let server: { app: App; url: string };
  beforeAll(async () => {
    testDb = await createTestDatabase();
    server = await serve(testDb);
  });
  afterAll(async () => {
    await server?.app.close();
    await testDb?.drop();
  });

  it('answers 503 once the timeout passes, records nothing, and applies the redelivery after the lock is gone', async () => {
    const { merchant } = await createMerchant(testDb, 'Locked GmbH');
    const config = loadConfig(env);
    const transaction = await createTransaction({ db: testDb, config, alipay: resolveProviderSettings(config).alipay }, merchant.id, {
      merchantReference: 'locked-1',
      amount: { value: '7.00', currency: 'EUR' },
      returnUrl: 'https://shop.example/return',
    });
    const body = signedEventBody({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '7.00', currency: 'EUR' } });
    // Another session holds the transaction's row lock and does not let go (a stuck writer).
    const holder = await testDb.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM transactions WHERE id = $1 FOR UPDATE', [transaction.id]);
      const started = performance.now();
      const during = await postSignedEvent(server.url, key, body);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('5');
      expect(performance.now() - started).toBeGreaterThanOrEqual(INGESTION_STATEMENT_TIMEOUT_MS - 50);
      expect(await testDb.prisma.notification.count()).toBe(0);
    } finally {
      await holder.query('ROLLBACK');
      holder.release();
    }
    const after = await postSignedEvent(server.url, key, body);
    expect(after.status).toBe(200);
    expect(after.json()).toMatchObject({ outcome: 'APPLIED', duplicate: false });
    expect((await testDb.prisma.transaction.findUniqueOrThrow({ where: { id: transaction.id } })).status).toBe('CAPTURED');
    expect(await testDb.prisma.notification.count()).toBe(1);
  }, 20_000);
});
