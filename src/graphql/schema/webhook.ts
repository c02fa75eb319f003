import { NIL_UUID, decodeGlobalId, isUuid } from '../../domain/ids.ts';
import type { WebhookEndpoint } from '../../generated/prisma/client.ts';
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
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
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
      dataField: { name: 'endpoint' },
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
