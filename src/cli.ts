import { parseArgs } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { prepareDatabase } from './bootstrap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { createLogger } from './logger.ts';
import { UserError } from './services/errors.ts';
import { createMerchant } from './services/merchants.ts';

/**
 * Operator commands: `npm run cli -- <command> [options]`. Output is JSON on stdout; problems are one
 * line on stderr and a non-zero exit. With the embedded database, stop the server first (PGlite is one
 * process's database).
 */
const USAGE = `usage: npm run cli -- <command>
  merchant:create --name <name>   create a merchant and its first API key (secret shown once)
  db:migrate                      apply pending migrations`;

type Command = (db: Database, options: Record<string, string | undefined>) => Promise<unknown>;

const commands: Record<string, Command> = {
  'merchant:create': async (db, options) => {
    if (options['name'] === undefined) throw new UsageError('merchant:create needs --name "<name>"');
    const { merchant, apiKey, secret } = await createMerchant(db, options['name']);
    return {
      merchant: { id: encodeGlobalID('Merchant', merchant.id), name: merchant.name, createdAt: merchant.createdAt },
      apiKey: { id: apiKey.id, prefix: apiKey.prefix, role: apiKey.role },
      secret,
    };
  },
  'db:migrate': async () => ({ migrated: true }),
};

class UsageError extends Error {}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, date: { type: 'string' }, timeZone: { type: 'string' } },
  });
  const commandName = positionals[0];
  const command = commandName === undefined ? undefined : commands[commandName];
  if (!command) throw new UsageError(commandName === undefined ? USAGE : `unknown command ${commandName}\n${USAGE}`);
  const config = loadConfig();
  // Logs go to stderr so stdout stays machine-readable JSON.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, process.stderr);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await prepareDatabase(config, db, logger);
    const result = await command(db, values);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof UsageError || error instanceof ConfigError || error instanceof UserError;
    process.stderr.write(`${known ? (error as Error).message : `failed: ${error instanceof Error ? error.message : String(error)}`}\n`);
    process.exit(known && error instanceof UsageError ? 2 : 1);
  },
);
