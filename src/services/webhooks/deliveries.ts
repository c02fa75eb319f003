import type { Database } from '../../db/client.ts';
import { uuidv7 } from '../../db/session.ts';
import { redeliver, redeliverFailedSince } from '../../db/sql/webhooks.ts';
import { encodeGlobalId } from '../../domain/ids.ts';
import type { Prisma, WebhookDelivery, WebhookDeliveryStatus } from '../../generated/prisma/client.ts';
import { NotFoundError, ValidationFailedError } from '../errors.ts';
import { merchantScope } from '../merchant-scope.ts';
import type { Actor } from '../merchants.ts';
import { findOwnEndpoint } from './endpoints.ts';
import { testPayload } from './payload.ts';
import { createWakeUp } from '../wake-up.ts';

/**
 * The delivery log and what a merchant does with it: read it, redeliver one delivery or everything that failed
 * for an endpoint since a time, send a test message. Redelivering keeps the delivery's webhook-id and body (the
 * receiver's idempotency key still recognises it) and starts its retry schedule afresh. A disabled endpoint's
 * deliveries wait until it is enabled again.
 */

/**
 * Wakes this process's webhook sender at once (a redelivery, a test message). Only a hint: other instances find
 * the due rows by polling; the delivery row is the truth.
 */
export const webhooksDue = createWakeUp();

export type DeliveryFilter = {
  /** Database id of the endpoint (already scoped). */
  endpointId?: string | undefined;
  merchantId?: string | undefined;
  status?: WebhookDeliveryStatus | null | undefined;
  createdFrom?: Date | null | undefined;
  createdTo?: Date | null | undefined;
};

/** The Prisma filter of a delivery log page. */
export function deliveryWhere(filter: DeliveryFilter): Prisma.WebhookDeliveryWhereInput {
  if (filter.createdFrom != null && filter.createdTo != null && filter.createdFrom > filter.createdTo) {
    throw new ValidationFailedError([{ path: ['createdFrom'], message: 'must not be after createdTo' }]);
  }
  return {
    ...(filter.endpointId === undefined ? {} : { endpointId: filter.endpointId }),
    ...(filter.merchantId === undefined ? {} : { merchantId: filter.merchantId }),
    ...(filter.status == null ? {} : { status: filter.status }),
    ...(filter.createdFrom == null && filter.createdTo == null
      ? {}
      : { createdAt: { ...(filter.createdFrom == null ? {} : { gte: filter.createdFrom }), ...(filter.createdTo == null ? {} : { lt: filter.createdTo }) } }),
  };
}

/** One delivery due again now, with a fresh retry schedule. */
export async function redeliverWebhook(db: Database, actor: Actor, deliveryId: string): Promise<WebhookDelivery> {
  const [id] = await redeliver(db.sql, [deliveryId], merchantScope(actor));
  if (id === undefined) throw new NotFoundError('webhook delivery');
  webhooksDue.notify();
  return db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
}

/** Every FAILED delivery of the endpoint created since `since`, due again now; how many. */
export async function redeliverFailedWebhooks(db: Database, actor: Actor, endpointId: string, since: Date): Promise<number> {
  const endpoint = await findOwnEndpoint(db, actor, endpointId);
  const count = await redeliverFailedSince(db.sql, endpoint.id, since);
  if (count > 0) webhooksDue.notify();
  return count;
}

/** A `webhook.test` message to the endpoint, through the same queue, signing and log as events. */
export async function sendTestWebhook(db: Database, actor: Actor, endpointId: string): Promise<WebhookDelivery> {
  const endpoint = await findOwnEndpoint(db, actor, endpointId);
  const id = uuidv7();
  const now = new Date();
  const delivery = await db.prisma.webhookDelivery.create({
    data: {
      id,
      endpointId: endpoint.id,
      merchantId: endpoint.merchantId,
      type: 'webhook.test',
      webhookId: `test_${id}`,
      payload: testPayload(encodeGlobalId('WebhookEndpoint', endpoint.id), now),
      nextAttemptAt: now,
      createdAt: now,
    },
  });
  webhooksDue.notify();
  return delivery;
}
