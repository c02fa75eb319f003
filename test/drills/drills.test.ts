import { describe, expect, it } from 'vitest';
import { DRILLS } from '../../bench/drills/drills.ts';
import { failedChecks, formatDrill } from '../../bench/drills/template.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';

// Every fault drill of `npm run drills` (bench/drills/), small: the same checks, fewer notifications. On failure
// the message is what `npm run drill:<name>` prints: each check and the drill's numbers.
describe.skipIf(TEST_DATABASE_URL === undefined)('fault drills, small', () => {
  it.each(DRILLS.map((drill) => [drill.name, drill.summary, drill] as const))(
    '%s: %s',
    async (_name, _summary, drill) => {
      const result = await drill.execute('small');
      expect(failedChecks(result), formatDrill(result)).toEqual([]);
    },
    90_000,
  );
});
