import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { readServerMemoryLedger, SERVER_MEMORY_FILE } from './support/server-memory.ts';
import { machineDescription, round, type BenchResult, type BenchRow } from './lib.ts';

/**
 * `npm run bench [-- name...]`: runs every `bench:<name>` script of package.json (or the named ones), one after
 * the other, each in its own process group with a time limit, then gathers bench/results/*.json into
 * BENCHMARKS.md. A benchmark that fails or times out is reported there and does not stop the others; the runner
 * exits non-zero at the end when one did. A missed target is a result, not a failure.
 */

const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(import.meta.dirname, 'results');
const OUTPUT = join(ROOT, 'BENCHMARKS.md');
const TIME_LIMIT_SECONDS = Number(process.env['BENCH_TIME_LIMIT_SECONDS'] ?? 300);
/** Benchmarks that run longer by design: bench:soak's judged run is 10 minutes of load (#19.5), plus its set-up. */
const LONGER_LIMITS_SECONDS: Readonly<Record<string, number>> = { soak: 15 * 60 };
const KILL_GRACE_MS = 10_000;

type Outcome = { name: string; status: 'ok' | 'failed' | 'timed out' | 'unknown'; detail?: string; seconds?: number };
type StoredResult = BenchResult & { machine?: string; date?: string };

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
const available = Object.keys(packageJson.scripts ?? {})
  .filter((script) => script.startsWith('bench:'))
  .map((script) => script.slice('bench:'.length));
const requested = process.argv.slice(2).map((name) => name.replace(/^bench:/, ''));
const selected = requested.length > 0 ? requested : available;

const startedAt = new Date();
const loadAtStart = loadavg();
const outcomes: Outcome[] = [];
let running: { pid: number } | undefined;

// Ctrl-C stops the benchmark in progress too (it runs in a process group of its own).
process.on('SIGINT', () => {
  if (running) killGroup(running.pid, 'SIGKILL');
  process.exit(130);
});

for (const name of selected) {
  if (!available.includes(name)) {
    console.error(`\nbench: no script bench:${name} in package.json (have: ${available.join(', ')})`);
    outcomes.push({ name, status: 'unknown', detail: `no script bench:${name}` });
    continue;
  }
  outcomes.push(await runBenchmark(name));
}

const results = readResults();
const previousSections = readPreviousSections();
writeFileSync(OUTPUT, renderMarkdown(results));
console.log(`\nbench: wrote ${OUTPUT}`);
for (const outcome of outcomes) {
  console.log(`  ${outcome.name.padEnd(16)} ${outcome.status}${outcome.seconds !== undefined ? ` (${round(outcome.seconds, 0)} s)` : ''}${outcome.detail ? `: ${outcome.detail}` : ''}`);
}
process.exit(outcomes.every((outcome) => outcome.status === 'ok') ? 0 : 1);

