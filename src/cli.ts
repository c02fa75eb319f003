import { parseArgs } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { prepareDatabase } from './bootstrap.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type Database } from './db/client.ts';
import { parseGlobalId } from './graphql/ids.ts';
import { createLogger, logDestination } from './logger.ts';
import { UserError } from './services/errors.ts';
import { listApiKeys, revokeApiKeyByReference } from './services/credentials.ts';
import { expireStuckTransactions } from './services/expiry.ts';
import { createMerchant } from './services/merchants.ts';
import { DEFAULT_TIME_ZONE, merchantBreakdown, resolveReportDay } from './services/reports.ts';
import { dailyReportCsv } from './services/daily-report-csv.ts';
import { MAX_STATS_CSV_ROWS, statsRequestFromText, transactionStatsCsv } from './services/stats-csv.ts';
import { transactionStats } from './services/stats.ts';
import { checkStats, rebuildStats } from './services/stats-hourly.ts';

/**
 * Operator commands: `npm run cli -- <command> [options]`. Output is JSON on stdout (CSV for reports);
 * problems are one line on stderr and a non-zero exit. Commands act with ADMIN rights. With the embedded
 * database, stop the server first (PGlite is one process's database).
 */
const USAGE = `usage: npm run cli -- <command>
  merchant:create --name <name>   create a merchant and its first API key (secret shown once)
  report:daily --date YYYY-MM-DD [--timeZone <IANA zone>] [--merchant <merchant id>]
                                  the daily report as CSV (all merchants unless --merchant), as GET /reports/daily.csv
  report:stats --from YYYY-MM-DD --to YYYY-MM-DD [--timeZone <IANA zone>] [--groupBy DAY,CURRENCY,...]
               [--statuses PAID,...] [--currencies EUR,...] [--merchant <merchant id>]
                                  transactionStats as CSV (all merchants unless --merchant), as GET /reports/stats.csv
  key:list [--merchant <merchant id>]
                                  every API key (id, prefix, role, merchant, created, last used, expires, revoked); never a secret
  key:revoke <key id | prefix | secret>
                                  revoke a key: it stops authenticating and its open subscriptions end, at once
  transactions:expire             move REDIRECTED transactions older than ALIPAY_TRADE_TIMEOUT_MINUTES to REJECTED (EXPIRED)
  stats:rebuild                   rebuild transactionStats' hourly figures from the transactions (after a bulk load; safe beside traffic)
  stats:check                     compare transactionStats' hourly figures with the transactions (exit 1 when they differ)
  db:migrate                      apply pending migrations`;

/** Printed as is, instead of as JSON. */
class TextOutput {
  constructor(readonly text: string) {}
}

type Command = (db: Database, options: Record<string, string | undefined>, config: Config) => Promise<unknown>;

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
  'report:daily': async (db, options) => {
    if (options['date'] === undefined) throw new UsageError('report:daily needs --date YYYY-MM-DD');
    const merchantId = merchantOption(options);
    const day = await resolveReportDay(db, options['date'], options['timeZone'] ?? DEFAULT_TIME_ZONE);
    return new TextOutput(dailyReportCsv(day, await merchantBreakdown(db, day, merchantId)));
  },
  'report:stats': async (db, options) => {
    if (options['from'] === undefined || options['to'] === undefined) throw new UsageError('report:stats needs --from YYYY-MM-DD --to YYYY-MM-DD');
    const merchantId = merchantOption(options);
    const request = { ...statsRequestFromText((name) => options[name]), merchantId };
    const stats = await transactionStats(db, request, {
      admit: ({ rows }) => {
        if (rows > MAX_STATS_CSV_ROWS) throw new UsageError(`${rows} lines, more than ${MAX_STATS_CSV_ROWS}: narrow the range or group by less`);
      },
    });
    return new TextOutput(transactionStatsCsv(stats));
  },
  'stats:rebuild': async (db) => {
    if (!(await rebuildStats(db))) throw new UsageError('a compaction is running: try again in a moment');
    return { rebuilt: true };
  },
  'stats:check': async (db) => {
    const { keys, differing } = await checkStats(db);
    if (differing.length > 0) throw new UsageError(`hourly figures differ from the transactions, e.g. ${JSON.stringify(differing[0])}: run stats:rebuild`);
    return { equal: true, keys };
  },
  'key:list': async (db, options) => ({ keys: await listApiKeys(db, { merchantId: merchantOption(options) }) }),
  'key:revoke': async (db, options) => {
    const reference = options['key'];
    if (reference === undefined) throw new UsageError('key:revoke needs the key: its id, or the prefix key:list shows');
    const { key, alreadyRevoked } = await revokeApiKeyByReference(db, reference);
    return { key, alreadyRevoked };
  },
  'transactions:expire': async (db, _options, config) => {
    const { expired, acquired } = await expireStuckTransactions(db, { olderThanMinutes: config.expiry.tradeTimeoutMinutes });
    return { expired: expired.length, lockHeldElsewhere: !acquired };
  },
  'db:migrate': async () => ({ migrated: true }),
};

class UsageError extends Error {}

/** --merchant as a database id (it is given as the API's global id); undefined when absent. */
function merchantOption(options: Record<string, string | undefined>): string | undefined {
  const given = options['merchant'];
  if (given === undefined) return undefined;
  const merchantId = parseGlobalId(given, 'Merchant');
  if (merchantId === undefined) throw new UsageError(`--merchant ${given} is not a merchant id`);
  return merchantId;
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      date: { type: 'string' },
      timeZone: { type: 'string' },
      merchant: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      groupBy: { type: 'string' },
      statuses: { type: 'string' },
      currencies: { type: 'string' },
    },
  });
  const commandName = positionals[0];
  const command = commandName === undefined ? undefined : commands[commandName];
  if (!command) throw new UsageError(commandName === undefined ? USAGE : `unknown command ${commandName}\n${USAGE}`);
  const config = loadConfig();
  // Logs go to stderr so stdout stays machine-readable JSON.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, logDestination(process.stderr));
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
  try {
    await prepareDatabase(config, db, logger);
    // The one positional argument some commands take (key:revoke <key>).
    const result = await command(db, { ...values, key: positionals[1] }, config);
    process.stdout.write(result instanceof TextOutput ? result.text : `${JSON.stringify(result, null, 2)}\n`);
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
