import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { transition } from '../../src/services/transitions.ts';
import { createWebhookSender } from '../../src/services/webhooks/sender.ts';
import { metricSum } from '../support/http.ts';
import { testClient, waitFor } from '../support/subscriptions.ts';
import { LIMITS, WebhookSenderFixture } from '../support/webhook-sender.ts';

/**
 * The webhook sender against a real local HTTP receiver: signatures the spec authors' verifier accepts, retries
 * with the same webhook-id and body, the delivery log, failure, replay, disabling, address checks, test messages.
 * How an instance shares its capacity (slow endpoints, several instances, stops and deaths): webhook-sender-instance.test.ts.
 */

const fx = new WebhookSenderFixture().use();
const { sender, senders, receiver, endpointFor, transactionThrough, runUntil } = fx;

const sequenceOf = (body: string): number => (JSON.parse(body) as { data: { sequence: number } }).data.sequence;

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

async function deliveryLog(args: Record<string, unknown>, key = fx.merchant.key): Promise<LoggedDelivery[]> {
  const response = await fx.server.graphql<{ webhookDeliveries: { edges: { node: LoggedDelivery }[] } }>(
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
    const history = await fx.server.graphql<{ transaction: { events: { cursor: string }[] } }>(
      `query($id: ID!) { transaction(id: $id) { events { cursor } } }`,
      { id: encodeGlobalId('Transaction', transactionId) },
      fx.merchant.key,
    );
    expect(history.data?.transaction.events.map((event) => event.cursor)).toEqual(bodies.map((body) => body.data.cursor));

    const log = (await deliveryLog({ endpointId: endpoint.id })).sort((a, b) => sequenceOf(a.payload ?? '') - sequenceOf(b.payload ?? ''));
    expect(log.map((delivery) => [delivery.type, delivery.status, delivery.attempts, delivery.attemptLog.map((attempt) => attempt.statusCode)])).toEqual(
      bodies.map((body) => [body.type, 'SUCCEEDED', 1, [200]]),
    );
    expect(log.map((delivery) => delivery.payload)).toEqual(received.map((webhook) => webhook.body));
    expect(await metricSum(fx.server.app.metrics, 'paystream_webhook_attempts_total', { outcome: 'succeeded' })).toBeGreaterThanOrEqual(4);
  });

  it('a receiver that missed webhooks resumes from the last webhook-id it stored with transactionEvents(after:)', async () => {
    const target = await receiver();
    // Down after the first webhook: the rest are still being retried (or failed) when the receiver comes back.
    target.answer = (_webhook, index) => ({ status: index === 0 ? 200 : 503 });
    await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CREATED', 'CAPTURED', 'PAID'] });
    const transactionId = await transactionThrough();
    await sender().runOnce();
    const [stored] = [...target.store.keys()];
    await transition(fx.server.db, { transactionId, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    await transition(fx.server.db, { transactionId, target: 'PAID', source: 'SETTLEMENT' });

    const client = testClient(fx.server.url, fx.merchant.key);
    const replayed: { cursor: string; status: string }[] = [];
    try {
      client.transactionEvents({ after: stored, onEvent: (event) => replayed.push({ cursor: event.cursor, status: event.status }) });
      await waitFor(() => replayed.length >= 3, 'the events after the stored webhook');
    } finally {
      await client.close();
    }
    // Every event after it, status filter or not: REDIRECTED (not wanted by the endpoint), CAPTURED, PAID.
    expect(replayed.map((event) => event.status)).toEqual(['REDIRECTED', 'CAPTURED', 'PAID']);
    const queued = await fx.server.db.prisma.webhookDelivery.findMany({ where: { type: { in: ['transaction.captured', 'transaction.paid'] }, endpoint: { url: target.url } } });
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
    expect(await metricSum(fx.server.app.metrics, 'paystream_webhook_deliveries_failed_total', {})).toBe(3);
    const idsSent = new Set(target.received.map((webhook) => webhook.id));
    expect(idsSent.size).toBe(3);

    healthy = true;
    const [first, ...others] = failed;
    const one = await fx.server.graphql<{ redeliverWebhook: { __typename: string; delivery?: { status: string; webhookId: string } } }>(
      `mutation($id: ID!) { redeliverWebhook(id: $id) { __typename ... on RedeliverWebhookSuccess { delivery { status webhookId } } } }`,
      { id: first?.id },
      fx.merchant.key,
    );
    expect(one.data?.redeliverWebhook).toEqual({ __typename: 'RedeliverWebhookSuccess', delivery: { status: 'PENDING', webhookId: first?.webhookId } });
    const run = sender();
    await run.runOnce();
    expect([...target.store.keys()]).toEqual([first?.webhookId]);

    const range = await fx.server.graphql<{ redeliverFailedWebhooks: { count?: number } }>(
      `mutation($endpointId: ID!, $since: DateTime!) { redeliverFailedWebhooks(endpointId: $endpointId, since: $since) { __typename ... on RedeliverFailedWebhooksSuccess { count } } }`,
      { endpointId: endpoint.id, since },
      fx.merchant.key,
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
      (await fx.server.graphql<{ node: { enabled: boolean; disabledReason: string | null; failingSince: string | null } }>(
        `query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { enabled disabledReason failingSince } } }`,
        { id: endpoint.id },
        fx.merchant.key,
      )).data?.node;
    expect(await read()).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410 Gone'), failingSince: expect.any(String) });
    expect(await metricSum(fx.server.app.metrics, 'paystream_webhook_endpoints_disabled_total', { reason: 'gone' })).toBe(1);
    expect(await metricSum(fx.server.app.metrics, 'paystream_webhook_endpoints_disabled', {})).toBeGreaterThanOrEqual(1);

    gone = false;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await run.runOnce()).toBe(0);
    await fx.server.graphql(`mutation($id: ID!) { updateWebhookEndpoint(input: { id: $id, enabled: true }) { __typename } }`, { id: endpoint.id }, fx.merchant.key);
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
    const client = testClient(fx.server.url, fx.merchant.key);
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
    const history = await fx.server.graphql<{ node: { events: { kind: string; reason: string | null; source: string; webhookEndpoint: { id: string; enabled: boolean } | null }[] } }>(
      `query($id: ID!) { node(id: $id) { ... on Transaction { events { kind reason source webhookEndpoint { id enabled } } } } }`,
      { id: encodeGlobalId('Transaction', transactionId) },
      fx.merchant.key,
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
    await fx.server.db.prisma.webhookEndpoint.update({ where: { id }, data: { failingSince: new Date(Date.now() - 5 * 86_400_000 - 1_000) } });
    await transactionThrough(['CAPTURED']);
    await sender().runOnce();
    const row = await fx.server.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/^every attempt failed since /) });
    expect(await metricSum(fx.server.app.metrics, 'paystream_webhook_endpoints_disabled_total', { reason: 'failing' })).toBe(1);
    // On the merchant's stream too, as for a 410.
    expect(await fx.server.db.prisma.transactionEvent.findMany({ where: { webhookEndpointId: id } })).toMatchObject([
      { kind: 'WEBHOOK_ENDPOINT_DISABLED', status: 'CAPTURED', previousStatus: 'CAPTURED', source: 'SYSTEM', reason: row.disabledReason },
    ]);
  });

  it('connects only to allowed addresses: a host name resolving to loopback is refused at connect time', async () => {
    const target = await receiver();
    const endpoint = await endpointFor(target, { kinds: ['STATUS_CHANGED'], statuses: ['CAPTURED'] });
    const id = decodeGlobalId(endpoint.id, 'WebhookEndpoint') ?? '';
    // Registered when it resolved elsewhere; now its name resolves to loopback (DNS rebinding).
    await fx.server.db.prisma.webhookEndpoint.update({ where: { id }, data: { url: target.url.replace('http://127.0.0.1', 'https://localhost') } });
    await transactionThrough(['CAPTURED']);
    const strict = createWebhookSender({
      db: fx.server.db,
      config: { ...fx.server.config, webhooks: { ...fx.server.config.webhooks, allowLocalReceivers: false } },
      logger: createLogger('silent'),
      registry: fx.server.app.metrics.registry,
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
    const rolled = await fx.server.graphql<{ rollWebhookEndpointSecret: { secret: string } }>(
      `mutation($id: ID!) { rollWebhookEndpointSecret(id: $id) { ... on RollWebhookEndpointSecretSuccess { secret } } }`,
      { id: endpoint.id },
      fx.merchant.key,
    );
    const sent = await fx.server.graphql<{ sendTestWebhook: { __typename: string; delivery?: { type: string; webhookId: string } } }>(
      `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { __typename ... on SendTestWebhookSuccess { delivery { type webhookId } } } }`,
      { id: endpoint.id },
      fx.merchant.key,
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
    const result = await fx.server.graphql<{ sendTestWebhook: { delivery: { id: string } } }>(
      `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { ... on SendTestWebhookSuccess { delivery { id } } } }`,
      { id: endpoint.id },
      fx.merchant.key,
    );
    const deliveryId = result.data?.sendTestWebhook.delivery.id;
    const other = await fx.server.createMerchant('Nosy');
    expect(await deliveryLog({}, other.key)).toEqual([]);
    expect(await deliveryLog({ endpointId: endpoint.id }, other.key)).toEqual([]);
    const foreign = await fx.server.graphql<{ redeliverWebhook: { __typename: string }; sendTestWebhook: { __typename: string } }>(
      `mutation($id: ID!, $endpointId: ID!) { redeliverWebhook(id: $id) { __typename } sendTestWebhook(endpointId: $endpointId) { __typename } }`,
      { id: deliveryId, endpointId: endpoint.id },
      other.key,
    );
    expect(foreign.data).toEqual({ redeliverWebhook: { __typename: 'NotFoundError' }, sendTestWebhook: { __typename: 'NotFoundError' } });
    expect((await fx.server.graphql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: deliveryId }, other.key)).data?.node).toBeNull();
    expect((await deliveryLog({}, fx.server.adminKey)).map((delivery) => delivery.id)).toContain(deliveryId);
  });
});
