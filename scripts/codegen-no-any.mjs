// Codegen's client preset writes two `any`s into its output; the project allows none, so they become `unknown`.
// Run by codegen.ts' afterOneFileWrite hook with the written file's path.
import { readFileSync, writeFileSync } from 'node:fs';

for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, 'utf8');
  const typed = text
    .replaceAll('Record<string, any>', 'Record<string, unknown>')
    .replaceAll('(documents as any)[source]', '(documents as Record<string, unknown>)[source]');
  if (typed !== text) writeFileSync(file, typed);
}
