// `prisma generate` without network: the CLI insists on locating a schema-engine binary it never uses for
// generation, so point it at a stub executable unless the caller provides a real one.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const dir = join(tmpdir(), 'paystream-prisma-stub');
  mkdirSync(dir, { recursive: true });
  const stub = join(dir, 'schema-engine');
  writeFileSync(stub, '#!/bin/sh\necho "schema-engine stub: use src/db/migrate.ts" >&2\nexit 1\n');
  chmodSync(stub, 0o755);
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
