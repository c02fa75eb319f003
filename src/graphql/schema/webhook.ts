import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import type { WebhookDeliveryStatus, WebhookEndpoint } from '../../generated/prisma/client.ts';
import { NotFoundError, ValidationFailedError } from '../../services/errors.ts';
import { merchantScope, requestedMerchantScope } from '../../services/merchant-scope.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  MAX_SECRET_OVERLAP_HOURS,
  rollWebhookEndpointSecret,
  updateWebhookEndpoint,
  type EndpointWithSecret,
} from '../../services/webhooks/endpoints.ts';
import { deliveryWhere, redeliverFailedWebhooks, redeliverWebhook, sendTestWebhook } from '../../services/webhooks/deliveries.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { cursorPage, filterPerRequest, maxPageSize } from '../pagination.ts';
import { TransactionEventKindEnum, TransactionStatusEnum } from './enums.ts';

/**
 * Outgoing webhooks (docs/WEBHOOKS.md): a merchant's endpoints, signed per the Standard Webhooks spec, each event
 * of the transaction log that matches one delivered with retries for about three days.
 */

export const WebhookEndpointNode = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  nullable: true,
  description: "A merchant's HTTPS receiver of webhooks: which events it gets, whether it is enabled, and how its deliveries went",
  // Tenant isolation for `node`: another merchant's endpoint loads exactly like a missing one.
  findUnique: (id, context) => {
    const merchantId = merchantScope(context.actor);
    return { id: isUuid(id) ? id : NIL_UUID, ...(merchantId === undefined ? {} : { merchantId }) };
  },
  fields: (t) => ({
    merchant: t.relation('merchant', { description: 'whose events it receives' }),
    url: t.exposeString('url', { description: 'where each delivery is POSTed' }),
    description: t.exposeString('description', { description: "the owner's note" }),
    kinds: t.expose('kinds', { type: [TransactionEventKindEnum], description: 'the kinds of events it receives' }),
    statuses: t.expose('statuses', {
      type: [TransactionStatusEnum],
      description: 'status changes only into these statuses; empty: every status change (when STATUS_CHANGED is among kinds)',
    }),
    enabled: t.exposeBoolean('enabled', { description: 'false: nothing is sent to it; its pending deliveries wait until it is enabled again' }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true, description: 'when it was last disabled' }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'why it is disabled: by its owner, or by Paystream (the receiver answered 410 Gone, or every attempt failed for WEBHOOK_DISABLE_AFTER)',
    }),
    failingSince: t.expose('failingSince', {
      type: 'DateTime',
      nullable: true,
      description: 'since when every attempt has failed; null when the last attempt succeeded. Past WEBHOOK_DISABLE_AFTER (5 days) it is disabled',
    }),
    previousSecretExpiresAt: t.expose('previousSecretExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'after a secret roll: until when the previous secret still signs beside the current one',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was created' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'when it was last changed' }),
  }),
});

type WebhookEndpointArgs = { merchantId?: string | null };

const endpointWhere = filterPerRequest(async (context: GraphQLContext, args: WebhookEndpointArgs) => {
  const merchantId = await requestedMerchantScope(context.db, context.actor, args.merchantId);
  return merchantId === undefined ? {} : { merchantId };
});

