import { describe, expect, it } from 'vitest';
import { claimDueDeliveries } from '../../src/db/sql/webhooks.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { createWebhookSender } from '../../src/services/webhooks/sender.ts';
import { metricSum } from '../support/http.ts';
import { waitFor } from '../support/subscriptions.ts';
import type { WebhookReceiver } from '../support/webhook-receiver.ts';
import { LIMITS, WebhookSenderFixture } from '../support/webhook-sender.ts';

/**
 * How one instance of the webhook sender shares its capacity, against real local HTTP receivers: a slow endpoint
 * holds only its own slots, endpoints that hang (even many at once) do not hold up the others, several instances
 * share the queue, and restarts (graceful and killed) neither lose nor double a webhook.
 */

const fx = new WebhookSenderFixture().use();
const { sender, senders, receiver, endpointFor, transactionThrough } = fx;

/** `count` endpoints that never answer, 4 deliveries queued for each; then a healthy endpoint with 1, queued last. */
async function hangingAndHealthy(count: number): Promise<{ hangingOnes: WebhookReceiver[]; healthy: WebhookReceiver }> {
  const hangingOnes: WebhookReceiver[] = [];
  for (let index = 0; index < count; index += 1) {
    const hanging = await receiver();
    hanging.answer = () => ({ status: 200, never: true });
    await endpointFor(hanging, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    hangingOnes.push(hanging);
  }
  for (let index = 0; index < 4; index += 1) await transactionThrough(['CAPTURED']);
  const healthy = await receiver();
  await endpointFor(healthy, { kinds: ['STATUS_CHANGED'], statuses: ['CANCELLED'] });
  await transactionThrough(['CANCELLED']);
  return { hangingOnes, healthy };
}

describe('webhook sender instance', () => {
  it('a hanging endpoint holds only its own slots: another endpoint is served meanwhile', async () => {
    const [hanging, healthy] = [await receiver(), await receiver()];
    hanging.answer = () => ({ status: 200, never: true });
    await endpointFor(hanging, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED', 'CANCELLED'] });
    for (let index = 0; index < 4; index += 1) await transactionThrough(['CAPTURED']);
    await endpointFor(healthy, { kinds: ['STATUS_CHANGED'], statuses: ['CANCELLED'] });
    await transactionThrough(['CANCELLED']);
    await sender().runOnce();
    // At most 4 at a time per endpoint: the fifth request waited for a slot, freed only by a timeout (400 ms).
    expect(new Set(hanging.received.map((webhook) => webhook.id)).size).toBe(5);
    const [first, fifth] = [hanging.received[0]?.receivedAt ?? 0, hanging.received[4]?.receivedAt ?? 0];
    expect(fifth - first).toBeGreaterThanOrEqual(350);
    // The healthy receiver was served meanwhile, not after the hanging endpoint's attempts.
    expect(healthy.store.size).toBe(1);
    expect(healthy.received[0]?.receivedAt ?? Infinity).toBeLessThan(fifth);
  });

  it('endpoints hanging with a backlog do not fill the instance: another endpoint is served before their timeouts', async () => {
    // Each hanging endpoint: 2 requests in flight (its slots) and 2 claimed behind them, 8 held in all.
    const { hangingOnes, healthy } = await hangingAndHealthy(2);
    const small = createWebhookSender({ db: fx.server.db, config: fx.server.config, logger: createLogger('silent'), registry: fx.server.app.metrics.registry, limits: { inFlight: 8, perEndpoint: 2 } });
    senders.push(small);
    await small.runOnce();
    const firstHanging = Math.min(...hangingOnes.map((hanging) => hanging.received[0]?.receivedAt ?? Infinity));
    expect(hangingOnes.map((hanging) => new Set(hanging.received.map((webhook) => webhook.id)).size)).toEqual([4, 4]);
    // Only the 4 requests in flight count toward the cap of 8: the healthy endpoint was claimed at once, not after a 400 ms timeout.
    expect(healthy.store.size).toBe(1);
    expect((healthy.received[0]?.receivedAt ?? Infinity) - firstHanging).toBeLessThan(300);
  });

  it('endpoints hanging at once past the instance cap stop counting once stalled: another endpoint is served long before their timeouts', async () => {
    // 4 deliveries each, as many as its slots: 12 requests wanted at once, more than the instance's cap of 8.
    const { hangingOnes, healthy } = await hangingAndHealthy(3);
    // Timeouts of 2 s: an endpoint silent for 500 ms (a quarter of it) is stalled.
    const config = { ...fx.server.config, webhooks: { ...fx.server.config.webhooks, timeoutMs: 2_000 } };
    const isolated = createWebhookSender({ db: fx.server.db, config, logger: createLogger('silent'), registry: fx.server.app.metrics.registry, limits: LIMITS });
    senders.push(isolated);
    const run = isolated.runOnce();
    await waitFor(() => healthy.store.size === 1, 'the healthy endpoint to be served');
    const firstHanging = Math.min(...hangingOnes.map((hanging) => hanging.received[0]?.receivedAt ?? Infinity));
    // Not after the hanging requests' timeouts (2 s): once they stalled, the instance had room for the others.
    expect((healthy.received[0]?.receivedAt ?? Infinity) - firstHanging).toBeLessThan(1_500);
    // The cap let 8 through at once. The room that reopened went to the healthy endpoint, not to a stalled one's
    // remaining deliveries; but a hanging endpoint whose first request started a moment after the others' may not be
    // stalled yet when they are, and get more of its own (up to its 4 slots). So 8 to 11, never all 12.
    const sent = () => hangingOnes.reduce((total, hanging) => total + hanging.received.length, 0);
    const sentWhenServed = sent();
    expect(sentWhenServed).toBeGreaterThanOrEqual(8);
    expect(sentWhenServed).toBeLessThan(12);
    // Once all are stalled, none of their deliveries is claimed while their requests hang (before the 2 s timeouts),
    // though some are still due and slots are free.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(700, firstHanging + 1_800 - Date.now()))));
    expect(sent()).toBe(sentWhenServed);
    await isolated.stop();
    await run;
  });

  it('several senders share the queue and a graceful restart sends nothing twice', async () => {
    const target = await receiver();
    target.answer = () => ({ status: 200, delayMs: 5 });
    await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    for (let index = 0; index < 30; index += 1) await transactionThrough(['CAPTURED']);
    const [a, b] = [sender(), sender()];
    const first = a.runOnce();
    await b.runOnce();
    await first;
    await a.stop();
    for (let index = 0; index < 10; index += 1) await transactionThrough(['CAPTURED']);
    await sender().runOnce();
    expect(target.received).toHaveLength(40);
    expect(new Set(target.received.map((webhook) => webhook.id)).size).toBe(40);
  });

  it('stop() aborts the attempts still in flight after its grace: logged, due again at once, not a failure of the endpoint', async () => {
    const target = await receiver();
    target.answer = () => ({ status: 200, never: true });
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    const endpointId = decodeGlobalId(endpoint.id, 'WebhookEndpoint') ?? '';
    await transactionThrough(['CAPTURED']);
    // WEBHOOK_TIMEOUT_MS (15 s by default) longer than a shutdown's whole budget (SHUTDOWN_TIMEOUT_SECONDS, 10 s).
    const config = { ...fx.server.config, webhooks: { ...fx.server.config.webhooks, timeoutMs: 15_000 } };
    const stopping = createWebhookSender({ db: fx.server.db, config, logger: createLogger('silent'), registry: fx.server.app.metrics.registry, limits: LIMITS });
    const run = stopping.runOnce();
    await waitFor(() => target.received.length === 1, 'the attempt to reach the receiver');
    const started = performance.now();
    await stopping.stop({ graceMs: 200 });
    const stopMs = performance.now() - started;
    expect(await run).toBe(1);
    expect(stopMs).toBeGreaterThanOrEqual(190);
    expect(stopMs).toBeLessThan(1_500);
    const delivery = await fx.server.db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId }, include: { attemptLog: true } });
    expect(delivery).toMatchObject({ status: 'PENDING', failures: 0, attempts: 1, leasedUntil: null });
    expect(delivery.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(delivery.attemptLog).toMatchObject([{ statusCode: null, error: expect.stringMatching(/^aborted/) }]);
    expect(await fx.server.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).toMatchObject({ enabled: true, failingSince: null });
    expect(await metricSum(fx.server.app.metrics, 'paystream_webhook_attempts_total', { outcome: 'aborted' })).toBeGreaterThanOrEqual(1);
    // The next sender (another instance, or this one restarted) sends it at once, with the same webhook-id.
    target.answer = () => ({ status: 200 });
    expect(await sender().runOnce()).toBe(1);
    expect(target.received.map((webhook) => webhook.id)).toEqual([delivery.webhookId, delivery.webhookId]);
    expect(target.store.size).toBe(1);
  });

  it('a delivery whose sender died mid-attempt is sent again once its lease ends, with the same webhook-id', async () => {
    const target = await receiver();
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    await transactionThrough(['CAPTURED']);
    // What a SIGKILLed instance leaves: the claim committed, no attempt recorded.
    const [abandoned] = await claimDueDeliveries(fx.server.db.sql, { limit: 10, perEndpoint: 4, leaseMs: 300 });
    expect(abandoned?.endpointId).toBe(decodeGlobalId(endpoint.id, 'WebhookEndpoint'));
    const run = sender();
    expect(await run.runOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await run.runOnce()).toBe(1);
    expect(target.received.map((webhook) => webhook.id)).toEqual([abandoned?.webhookId]);
    expect(target.store.size).toBe(1);
  });
});
