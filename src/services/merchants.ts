import { hash } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { revokeApiKeyRows } from '../db/sql/api-keys.ts';
import { BEARER_AUTHORIZATION } from '../domain/api-keys.ts';
import { randomToken } from '../domain/random.ts';
import type { ApiKey, ApiKeyRole, Merchant } from '../generated/prisma/client.ts';
import { ValidationFailedError } from './errors.ts';

/**
 * Merchants and their API keys. A key's secret is shown once; only its SHA-256 is stored (a fast hash is
 * right for 256-bit random secrets: there is nothing to brute-force), with a short prefix for display.
 */

/**
 * Who calls. ADMIN: every merchant. MERCHANT: its merchant's data. MERCHANT_READ_ONLY: the same, reading only.
 * PUBLISHABLE: a merchant's browser key; with a client secret (`transactionId` set) it reads that one transaction.
 */
export type Actor =
  | { role: 'ADMIN'; apiKeyId: string }
  | { role: 'MERCHANT'; apiKeyId: string; merchantId: string }
  | { role: 'MERCHANT_READ_ONLY'; apiKeyId: string; merchantId: string }
  | { role: 'PUBLISHABLE'; apiKeyId: string; merchantId: string; transactionId?: string };

const SECRET_PREFIX = 'psk_';
/** Publishable keys: not secret, shipped in merchants' pages. */
export const PUBLISHABLE_PREFIX = 'pk_';
/** How many first characters of a secret are kept (and shown) to recognise it. */
export const DISPLAY_PREFIX_LENGTH = 12;

export function hashSecret(secret: string): string {
  // One-shot: no Hash object per call, and every authenticated request hashes its key.
  return hash('sha256', secret, 'hex');
}

export function newSecret(): string {
  return `${SECRET_PREFIX}${randomToken(32)}`;
}

export function newPublishableKey(): string {
  return `${PUBLISHABLE_PREFIX}${randomToken(24)}`;
}

/** The row of a new key: the hash and the first characters; a publishable key (not a secret) is kept whole too. */
export function apiKeyRow(role: ApiKeyRole, merchantId: string | null, secret: string, expiresAt: Date | null = null) {
  return {
    role,
    merchantId,
    prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
    secretHash: hashSecret(secret),
    publishableKey: role === 'PUBLISHABLE' ? secret : null,
    expiresAt,
  };
}

export async function createApiKey(
  db: Database,
  role: ApiKeyRole,
  merchantId: string | null,
  secret: string = role === 'PUBLISHABLE' ? newPublishableKey() : newSecret(),
): Promise<{ apiKey: ApiKey; secret: string }> {
  const apiKey = await db.prisma.apiKey.create({ data: apiKeyRow(role, merchantId, secret) });
  return { apiKey, secret };
}

export async function createMerchant(
  db: Database,
  rawName: string,
): Promise<{ merchant: Merchant; apiKey: ApiKey; secret: string }> {
  const name = rawName.trim();
  if (name.length < 1 || name.length > 200 || /\p{C}/u.test(name)) {
    throw new ValidationFailedError([{ path: ['name'], message: 'must be 1 to 200 printable characters' }]);
  }
  const secret = newSecret();
  return db.prisma.$transaction(async (tx) => {
    const merchant = await tx.merchant.create({ data: { name } });
    const apiKey = await tx.apiKey.create({
      data: {
        role: 'MERCHANT',
        merchantId: merchant.id,
        prefix: secret.slice(0, DISPLAY_PREFIX_LENGTH),
        secretHash: hashSecret(secret),
      },
    });
    return { merchant, apiKey, secret };
  });
}

/**
 * Merchants read for live events (an ADMIN feed names each event's merchant) are remembered per database for
 * MERCHANT_CACHE_TTL_MS: at hundreds of events a second, a lookup per event made an ADMIN console lag by seconds
 * (bench:console). Names never change; allowedOrigins read this way may be that much out of date.
 */
export const MERCHANT_CACHE_TTL_MS = 5_000;
const MERCHANT_CACHE_MAX_ENTRIES = 10_000;
const merchantCaches = new WeakMap<Database, Map<string, { merchant: Promise<Merchant>; expiresAt: number }>>();

/** The merchant `merchantId` (it exists: a transaction's), from the cache when read less than 5 s ago. */
export function rememberedMerchant(db: Database, merchantId: string): Promise<Merchant> {
  let cache = merchantCaches.get(db);
  if (!cache) {
    cache = new Map();
    merchantCaches.set(db, cache);
  }
  const now = Date.now();
  const cached = cache.get(merchantId);
  if (cached && cached.expiresAt > now) return cached.merchant;
  if (cache.size >= MERCHANT_CACHE_MAX_ENTRIES) cache.clear();
  // The promise is cached, so the events of a burst share one lookup; a failed one is not kept.
  const merchant = db.prisma.merchant.findUniqueOrThrow({ where: { id: merchantId } });
  const entry = { merchant, expiresAt: now + MERCHANT_CACHE_TTL_MS };
  cache.set(merchantId, entry);
  merchant.catch(() => {
    if (cache.get(merchantId) === entry) cache.delete(merchantId);
  });
  return merchant;
}

