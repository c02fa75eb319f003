import type { Database } from '../db/client.ts';
import { ValidationFailedError } from './errors.ts';

/**
 * Each merchant's allowed browser origins (#15): the pages that may use its publishable key. An origin is exactly
 * what a browser sends in `Origin`: `scheme://host[:port]`, http(s), lower-case, no path, default port left out.
 * Read through a per-database snapshot of every merchant's list, refreshed every ORIGINS_TTL_MS and at once after a
 * change in this process: the CORS preflight (which carries no key) and WebSocket upgrades ask "any merchant?".
 */

export const MAX_ALLOWED_ORIGINS = 20;
const ORIGINS_TTL_MS = 5_000;

/** `origin` written the one way a browser sends it, or undefined when it is not an http(s) origin. */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin.length > 300 || !URL.canParse(origin)) return undefined;
  const url = new URL(origin);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  if (url.username !== '' || url.password !== '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return undefined;
  if (!/^[a-z]+:\/\/[^/?#]+\/?$/i.test(origin)) return undefined;
  return url.origin;
}

/** Validates and normalises a merchant's new list (duplicates collapse). */
export function validateAllowedOrigins(origins: readonly string[]): string[] {
  if (origins.length > MAX_ALLOWED_ORIGINS) throw new ValidationFailedError([{ path: ['origins'], message: `at most ${MAX_ALLOWED_ORIGINS} origins` }]);
  const normalized = new Set<string>();
  origins.forEach((origin, index) => {
    const valid = normalizeOrigin(origin);
    if (valid === undefined) {
      throw new ValidationFailedError([{ path: ['origins', String(index)], message: 'must be an origin: http(s)://host[:port], no path' }]);
    }
    normalized.add(valid);
  });
  return [...normalized];
}

type Snapshot = { byMerchant: Map<string, Set<string>>; allMerchants: Set<string> };
const snapshots = new WeakMap<Database, Promise<Snapshot>>();
const loadedAt = new WeakMap<Database, number>();

async function load(db: Database): Promise<Snapshot> {
  const rows = await db.prisma.merchant.findMany({ where: { allowedOrigins: { isEmpty: false } }, select: { id: true, allowedOrigins: true } });
  const byMerchant = new Map(rows.map((row) => [row.id, new Set(row.allowedOrigins)]));
  return { byMerchant, allMerchants: new Set(rows.flatMap((row) => row.allowedOrigins)) };
}

function snapshot(db: Database): Promise<Snapshot> {
  const current = snapshots.get(db);
  if (current && Date.now() - (loadedAt.get(db) ?? 0) < ORIGINS_TTL_MS) return current;
  const next = load(db);
  snapshots.set(db, next);
  loadedAt.set(db, Date.now());
  next.catch(() => snapshots.delete(db));
  return next;
}

/** Whether `origin` is one of `merchantId`'s allowed origins. */
export async function merchantAllowsOrigin(db: Database, merchantId: string, origin: string): Promise<boolean> {
  return (await snapshot(db)).byMerchant.get(merchantId)?.has(origin) ?? false;
}

/** Whether some merchant allows `origin` (preflights and WebSocket upgrades carry no key yet). */
export async function someMerchantAllowsOrigin(db: Database, origin: string): Promise<boolean> {
  return (await snapshot(db)).allMerchants.has(origin);
}

/** Replaces the merchant's allowed origins; returns the stored list. */
export async function setAllowedOrigins(db: Database, merchantId: string, origins: readonly string[]): Promise<string[]> {
  const allowed = validateAllowedOrigins(origins);
  const merchant = await db.prisma.merchant.update({ where: { id: merchantId }, data: { allowedOrigins: allowed }, select: { allowedOrigins: true } });
  snapshots.delete(db);
  return merchant.allowedOrigins;
}


/**
 * Whether a request from `origin` (its `Origin` header; null: not from a browser page) may use a key with this role:
 * - no Origin, or the server's own (`host`: GraphiQL): every key;
 * - an origin of CORS_ORIGINS (the operator's allow-list, e.g. an internal dashboard): every key;
 * - any other origin: only a publishable key whose merchant allows it. A secret key in a foreign page is refused:
 *   it must never be in a browser.
 */
export async function originMayUse(
  db: Database,
  request: { origin: string | null; host: string | undefined; corsOrigins: readonly string[] },
  actor: { role: string; merchantId?: string },
): Promise<boolean> {
  const { origin } = request;
  if (origin === null || request.corsOrigins.includes(origin)) return true;
  if (request.host !== undefined && URL.canParse(origin) && new URL(origin).host === request.host) return true;
  if (actor.role !== 'PUBLISHABLE' || actor.merchantId === undefined) return false;
  return merchantAllowsOrigin(db, actor.merchantId, origin);
}
