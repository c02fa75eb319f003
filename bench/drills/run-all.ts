/**
 * `npm run drills`: every fault drill at full scale, one after the other, each in a process of its own (as
 * `npm run drill:<name>` runs it); prints a summary and exits 1 when any failed. A failing drill does not stop
 * the others.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './lib.ts';

const DRILLS = [
  ['storm', 'storm.ts'],
  ['crash', 'crash.ts'],
  ['db-restart', 'db-restart.ts'],
  ['redis', 'redis-outage.ts'],
] as const;

const outcomes: string[] = [];
for (const [name, file] of DRILLS) {
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, file)], { cwd: REPOSITORY_ROOT, stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  outcomes.push(`${run.status === 0 ? 'PASS' : 'FAIL'} drill:${name} (${seconds} s)`);
}
process.stdout.write(`\nFault drills\n${outcomes.map((line) => `  ${line}`).join('\n')}\n`);
process.exit(outcomes.every((line) => line.startsWith('PASS')) ? 0 : 1);
