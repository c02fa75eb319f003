import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './process.ts';

/**
 * The console tests need console/dist as built from the sources under test. npm install builds it; a worktree
 * that never ran install, or whose console sources changed since, is built here once per `npm test` (a second).
 */
function newestSource(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function buildConsoleIfStale(): void {
  const built = join(ROOT, 'console/dist/index.html');
  const sources = Math.max(newestSource(join(ROOT, 'console/src')), statSync(join(ROOT, 'console/index.html')).mtimeMs);
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'console/vite.config.ts'], { cwd: ROOT, stdio: 'pipe' });
}
