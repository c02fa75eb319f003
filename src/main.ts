import { prepareDatabase } from './bootstrap.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase } from './db/client.ts';
import { createApp } from './http/server.ts';
import { createLogger } from './logger.ts';

/** Start: config -> database -> migrations -> HTTP. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await prepareDatabase(config, db, logger);
  const app = createApp({ config, db, logger });
  const port = await app.listen();
  logger.info({ port, host: config.host, database: db.kind }, `Paystream listening on http://${config.host}:${port}/graphql`);
  const { alipay, sandbox, baseUrl } = app.providers();
  if (sandbox) {
    const log = config.nodeEnv === 'production' ? logger.warn.bind(logger) : logger.info.bind(logger);
    log(
      { gateway: alipay.gatewayUrl, settlement: `${baseUrl}/sandbox/alipay/settlement` },
      'ALIPAY_GATEWAY_URL is unset: the built-in Alipay sandbox is the gateway (no real money moves)',
    );
  } else {
    logger.info({ gateway: alipay.gatewayUrl }, 'Alipay gateway configured');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 10_000);
    deadline.unref();
    await app.close();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`paystream failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
