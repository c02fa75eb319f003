import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { transition } from '../../src/services/transitions.ts';
import { createWebhookEndpoint } from '../../src/services/webhooks/endpoints.ts';
import { createWebhookSender } from '../../src/services/webhooks/sender.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startWebhookReceiver, type ReceiverAnswer, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The webhook drill's phases in-process (any database, the embedded one too): status changes keep coming while the
 * receiver is down (it never answers: each request hangs until the timeout, as when its host is unreachable), then
 * answers 500, then is slow past the timeout, then is healthy. At the end every event was delivered, the receiver's
 * idempotent store holds each exactly once, and a change that rolled back was never sent. The full drill, with a
 * refused connection and a SIGKILL of the server mid-run, is `npm run drill:webhooks` (bench/drills/webhooks.ts).
 */

/** 200 (WEBHOOK_DRILL_CHANGES sets another count; the full drill is `npm run drill:webhooks`). */
const CHANGES = Number(process.env['WEBHOOK_DRILL_CHANGES'] ?? 200);
let server: TestServer;
let receiver: WebhookReceiver;
let sender: ReturnType<typeof createWebhookSender>;

beforeAll(async () => {
  server = await startTestServer({ WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true', WEBHOOK_RETRY_SCHEDULE: Array(25).fill('200ms').join(','), WEBHOOK_TIMEOUT_MS: '300' });
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await sender?.stop();
  await receiver?.close();
  await server?.close();
});

it('delivers every committed change exactly once to an idempotent receiver through down, 500, slow and healthy phases', async () => {
  const merchant = await server.createMerchant('Drilled');
  await createWebhookEndpoint(
    server.db,
    { role: 'MERCHANT', apiKeyId: 'drill', merchantId: merchant.merchantId },
    { allowLocalReceivers: true },
    { url: receiver.url, kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED', 'CANCELLED'] },
  );
  const ids = await seedTransactions(server.db.sql, Array.from({ length: CHANGES }, () => ({ merchantId: merchant.merchantId, history: [{ status: 'REDIRECTED' as const }] })));
  let phase: 'down' | 'error' | 'slow' | 'healthy' = 'down';
  receiver.answer = (): ReceiverAnswer => {
    if (phase === 'down') return { status: 200, never: true };
    if (phase === 'error') return { status: 500 };
    if (phase === 'slow') return { status: 200, delayMs: 600 };
    return { status: 200, delayMs: 2 };
  };
  // "Down": every request hangs until it times out, as when the receiver's host is unreachable.
  sender = createWebhookSender({ db: server.db, config: server.config, logger: createLogger('silent'), registry: server.app.metrics.registry });
  sender.start();

  const phases = ['down', 'error', 'slow', 'healthy'] as const;
  const perPhase = CHANGES / phases.length;
  for (const [index, current] of phases.entries()) {
    phase = current;
    for (const id of ids.slice(index * perPhase, (index + 1) * perPhase)) {
      await transition(server.db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    }
    // A change that rolls back: its delivery is never created, so never sent.
    await server.db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source) VALUES ($1::uuid, $2::uuid, 90, 'CANCELLED', 'CAPTURED', 'SYSTEM')`,
          ids[0],
          merchant.merchantId,
        );
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
  }
  const deadline = Date.now() + 30_000 + CHANGES * 50;
  while (receiver.store.size < CHANGES && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

  const deliveries = await server.db.prisma.webhookDelivery.findMany({ where: { merchantId: merchant.merchantId } });
  expect(deliveries).toHaveLength(CHANGES);
  expect(receiver.store.size).toBe(CHANGES);
  expect(new Set(receiver.store.keys())).toEqual(new Set(deliveries.map((delivery) => delivery.webhookId)));
  const types = [...receiver.store.values()].map((body) => (JSON.parse(body) as { type: string; data: { transaction: { id: string } } }).type);
  expect(new Set(types)).toEqual(new Set(['transaction.captured']));
  expect(receiver.received.some((webhook) => webhook.body.includes(encodeGlobalId('Transaction', ids[0] ?? '')) && webhook.body.includes('transaction.cancelled'))).toBe(false);
  // Retried through the bad phases: more requests than webhooks, never a second store.
  expect(receiver.received.length).toBeGreaterThan(CHANGES);
}, 600_000);
