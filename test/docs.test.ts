import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './support/process.ts';

// The documentation travels with a clone: every relative link in a Markdown file of the repository points at a
// file of the repository (a link to ../shared/DOMAIN.md worked only beside the developers' checkout).

const markdownFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((file) => file !== '' && existsSync(join(ROOT, file)));

/** Targets of inline links and images, without the #anchor; absolute URLs and pure anchors left out. */
function relativeTargets(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((match) => match[1] ?? '')
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
    .map((target) => decodeURIComponent(target.split('#')[0] ?? ''));
}

it('finds the documentation to check', () => {
  expect(markdownFiles).toEqual(expect.arrayContaining(['README.md', 'docs/API.md', 'docs/DOMAIN.md']));
});

it.each(markdownFiles)('%s links only to files inside the repository', (file) => {
  const broken = relativeTargets(readFileSync(join(ROOT, file), 'utf8')).filter((target) => {
    const absolute = resolve(dirname(join(ROOT, file)), target);
    return relative(ROOT, absolute).startsWith('..') || !existsSync(absolute);
  });
  expect(broken).toEqual([]);
});
