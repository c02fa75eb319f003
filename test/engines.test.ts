import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { expect, it } from 'vitest';
import { ROOT } from './support/process.ts';

// package.json `engines` is the truth: every installed package supports every Node it admits, so `npm install`
// prints no EBADENGINE warning there (a dependency bump that pulls a Node 22-only package fails here; pin or
// override it as package.json's `overrides` do).

type Lock = { packages: Record<string, { version?: string; optional?: boolean; engines?: { node?: string } | string[] }> };

const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as Lock;

it('admits the Node this runs on', () => {
  expect(semver.satisfies(process.version, manifest.engines.node)).toBe(true);
});

it('admits only Node versions every installed package supports', () => {
  const refusing: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    const wanted = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
    // Optional packages are other platforms' binaries (wasm, other CPUs): npm skips them instead of warning.
    if (path === '' || wanted === undefined || entry.optional === true) continue;
    if (!semver.subset(manifest.engines.node, wanted)) refusing.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version ?? '?'} wants node ${wanted}`);
  }
  expect(refusing).toEqual([]);
});
