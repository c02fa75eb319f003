import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { claimDueDeliveries } from '../../src/db/sql/webhooks.ts';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { transition } from '../../src/services/transitions.ts';
import { createWebhookSender, type WebhookSender } from '../../src/services/webhooks/sender.ts';
import { metricSum } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { testClient, waitFor } from '../support/subscriptions.ts';

/**
 * The webhook sender against a real local HTTP receiver: signatures the spec authors' verifier accepts, retries
 * with the same webhook-id and body, the delivery log, failure, replay, disabling, isolation of slow endpoints,
 * and restarts (graceful and killed) that neither lose nor double a webhook.
 */

let server: TestServer;
let merchant: { merchantId: string; key: string };
const receivers: WebhookReceiver[] = [];
/** Small, so that a handful of deliveries fills an endpoint's slots. */
const LIMITS = { inFlight: 8, perEndpoint: 4 };
const senders: WebhookSender[] = [];

beforeAll(async () => {
  server = await startTestServer({
    WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '40ms,40ms,40ms,40ms',
    WEBHOOK_TIMEOUT_MS: '400',
    WEBHOOK_SENDER_INTERVAL_MS: '0',
  });
  merchant = await server.createMerchant('Webhooked');
});
afterEach(async () => {
  await Promise.all(senders.splice(0).map((sender) => sender.stop()));
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
  // Each test starts with no endpoint: nothing left over (a closed receiver's retries) is attempted in the next one.
  await server.db.prisma.webhookEndpoint.deleteMany();
});
afterAll(() => server?.close());

function sender(): WebhookSender {
  const created = createWebhookSender({ db: server.db, config: server.config, logger: createLogger('silent'), registry: server.app.metrics.registry, limits: LIMITS });
  senders.push(created);
  return created;
}

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

