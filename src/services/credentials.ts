import type { Database } from '../db/client.ts';
import { revokeOlderBootstrapKeys } from '../db/sql/api-keys.ts';
import { encodeGlobalId, isUuid } from '../domain/ids.ts';
import type { ApiKey, ApiKeyRole, ApiKeySource } from '../generated/prisma/client.ts';
import { ForbiddenError, NotFoundError, UserError, ValidationFailedError } from './errors.ts';
import { requestedMerchantScope } from './merchant-scope.ts';
import { createApiKey, DISPLAY_PREFIX_LENGTH, forgetRememberedApiKeys, hashSecret, revokeApiKey, type Actor } from './merchants.ts';

/**
 * Operating API keys: the start-up ADMIN key (one at a time: rotating it revokes the previous one), listing keys
 * without their secrets, and revoking a key named by its id or prefix (the CLI's key:list and key:revoke); and
 * merchants' own key management over GraphQL (create, list, revoke, roll).
 */

/** The start-up ADMIN key was revoked: a server must not start without a working one, nor revive it. */
export class RevokedBootstrapKeyError extends UserError {
  readonly code = 'REVOKED';
}

/** A key named ambiguously (a prefix several keys share). */
export class AmbiguousKeyReferenceError extends UserError {
  readonly code = 'AMBIGUOUS';
}

export type BootstrapKeyOutcome = { kind: 'current' } | { kind: 'revoked' };

/**
 * Registers the start-up ADMIN key (ADMIN_API_KEY, or the embedded database's generated key) and revokes every
 * start-up ADMIN key registered before it: changing ADMIN_API_KEY and restarting rotates the key. A key that was
 * revoked stays revoked ('revoked': the caller refuses to start, or makes a new key); a secret that is some other
 * key's (a merchant's) is refused.
 */
export async function registerBootstrapAdminKey(db: Database, secret: string): Promise<BootstrapKeyOutcome> {
  const secretHash = hashSecret(secret);
  // INSERT ... ON CONFLICT DO NOTHING: several instances starting at once with the same key do not race.
  await db.prisma.apiKey.createMany({
    data: [{ role: 'ADMIN', source: 'BOOTSTRAP', merchantId: null, prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH), secretHash }],
    skipDuplicates: true,
  });
  const key = await db.prisma.apiKey.findUniqueOrThrow({ where: { secretHash } });
  if (key.role !== 'ADMIN') throw new ValidationFailedError([{ path: ['ADMIN_API_KEY'], message: 'is already the key of a merchant: choose a new secret' }]);
  if (key.revokedAt !== null) return { kind: 'revoked' };
  const revoked = await revokeOlderBootstrapKeys(db.sql, key.id);
  if (revoked.length > 0) forgetRememberedApiKeys(db);
  return { kind: 'current' };
}

/** A key as operators see it: never its secret or hash. */
export type ApiKeyListing = {
  id: string;
  /** The first characters of the secret. */
  prefix: string;
  role: ApiKeyRole;
  source: ApiKeySource;
  /** The merchant's global id and name; null for ADMIN keys. */
  merchant: { id: string; name: string } | null;
  createdAt: Date;
  /** When it stops working (a rolled key); null: never. */
  expiresAt: Date | null;
  /** When it last authenticated (to the minute); null: never. */
  lastUsedAt: Date | null;
  revokedAt: Date | null;
};

type KeyWithMerchant = ApiKey & { merchant: { name: string } | null };

