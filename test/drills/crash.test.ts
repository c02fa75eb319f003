import { describe, expect, it } from 'vitest';
import { runDrillCrash } from '../../bench/drills/crash.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';

// The small variant of `npm run drill:crash` (bench/drills/crash.ts): same checks, fewer notifications.
describe.skipIf(TEST_DATABASE_URL === undefined)('fault drill: crash', () => {
  it('SIGKILL mid-ingestion, restart, resend the unacknowledged (each acknowledged one applied once, subscriber resumes)', async () => {
    const result = await runDrillCrash({ scale: 'small' });
    const failed = Object.entries(result.checks).filter(([, held]) => !held).map(([check]) => check);
    expect({ failed, numbers: result.numbers }).toEqual({ failed: [], numbers: result.numbers });
    expect(result.pass).toBe(true);
  }, 90_000);
});