async function endpointFor(target: WebhookReceiver, input: Record<string, unknown> = {}, key = merchant.key): Promise<{ id: string; secret: string }> {
  const response = await server.graphql<{ createWebhookEndpoint: { endpoint?: { id: string }; secret?: string } }>(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on CreateWebhookEndpointSuccess { secret endpoint { id } } ... on Error { message } } }`,
    { input: { url: target.url, ...input } },
    key,
  );
  const created = response.data?.createWebhookEndpoint;
  if (!created?.endpoint || !created.secret) throw new Error(JSON.stringify(response));
  return { id: created.endpoint.id, secret: created.secret };
}

/** A transaction of the merchant (REDIRECTED: two events), moved on to `targets`; returns its database id. */
async function transactionThrough(targets: readonly ('CAPTURED' | 'PAID' | 'CANCELLED')[] = [], key = merchant.key): Promise<string> {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: `wh-${Math.random().toString(36).slice(2)}`, amount: { value: '12.34', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
    key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  const id = decodeGlobalId(payload.transaction.id, 'Transaction') ?? '';
  for (const target of targets) await transition(server.db, { transactionId: id, target, source: 'PROVIDER_NOTIFICATION' });
  return id;
}

/** Runs the sender until `done` holds (retries are 40 ms apart), at most ~5 s. */
async function runUntil(run: WebhookSender, done: () => boolean | Promise<boolean>): Promise<void> {
  for (let round = 0; round < 100; round += 1) {
    await run.runOnce();
    if (await done()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the sender did not get there');
}

const sequenceOf = (body: string): number => (JSON.parse(body) as { data: { sequence: number } }).data.sequence;

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

type LoggedDelivery = {
  id: string;
  webhookId: string;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  completedAt: string | null;
  payload: string | null;
  attemptLog: { statusCode: number | null; durationMs: number; error: string | null; responseExcerpt: string | null }[];
};

async function deliveryLog(args: Record<string, unknown>, key = merchant.key): Promise<LoggedDelivery[]> {
  const response = await server.graphql<{ webhookDeliveries: { edges: { node: LoggedDelivery }[] } }>(
    `query($endpointId: ID, $status: WebhookDeliveryStatus, $createdFrom: DateTime) {
       webhookDeliveries(first: 100, endpointId: $endpointId, status: $status, createdFrom: $createdFrom) {
         edges { node { id webhookId type status attempts nextAttemptAt completedAt payload attemptLog { statusCode durationMs error responseExcerpt } } }
       }
     }`,
    args,
    key,
  );
  if (!response.data) throw new Error(JSON.stringify(response));
  return response.data.webhookDeliveries.edges.map((edge) => edge.node).reverse();
}

describe('webhook delivery', () => {
  it('POSTs every matching event signed per Standard Webhooks, with the transaction as of the event and its cursor', async () => {
    const target = await receiver();
    const endpoint = await endpointFor(target);
    const transactionId = await transactionThrough(['CAPTURED', 'PAID']);
    await sender().runOnce();

    const verifier = new Webhook(endpoint.secret);
    // Sent concurrently: in any order (each body carries its sequence).
    const received = [...target.received].sort((a, b) => sequenceOf(a.body) - sequenceOf(b.body));
    const bodies = received.map((webhook) => {
      const body = verifier.verify(webhook.body, { 'webhook-id': webhook.id, 'webhook-timestamp': webhook.timestamp, 'webhook-signature': webhook.signature });
      return body as { type: string; timestamp: string; data: { cursor: string; sequence: number; status: string; transaction: { id: string; status: string; amount: unknown } } };
    });
    expect(bodies.map((body) => [body.type, body.data.sequence, body.data.status, body.data.transaction.status])).toEqual([
      ['transaction.created', 1, 'CREATED', 'CREATED'],
      ['transaction.redirected', 2, 'REDIRECTED', 'REDIRECTED'],
      ['transaction.captured', 3, 'CAPTURED', 'CAPTURED'],
      ['transaction.paid', 4, 'PAID', 'PAID'],
    ]);
    expect(bodies[3]?.data.transaction).toMatchObject({ id: encodeGlobalId('Transaction', transactionId), amount: { value: '12.34', currency: 'EUR', minorUnits: '1234' } });
    // webhook-id is the event's cursor: the receiver's idempotency key, and where to resume with transactionEvents(after:).
    expect(received.map((webhook) => webhook.id)).toEqual(bodies.map((body) => body.data.cursor));
    const history = await server.graphql<{ transaction: { events: { cursor: string }[] } }>(
      `query($id: ID!) { transaction(id: $id) { events { cursor } } }`,
      { id: encodeGlobalId('Transaction', transactionId) },
      merchant.key,
    );
    expect(history.data?.transaction.events.map((event) => event.cursor)).toEqual(bodies.map((body) => body.data.cursor));

    const log = (await deliveryLog({ endpointId: endpoint.id })).sort((a, b) => sequenceOf(a.payload ?? '') - sequenceOf(b.payload ?? ''));
    expect(log.map((delivery) => [delivery.type, delivery.status, delivery.attempts, delivery.attemptLog.map((attempt) => attempt.statusCode)])).toEqual(
      bodies.map((body) => [body.type, 'SUCCEEDED', 1, [200]]),
    );
    expect(log.map((delivery) => delivery.payload)).toEqual(received.map((webhook) => webhook.body));
    expect(await metricSum(server.app.metrics, 'paystream_webhook_attempts_total', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(4);
  });

  it('a receiver that missed webhooks resumes from the last webhook-id it stored with transactionEvents(after:)', async () => {
    const target = await receiver();
    // Down after the first webhook: the rest are still being retried (or failed) when the receiver comes back.
    target.answer = (_webhook, index) => ({ status: index === 0 ? 200 : 503 });
    await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CREATED', 'CAPTURED', 'PAID'] });
    const transactionId = await transactionThrough();
    await sender().runOnce();
    const [stored] = [...target.store.keys()];
    await transition(server.db, { transactionId, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    await transition(server.db, { transactionId, target: 'PAID', source: 'SETTLEMENT' });

    const client = testClient(server.url, merchant.key);
    const replayed: { cursor: string; status: string }[] = [];
    try {
      client.transactionEvents({ after: stored, onEvent: (event) => replayed.push({ cursor: event.cursor, status: event.status }) });
      await waitFor(() => replayed.length >= 3, 'the events after the stored webhook');
    } finally {
      await client.close();
    }
    // Every event after it, status filter or not: REDIRECTED (not wanted by the endpoint), CAPTURED, PAID.
    expect(replayed.map((event) => event.status)).toEqual(['REDIRECTED', 'CAPTURED', 'PAID']);
    const queued = await server.db.prisma.webhookDelivery.findMany({ where: { type: { in: ['transaction.captured', 'transaction.paid'] }, endpoint: { url: target.url } } });
    expect(new Set(queued.map((delivery) => delivery.webhookId))).toEqual(new Set(replayed.slice(1).map((event) => event.cursor)));
  });

  it('retries 5xx, 429 with Retry-After, timeouts and refused connections with the same webhook-id and body, logging each attempt', async () => {
    const target = await receiver();
    const answers = [{ status: 500, body: 'database down' }, { status: 429, headers: { 'retry-after': '0' } }, { status: 200, delayMs: 1_000 }, { status: 302 }, { status: 200 }];
    target.answer = (_request, index) => answers[index] ?? { status: 200 };
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    await transactionThrough(['CAPTURED']);
    const run = sender();
    await runUntil(run, () => target.store.size === 1);

    expect(new Set(target.received.map((webhook) => webhook.id)).size).toBe(1);
    expect(new Set(target.received.map((webhook) => webhook.body)).size).toBe(1);
    expect(target.received).toHaveLength(5);
    const [delivery] = await deliveryLog({ endpointId: endpoint.id });
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', attempts: 5, nextAttemptAt: null, completedAt: expect.any(String) });
    expect(delivery?.attemptLog.map((attempt) => [attempt.statusCode, attempt.error === null ? null : attempt.error.slice(0, 18)])).toEqual([
      [500, null],
      [429, null],
      [null, 'no complete answer'],
      [302, null],
      [200, null],
    ]);
    expect(delivery?.attemptLog[0]?.responseExcerpt).toBe('database down');

    // Nobody listening: the connection is refused, logged as such, and retried.
    const closed = await receiver();
    const refused = await endpointFor(closed, { kinds: ['STATUS_CHANGED'], statuses: ['CANCELLED'] });
    await closed.close();
    await transactionThrough(['CANCELLED']);
    await run.runOnce();
    // runOnce goes on while attempts end: on a slow database the 40 ms retries come due within it, so it may make several.
    const [retried] = await deliveryLog({ endpointId: refused.id });
    expect(retried?.attemptLog.length).toBeGreaterThanOrEqual(1);
    expect(retried?.attempts).toBe(retried?.attemptLog.length);
    for (const attempt of retried?.attemptLog ?? []) expect(attempt).toMatchObject({ statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
    expect(retried).toMatchObject((retried?.attempts ?? 0) < 5 ? { status: 'PENDING', nextAttemptAt: expect.any(String) } : { status: 'FAILED', nextAttemptAt: null });
  });

  it('marks a delivery FAILED once the schedule is used up; it can be redelivered alone or with every failure since a time', async () => {
    const target = await receiver();
    let healthy = false;
    target.answer = () => ({ status: healthy ? 200 : 503 });
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['PAID', 'CAPTURED'] });
    const since = new Date(Date.now() - 1_000).toISOString();
    await transactionThrough(['CAPTURED', 'PAID']);
    await transactionThrough(['CAPTURED']);
    await runUntil(sender(), async () => (await deliveryLog({ endpointId: endpoint.id, status: 'FAILED' })).length === 3);

    const failed = await deliveryLog({ endpointId: endpoint.id });
    expect(failed.map((delivery) => [delivery.status, delivery.attempts, delivery.nextAttemptAt])).toEqual(Array(3).fill(['FAILED', 5, null]));
    expect(await metricSum(server.app.metrics, 'paystream_webhook_deliveries_failed_total', {})).toBe(3);
    const idsSent = new Set(target.received.map((webhook) => webhook.id));
    expect(idsSent.size).toBe(3);

    healthy = true;
    const [first, ...others] = failed;
    const one = await server.graphql<{ redeliverWebhook: { __typename: string; delivery?: { status: string; webhookId: string } } }>(
      `mutation($id: ID!) { redeliverWebhook(id: $id) { __typename ... on RedeliverWebhookSuccess { delivery { status webhookId } } } }`,
      { id: first?.id },
      merchant.key,
    );
    expect(one.data?.redeliverWebhook).toEqual({ __typename: 'RedeliverWebhookSuccess', delivery: { status: 'PENDING', webhookId: first?.webhookId } });
    const run = sender();
    await run.runOnce();
    expect([...target.store.keys()]).toEqual([first?.webhookId]);

    const range = await server.graphql<{ redeliverFailedWebhooks: { count?: number } }>(
      `mutation($endpointId: ID!, $since: DateTime!) { redeliverFailedWebhooks(endpointId: $endpointId, since: $since) { __typename ... on RedeliverFailedWebhooksSuccess { count } } }`,
      { endpointId: endpoint.id, since },
      merchant.key,
    );
    expect(range.data?.redeliverFailedWebhooks.count).toBe(others.length);
    await run.runOnce();
    expect(new Set(target.store.keys())).toEqual(idsSent);
    expect((await deliveryLog({ endpointId: endpoint.id })).map((delivery) => [delivery.status, delivery.attempts])).toEqual(Array(3).fill(['SUCCEEDED', 6]));
  });

  it('410 Gone disables the endpoint with a visible reason; its delivery waits and goes once it is enabled again', async () => {
    const target = await receiver();
    let gone = true;
    target.answer = () => ({ status: gone ? 410 : 200 });
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    await transactionThrough(['CAPTURED']);
    const run = sender();
    await run.runOnce();
    const read = async () =>
      (await server.graphql<{ node: { enabled: boolean; disabledReason: string | null; failingSince: string | null } }>(
        `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason failingSince } } }`,
        { id: endpoint.id },
        merchant.key,
      )).data?.node;
    expect(await read()).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410 Gone'), failingSince: expect.any(String) });
    expect(await metricSum(server.app.metrics, 'paystream_webhook_endpoints_disabled_total', { reason: 'gone' })).toBe(1);
    expect(await metricSum(server.app.metrics, 'paystream_webhook_endpoints_disabled', {})).toBeGreaterThanOrEqual(1);

    gone = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await run.runOnce()).toBe(0);
    await server.graphql(`mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: true }) { __typename } }`, { id: endpoint.id }, merchant.key);
    await run.runOnce();
    expect(target.store.size).toBe(1);
    expect(await read()).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it("a disabled endpoint is an event of the merchant's stream (WEBHOOK_ENDPOINT_DISABLED) and a webhook to its other endpoints that asked for it", async () => {
    const [gone, watcher] = [await receiver(), await receiver()];
    gone.answer = () => ({ status: 410 });
    const endpoint = await endpointFor(gone, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    const watching = await endpointFor(watcher, { kinds: ['WEBHOOK_ENDPOINT_DISABLED'] });
    const transactionId = await transactionThrough(['CAPTURED']);
    const client = testClient(server.url, merchant.key);
    const streamed: { kind: string; status: string; sequence: number; transaction: { id: string } }[] = [];
    try {
      client.transactionEvents({ kinds: ['WEBHOOK_ENDPOINT_DISABLED'], onEvent: (event) => streamed.push(event) });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await sender().runOnce();
      await waitFor(() => streamed.length === 1, 'the WEBHOOK_ENDPOINT_DISABLED event on the subscription');
    } finally {
      await client.close();
    }
    // On the transaction whose webhook was refused, its status unchanged, its sequence the next version.
    expect(streamed[0]).toMatchObject({ kind: 'WEBHOOK_ENDPOINT_DISABLED', status: 'CAPTURED', sequence: 4, transaction: { id: encodeGlobalId('Transaction', transactionId) } });
    const history = await server.graphql<{ node: { events: { kind: string; reason: string | null; source: string; webhookEndpoint: { id: string; enabled: boolean } | null }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on Transaction { events { kind reason source webhookEndpoint { id enabled } } } } }`,
      { id: encodeGlobalId('Transaction', transactionId) },
      merchant.key,
    );
    expect(history.data?.node.events.at(-1)).toEqual({
      kind: 'WEBHOOK_ENDPOINT_DISABLED',
      reason: expect.stringContaining('410 Gone'),
      source: 'SYSTEM',
      webhookEndpoint: { id: endpoint.id, enabled: false },
    });
    expect(history.data?.node.events.slice(0, -1).every((event) => event.webhookEndpoint === null)).toBe(true);
    // The other endpoint asked for the kind: a signed webhook_endpoint.disabled naming the disabled endpoint.
    await sender().runOnce();
    expect(watcher.received).toHaveLength(1);
    const [webhook] = watcher.received;
    const headers = { 'webhook-id': webhook?.id ?? '', 'webhook-timestamp': webhook?.timestamp ?? '', 'webhook-signature': webhook?.signature ?? '' };
    expect(new Webhook(watching.secret).verify(webhook?.body ?? '', headers)).toMatchObject({ type: 'webhook_endpoint.disabled', data: { kind: 'WEBHOOK_ENDPOINT_DISABLED', webhookEndpointId: endpoint.id, reason: expect.stringContaining('410 Gone') } });
  });

  it('disables an endpoint whose every attempt failed for WEBHOOK_DISABLE_AFTER', async () => {
    const target = await receiver();
    target.answer = () => ({ status: 500 });
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    const id = decodeGlobalId(endpoint.id, 'WebhookEndpoint') ?? '';
    // Failing for five days already (the default WEBHOOK_DISABLE_AFTER), as its streak says.
    await server.db.prisma.webhookEndpoint.update({ where: { id }, data: { failingSince: new Date(Date.now() - 5 * 86_400_000 - 1_000) } });
    await transactionThrough(['CAPTURED']);
    await sender().runOnce();
    const row = await server.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/^every attempt failed since /) });
    expect(await metricSum(server.app.metrics, 'paystream_webhook_endpoints_disabled_total', { reason: 'failing' })).toBe(1);
    // On the merchant's stream too, as for a 410.
    expect(await server.db.prisma.transactionEvent.findMany({ where: { webhookEndpointId: id } })).toMatchObject([
      { kind: 'WEBHOOK_ENDPOINT_DISABLED', status: 'CAPTURED', previousStatus: 'CAPTURED', source: 'SYSTEM', reason: row.disabledReason },
    ]);
  });

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
    const small = createWebhookSender({ db: server.db, config: server.config, logger: createLogger('silent'), registry: server.app.metrics.registry, limits: { inFlight: 8, perEndpoint: 2 } });
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
    const config = { ...server.config, webhooks: { ...server.config.webhooks, timeoutMs: 2_000 } };
    const isolated = createWebhookSender({ db: server.db, config, logger: createLogger('silent'), registry: server.app.metrics.registry, limits: LIMITS });
    senders.push(isolated);
    const run = isolated.runOnce();
    await waitFor(() => healthy.store.size === 1, 'the healthy endpoint to be served');
    const firstHanging = Math.min(...hangingOnes.map((hanging) => hanging.received[0]?.receivedAt ?? Infinity));
    // Not after the hanging requests' timeouts (2 s): once they stalled, the instance had room for the others.
    expect((healthy.received[0]?.receivedAt ?? Infinity) - firstHanging).toBeLessThan(1_500);
    // And no more of the stalled endpoints' deliveries were sent meanwhile: still the 8 the cap let through.
    expect(hangingOnes.reduce((sent, hanging) => sent + hanging.received.length, 0)).toBe(8);
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
    const config = { ...server.config, webhooks: { ...server.config.webhooks, timeoutMs: 15_000 } };
    const stopping = createWebhookSender({ db: server.db, config, logger: createLogger('silent'), registry: server.app.metrics.registry, limits: LIMITS });
    const run = stopping.runOnce();
    await waitFor(() => target.received.length === 1, 'the attempt to reach the receiver');
    const started = performance.now();
    await stopping.stop({ graceMs: 200 });
    const stopMs = performance.now() - started;
    expect(await run).toBe(1);
    expect(stopMs).toBeGreaterThanOrEqual(190);
    expect(stopMs).toBeLessThan(1_500);
    const delivery = await server.db.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId }, include: { attemptLog: true } });
    expect(delivery).toMatchObject({ status: 'PENDING', failures: 0, attempts: 1, leasedUntil: null });
    expect(delivery.nextAttemptAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(delivery.attemptLog).toMatchObject([{ statusCode: null, error: expect.stringMatching(/^aborted/) }]);
    expect(await server.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId } })).toMatchObject({ enabled: true, failingSince: null });
    expect(await metricSum(server.app.metrics, 'paystream_webhook_attempts_total', { outcome: 'aborted' })).toBeGreaterThanOrEqual(1);
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
    const [abandoned] = await claimDueDeliveries(server.db.sql, { limit: 10, perEndpoint: 4, leaseMs: 300 });
    expect(abandoned?.endpointId).toBe(decodeGlobalId(endpoint.id, 'WebhookEndpoint'));
    const run = sender();
    expect(await run.runOnce()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await run.runOnce()).toBe(1);
    expect(target.received.map((webhook) => webhook.id)).toEqual([abandoned?.webhookId]);
    expect(target.store.size).toBe(1);
  });

  it('connects only to allowed addresses: a host name resolving to loopback is refused at connect time', async () => {
    const target = await receiver();
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    const id = decodeGlobalId(endpoint.id, 'WebhookEndpoint') ?? '';
    // Registered when it resolved elsewhere; now its name resolves to loopback (DNS rebinding).
    await server.db.prisma.webhookEndpoint.update({ where: { id }, data: { url: target.url.replace('http://127.0.0.1', 'https://localhost') } });
    await transactionThrough(['CAPTURED']);
    const strict = createWebhookSender({
      db: server.db,
      config: { ...server.config, webhooks: { ...server.config.webhooks, allowLocalReceivers: false } },
      logger: createLogger('silent'),
      registry: server.app.metrics.registry,
      limits: LIMITS,
    });
    senders.push(strict);
    await strict.runOnce();
    const [delivery] = await deliveryLog({ endpointId: endpoint.id });
    expect(delivery?.attemptLog[0]?.error).toMatch(/refused to connect to (127\.0\.0\.1|::1)/);
    expect(target.received).toEqual([]);
  });

  it('sendTestWebhook sends a signed webhook.test; during a secret roll both secrets sign', async () => {
    const target = await receiver();
    const endpoint = await endpointFor(target);
    const rolled = await server.graphql<{ rollWebhookEndpointSecret: { secret: string } }>(
      `mutation($id: ID!) { rollWebhookEndpointSecret(id: $id) { ... on RollWebhookEndpointSecretSuccess { secret } } }`,
      { id: endpoint.id },
      merchant.key,
    );
    const sent = await server.graphql<{ sendTestWebhook: { __typename: string; delivery?: { type: string; webhookId: string } } }>(
      `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { __typename ... on SendTestWebhookSuccess { delivery { type webhookId } } } }`,
      { id: endpoint.id },
      merchant.key,
    );
    expect(sent.data?.sendTestWebhook).toMatchObject({ __typename: 'SendTestWebhookSuccess', delivery: { type: 'webhook.test', webhookId: expect.stringMatching(/^test_/) } });
    await sender().runOnce();
    const [webhook] = target.received;
    const headers = { 'webhook-id': webhook?.id ?? '', 'webhook-timestamp': webhook?.timestamp ?? '', 'webhook-signature': webhook?.signature ?? '' };
    expect(webhook?.signature.split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rolled.data?.rollWebhookEndpointSecret.secret ?? '']) {
      expect(new Webhook(secret).verify(webhook?.body ?? '', headers)).toMatchObject({ type: 'webhook.test', data: { endpointId: endpoint.id } });
    }
  });

  it("keeps each merchant to its own delivery log", async () => {
    const target = await receiver();
    const endpoint = await endpointFor(target);
    const result = await server.graphql<{ sendTestWebhook: { delivery: { id: string } } }>(
      `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { ... on SendTestWebhookSuccess { delivery { id } } } }`,
      { id: endpoint.id },
      merchant.key,
    );
    const deliveryId = result.data?.sendTestWebhook.delivery.id;
    const other = await server.createMerchant('Nosy');
    expect(await deliveryLog({}, other.key)).toEqual([]);
    expect(await deliveryLog({ endpointId: endpoint.id }, other.key)).toEqual([]);
    const foreign = await server.graphql<{ redeliverWebhook: { __typename: string }; sendTestWebhook: { __typename: string } }>(
      `mutation($id: ID!, $endpointId: ID!) { redeliverWebhook(id: $id) { __typename } sendTestWebhook(endpointId: $endpointId) { __typename } }`,
      { id: deliveryId, endpointId: endpoint.id },
      other.key,
    );
    expect(foreign.data).toEqual({ redeliverWebhook: { __typename: 'NotFoundError' }, sendTestWebhook: { __typename: 'NotFoundError' } });
    expect((await server.graphql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: deliveryId }, other.key)).data?.node).toBeNull();
    expect((await deliveryLog({}, server.adminKey)).map((delivery) => delivery.id)).toContain(deliveryId);
  });
});
