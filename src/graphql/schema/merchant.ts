import type { ApiKey as ApiKeyRow, Merchant as MerchantRow } from '../../generated/prisma/client.ts';
import { ValidationFailedError } from '../../services/errors.ts';
import { NIL_UUID, isUuid } from '../../domain/ids.ts';
import { merchantScope } from '../../services/merchant-scope.ts';
import { createMerchant } from '../../services/merchants.ts';
import { builder } from '../builder.ts';
import { cursorPage, maxPageSize } from '../pagination.ts';

export const MerchantNode = builder.prismaNode('Merchant', {
  id: { field: 'id' },
  nullable: true,
  // A merchant key sees its own merchant and nothing else; ADMIN sees all.
  findUnique: (id, context) => {
    const own = merchantScope(context.actor);
    return { id: isUuid(id) && (own === undefined || own === id) ? id : NIL_UUID };
  },
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const ApiKey = builder.objectRef<ApiKeyRow>('ApiKey').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    prefix: t.exposeString('prefix', { description: 'the first characters of the secret, for recognising it' }),
    role: t.exposeString('role'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

type CreateMerchantShape = { merchant: MerchantRow; apiKey: ApiKeyRow; secret: string };

const CreateMerchantSuccess = builder.objectRef<CreateMerchantShape>('CreateMerchantSuccess').implement({
  fields: (t) => ({
    merchant: t.field({ type: MerchantNode, resolve: (result) => result.merchant }),
    apiKey: t.field({ type: ApiKey, resolve: (result) => result.apiKey }),
    secret: t.exposeString('secret', { description: 'the API key secret; shown once, never again' }),
  }),
});

builder.mutationFields((t) => ({
  createMerchant: t.field({
    type: CreateMerchantSuccess,
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    errors: { types: [ValidationFailedError], union: { name: 'CreateMerchantResult' }, directResult: true },
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
    { name: 'MerchantConnection' },
    { name: 'MerchantEdge' },
  ),
}));