function listing(key: KeyWithMerchant): ApiKeyListing {
  return {
    id: key.id,
    prefix: key.prefix,
    role: key.role,
    source: key.source,
    merchant: key.merchantId === null ? null : { id: encodeGlobalId('Merchant', key.merchantId), name: key.merchant?.name ?? '' },
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}

/** Every key, oldest first (optionally one merchant's). */
export async function listApiKeys(db: Database, options: { merchantId?: string | undefined } = {}): Promise<ApiKeyListing[]> {
  const keys = await db.prisma.apiKey.findMany({
    where: options.merchantId === undefined ? {} : { merchantId: options.merchantId },
    include: { merchant: { select: { name: true } } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return keys.map(listing);
}

/** The shortest prefix accepted as a reference: `psk_` and four characters of the secret. */
const MIN_REFERENCE_LENGTH = 8;

/**
 * The key `reference` names: its id, the first characters of its secret (at least 8, as key:list shows them: one
 * key only), or the whole secret.
 */
export async function findApiKey(db: Database, reference: string): Promise<ApiKeyListing> {
  const trimmed = reference.trim();
  const include = { merchant: { select: { name: true } } } as const;
  if (isUuid(trimmed)) {
    const key = await db.prisma.apiKey.findUnique({ where: { id: trimmed.toLowerCase() }, include });
    if (!key) throw new NotFoundError('API key');
    return listing(key);
  }
  if (trimmed.length > DISPLAY_PREFIX_LENGTH) {
    const key = await db.prisma.apiKey.findUnique({ where: { secretHash: hashSecret(trimmed) }, include });
    if (!key) throw new NotFoundError('API key');
    return listing(key);
  }
  if (trimmed.length < MIN_REFERENCE_LENGTH) {
    throw new ValidationFailedError([{ path: ['key'], message: `give the key's id or at least ${MIN_REFERENCE_LENGTH} first characters of it` }]);
  }
  const keys = await db.prisma.apiKey.findMany({ where: { prefix: { startsWith: trimmed } }, include, take: 10 });
  const [only, ...others] = keys;
  if (!only) throw new NotFoundError('API key');
  if (others.length > 0) throw new AmbiguousKeyReferenceError(`${keys.length} keys start with ${trimmed}: give the id (${keys.map((key) => key.id).join(', ')})`);
  return listing(only);
}

/** Revokes the key `reference` names (see findApiKey); revoking a revoked key changes nothing. */
export async function revokeApiKeyByReference(db: Database, reference: string): Promise<{ key: ApiKeyListing; alreadyRevoked: boolean }> {
  const key = await findApiKey(db, reference);
  if (key.revokedAt !== null) return { key, alreadyRevoked: true };
  await revokeApiKey(db, key.id);
  return { key: await findApiKey(db, key.id), alreadyRevoked: false };
}

/** Rolled keys keep working at most this long (Stripe's roll allows the same). */
export const MAX_ROLL_EXPIRY_HOURS = 168;

/** The roles a merchant's keys may have. */
export type MerchantKeyRole = Extract<ApiKeyRole, 'MERCHANT' | 'MERCHANT_READ_ONLY' | 'PUBLISHABLE'>;

/**
 * Whose keys the caller manages: a merchant secret key its own merchant's (`merchantId` not given), ADMIN the
 * merchant it names. Read-only and publishable keys manage nothing (their GraphQL scopes stop them first).
 */
export async function managedMerchant(db: Database, actor: Actor, merchantId: string | null | undefined): Promise<string> {
  if (actor.role === 'MERCHANT') {
    if (merchantId != null) throw new ForbiddenError('merchantId is for ADMIN keys');
    return actor.merchantId;
  }
  if (actor.role !== 'ADMIN') throw new ForbiddenError('managing keys needs a merchant secret key or an ADMIN key');
  if (merchantId == null) throw new ValidationFailedError([{ path: ['merchantId'], message: 'an ADMIN key names the merchant' }]);
  const id = await requestedMerchantScope(db, actor, merchantId);
  if (id === undefined) throw new ValidationFailedError([{ path: ['merchantId'], message: 'an ADMIN key names the merchant' }]);
  return id;
}

export async function listMerchantApiKeys(db: Database, actor: Actor, merchantId: string | null | undefined): Promise<ApiKey[]> {
  const owner = actor.role === 'MERCHANT_READ_ONLY' && merchantId == null ? actor.merchantId : await managedMerchant(db, actor, merchantId);
  return db.prisma.apiKey.findMany({ where: { merchantId: owner }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

export async function createMerchantApiKey(
  db: Database,
  actor: Actor,
  role: MerchantKeyRole,
  merchantId: string | null | undefined,
): Promise<{ apiKey: ApiKey; secret: string }> {
  return createApiKey(db, role, await managedMerchant(db, actor, merchantId));
}

/** The caller's merchant's key `id` (ADMIN: every merchant's keys); another's, or an ADMIN key, reads as absent. */
async function managedKey(db: Database, actor: Actor, id: string): Promise<ApiKey> {
  const key = isUuid(id) ? await db.prisma.apiKey.findUnique({ where: { id: id.toLowerCase() } }) : null;
  if (!key || key.merchantId === null) throw new NotFoundError('API key');
  if (actor.role === 'ADMIN') return key;
  if (actor.role !== 'MERCHANT' || key.merchantId !== actor.merchantId) throw new NotFoundError('API key');
  return key;
}

export async function revokeMerchantApiKey(db: Database, actor: Actor, id: string): Promise<ApiKey> {
  const key = await managedKey(db, actor, id);
  await revokeApiKey(db, key.id);
  return db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } });
}

/**
 * A new key of the same role and merchant now; the rolled one expires in `expiresInHours` (0: revoked at once).
 * Rolling a key that already expires sooner keeps the sooner expiry.
 */
export async function rollMerchantApiKey(
  db: Database,
  actor: Actor,
  id: string,
  expiresInHours: number,
  now = new Date(),
): Promise<{ apiKey: ApiKey; secret: string; previous: ApiKey }> {
  if (!Number.isInteger(expiresInHours) || expiresInHours < 0 || expiresInHours > MAX_ROLL_EXPIRY_HOURS) {
    throw new ValidationFailedError([{ path: ['expiresInHours'], message: `must be a whole number of hours from 0 to ${MAX_ROLL_EXPIRY_HOURS}` }]);
  }
  const key = await managedKey(db, actor, id);
  if (key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) throw new NotFoundError('API key');
  const role = key.role as MerchantKeyRole;
  const issued = await createApiKey(db, role, key.merchantId);
  if (expiresInHours === 0) {
    await revokeApiKey(db, key.id);
  } else {
    const expiresAt = new Date(now.getTime() + expiresInHours * 3_600_000);
    await db.prisma.apiKey.updateMany({ where: { id: key.id, OR: [{ expiresAt: null }, { expiresAt: { gt: expiresAt } }] }, data: { expiresAt } });
    forgetRememberedApiKeys(db);
  }
  return { ...issued, previous: await db.prisma.apiKey.findUniqueOrThrow({ where: { id: key.id } }) };
}
