/**
 * Drill (e): outgoing webhooks through a bad receiver and a crash. The server runs as a child process (src/main.ts,
 * as `npm start`) and sends the webhooks; this process commits status changes (CAPTURED, with the transition
 * service: the trigger queues each delivery in the change's own transaction) in four phases while the receiver is
 * down (a TCP proxy in front of it cut: connection refused), answers 500, is slow (answers 200 after the timeout:
 * it stored the webhook, the sender saw a timeout and sends it again), then healthy. Each phase also has a change
 * that rolls back. Mid-run (in the slow phase, attempts in flight) the server is SIGKILLed and started again.
 * Checks: one delivery per committed change; each webhook-id stored exactly once by the receiver's idempotent
 * store, and every one of them; nothing sent for a rolled-back change; every delivery SUCCEEDED in the end; the
 * bad phases were retried (more requests than webhooks); the restarted server sent what the killed one left.
 *
 *   npm run drill:webhooks
 */
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { transition } from '../../src/services/transitions.ts';
import { createWebhookEndpoint } from '../../src/services/webhooks/endpoints.ts';
import { startWebhookReceiver, type ReceiverAnswer } from '../../test/support/webhook-receiver.ts';
import { CuttableProxy, sleep, startServerChild, stopServerChild, waitUntil, type ServerChild } from './lib.ts';
import { defineDrill } from './template.ts';

const PHASES = ['down', 'error', 'slow', 'healthy'] as const;
type Phase = (typeof PHASES)[number];
const TIMEOUT_MS = 500;
/** Changes committed at once by this process (another writer than the server, like a second instance). */
const WRITERS = 8;

