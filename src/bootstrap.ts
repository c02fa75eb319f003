import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import type { Logger } from './logger.ts';
import { ensureAdminKey, newSecret } from './services/merchants.ts';

/** Start-up work shared by the server and the CLI: schema up to date, ADMIN key registered. */
export async function prepareDatabase(config: Config, db: Database, logger: Logger): Promise<void> {
  const { applied } = await migrate(db.pool, { log: (message) => logger.info(message) });
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  await bootstrapAdminKey(config, db, logger);
}

/** Where the embedded database's generated ADMIN key is kept. */
export function adminKeyFile(config: Config): string {
  return join(config.dataDir, 'admin-api-key');
}

/**
 * ADMIN_API_KEY wins. Without it, the embedded database gets one key made on first start, kept in DATA_DIR
 * and printed once, so `npm start` on a fresh clone is usable at once. A real PostgreSQL without
 * ADMIN_API_KEY gets none: an operator creates merchants with the CLI.
 */
async function bootstrapAdminKey(config: Config, db: Database, logger: Logger): Promise<void> {
  if (config.adminApiKey !== undefined) {
    await ensureAdminKey(db, config.adminApiKey);
    return;
  }
  if (db.kind !== 'embedded') return;
  const file = adminKeyFile(config);
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (existing) {
    await ensureAdminKey(db, existing);
    logger.info({ file }, 'ADMIN key loaded from DATA_DIR');
    return;
  }
  const secret = newSecret();
  await ensureAdminKey(db, secret);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  // Printed once, on purpose to stdout and not to the logs (which never carry secrets).
  process.stdout.write(`\nADMIN API key (kept in ${file}; shown once):\n  ${secret}\n\n`);
}