builder.queryFields((t) => ({
  webhookEndpoints: t.prismaConnection(
    {
      type: 'WebhookEndpoint',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      description: "The caller's webhook endpoints, newest first (ADMIN: every merchant's, or one merchant's with merchantId)",
      args: { merchantId: t.arg.id({ required: false, description: 'ADMIN only: one merchant' }) },
      resolve: async (query, _root, args, context) =>
        context.db.prisma.webhookEndpoint.findMany({
          ...cursorPage(query, args, await endpointWhere(context, args)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: async (_connection, args, context) => context.db.prisma.webhookEndpoint.count({ where: await endpointWhere(context, args) }),
    },
    { name: 'WebhookEndpointConnection', description: 'A page of webhook endpoints' },
    { name: 'WebhookEndpointEdge', description: 'A webhook endpoint in a page' },
  ),
}));

/** An endpoint with its new signing secret: what creating it and rolling its secret answer. */
function endpointWithSecret(name: string, description: string) {
  return builder.objectRef<EndpointWithSecret>(name).implement({
    description,
    fields: (t) => ({
      endpoint: t.field({ type: WebhookEndpointNode, description: 'the endpoint', resolve: (result) => result.endpoint }),
      secret: t.exposeString('secret', {
        description: 'the signing secret (`whsec_…`, the Standard Webhooks format): shown once, never again. Verify every delivery with it (docs/WEBHOOKS.md)',
      }),
    }),
  });
}

const CreateWebhookEndpointSuccess = endpointWithSecret('CreateWebhookEndpointSuccess', 'The endpoint was registered; keep its secret');
const RollWebhookEndpointSecretSuccess = endpointWithSecret('RollWebhookEndpointSecretSuccess', 'The endpoint has a new secret; keep it');

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  description: 'A new webhook endpoint',
  fields: (t) => ({
    url: t.string({ required: true, description: 'an https:// URL on a public address (no credentials, no fragment), at most 2048 characters' }),
    description: t.string({ required: false, description: 'a note for its owner, at most 500 characters' }),
    kinds: t.field({ type: [TransactionEventKindEnum], required: false, description: 'the kinds of events to receive; default: every kind' }),
    statuses: t.field({ type: [TransactionStatusEnum], required: false, description: 'status changes only into these statuses; default: every status' }),
    merchantId: t.id({ required: false, description: 'ADMIN only, and required for ADMIN: the merchant the endpoint is for' }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Changes to a webhook endpoint; omitted fields stay as they are',
  fields: (t) => ({
    id: t.id({ required: true, description: 'the endpoint' }),
    url: t.string({ required: false, description: 'a new URL (same rules as when created)' }),
    description: t.string({ required: false, description: 'a new note' }),
    kinds: t.field({ type: [TransactionEventKindEnum], required: false, description: 'the kinds of events to receive' }),
    statuses: t.field({ type: [TransactionStatusEnum], required: false, description: 'status changes only into these; empty: every status' }),
    enabled: t.boolean({
      required: false,
      description: 'false disables it (nothing is sent; new events are not queued for it); true enables it again and clears disabledReason',
    }),
  }),
});

function endpointId(id: string): string {
  const decoded = decodeGlobalId(id, 'WebhookEndpoint');
  if (decoded === undefined) throw new NotFoundError('webhook endpoint');
  return decoded;
}

const endpointSettings = (context: GraphQLContext) => ({ allowLocalReceivers: context.config.webhooks.allowLocalReceivers });

const DeleteWebhookEndpointSuccess = builder.objectRef<{ deletedId: string }>('DeleteWebhookEndpointSuccess').implement({
  description: 'The endpoint was deleted, with its delivery log',
  fields: (t) => ({ deletedId: t.exposeID('deletedId', { description: 'the id the endpoint had' }) }),
});

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: CreateWebhookEndpointSuccess,
    description:
      'Registers an endpoint: every later event of the merchant that it wants is POSTed to it, signed with the secret returned here (once). Merchant keys register their own; ADMIN for a merchant named by merchantId.',
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true, description: 'the endpoint' }) },
    errors: { types: [ValidationFailedError], union: { name: 'CreateWebhookEndpointResult' }, directResult: true },
    resolve: (_root, { input }, context) => createWebhookEndpoint(context.db, context.actor, endpointSettings(context), input),
  }),
  updateWebhookEndpoint: t.field({
    type: WebhookEndpointNode,
    nullable: false,
    description: 'Changes an endpoint: URL, description, events wanted, enabled (disable it, or enable it again after Paystream disabled it)',
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true, description: 'the changes' }) },
    errors: {
      types: [ValidationFailedError, NotFoundError],
      union: { name: 'UpdateWebhookEndpointResult' },
      result: { name: 'UpdateWebhookEndpointSuccess' },
      dataField: { name: 'endpoint', description: 'the endpoint, changed' },
    },
    resolve: (_root, { input }, context) =>
      updateWebhookEndpoint(context.db, context.actor, endpointSettings(context), { ...input, id: endpointId(input.id) }) as Promise<WebhookEndpoint>,
  }),
  deleteWebhookEndpoint: t.field({
    type: DeleteWebhookEndpointSuccess,
    description: 'Deletes an endpoint, its pending deliveries and its delivery log',
    args: { id: t.arg.id({ required: true, description: 'the endpoint' }) },
    errors: { types: [NotFoundError], union: { name: 'DeleteWebhookEndpointResult' }, directResult: true },
    resolve: async (_root, { id }, context) => ({ deletedId: (await deleteWebhookEndpoint(context.db, context.actor, endpointId(id)), id) }),
  }),
  rollWebhookEndpointSecret: t.field({
    type: RollWebhookEndpointSecretSuccess,
    description:
      'Gives an endpoint a new signing secret (returned once). During the overlap both secrets sign every delivery (two signatures in webhook-signature), so the receiver can switch without refusing one.',
    args: {
      id: t.arg.id({ required: true, description: 'the endpoint' }),
      overlapHours: t.arg.int({
        required: false,
        defaultValue: 24,
        description: `how long the current secret keeps signing beside the new one: 0 to ${MAX_SECRET_OVERLAP_HOURS} hours`,
      }),
    },
    errors: { types: [ValidationFailedError, NotFoundError], union: { name: 'RollWebhookEndpointSecretResult' }, directResult: true },
    resolve: (_root, { id, overlapHours }, context) => rollWebhookEndpointSecret(context.db, context.actor, endpointId(id), overlapHours ?? 24),
  }),
}));

