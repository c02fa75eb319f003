import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { prismaSession } from '../db/session.ts';
import { compareHourlyStats, foldStatsChanges, rebuildHourlyStats, tryStatsLock, type HourlyDifference } from '../db/sql/stats-hourly.ts';
import type { Logger } from '../logger.ts';
import { startPeriodicRunner, type PeriodicRunner } from './periodic-runner.ts';

export type { HourlyDifference };

/**
 * transactionStats' hourly figures (docs/STATS.md, "How it is computed"): per merchant, UTC hour of creation,
 * currency and current status, the transactions, their money, and their refunds. Every change the transition
 * service writes records what it does to them in the same database transaction, as a row of its own that is only
 * ever inserted (so concurrent changes never queue on a shared counter); the compaction here folds those rows into
 * the figures, one instance at a time. A one-merchant series reads figures plus unfolded changes: exact whenever
 * it runs, however far the compaction lags.
 */

const DEFAULT_BATCH_SIZE = 10_000;
/** Bounds one round, so a backlog is worked off over several rounds. */
const DEFAULT_MAX_BATCHES = 20;

export type CompactionResult = Readonly<{
  /** Changes folded into the figures. */
  folded: number;
  /** False when another instance held the lock, so this call did nothing. */
  acquired: boolean;
}>;

/** Folds the recorded changes into the hourly figures, in batches of one database transaction each. */
export async function compactStats(db: Database, options: { batchSize?: number; maxBatches?: number } = {}): Promise<CompactionResult> {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxBatches = options.maxBatches ?? DEFAULT_MAX_BATCHES;
  let folded = 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const outcome = await db.prisma.$transaction(async (tx) => {
      const session = prismaSession(tx);
      if (!(await tryStatsLock(session))) return 'locked';
      return foldStatsChanges(session, batchSize);
    });
    if (outcome === 'locked') return { folded, acquired: false };
    folded += outcome;
    if (outcome < batchSize) break;
  }
  return { folded, acquired: true };
}

/**
 * Rebuilds the hourly figures from the transactions: the backfill for rows written without the transition service
 * (bulk loads), and a repair. Safe beside live traffic (one snapshot: a change committed meanwhile counts once).
 * False when a compaction held the lock: try again.
 */
export async function rebuildStats(db: Database): Promise<boolean> {
  return db.prisma.$transaction(
    async (tx) => {
      const session = prismaSession(tx);
      if (!(await tryStatsLock(session))) return false;
      await rebuildHourlyStats(session);
      return true;
    },
    { isolationLevel: 'RepeatableRead', timeout: 600_000 },
  );
}

/**
 * The figures as recorded compared with the figures counted from the transactions now, key by key: `differing` is
 * empty when nothing was lost or doubled (at most `limit` differences are listed).
 */
export async function checkStats(db: Database, limit = 20): Promise<{ keys: number; differing: HourlyDifference[] }> {
  return compareHourlyStats(db.sql, limit);
}

export type StatsCompaction = PeriodicRunner<CompactionResult>;

/**
 * Every `config.statsCompactionIntervalSeconds`, folds the recorded changes. Each instance has one; the advisory
 * lock lets one of them work at a time. Undefined when disabled (0): the figures stay exact, reads only get slower
 * as changes pile up.
 */
export function startStatsCompaction(deps: { db: Database; config: Config; logger: Logger }): StatsCompaction | undefined {
  const { db, config, logger } = deps;
  const intervalMs = config.statsCompactionIntervalSeconds * 1000;
  if (intervalMs <= 0) return undefined;
  return startPeriodicRunner({
    intervalMs,
    round: () => compactStats(db),
    afterRound: (result) => {
      if (result.folded > 0) logger.debug({ folded: result.folded }, 'folded transactionStats changes');
    },
    onError: (error) => logger.error({ err: error }, 'transactionStats compaction failed'),
  });
}
