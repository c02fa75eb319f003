import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/**
 * Rate limiting, fixed window. By default per API key: RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_SECONDS, keyed
 * by the API key's id (never the secret); other limits pass their own `limit` (refused notifications per client
 * address). With REDIS_URL the counters live in Redis under REDIS_KEY_PREFIX + the limit's name, so the limit
 * holds across instances; without it, in this process.
 *
 * Redis trouble never takes the API down: commands fail fast (no offline queue, a short command timeout)
 * and the limiter falls back to an in-memory limiter of the same size, so each instance still enforces
 * the limit on its own until Redis is back. The change of state is logged once each way and visible as
 * paystream_redis_up{client="ratelimit"}. Any other failure lets the request through (fail open) with a
 * warning: a broken limiter must not refuse paying merchants.
 */

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type RateLimiter = {
  readonly backend: 'off' | 'memory' | 'redis';
  /** Spends one point of `key`'s budget (an API key id, a client address). */
  consume(key: string): Promise<RateLimitDecision>;
  close(): Promise<void>;
};

const REDIS_COMMAND_TIMEOUT_MS = 500;

/** A limit: `requests` per `windowSeconds` (0 requests: off); `name` tells its Redis keys, logs and metrics apart. */
export type Limit = { name: string; requests: number; windowSeconds: number };

export function createRateLimiter(deps: { config: Config; logger: Logger; metrics: Metrics }, limit?: Limit): RateLimiter {
  const { config, metrics } = deps;
  const { name, requests, windowSeconds } = limit ?? { name: 'ratelimit', ...config.rateLimit };
  const { logger } = deps;
  const label = limit === undefined ? 'rate limiter' : `${name} limiter`;
  if (requests === 0) {
    return { backend: 'off', consume: async () => ({ allowed: true }), close: async () => {} };
  }

  const memory = new RateLimiterMemory({ points: requests, duration: windowSeconds });
  let limiter: RateLimiterAbstract = memory;
  let redis: Redis | undefined;
  let limiterClosing: (() => void) | undefined;

  if (config.redisUrl !== undefined) {
    const client = new Redis(config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 2_000,
    });
    redis = client;
    // Logged on each change of state only: ioredis retries (and errors) every couple of seconds while down.
    let state: 'connecting' | 'up' | 'down' = 'connecting';
    client.on('ready', () => {
      if (state !== 'up') logger.info(`${label}: Redis ready, limits shared across instances`);
      state = 'up';
    });
    const down = (reason: string) => {
      if (state !== 'down') logger.warn({ reason }, `${label}: Redis unavailable, limiting per instance until it is back`);
      state = 'down';
    };
    client.on('error', (error: Error) => down(error.message));
    limiterClosing = () => {
      state = 'down'; // a deliberate close is not an outage worth a warning
    };
    client.on('close', () => down('connection closed'));
    metrics.trackRedis(name, () => client.status === 'ready');
    limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${config.redisKeyPrefix}${name}`,
      points: requests,
      duration: windowSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }

  return {
    backend: redis ? 'redis' : 'memory',
    async consume(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
        }
        logger.warn({ err: refusal, key }, `${label} failed; request let through`);
        return { allowed: true };
      }
    },
    async close() {
      limiterClosing?.();
      redis?.disconnect();
    },
  };
}
