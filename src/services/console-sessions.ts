import { createHash } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { randomToken } from '../domain/random.ts';
import { actorOf, authenticate, PUBLISHABLE_PREFIX, type Actor } from './merchants.ts';

/**
 * Console sessions (docs/CONSOLE.md): an API key exchanged once for a random token that a browser keeps in an
 * httpOnly cookie, so the key itself never sits in the page (no localStorage, no URL). A session acts as the key
 * it was made from: revoking the key ends it at once, and it ends by itself after CONSOLE_SESSION_TTL_MS or when
 * signed out. Only the token's SHA-256 is stored (256 random bits: nothing to brute-force).
 */

/** Absolute lifetime of a session: a working day; the console signs in again after it. */
export const CONSOLE_SESSION_TTL_MS = 8 * 60 * 60 * 1000;

export type ConsoleSession = { token: string; actor: Actor; expiresAt: Date };

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Well-formed tokens only reach the database: 32 random bytes, base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Why a key cannot sign in whatever its state: a publishable key (`pk_…`) is public, shipped in merchants' pages,
 * so it must never open a session (it is refused by its form, before any lookup: nothing is said about whether
 * it exists).
 */
export type SignInRefusal = { refused: 'PUBLISHABLE_KEY' };

/**
 * Exchanges an API key for a session; null when the key does not authenticate (unknown, malformed, revoked), a
 * refusal for a key that never may.
 */
export async function signIn(db: Database, apiKey: string, now = new Date()): Promise<ConsoleSession | SignInRefusal | null> {
  if (apiKey.startsWith(PUBLISHABLE_PREFIX)) return { refused: 'PUBLISHABLE_KEY' };
  const actor = await authenticate(db, `Bearer ${apiKey}`);
  if (!actor) return null;
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + CONSOLE_SESSION_TTL_MS);
  // Sign-ins are rare: they also clear the sessions that expired since the last one.
  await db.prisma.consoleSession.deleteMany({ where: { expiresAt: { lte: now } } });
  await db.prisma.consoleSession.create({ data: { tokenHash: hashToken(token), apiKeyId: actor.apiKeyId, expiresAt } });
  return { token, actor, expiresAt };
}

/** The session of `token` with its actor, or null when it is unknown, expired, signed out or its key revoked. */
export async function sessionOf(db: Database, token: string, now = new Date()): Promise<{ actor: Actor; expiresAt: Date } | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const session = await db.prisma.consoleSession.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!session || session.expiresAt <= now) return null;
  const key = await db.prisma.apiKey.findUnique({ where: { id: session.apiKeyId } });
  const actor = key ? actorOf(key) : null;
  return actor ? { actor, expiresAt: session.expiresAt } : null;
}

/** Which of `tokens` still open a session, in two statements however many: the credential sweep's check. */
export async function liveSessions(db: Database, tokens: readonly string[], now = new Date()): Promise<Set<string>> {
  const byHash = new Map(tokens.filter((token) => TOKEN_PATTERN.test(token)).map((token) => [hashToken(token), token]));
  if (byHash.size === 0) return new Set();
  const sessions = await db.prisma.consoleSession.findMany({ where: { tokenHash: { in: [...byHash.keys()] }, expiresAt: { gt: now } } });
  const keys = await db.prisma.apiKey.findMany({ where: { id: { in: sessions.map((session) => session.apiKeyId) } } });
  const liveKeys = new Set(keys.filter((key) => actorOf(key) !== null).map((key) => key.id));
  return new Set(sessions.filter((session) => liveKeys.has(session.apiKeyId)).flatMap((session) => byHash.get(session.tokenHash) ?? []));
}

/** Ends the session of `token` (signing out twice, or with an unknown token, changes nothing). */
export async function signOut(db: Database, token: string): Promise<void> {
  if (!TOKEN_PATTERN.test(token)) return;
  await db.prisma.consoleSession.deleteMany({ where: { tokenHash: hashToken(token) } });
}