async function runBenchmark(name: string): Promise<Outcome> {
  // A stale result must never pass for this run's: it is removed first and only a new one counts.
  const resultFile = join(RESULTS, `${name}.json`);
  rmSync(resultFile, { force: true });
  const limitSeconds = Math.max(TIME_LIMIT_SECONDS, LONGER_LIMITS_SECONDS[name] ?? 0);
  console.log(`\nbench: running bench:${name} (time limit ${limitSeconds} s)`);
  const began = performance.now();
  const child = spawn('npm', ['run', '--silent', `bench:${name}`], { cwd: ROOT, stdio: 'inherit', detached: true });
  if (child.pid === undefined) return { name, status: 'failed', detail: 'could not start npm' };
  const pid = child.pid;
  running = { pid };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    console.error(`\nbench: bench:${name} exceeded ${limitSeconds} s; stopping it`);
    killGroup(pid, 'SIGTERM');
    setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS).unref();
  }, limitSeconds * 1000);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  running = undefined;
  // Whatever the benchmark left behind in its group (a server it failed to stop) goes too.
  killGroup(pid, 'SIGKILL');
  const seconds = (performance.now() - began) / 1000;
  if (timedOut) {
    rmSync(resultFile, { force: true });
    return { name, status: 'timed out', detail: `stopped after ${limitSeconds} s`, seconds };
  }
  if (exit.error) return { name, status: 'failed', detail: exit.error.message, seconds };
  if (exit.code !== 0) {
    rmSync(resultFile, { force: true });
    return { name, status: 'failed', detail: exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`, seconds };
  }
  if (!existsSync(resultFile)) return { name, status: 'failed', detail: `wrote no bench/results/${name}.json`, seconds };
  return { name, status: 'ok', seconds };
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function readResults(): Map<string, StoredResult> {
  const results = new Map<string, StoredResult>();
  if (!existsSync(RESULTS)) return results;
  for (const file of readdirSync(RESULTS).filter((entry) => entry.endsWith('.json') && entry !== basename(SERVER_MEMORY_FILE)).sort()) {
    const name = file.slice(0, -'.json'.length);
    try {
      const parsed = JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) as StoredResult;
      if (typeof parsed.title !== 'string' || !Array.isArray(parsed.rows)) throw new Error('not a BenchResult');
      results.set(name, parsed);
    } catch (error) {
      outcomes.push({ name, status: 'failed', detail: `bench/results/${file} is unreadable: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
  return results;
}

/** BENCHMARKS.md's sections by benchmark name, so a run of some benchmarks keeps the others' last figures. */
function readPreviousSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(OUTPUT)) return sections;
  for (const section of readFileSync(OUTPUT, 'utf8').split(/\n(?=## )/).slice(1)) {
    const name = /^## ([^:]+):/.exec(section)?.[1];
    if (name !== undefined) sections.set(name, section.trimEnd());
  }
  return sections;
}

function renderMarkdown(results: Map<string, StoredResult>): string {
  const names = [...new Set([...available, ...results.keys(), ...outcomes.map((outcome) => outcome.name)])];
  const lines: string[] = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${requested.length > 0 ? ` -- ${requested.join(' ')}` : ''}\` on ${formatDate(startedAt)} on ${machineDescription()};`,
    `load average at start ${loadAtStart.map((value) => value.toFixed(2)).join(' / ')} (1 / 5 / 15 min).`,
    '',
    'Each figure is measured beside its baseline in the same run; ratio = figure ÷ baseline (for throughput higher is',
    'better, for latency lower is better). On a shared machine absolute numbers drift from run to run: compare ratios.',
    'Reproduce with `npm run bench` (all) or `npm run bench -- <name>...`; each benchmark is also `npm run bench:<name>`.',
    '',
    '| benchmark | this run | targets met |',
    '|---|---|---|',
  ];
  for (const name of names) {
    const outcome = outcomes.find((candidate) => candidate.name === name);
    const result = results.get(name);
    const ran = outcome
      ? `${outcome.status}${outcome.seconds !== undefined ? ` in ${round(outcome.seconds, 0)} s` : ''}${outcome.detail ? ` (${outcome.detail})` : ''}`
      : result
        ? `not run (result of ${result.date ? formatDate(new Date(result.date)) : 'an earlier run'})`
        : previousSections.has(name)
          ? 'not run (section kept from the previous BENCHMARKS.md)'
          : 'not run, no result';
    const kept = result === undefined ? previousSections.get(name) : undefined;
    const judged = result?.rows.filter((row) => row.pass !== undefined) ?? [];
    const passed = kept === undefined ? judged.filter((row) => row.pass).length : (kept.match(/\*\*PASS\*\*/g) ?? []).length;
    const total = kept === undefined ? judged.length : passed + (kept.match(/\*\*FAIL\*\*/g) ?? []).length;
    const targets = total === 0 ? '–' : `${passed} of ${total}`;
    lines.push(`| ${cell(name)} | ${cell(ran)} | ${targets} |`);
  }
  lines.push(...renderServerMemory());
  for (const name of names) {
    const result = results.get(name);
    if (!result) {
      const kept = previousSections.get(name);
      if (kept !== undefined) lines.push('', kept);
      continue;
    }
    lines.push('', `## ${cell(name)}: ${result.title}`, '');
    const measured = [result.date ? `Measured ${formatDate(new Date(result.date))}` : undefined, result.machine ? `on ${result.machine}` : undefined]
      .filter((part) => part !== undefined)
      .join(' ');
    if (measured !== '') lines.push(`${measured}.`, '');
    for (const note of result.notes ?? []) lines.push(`- ${note}`);
    if ((result.notes ?? []).length > 0) lines.push('');
    lines.push('| figure | value | baseline (same run) | baseline value | ratio | target | result |', '|---|---:|---|---:|---:|---|---|');
    for (const row of result.rows) lines.push(renderRow(row));
  }
  return `${lines.join('\n')}\n`;
}

/** Each benchmark's servers' memory as they were stopped (bench/support/server-memory.ts). */
function renderServerMemory(): string[] {
  const ledger = readServerMemoryLedger();
  const names = Object.keys(ledger).sort();
  if (names.length === 0) return [];
  const lines = [
    '',
    '## Server memory at the end of each benchmark',
    '',
    'Read from /proc as each server was stopped: RSS then, and the highest RSS of its life. Servers started in a process',
    'of their own unless the name says otherwise; bare and sql-page are the baselines.',
    '',
    '| benchmark | server | RSS at the end | peak RSS | measured |',
    '|---|---|---:|---:|---|',
  ];
  for (const name of names) {
    const entry = ledger[name];
    for (const reading of entry?.readings ?? []) {
      lines.push(`| ${cell(name)} | ${cell(reading.server)} | ${formatNumber(reading.rssMiB)} MiB | ${formatNumber(reading.peakRssMiB)} MiB | ${entry ? formatDate(new Date(entry.date)) : ''} |`);
    }
  }
  return lines;
}

function renderRow(row: BenchRow): string {
  const hasBaseline = row.baselineValue !== undefined && Number.isFinite(row.baselineValue);
  const ratio = hasBaseline && row.baselineValue !== 0 ? `${formatNumber(row.value / (row.baselineValue ?? 1))}×` : '–';
  const verdict = row.pass === undefined ? '–' : row.pass ? '**PASS**' : '**FAIL**';
  return [
    '',
    cell(row.figure),
    `${formatNumber(row.value)} ${cell(row.unit)}`,
    cell(row.baseline ?? '–'),
    hasBaseline ? `${formatNumber(row.baselineValue ?? Number.NaN)} ${cell(row.unit)}` : '–',
    ratio,
    cell(row.target ?? '–'),
    verdict,
    '',
  ].join(' | ').trim();
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return round(value, digits).toLocaleString('en-US', { maximumFractionDigits: digits });
}

function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
