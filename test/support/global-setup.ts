import { buildConsoleIfStale } from './console-build.ts';
import { browserSkipReason } from './browser.ts';

/**
 * Runs once per `npm test`, before any file: says which tests this machine skips and how to run them, once
 * (the files themselves skip quietly: `describe.skipIf`, describeInBrowser).
 */
export default function announceSkips(): void {
  buildConsoleIfStale();
  const notices: string[] = [];
  if (!process.env['DATABASE_URL']) {
    notices.push(
      'DATABASE_URL is unset: the suite runs on the embedded database, and the PostgreSQL-only tests (several processes on one database, outages, fault drills) are skipped. To run them: DATABASE_URL=postgresql://user@127.0.0.1:5432/db npm test',
    );
  }
  const browser = browserSkipReason();
  if (browser !== undefined) notices.push(browser);
  for (const notice of notices) process.stdout.write(`\nskipped: ${notice}\n`);
}
