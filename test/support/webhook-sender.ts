import { afterAll, afterEach, beforeAll } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { transition } from '../../src/services/transitions.ts';
import { createWebhookSender, type WebhookSender } from '../../src/services/webhooks/sender.ts';
import { startTestServer, type TestServer } from './server.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/**
 * What the webhook sender's test files share: a test server (retries 40 ms apart, timeouts of 400 ms, no sender of
 * its own), a merchant, and senders and receivers that are stopped and closed after each test, with every endpoint.
 */

/** Small, so that a handful of deliveries fills an endpoint's slots. */
export const LIMITS = { inFlight: 8, perEndpoint: 4 };

export class WebhookSenderFixture {
  server!: TestServer;
  merchant!: { merchantId: string; key: string };
  /** Stopped after each test (push senders made by hand). */
  readonly senders: WebhookSender[] = [];
  private readonly receivers: WebhookReceiver[] = [];

  /** A sender of the test server with LIMITS. */
  sender = (): WebhookSender => {
    const created = createWebhookSender({ db: this.server.db, config: this.server.config, logger: createLogger('silent'), registry: this.server.app.metrics.registry, limits: LIMITS });
    this.senders.push(created);
    return created;
  };

  receiver = async (): Promise<WebhookReceiver> => {
    const started = await startWebhookReceiver();
    this.receivers.push(started);
    return started;
  };

  endpointFor = async (target: WebhookReceiver, input: Record<string, unknown> = {}): Promise<{ id: string; secret: string }> => {
    const response = await this.server.graphql<{ createWebhookEndpoint: { endpoint?: { id: string }; secret?: string } }>(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename ... on CreateWebhookEndpointSuccess { secret endpoint { id } } ... on Error { message } } }`,
      { input: { url: target.url, ...input } },
      this.merchant.key,
    );
    const created = response.data?.createWebhookEndpoint;
    if (!created?.endpoint || !created.secret) throw new Error(JSON.stringify(response));
    return { id: created.endpoint.id, secret: created.secret };
  };

  /** A transaction of the merchant (REDIRECTED: two events), moved on to `targets`; returns its database id. */
  transactionThrough = async (targets: readonly ('CAPTURED' | 'PAID' | 'CANCELLED')[] = []): Promise<string> => {
    const result = await this.server.execute(
      CreateTransactionDocument,
      { input: { merchantReference: `wh-${Math.random().toString(36).slice(2)}`, amount: { value: '12.34', currency: 'EUR' }, returnUrl: 'https://shop.example/r' } },
      this.merchant.key,
    );
    const payload = result.data?.createTransaction;
    if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
    const id = decodeGlobalId(payload.transaction.id, 'Transaction') ?? '';
    for (const target of targets) await transition(this.server.db, { transactionId: id, target, source: 'PROVIDER_NOTIFICATION' });
    return id;
  };

  /** Runs the sender until `done` holds (retries are 40 ms apart), at most ~5 s. */
  runUntil = async (run: WebhookSender, done: () => boolean | Promise<boolean>): Promise<void> => {
    for (let round = 0; round < 100; round += 1) {
      await run.runOnce();
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the sender did not get there');
  };

  /** Registers the file's hooks. */
  use(): this {
    beforeAll(async () => {
      this.server = await startTestServer({
        WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true',
        WEBHOOK_RETRY_SCHEDULE: '40ms,40ms,40ms,40ms',
        WEBHOOK_TIMEOUT_MS: '400',
        WEBHOOK_SENDER_INTERVAL_MS: '0',
      });
      this.merchant = await this.server.createMerchant('Webhooked');
    });
    afterEach(async () => {
      await Promise.all(this.senders.splice(0).map((sender) => sender.stop()));
      await Promise.all(this.receivers.splice(0).map((receiver) => receiver.close()));
      // Each test starts with no endpoint: nothing left over (a closed receiver's retries) is attempted in the next one.
      await this.server.db.prisma.webhookEndpoint.deleteMany();
    });
    afterAll(() => this.server?.close());
    return this;
  }
}
