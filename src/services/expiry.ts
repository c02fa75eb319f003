import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { prismaSession } from '../db/session.ts';
import { lockExpiryCandidates, tryExpiryLock } from '../db/sql/transactions.ts';
import type { Logger } from '../logger.ts';
import { startPeriodicRunner, type PeriodicRunner } from './periodic-runner.ts';
import { purgeExpiredIdempotencyRecords } from './transactions.ts';
import { applyTransition } from './transitions.ts';

/**
 * Expiry: Alipay closes an unpaid trade after its timeout (12 hours by default), so a transaction still
 * REDIRECTED after that will never be paid. It moves to REJECTED with statusReason EXPIRED and source
 * SYSTEM, through the transition service like any other change (row lock, state machine, event row,
 * pg_notify), so it is in the history and streamed to subscribers. A capture arriving later meets a
 * REJECTED transaction: the state machine calls that illegal, and ingestion records it as an anomaly,
 * exactly like a capture after a cancel.
 *
 * One runner at a time: each batch is one database transaction that first takes a transaction-scoped
 * advisory lock (per schema) with pg_try_advisory_xact_lock; an instance that does not get it skips this
 * round. Everything happens on that one connection, so the embedded database's single-connection pool
 * never waits on itself. Candidates are also locked FOR UPDATE SKIP LOCKED, and the transition re-checks
 * the status under the row lock, so even without the advisory lock nothing could be expired twice or
 * override a capture that won the race.
 */

export const EXPIRED_REASON = 'EXPIRED';
const DEFAULT_BATCH_SIZE = 100;
/** Bounds one round, so a huge backlog is worked off over several rounds instead of one long one. */
const DEFAULT_MAX_BATCHES = 50;

export type ExpiryOptions = {
  /** REDIRECTED for longer than this (since the redirect: its updatedAt) is expired. */
  olderThanMinutes: number;
  now?: Date;
  batchSize?: number;
  maxBatches?: number;
};

export type ExpiryResult = {
  /** Ids of the transactions this call moved to REJECTED/EXPIRED. */
  expired: string[];
  /** False when another runner held the lock, so this call stopped early. */
  acquired: boolean;
};

export async function expireStuckTransactions(db: Database, options: ExpiryOptions): Promise<ExpiryResult> {
  const now = options.now ?? new Date();
  const cutoff = new Date(now.getTime() - options.olderThanMinutes * 60_000);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxBatches = options.maxBatches ?? DEFAULT_MAX_BATCHES;
  const expired: string[] = [];
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const outcome = await expireBatch(db, cutoff, batchSize);
    if (outcome === 'locked') return { expired, acquired: false };
    expired.push(...outcome.expired);
    if (outcome.candidates < batchSize) break;
  }
  return { expired, acquired: true };
}

async function expireBatch(db: Database, cutoff: Date, batchSize: number): Promise<'locked' | { expired: string[]; candidates: number }> {
  return db.prisma.$transaction(async (tx) => {
    const session = prismaSession(tx);
    if (!(await tryExpiryLock(session))) return 'locked';
    const candidates = await lockExpiryCandidates(session, cutoff, batchSize);
    const expired: string[] = [];
    for (const id of candidates) {
      const outcome = await applyTransition(tx, { transactionId: id, target: 'REJECTED', source: 'SYSTEM', reason: EXPIRED_REASON });
      if (outcome.kind === 'applied') expired.push(id);
    }
    return { expired, candidates: candidates.length };
  });
}

export type ExpiryRunner = PeriodicRunner<ExpiryResult>;

/**
 * Every `config.expiry.intervalSeconds` (the first round one interval after start), runs a round. Each
 * instance has one; the advisory lock lets only one of them work at a time. Undefined when disabled (0).
 */
export function startExpiryRunner(deps: { db: Database; config: Config; logger: Logger }): ExpiryRunner | undefined {
  const { db, config, logger } = deps;
  const intervalMs = config.expiry.intervalSeconds * 1000;
  if (intervalMs <= 0) return undefined;
  return startPeriodicRunner({
    intervalMs,
    round: () => expireStuckTransactions(db, { olderThanMinutes: config.expiry.tradeTimeoutMinutes }),
    afterRound: async (result) => {
      if (result.expired.length > 0) logger.info({ expired: result.expired.length }, 'expired stuck REDIRECTED transactions');
      // Housekeeping on the same beat: idempotency keys past their retention (lookups already ignore them).
      const purged = await purgeExpiredIdempotencyRecords(db);
      if (purged > 0) logger.debug({ purged }, 'purged expired idempotency keys');
    },
    onError: (error) => logger.error({ err: error }, 'expiry round failed'),
  });
}
