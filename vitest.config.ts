import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CJS (main) and ESM (module) builds. Node, and so Pothos and Yoga, load the CJS one;
    // Vite would pick the ESM one for our files, and two graphql instances cannot share a schema.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Prints once what this machine skips (no DATABASE_URL, no Chromium) and how to run it.
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Each file has its own PostgreSQL schema (or its own embedded database), so files run in parallel.
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
