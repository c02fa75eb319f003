import type { Database } from '../db/client.ts';
import { revokeOlderBootstrapKeys } from '../db/sql/api-keys.ts';
import { encodeGlobalId, isUuid } from '../domain/ids.ts';
import type { ApiKey, ApiKeyRole, ApiKeySource } from '../generated/prisma/client.ts';
import { NotFoundError, UserError, ValidationFailedError } from './errors.ts';
import { DISPLAY_PREFIX_LENGTH, forgetRememberedApiKeys, hashSecret, revokeApiKey } from './merchants.ts';

/**
 * Operating API keys: the start-up ADMIN key (one at a time: rotating it revokes the previous one), listing keys
 * without their secrets, and revoking a key named by its id or prefix (the CLI's key:list and key:revoke).
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
