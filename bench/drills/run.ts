/**
 * `npm run drill:<name>`: one fault drill at full scale; prints PASS/FAIL, each check and its numbers; exit code 0/1.
 * `npm run drills`: every drill at full scale, each in a process of its own (as `npm run drill:<name>` runs it),
 * one after the other; a failing drill does not stop the others; a summary, exit 1 if any failed.
 */
import { spawnSync } from 'node:child_process';
import { DEFAULT_BENCH_DATABASE_URL } from '../harness.ts';
import { DRILLS } from './drills.ts';
import { formatDrill } from './template.ts';

const name = process.argv[2];
if (name === undefined) {
  const outcomes: string[] = [];
  for (const drill of DRILLS) {
    const started = performance.now();
    const run = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, drill.name], { stdio: 'inherit' });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    outcomes.push(`${run.status === 0 ? 'PASS' : 'FAIL'} drill:${drill.name} (${seconds} s)`);
  }
  process.stdout.write(`\nFault drills\n${outcomes.map((line) => `  ${line}`).join('\n')}\n`);
  process.exit(outcomes.every((line) => line.startsWith('PASS')) ? 0 : 1);
}

const drill = DRILLS.find((candidate) => candidate.name === name);
if (drill === undefined) {
  process.stderr.write(`unknown drill ${name}; one of: ${DRILLS.map((candidate) => candidate.name).join(', ')}\n`);
  process.exit(2);
}
process.env['DATABASE_URL'] ||= DEFAULT_BENCH_DATABASE_URL;
try {
  const result = await drill.execute('full');
  process.stdout.write(`\n${formatDrill(result)}\n`);
  process.exit(result.pass ? 0 : 1);
} catch (error) {
  process.stdout.write(`\nFAIL drill:${name} (aborted): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}