export const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  description: 'Where a webhook delivery stands',
  values: {
    PENDING: { description: 'waiting for its next attempt (see nextAttemptAt), or in one' },
    SUCCEEDED: { description: 'an attempt got a 2xx answer' },
    FAILED: { description: 'every attempt of the retry schedule (about three days) failed; redeliver it when the receiver is back' },
  } as const,
});

// The WEBHOOK_ENDPOINT_DISABLED event of the merchant's stream names its endpoint (the caller's own: events are scoped).
builder.prismaObjectField('TransactionEvent', 'webhookEndpoint', (t) =>
  t.relation('webhookEndpoint', { nullable: true, description: 'WEBHOOK_ENDPOINT_DISABLED: the endpoint Paystream disabled (its disabledReason says why); null for other kinds' }),
);

builder.prismaObject('WebhookAttempt', {
  description: 'One HTTP request of a delivery and what came back',
  fields: (t) => ({
    attemptedAt: t.expose('attemptedAt', { type: 'DateTime', description: 'when the request was sent' }),
    durationMs: t.exposeInt('durationMs', { description: 'from sending to the complete answer (or the error), in milliseconds' }),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: "the receiver's HTTP status; null when none came" }),
    error: t.exposeString('error', { nullable: true, description: 'why no answer came: timeout, connection refused, refused address, ...' }),
    responseExcerpt: t.exposeString('responseExcerpt', { nullable: true, description: 'the first bytes (up to 512) of the response body' }),
  }),
});

