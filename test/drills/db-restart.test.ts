import { describe, expect, it } from 'vitest';
import { runDrillDbRestart } from '../../bench/drills/db-restart.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';

// The small variant of `npm run drill:db-restart` (bench/drills/db-restart.ts): same checks, fewer notifications.
describe.skipIf(TEST_DATABASE_URL === undefined)('fault drill: db-restart', () => {
  it('PostgreSQL cut mid-load (503 while down, never 200 without a commit, same process recovers)', async () => {
    const result = await runDrillDbRestart({ scale: 'small' });
    const failed = Object.entries(result.checks).filter(([, held]) => !held).map(([check]) => check);
    expect({ failed, numbers: result.numbers }).toEqual({ failed: [], numbers: result.numbers });
    expect(result.pass).toBe(true);
  }, 90_000);
});