export const webhooks = defineDrill({
  name: 'webhooks',
  summary: 'receiver down, 500, slow, healthy and the server SIGKILLed mid-run (every change delivered, stored once each, nothing for a rollback)',
  transactions: { full: 2_000, small: 120 },
  async run({ full, db, merchant, transactionIds: ids, serverEnv, onEnd }) {
    const receiver = await startWebhookReceiver();
    onEnd(() => receiver.close());
    const receiverPort = Number(new URL(receiver.url).port);
    // "Down" is a refused connection: the proxy in front of the receiver is cut.
    const proxy = new CuttableProxy({ host: '127.0.0.1', port: receiverPort });
    await proxy.open();
    onEnd(() => proxy.cut());
    let phase: Phase = 'healthy';
    receiver.answer = (): ReceiverAnswer => {
      if (phase === 'error') return { status: 500 };
      if (phase === 'slow') return { status: 200, delayMs: TIMEOUT_MS + 200 };
      return { status: 200, delayMs: 2 };
    };
    const { endpoint } = await createWebhookEndpoint(
      db,
      { role: 'ADMIN', apiKeyId: 'drill' },
      { allowLocalReceivers: true },
      { url: `http://${proxy.url}/webhooks`, kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED', 'CANCELLED'], merchantId: encodeGlobalId('Merchant', merchant.id) },
    );
    const env = {
      ...serverEnv,
      WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true',
      WEBHOOK_SENDER_INTERVAL_MS: '100',
      WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      // 30 steps (the most allowed) covering about a minute of failures: 10 x 200 ms, 10 x 1 s, 10 x 5 s.
      WEBHOOK_RETRY_SCHEDULE: [...Array(10).fill('200ms'), ...Array(10).fill('1s'), ...Array(10).fill('5s')].join(','),
      EXPIRY_INTERVAL_SECONDS: '0',
      REFUND_RUNNER_INTERVAL_MS: '0',
    };
    let server: ServerChild = await startServerChild(env);
    onEnd(() => stopServerChild(server));

    // A transaction outside the drill's changes: its CANCELLED is written and rolled back once per phase.
    const [rolledBackId = ''] = await seedTransactions(db.sql, [{ merchantId: merchant.id, history: [{ status: 'REDIRECTED' as const }] }]);
    const rollBack = (sequence: number) =>
      db.prisma
        .$transaction(async (tx) => {
          await tx.$executeRawUnsafe(
            `INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source) VALUES ($1::uuid, $2::uuid, $3, 'CANCELLED', 'REDIRECTED', 'SYSTEM')`,
            rolledBackId,
            merchant.id,
            sequence,
          );
          throw new Error('rolled back');
        })
        .catch(() => undefined);

    const perPhase = Math.ceil(ids.length / PHASES.length);
    const requestsBefore = new Map<Phase, number>();
    let killedAt: { received: number; stored: number } | undefined;
    let restarted: ServerChild | undefined;
    const started = performance.now();
    for (const [index, current] of PHASES.entries()) {
      phase = current;
      if (current === 'down') await proxy.cut();
      else if (index === 1) await proxy.open();
      requestsBefore.set(current, receiver.received.length);
      const batch = ids.slice(index * perPhase, (index + 1) * perPhase);
      let next = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < batch.length) {
            const id = batch[next] as string;
            next += 1;
            await transition(db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
          }
        }),
      );
      await rollBack(90 + index);
      // Each phase lasts long enough for its attempts to meet it (several timeouts).
      await sleep(full ? 3_000 : 1_500);
      if (current === 'slow') {
        // Attempts in flight (slow answers pending): the server dies without a word.
        await waitUntil(() => receiver.received.length > (requestsBefore.get('slow') ?? 0), 'attempts in the slow phase', 30_000);
        killedAt = { received: receiver.received.length, stored: receiver.store.size };
        server.signal('SIGKILL');
        await server.exited;
        restarted = await startServerChild(env);
        server = restarted;
      }
    }
    const changesCommittedMs = performance.now() - started;
    const delivered = await waitUntil(() => receiver.store.size >= ids.length, 'every webhook to be stored', full ? 180_000 : 60_000).then(
      () => true,
      () => false,
    );
    const deliveredMs = performance.now() - started;
    const allSucceeded = await waitUntil(
      async () => (await db.prisma.webhookDelivery.count({ where: { endpointId: endpoint.id, status: 'SUCCEEDED' } })) === ids.length,
      'every delivery SUCCEEDED',
      30_000,
    ).then(
      () => true,
      () => false,
    );

    const deliveries = await db.prisma.webhookDelivery.findMany({ where: { endpointId: endpoint.id }, select: { webhookId: true, eventId: true, attempts: true } });
    const webhookIds = new Set(deliveries.map((delivery) => delivery.webhookId));
    const stored = [...receiver.store.keys()];
    const storedTypes = new Set([...receiver.store.values()].map((body) => (JSON.parse(body) as { type: string }).type));
    const rolledBackSent = receiver.received.some((webhook) => webhook.body.includes(encodeGlobalId('Transaction', rolledBackId)));
    const requestsIn = (from: Phase, to: Phase | undefined) => (to === undefined ? receiver.received.length : (requestsBefore.get(to) ?? 0)) - (requestsBefore.get(from) ?? 0);
    const attemptsMade = deliveries.reduce((sum, delivery) => sum + delivery.attempts, 0);
    await stopServerChild(server);

    return {
      checks: {
        'one delivery per committed change': deliveries.length === ids.length,
        'every webhook stored by the receiver': delivered && stored.length === ids.length,
        'the store holds exactly the deliveries, each webhook-id once': stored.length === webhookIds.size && stored.every((id) => webhookIds.has(id)),
        'only the committed status (transaction.captured) sent': storedTypes.size === 1 && storedTypes.has('transaction.captured'),
        'nothing sent for a rolled-back change': !rolledBackSent,
        'every delivery SUCCEEDED': allSucceeded,
        'the bad phases were retried (more requests than webhooks)': receiver.received.length > ids.length,
        'the restarted server sent what the killed one left': restarted !== undefined && killedAt !== undefined && receiver.store.size > killedAt.stored,
      },
      numbers: {
        changes: ids.length,
        'requests received (with retries and repeats)': receiver.received.length,
        'requests during error / slow phases': `${requestsIn('error', 'slow')} / ${requestsIn('slow', 'healthy')}`,
        'attempts recorded (aborted and killed ones excepted)': attemptsMade,
        'stored when the server was SIGKILLed': killedAt?.stored ?? 'not killed',
        'changes committed (s)': (changesCommittedMs / 1000).toFixed(1),
        'all stored after (s)': (deliveredMs / 1000).toFixed(1),
      },
    };
  },
});
