import { z } from 'zod';
import { integer, nonNegativeInt, optionalString, positiveInt, postgresUrl, type EnvironmentOf } from './parsers.ts';

/** PostgreSQL (or the embedded database), Redis, and how live events reach this instance's subscribers. */
export const storageEnvironment = {
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: integer(1, 200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: optionalString.refine((value) => value === undefined || /^rediss?:\/\//.test(value), 'must be a redis:// URL'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'must be up to 64 characters of A-Z a-z 0-9 : _ . -')
    .default('paystream:'),
  EVENTS_LISTEN: z.enum(['true', 'false']).default('true'),
  EVENTS_POLL_INTERVAL_MS: positiveInt.min(10).max(600_000).default(1_000),
  SUBSCRIPTION_BUFFER_LIMIT: positiveInt.max(100_000).default(1_000),
  SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().min(0).max(600_000).default(12_000),
  STATS_COMPACTION_INTERVAL_SECONDS: nonNegativeInt.max(86_400).default(5),
};

export type StorageConfig = {
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  redisUrl: string | undefined;
  /** Prefix of every Redis key this instance writes (tests and shared Redis servers isolate by it). */
  redisKeyPrefix: string;
  /** Live events: how each instance learns that the event log moved (src/events). */
  events: Readonly<{
    /** LISTEN for commits on a dedicated PostgreSQL session; off behind poolers that cannot LISTEN. */
    listen: boolean;
    /** Fallback tail of the log, so a lost wake-up only delays delivery. */
    pollIntervalMs: number;
  }>;
  subscriptions: Readonly<{
    /** Events queued for one subscriber that is not reading; past it, the subscriber is disconnected. */
    bufferLimit: number;
    /** WebSocket ping interval; a peer that does not answer within it is dropped. 0 disables. */
    keepAliveMs: number;
  }>;
  /** How often each instance folds transactionStats' recorded changes into its hourly figures (one at a time); 0: never. */
  statsCompactionIntervalSeconds: number;
};

export function storageConfig(env: EnvironmentOf<typeof storageEnvironment>): StorageConfig {
  return {
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    dataDir: env.DATA_DIR,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    events: { listen: env.EVENTS_LISTEN === 'true', pollIntervalMs: env.EVENTS_POLL_INTERVAL_MS },
    subscriptions: { bufferLimit: env.SUBSCRIPTION_BUFFER_LIMIT, keepAliveMs: env.SUBSCRIPTION_KEEPALIVE_MS },
    statsCompactionIntervalSeconds: env.STATS_COMPACTION_INTERVAL_SECONDS,
  };
}
