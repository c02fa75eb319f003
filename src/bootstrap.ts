import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import type { Logger } from './logger.ts';
import { registerBootstrapAdminKey, RevokedBootstrapKeyError } from './services/credentials.ts';
import { newSecret } from './services/merchants.ts';

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
 * ADMIN_API_KEY wins. Without it, the embedded database gets one key made on first start and kept in DATA_DIR
 * (0600), so `npm start` on a fresh clone is usable at once; a real PostgreSQL without ADMIN_API_KEY gets none (an
 * operator creates merchants with the CLI). One start-up key at a time: registering one revokes the previous one
 * (rotation). A revoked ADMIN_API_KEY stops the start; a revoked generated key is replaced by a new one.
 */
async function bootstrapAdminKey(config: Config, db: Database, logger: Logger): Promise<void> {
  if (config.adminApiKey !== undefined) {
    const outcome = await registerBootstrapAdminKey(db, config.adminApiKey);
    if (outcome.kind === 'revoked') throw new RevokedBootstrapKeyError('ADMIN_API_KEY has been revoked (rotated or key:revoke): set a new secret');
    return;
  }
  if (db.kind !== 'embedded') return;
  const file = adminKeyFile(config);
  const existing = await readFile(file, 'utf8').then(
    (text) => text.trim(),
    () => undefined,
  );
  if (existing) {
    const outcome = await registerBootstrapAdminKey(db, existing);
    if (outcome.kind === 'current') {
      logger.info({ file }, 'ADMIN key loaded from DATA_DIR');
      return;
    }
    logger.warn({ file }, 'the ADMIN key in DATA_DIR has been revoked: replacing it with a new one');
  }
  const secret = newSecret();
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  await registerBootstrapAdminKey(db, secret);
  // Never printed: stdout carries the JSON logs, and log streams never carry secrets. The file is the one place.
  logger.info({ file }, 'ADMIN key generated: read it from the file (readable by this user only)');
}
