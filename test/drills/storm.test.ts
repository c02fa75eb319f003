import { describe, expect, it } from 'vitest';
import { runDrillStorm } from '../../bench/drills/storm.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';

// The small variant of `npm run drill:storm` (bench/drills/storm.ts): same checks, fewer notifications.
describe.skipIf(TEST_DATABASE_URL === undefined)('fault drill: storm', () => {
  it('a duplicate and out-of-order storm (final states = oracle, legal history, subscriber sees each change once)', async () => {
    const result = await runDrillStorm({ scale: 'small' });
    const failed = Object.entries(result.checks).filter(([, held]) => !held).map(([check]) => check);
    expect({ failed, numbers: result.numbers }).toEqual({ failed: [], numbers: result.numbers });
    expect(result.pass).toBe(true);
  }, 90_000);
});
