import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createWebhookEndpoint } from '../../src/services/webhooks/endpoints.ts';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/database.ts';
import { startProcess, type RunningProcess } from '../support/process.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The server process SIGKILLed while attempts are in flight, then started again: every webhook arrives, and the
 * receiver's idempotent store holds each webhook-id exactly once. SIGTERM with attempts hanging: the stop ends
 * within SHUTDOWN_TIMEOUT_SECONDS though WEBHOOK_TIMEOUT_MS is longer, and the aborted attempts go out after the
 * restart. Needs PostgreSQL (two processes, one database).
 */

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

function startServer(db: TestDatabase, overrides: Record<string, string> = {}): RunningProcess {
  const running = startProcess(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: db.url,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'paystream-webhook-restart-')),
    EXPIRY_INTERVAL_SECONDS: '0',
    REFUND_RUNNER_INTERVAL_MS: '0',
    WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true',
    WEBHOOK_SENDER_INTERVAL_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_RETRY_SCHEDULE: '100ms',
    ...overrides,
  });
  cleanups.push(() => running.stop('SIGKILL'));
  return running;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(TEST_DATABASE_URL === undefined)('webhooks across a SIGKILL of the server', () => {
  it('loses nothing and stores each webhook-id once', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const receiver: WebhookReceiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const { merchant } = await createMerchant(db, 'Restarted');
    await createWebhookEndpoint(
      db,
      { role: 'ADMIN', apiKeyId: 'test' },
      { allowLocalReceivers: true },
      { url: receiver.url, kinds: ['STATUS_CHANGED'], statuses: ['CREATED'], merchantId: Buffer.from(`Merchant:${merchant.id}`).toString('base64') },
    );
    await seedTransactions(db.sql, Array.from({ length: 40 }, () => ({ merchantId: merchant.id })));

    let first: RunningProcess | undefined = startServer(db);
    const killed = first;
    // The 10th request is never answered: the server is killed while it (and maybe others) are in flight.
    receiver.answer = (_webhook, index) => {
      if (index === 9) {
        void killed.stop('SIGKILL');
        return { status: 200, never: true };
      }
      return { status: 200, delayMs: 10 };
    };
    await waitFor(() => receiver.received.length >= 10, 'the first server to send 10 webhooks');
    await killed.stop('SIGKILL');
    first = undefined;
    const unanswered = receiver.received.length - receiver.store.size;
    expect(unanswered).toBeGreaterThanOrEqual(1);

    receiver.answer = () => ({ status: 200 });
    const second = startServer(db);
    await second.waitFor(/listening on/, 60_000);
    // Leases of the killed attempts end after 2 × WEBHOOK_TIMEOUT_MS + 5 s.
    await waitFor(() => receiver.store.size === 40, 'every webhook to be stored', 40_000);
    const deliveries = await db.prisma.webhookDelivery.findMany({ where: { merchantId: merchant.id } });
    expect(deliveries).toHaveLength(40);
    expect(new Set(receiver.store.keys())).toEqual(new Set(deliveries.map((delivery) => delivery.webhookId)));
    await waitFor(async () => (await db.prisma.webhookDelivery.count({ where: { merchantId: merchant.id, status: 'SUCCEEDED' } })) === 40, 'every delivery SUCCEEDED');
    // Sent twice at most: those leased when the server died, answered or not (at most 64 per endpoint).
    const sentTwice = receiver.received.length - 40;
    expect(sentTwice).toBeLessThanOrEqual(40);
    expect(await second.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('SIGTERM with attempts hanging stops within SHUTDOWN_TIMEOUT_SECONDS (WEBHOOK_TIMEOUT_MS 15 s); the aborted attempts are sent after the restart, not counted as failures', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    const receiver: WebhookReceiver = await startWebhookReceiver();
    cleanups.push(() => receiver.close());
    const { merchant } = await createMerchant(db, 'Stopped');
    await createWebhookEndpoint(
      db,
      { role: 'ADMIN', apiKeyId: 'test' },
      { allowLocalReceivers: true },
      { url: receiver.url, kinds: ['STATUS_CHANGED'], statuses: ['CREATED'], merchantId: Buffer.from(`Merchant:${merchant.id}`).toString('base64') },
    );
    await seedTransactions(db.sql, Array.from({ length: 5 }, () => ({ merchantId: merchant.id })));
    receiver.answer = () => ({ status: 200, never: true });
    const settings = { WEBHOOK_TIMEOUT_MS: '15000', SHUTDOWN_TIMEOUT_SECONDS: '3' };
    const first = startServer(db, settings);
    await waitFor(() => receiver.received.length >= 5, 'five hanging attempts');
    const stopStarted = performance.now();
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(performance.now() - stopStarted).toBeLessThan(3_000);
    const afterStop = await db.prisma.webhookDelivery.findMany({ where: { merchantId: merchant.id } });
    expect(afterStop.map((delivery) => [delivery.status, delivery.failures, delivery.leasedUntil])).toEqual(Array(5).fill(['PENDING', 0, null]));
    expect(await db.prisma.webhookEndpoint.findFirstOrThrow({ where: { merchantId: merchant.id } })).toMatchObject({ enabled: true, failingSince: null });

    receiver.answer = () => ({ status: 200 });
    const second = startServer(db, settings);
    await waitFor(() => receiver.store.size === 5, 'the aborted attempts to be sent again', 20_000);
    expect(new Set(receiver.store.keys())).toEqual(new Set(afterStop.map((delivery) => delivery.webhookId)));
    expect(await second.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
