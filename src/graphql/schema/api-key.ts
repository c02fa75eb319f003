import type { ApiKey as ApiKeyRow } from '../../generated/prisma/client.ts';
import { MAX_ROLL_EXPIRY_HOURS, createMerchantApiKey, listMerchantApiKeys, revokeMerchantApiKey, rollMerchantApiKey } from '../../services/credentials.ts';
import { NotFoundError, ValidationFailedError } from '../../services/errors.ts';
import { builder } from '../builder.ts';

/**
 * API keys over GraphQL (#15): merchants manage their own keys from their back office (a merchant secret key),
 * ADMIN any merchant's (`merchantId`). ADMIN keys themselves are operated from the CLI (docs/OPERATIONS.md).
 */

export const ApiKey = builder.objectRef<ApiKeyRow>('ApiKey').implement({
  description: 'An API key, without its secret (shown once, when made)',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'the key id (key:revoke and revokeApiKey take it)' }),
    prefix: t.exposeString('prefix', { description: 'the first characters of the secret, for recognising it' }),
    role: t.exposeString('role', {
      description: 'ADMIN, MERCHANT (secret), MERCHANT_READ_ONLY (secret, queries and subscriptions only) or PUBLISHABLE (browser)',
    }),
    publishableKey: t.exposeString('publishableKey', {
      nullable: true,
      description: 'PUBLISHABLE keys only: the key itself (not a secret: it goes in your pages)',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'when it was made' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'when it last authenticated (to the minute); null: never' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'when it stops working (a rolled key); null: never' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'when it was revoked; null: not revoked' }),
  }),
});

export const MerchantKeyRoleEnum = builder.enumType('MerchantKeyRole', {
  description: 'What a new merchant key may do',
  values: {
    SECRET: { value: 'MERCHANT', description: 'everything for its merchant: server-side only' },
    READ_ONLY: { value: 'MERCHANT_READ_ONLY', description: 'queries and subscriptions, no mutation: reporting backends' },
    PUBLISHABLE: { value: 'PUBLISHABLE', description: 'for browser pages: alone it only identifies the merchant (docs/FRONTEND.md)' },
  } as const,
});

type IssuedKey = { apiKey: ApiKeyRow; secret: string };

const IssuedKeyFields = (name: string, description: string) =>
  builder.objectRef<IssuedKey>(name).implement({
    description,
    fields: (t) => ({
      apiKey: t.field({ type: ApiKey, description: 'the new key', resolve: (issued) => issued.apiKey }),
      secret: t.exposeString('secret', { description: 'the new key itself; shown once, never again (for PUBLISHABLE keys also in ApiKey.publishableKey)' }),
    }),
  });

const CreateApiKeySuccess = IssuedKeyFields('CreateApiKeySuccess', 'A key made');

type RolledKey = IssuedKey & { previous: ApiKeyRow };
const RollApiKeySuccess = builder.objectRef<RolledKey>('RollApiKeySuccess').implement({
  description: 'A key rolled: a new secret now, the previous one valid until its expiresAt',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, description: 'the new key', resolve: (rolled) => rolled.apiKey }),
    secret: t.exposeString('secret', { description: 'the new key itself; shown once, never again' }),
    previous: t.field({ type: ApiKey, description: 'the rolled key, with its expiresAt', resolve: (rolled) => rolled.previous }),
  }),
});

const RevokeApiKeySuccess = builder.objectRef<{ apiKey: ApiKeyRow }>('RevokeApiKeySuccess').implement({
  description: 'A key revoked: it no longer authenticates and its open subscriptions have ended',
  fields: (t) => ({ apiKey: t.field({ type: ApiKey, description: 'the revoked key', resolve: (revoked) => revoked.apiKey }) }),
});

const merchantArg = (t: Parameters<Parameters<typeof builder.queryFields>[0]>[0]) =>
  t.arg.id({ required: false, description: 'ADMIN only (and then required): whose keys' });

builder.queryFields((t) => ({
  apiKeys: t.field({
    type: [ApiKey],
    description: "The caller's merchant's keys (ADMIN: `merchantId`'s), oldest first, revoked ones included",
    args: { merchantId: merchantArg(t) },
    resolve: (_root, args, context) => listMerchantApiKeys(context.db, context.actor, args.merchantId),
  }),
}));

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeySuccess,
    description: 'A new key for the merchant: its secret is in the answer, once',
    args: {
      role: t.arg({ type: MerchantKeyRoleEnum, required: true, description: 'what the key may do' }),
      merchantId: t.arg.id({ required: false, description: 'ADMIN only (and then required): for which merchant' }),
    },
    errors: { types: [ValidationFailedError], union: { name: 'CreateApiKeyResult' }, directResult: true },
    resolve: (_root, args, context) => createMerchantApiKey(context.db, context.actor, args.role, args.merchantId),
  }),
  revokeApiKey: t.field({
    type: RevokeApiKeySuccess,
    description: "Revokes a key of the caller's merchant (ADMIN: every merchant's keys): at once, on every transport",
    args: { id: t.arg.id({ required: true, description: 'ApiKey.id' }) },
    errors: { types: [NotFoundError], union: { name: 'RevokeApiKeyResult' }, directResult: true },
    resolve: async (_root, args, context) => ({ apiKey: await revokeMerchantApiKey(context.db, context.actor, args.id) }),
  }),
  rollApiKey: t.field({
    type: RollApiKeySuccess,
    description: `A new key of the same role now; the rolled one keeps working until \`expiresInHours\` from now (0: revoked now; at most ${MAX_ROLL_EXPIRY_HOURS})`,
    args: {
      id: t.arg.id({ required: true, description: 'ApiKey.id of the key to roll' }),
      expiresInHours: t.arg.int({ required: false, defaultValue: 24, description: `0 to ${MAX_ROLL_EXPIRY_HOURS}; default 24` }),
    },
    errors: { types: [NotFoundError, ValidationFailedError], union: { name: 'RollApiKeyResult' }, directResult: true },
    resolve: (_root, args, context) => rollMerchantApiKey(context.db, context.actor, args.id, args.expiresInHours ?? 24),
  }),
}));
