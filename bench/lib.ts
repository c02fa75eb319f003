import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * Shared by every benchmark: each `bench/<name>.ts` measures its figures AND a baseline in the same run,
 * prints them, and writes bench/results/<name>.json, which `npm run bench` gathers into BENCHMARKS.md.
 */

export type BenchRow = {
  /** What was measured, e.g. "createTransaction p50, sequential". */
  figure: string;
  value: number;
  unit: string;
  /** The baseline measured in the same run, e.g. "bare SQL inserts p50". */
  baseline?: string;
  baselineValue?: number;
  /** The target, in words, e.g. "p99 < 50 ms"; with `pass` when it can be judged. */
  target?: string;
  pass?: boolean;
};

export type BenchResult = { name: string; title: string; notes?: string[]; rows: BenchRow[] };

export function percentile(sortedOrNot: readonly number[], p: number): number {
  if (sortedOrNot.length === 0) return Number.NaN;
  const sorted = [...sortedOrNot].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function latencySummary(latenciesMs: readonly number[]): { p50: number; p99: number; mean: number } {
  const mean = latenciesMs.reduce((sum, value) => sum + value, 0) / Math.max(1, latenciesMs.length);
  return { p50: percentile(latenciesMs, 50), p99: percentile(latenciesMs, 99), mean };
}

/** Runs `task` `total` times with at most `concurrency` in flight; returns per-call latencies and wall time. */
export async function runConcurrent(
  total: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<{ latenciesMs: number[]; elapsedMs: number; perSecond: number }> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      const index = next;
      next += 1;
      const begin = performance.now();
      await task(index);
      latenciesMs.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  const elapsedMs = performance.now() - started;
  return { latenciesMs, elapsedMs, perSecond: (total / elapsedMs) * 1000 };
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

export function machineDescription(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function writeBenchResult(result: BenchResult): void {
  const directory = join(import.meta.dirname, 'results');
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `${result.name}.json`), `${JSON.stringify({ ...result, machine: machineDescription(), date: new Date().toISOString() }, null, 2)}\n`);
  console.log(`\n${result.title}`);
  console.table(
    result.rows.map((row) => ({
      figure: row.figure,
      value: `${round(row.value)} ${row.unit}`,
      baseline: row.baseline === undefined ? '' : `${row.baseline}: ${round(row.baselineValue ?? Number.NaN)} ${row.unit}`,
      target: row.target ?? '',
      pass: row.pass === undefined ? '' : row.pass ? 'PASS' : 'FAIL',
    })),
  );
}

/** Idle connections are let go after at most this, or sooner when the server's Keep-Alive hint says so. */
const IDLE_SOCKET_TIMEOUT_MS = 60_000;

/**
 * A keep-alive agent that lets an idle connection go a second before the server's keep-alive timeout: reused just as
 * the server closes it, a request fails with ECONNRESET (bench:stats crashed so). Node 20's agent follows the server's
 * `Keep-Alive: timeout=N` hint only when it has a longer timeout of its own.
 */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, timeout: IDLE_SOCKET_TIMEOUT_MS });
}
