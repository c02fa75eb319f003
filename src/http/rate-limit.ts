import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/**
 * Per-API-key rate limiting: RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_SECONDS (fixed window), keyed by
 * the API key's id (never the secret). With REDIS_URL the counters live in Redis under REDIS_KEY_PREFIX,
 * so the limit holds across instances; without it, in this process.
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
  consume(apiKeyId: string): Promise<RateLimitDecision>;
  close(): Promise<void>;
};

const REDIS_COMMAND_TIMEOUT_MS = 500;

export function createRateLimiter(deps: { config: Config; logger: Logger; metrics: Metrics }): RateLimiter {
  const { config, logger, metrics } = deps;
  const { requests, windowSeconds } = config.rateLimit;
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
      if (state !== 'up') logger.info('rate limiter: Redis ready, limits shared across instances');
      state = 'up';
    });
    const down = (reason: string) => {
      if (state !== 'down') logger.warn({ reason }, 'rate limiter: Redis unavailable, limiting per instance until it is back');
      state = 'down';
    };
    client.on('error', (error: Error) => down(error.message));
    limiterClosing = () => {
      state = 'down'; // a deliberate close is not an outage worth a warning
    };
    client.on('close', () => down('connection closed'));
    metrics.trackRedis('ratelimit', () => client.status === 'ready');
    limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${config.redisKeyPrefix}ratelimit`,
      points: requests,
      duration: windowSeconds,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }

  return {
    backend: redis ? 'redis' : 'memory',
    async consume(apiKeyId) {
      try {
        await limiter.consume(apiKeyId);
        return { allowed: true };
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) {
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
        }
        logger.warn({ err: refusal, apiKeyId }, 'rate limiter failed; request let through');
        return { allowed: true };
      }
    },
    async close() {
      limiterClosing?.();
      redis?.disconnect();
    },
  };
}
