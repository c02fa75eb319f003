import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The resident memory of every server a benchmark started, read from /proc just before it is stopped (RSS then,
 * and the peak RSS of its whole life), kept per benchmark in bench/results/server-memory.json: `npm run bench`
 * prints them in BENCHMARKS.md, so the memory a full run leaves behind is on record beside its figures.
 */

export type ServerMemoryReading = { server: string; rssMiB: number; peakRssMiB: number };
export type ServerMemoryLedger = Record<string, { date: string; readings: ServerMemoryReading[] }>;

export const SERVER_MEMORY_FILE = join(import.meta.dirname, '..', 'results', 'server-memory.json');

/** The benchmark this process runs: `bench:read` under npm, else the script's name. */
function benchmarkName(): string {
  const event = process.env['npm_lifecycle_event'];
  if (event?.startsWith('bench:')) return event.slice('bench:'.length);
  return basename(process.argv[1] ?? 'unknown').replace(/\.ts$/, '');
}

/** VmRSS and VmHWM of process `pid` in MiB; undefined when /proc cannot tell (not Linux, already gone). */
function readProcMemory(pid: number): { rssMiB: number; peakRssMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kib('VmRSS');
    const peak = kib('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(peak) ? { rssMiB: rss / 1024, peakRssMiB: peak / 1024 } : undefined;
  } catch {
    return undefined;
  }
}

export function readServerMemoryLedger(): ServerMemoryLedger {
  if (!existsSync(SERVER_MEMORY_FILE)) return {};
  return JSON.parse(readFileSync(SERVER_MEMORY_FILE, 'utf8')) as ServerMemoryLedger;
}

const startedAt = new Date().toISOString();

/** Records server `server` (process `pid`) of this benchmark; a new run of the benchmark replaces its old readings. */
export function recordServerMemory(server: string, pid: number | undefined): void {
  if (pid === undefined) return;
  const memory = readProcMemory(pid);
  if (memory === undefined) return;
  const ledger = readServerMemoryLedger();
  const name = benchmarkName();
  const entry = ledger[name]?.date === startedAt ? ledger[name] : { date: startedAt, readings: [] };
  entry.readings.push({ server, ...memory });
  ledger[name] = entry;
  mkdirSync(join(SERVER_MEMORY_FILE, '..'), { recursive: true });
  writeFileSync(SERVER_MEMORY_FILE, `${JSON.stringify(ledger, null, 2)}\n`);
}
