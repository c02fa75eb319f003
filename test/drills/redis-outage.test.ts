import { describe, expect, it } from 'vitest';
import { runDrillRedisOutage } from '../../bench/drills/redis-outage.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';

// The small variant of `npm run drill:redis` (bench/drills/redis-outage.ts): same checks, fewer notifications.
describe.skipIf(TEST_DATABASE_URL === undefined)('fault drill: redis-outage', () => {
  it('Redis cut with REDIS_URL set (local delivery continues, visible in readyz and metrics, fan-out recovers)', async () => {
    const result = await runDrillRedisOutage({ scale: 'small' });
    const failed = Object.entries(result.checks).filter(([, held]) => !held).map(([check]) => check);
    expect({ failed, numbers: result.numbers }).toEqual({ failed: [], numbers: result.numbers });
    expect(result.pass).toBe(true);
  }, 90_000);
});