/**
 * Valid keys are remembered per database for API_KEY_CACHE_TTL_MS, keyed by the secret's hash: without it every
 * request spends one of its two or three database round trips on the key (bench/read.ts measured it). The
 * trade-off: a key revoked directly in the database (or heard of by no LISTEN: EVENTS_LISTEN=false) keeps working for
 * at most this long; revokeApiKey, in any process, takes effect at once in every instance (src/db/sql/api-keys.ts).
 * Unknown and revoked keys are never remembered, so a new key works at once and a flood of bad keys cannot push
 * good ones out.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
const API_KEY_CACHE_MAX_ENTRIES = 10_000;

type CachedActor = { actor: Promise<Actor | null>; expiresAt: number };
const actorCaches = new WeakMap<Database, Map<string, CachedActor>>();

function actorCache(db: Database): Map<string, CachedActor> {
  let cache = actorCaches.get(db);
  if (!cache) {
    cache = new Map();
    actorCaches.set(db, cache);
  }
  return cache;
}

/**
 * Resolves `Authorization: Bearer <key>` to an actor; null for a missing, unknown, revoked or expired key. A
 * publishable key is an actor only where a browser may use one (`publishable: true`: /graphql); elsewhere (the
 * report downloads) it authenticates nothing.
 */
export async function authenticate(
  db: Database,
  authorization: string | null | undefined,
  options: { publishable?: boolean } = {},
): Promise<Actor | null> {
  const actor = await authenticateAnyKey(db, authorization);
  return actor?.role === 'PUBLISHABLE' && options.publishable !== true ? null : actor;
}

async function authenticateAnyKey(db: Database, authorization: string | null | undefined): Promise<Actor | null> {
  const secretHash = secretHashOf(authorization);
  if (secretHash === undefined) return null;
  const cache = actorCache(db);
  const now = Date.now();
  const cached = cache.get(secretHash);
  if (cached && cached.expiresAt > now) return cached.actor;
  // The promise is cached, so concurrent requests with one key share one lookup.
  const actor = lookUpActor(db, secretHash);
  cache.delete(secretHash);
  if (cache.size >= API_KEY_CACHE_MAX_ENTRIES) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(secretHash, { actor, expiresAt: now + API_KEY_CACHE_TTL_MS });
  const forgetUnlessValid = (resolved: Actor | null) => {
    if (resolved === null && cache.get(secretHash)?.actor === actor) cache.delete(secretHash);
  };
  actor.then(forgetUnlessValid, () => forgetUnlessValid(null));
  return actor;
}

/**
 * Which of `authorizations` still authenticate, read from the database (not the cache) in one statement
 * however many there are: the credential sweep's periodic check of every open subscription's key.
 */
export async function stillAuthenticating(db: Database, authorizations: readonly string[]): Promise<Set<string>> {
  const byHash = new Map<string, string[]>();
  for (const authorization of authorizations) {
    const secretHash = secretHashOf(authorization);
    if (secretHash === undefined) continue;
    const same = byHash.get(secretHash);
    if (same) same.push(authorization);
    else byHash.set(secretHash, [authorization]);
  }
  if (byHash.size === 0) return new Set();
  const keys = await db.prisma.apiKey.findMany({ where: { secretHash: { in: [...byHash.keys()] } } });
  return new Set(keys.filter((key) => actorOf(key) !== null).flatMap((key) => byHash.get(key.secretHash) ?? []));
}

/** The key in `Authorization: Bearer <key>`, hashed; undefined when the header holds no well-formed bearer key. */
function secretHashOf(authorization: string | null | undefined): string | undefined {
  const match = BEARER_AUTHORIZATION.exec(authorization?.trim() ?? '');
  return match?.[1] === undefined ? undefined : hashSecret(match[1]);
}

/** A key's last use is written at most this often: a lookup happens at most once per cache lifetime anyway. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Records that `key` authenticated, in the background (key listings show it; a failure costs the caller nothing). */
function noteUse(db: Database, key: Pick<ApiKey, 'id' | 'lastUsedAt'>, now = new Date()): void {
  if (key.lastUsedAt !== null && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  void db.prisma.apiKey
    .updateMany({ where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] }, data: { lastUsedAt: now } })
    .catch(() => undefined);
}

async function lookUpActor(db: Database, secretHash: string): Promise<Actor | null> {
  // Looked up by hash, so the comparison never touches the secret itself (no timing signal on it).
  const key = await db.prisma.apiKey.findUnique({ where: { secretHash } });
  const actor = key ? actorOf(key) : null;
  if (key && actor) noteUse(db, key);
  return actor;
}

export function actorOf(key: Pick<ApiKey, 'id' | 'role' | 'merchantId' | 'revokedAt' | 'expiresAt'>, now = new Date()): Actor | null {
  if (key.revokedAt !== null || (key.expiresAt !== null && key.expiresAt <= now)) return null;
  if (key.role === 'ADMIN') return { role: 'ADMIN', apiKeyId: key.id };
  if (key.merchantId === null) return null;
  switch (key.role) {
    case 'MERCHANT':
    case 'MERCHANT_READ_ONLY':
    case 'PUBLISHABLE':
      return { role: key.role, apiKeyId: key.id, merchantId: key.merchantId };
  }
}

/**
 * Revokes a key (idempotent). Every instance hears of it when it commits (src/db/sql/api-keys.ts): requests
 * with the key fail at once and its open streams end.
 */
export async function revokeApiKey(db: Database, apiKeyId: string): Promise<void> {
  await revokeApiKeyRows(db.sql, [apiKeyId]);
  // Cleared after the commit: a lookup that started earlier (and may have read the key as valid) goes with it.
  forgetRememberedApiKeys(db);
}

/** Forgets every key remembered for `db`: the next request with each is looked up again. */
export function forgetRememberedApiKeys(db: Database): void {
  actorCaches.get(db)?.clear();
}
