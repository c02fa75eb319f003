import type { ApiKey as ApiKeyRow, Merchant as MerchantRow } from '../../generated/prisma/client.ts';
import { ValidationFailedError } from '../../services/errors.ts';
import { NIL_UUID, isUuid } from '../../domain/ids.ts';
import { merchantScope } from '../../services/merchant-scope.ts';
import { managedMerchant } from '../../services/credentials.ts';
import { createMerchant } from '../../services/merchants.ts';
import { MAX_ALLOWED_ORIGINS, setAllowedOrigins } from '../../services/origins.ts';
import { builder } from '../builder.ts';
import { ApiKey } from './api-key.ts';
import { cursorPage, maxPageSize } from '../pagination.ts';

export const MerchantNode = builder.prismaNode('Merchant', {
  description: 'A business that takes payments through Paystream, with its own API keys and data',
  id: { field: 'id' },
  nullable: true,
  // A merchant key sees its own merchant and nothing else; ADMIN sees all.
  findUnique: (id, context) => {
    const own = merchantScope(context.actor);
    return { id: isUuid(id) && (own === undefined || own === id) ? id : NIL_UUID };
  },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'its display name' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was created' }),
    allowedOrigins: t.exposeStringList('allowedOrigins', {
      description: "Browser origins whose pages may use the merchant's publishable key (CORS, WebSocket); set with setAllowedOrigins",
    }),
  }),
});

const SetAllowedOriginsSuccess = builder.objectRef<{ allowedOrigins: string[] }>('SetAllowedOriginsSuccess').implement({
  description: "The merchant's allowed origins, as stored (normalised, without duplicates)",
  fields: (t) => ({ allowedOrigins: t.exposeStringList('allowedOrigins', { description: 'e.g. https://shop.example' }) }),
});

type CreateMerchantShape = { merchant: MerchantRow; apiKey: ApiKeyRow; secret: string };

const CreateMerchantSuccess = builder.objectRef<CreateMerchantShape>('CreateMerchantSuccess').implement({
  description: 'The merchant was created with its first API key',
  fields: (t) => ({
    merchant: t.field({ type: MerchantNode, description: 'the new merchant', resolve: (result) => result.merchant }),
    apiKey: t.field({ type: ApiKey, description: 'its first key (a MERCHANT key); the secret is `secret`', resolve: (result) => result.apiKey }),
    secret: t.exposeString('secret', { description: 'the API key secret; shown once, never again' }),
  }),
});

builder.mutationFields((t) => ({
  setAllowedOrigins: t.field({
    type: SetAllowedOriginsSuccess,
    description: `Replaces the browser origins allowed to use the merchant's publishable key (at most ${MAX_ALLOWED_ORIGINS}; an empty list: none). Takes effect within 5 seconds on every instance`,
    args: {
      origins: t.arg.stringList({ required: true, description: 'exact origins, scheme://host[:port], e.g. https://shop.example' }),
      merchantId: t.arg.id({ required: false, description: 'ADMIN only (and then required): whose origins' }),
    },
    errors: { types: [ValidationFailedError], union: { name: 'SetAllowedOriginsResult' }, directResult: true },
    resolve: async (_root, args, context) => ({
      allowedOrigins: await setAllowedOrigins(context.db, await managedMerchant(context.db, context.actor, args.merchantId), args.origins),
    }),
  }),
  createMerchant: t.field({
    type: CreateMerchantSuccess,
    authScopes: { admin: true },
    description: 'ADMIN only (a merchant key gets FORBIDDEN). Creates a merchant and its first API key, whose secret is shown this once',
    args: { name: t.arg.string({ required: true, description: '1 to 200 printable characters' }) },
    errors: { types: [ValidationFailedError], union: { name: 'CreateMerchantResult', description: 'CreateMerchantSuccess, or why nothing was created' }, directResult: true },
    resolve: (_root, args, context) => createMerchant(context.db, args.name),
  }),
}));

builder.queryFields((t) => ({
  merchants: t.prismaConnection(
    {
      type: 'Merchant',
      cursor: 'id',
      defaultSize: 20,
      maxSize: maxPageSize,
      authScopes: { admin: true },
      description: 'ADMIN only. Every merchant, by name',
      resolve: (query, _root, args, context) =>
        context.db.prisma.merchant.findMany({ ...cursorPage(query, args, {}), orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
      totalCount: (_connection, _args, context) => context.db.prisma.merchant.count(),
    },
    { name: 'MerchantConnection', description: 'A page of merchants' },
    { name: 'MerchantEdge', description: 'A merchant and its cursor' },
  ),
}));