export const WebhookDeliveryNode = builder.prismaNode('WebhookDelivery', {
  id: { field: 'id' },
  nullable: true,
  description: 'One event (or test message) for one endpoint: its attempts, where it stands, and its body',
  findUnique: (id, context) => {
    const merchantId = merchantScope(context.actor);
    return { id: isUuid(id) ? id : NIL_UUID, ...(merchantId === undefined ? {} : { merchantId }) };
  },
  fields: (t) => ({
    endpoint: t.relation('endpoint', { description: 'where it is sent' }),
    webhookId: t.exposeString('webhookId', {
      description: "the webhook-id header: the event's cursor, identical on every attempt and redelivery (the receiver's idempotency key); `test_…` for test messages",
    }),
    type: t.exposeString('type', { description: '`transaction.<status>` (e.g. transaction.paid), `refund.requested|succeeded|failed`, or `webhook.test`' }),
    status: t.expose('status', { type: WebhookDeliveryStatusEnum, description: 'where the delivery stands' }),
    attempts: t.exposeInt('attempts', { description: 'attempts made so far, redeliveries included' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'PENDING: when it is attempted next (deliveries of a disabled endpoint wait until it is enabled)',
      select: { status: true, nextAttemptAt: true },
      resolve: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was queued: in the same database transaction as its event' }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true, description: 'its latest attempt; null before the first' }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, description: 'when it became SUCCEEDED or FAILED' }),
    event: t.relation('event', { nullable: true, description: 'the event it carries; null for a test message' }),
    payload: t.exposeString('payload', { nullable: true, description: 'the JSON body sent (fixed at the first attempt); null before the first attempt' }),
    attemptLog: t.relation('attemptLog', { description: 'every attempt, oldest first', query: { orderBy: [{ attemptedAt: 'asc' }, { id: 'asc' }] } }),
  }),
});

type WebhookDeliveryArgs = {
  endpointId?: string | null;
  status?: WebhookDeliveryStatus | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  merchantId?: string | null;
};

const deliveryLogWhere = filterPerRequest(async (context: GraphQLContext, args: WebhookDeliveryArgs) => {
  const merchantId = await requestedMerchantScope(context.db, context.actor, args.merchantId);
  const endpointId = args.endpointId == null ? undefined : (decodeGlobalId(args.endpointId, 'WebhookEndpoint') ?? NIL_UUID);
  return deliveryWhere({ endpointId, merchantId, status: args.status, createdFrom: args.createdFrom, createdTo: args.createdTo });
});

builder.queryFields((t) => ({
  webhookDeliveries: t.prismaConnection(
    {
      type: 'WebhookDelivery',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      description: "The delivery log, newest first: the caller's deliveries (ADMIN: every merchant's), filtered by endpoint, status and time",
      args: {
        endpointId: t.arg.id({ required: false, description: 'one endpoint' }),
        status: t.arg({ type: WebhookDeliveryStatusEnum, required: false, description: 'only deliveries in this status' }),
        createdFrom: t.arg({ type: 'DateTime', required: false, description: 'queued at or after (inclusive)' }),
        createdTo: t.arg({ type: 'DateTime', required: false, description: 'queued before (exclusive)' }),
        merchantId: t.arg.id({ required: false, description: 'ADMIN only: one merchant' }),
      },
      resolve: async (query, _root, args, context) =>
        context.db.prisma.webhookDelivery.findMany({
          ...cursorPage(query, args, await deliveryLogWhere(context, args)),
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        }),
      totalCount: async (_connection, args, context) => context.db.prisma.webhookDelivery.count({ where: await deliveryLogWhere(context, args) }),
    },
    { name: 'WebhookDeliveryConnection', description: 'A page of the delivery log' },
    { name: 'WebhookDeliveryEdge', description: 'A delivery in a page' },
  ),
}));

const RedeliverFailedWebhooksSuccess = builder.objectRef<{ count: number }>('RedeliverFailedWebhooksSuccess').implement({
  description: 'The failed deliveries are due again',
  fields: (t) => ({ count: t.exposeInt('count', { description: 'how many deliveries were queued again' }) }),
});

function deliveryId(id: string): string {
  const decoded = decodeGlobalId(id, 'WebhookDelivery');
  if (decoded === undefined) throw new NotFoundError('webhook delivery');
  return decoded;
}

builder.mutationFields((t) => ({
  redeliverWebhook: t.field({
    type: WebhookDeliveryNode,
    nullable: false,
    description: 'Sends one delivery again now (whatever its status), same webhook-id and body, with a fresh retry schedule',
    args: { id: t.arg.id({ required: true, description: 'the delivery' }) },
    errors: { types: [NotFoundError], union: { name: 'RedeliverWebhookResult' }, result: { name: 'RedeliverWebhookSuccess' }, dataField: { name: 'delivery', description: 'the new delivery, queued' } },
    resolve: (_root, { id }, context) => redeliverWebhook(context.db, context.actor, deliveryId(id)),
  }),
  redeliverFailedWebhooks: t.field({
    type: RedeliverFailedWebhooksSuccess,
    description: 'Sends again every delivery of an endpoint that FAILED and was queued since a time (after an outage of the receiver)',
    args: {
      endpointId: t.arg.id({ required: true, description: 'the endpoint' }),
      since: t.arg({ type: 'DateTime', required: true, description: 'deliveries queued at or after this time' }),
    },
    errors: { types: [NotFoundError], union: { name: 'RedeliverFailedWebhooksResult' }, directResult: true },
    resolve: async (_root, { endpointId: id, since }, context) => ({ count: await redeliverFailedWebhooks(context.db, context.actor, endpointId(id), since) }),
  }),
  sendTestWebhook: t.field({
    type: WebhookDeliveryNode,
    nullable: false,
    description: 'Sends a `webhook.test` message to an endpoint, signed and logged like every delivery: to check the receiver and its signature check',
    args: { endpointId: t.arg.id({ required: true, description: 'the endpoint' }) },
    errors: { types: [NotFoundError], union: { name: 'SendTestWebhookResult' }, result: { name: 'SendTestWebhookSuccess' }, dataField: { name: 'delivery', description: 'the test delivery, queued' } },
    resolve: (_root, { endpointId: id }, context) => sendTestWebhook(context.db, context.actor, endpointId(id)),
  }),
}));
