import { hash, timingSafeEqual } from 'node:crypto';
import type { Database } from '../db/client.ts';
import { uuidv7 } from '../db/session.ts';
import type { ClientSecretRow } from '../db/sql/transaction-creation.ts';
import { isUuid } from '../domain/ids.ts';
import { randomToken } from '../domain/random.ts';

/**
 * Per-transaction client secrets (#15): createTransaction hands one out with the transaction; with the merchant's
 * publishable key it reads that one transaction's consumer-safe fields and follows its status, nothing else.
 *
 * `pcs_<transaction id, 32 hex>_<32 random bytes, base64url>`: the id says which transaction's secrets to compare
 * with, so one indexed read finds the few candidates; the comparison is of SHA-256 digests, in constant time. Only
 * the digest is stored. A secret expires CLIENT_SECRET_TTL_HOURS after it was issued.
 */

export const CLIENT_SECRET_TTL_HOURS = 24;
const FORMAT = /^pcs_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

function digest(secret: string): Buffer {
  return hash('sha256', secret, 'buffer');
}

/**
 * A new client secret for the transaction `transactionId` and the row that stores its digest (each createTransaction
 * answer, replays included, gets its own): written in the same statement as the transaction (src/db/sql/transactions.ts).
 */
export function newClientSecret(transactionId: string, now = new Date()): { secret: string; row: ClientSecretRow } {
  const secret = `pcs_${transactionId.replaceAll('-', '')}_${randomToken(32)}`;
  return {
    secret,
    row: { id: uuidv7(now.getTime()), secretHash: digest(secret).toString('hex'), expiresAt: new Date(now.getTime() + CLIENT_SECRET_TTL_HOURS * 3_600_000) },
  };
}

/**
 * The transaction `secret` opens for `merchantId`'s publishable key; undefined when it opens nothing: malformed,
 * unknown, expired, another transaction's or another merchant's (the caller answers all of them the same way).
 */
export async function transactionOfClientSecret(db: Database, merchantId: string, secret: unknown, now = new Date()): Promise<string | undefined> {
  if (typeof secret !== 'string') return undefined;
  const match = FORMAT.exec(secret);
  const hex = match?.[1];
  if (hex === undefined) return undefined;
  const transactionId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  if (!isUuid(transactionId)) return undefined;
  const candidates = await db.prisma.clientSecret.findMany({
    where: { transactionId, merchantId, expiresAt: { gt: now } },
    select: { secretHash: true },
  });
  const offered = digest(secret);
  // Every candidate is compared (no early exit), each in constant time.
  let opens = false;
  for (const candidate of candidates) {
    const stored = Buffer.from(candidate.secretHash, 'hex');
    if (stored.length === offered.length && timingSafeEqual(stored, offered)) opens = true;
  }
  return opens ? transactionId : undefined;
}
