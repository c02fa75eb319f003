import { ConfigError, loadConfig, type Config } from './config.ts';

/** Start: config -> database -> migrations -> HTTP. Stop (SIGTERM, SIGINT): drain -> database -> exit 0. */
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
  // The application is loaded only once the configuration is known good: a bad variable is reported in
  // well under a second, before the database client, the schema and everything else are even imported.
  const [
    { adminKeyFile, prepareDatabase },
    { openDatabase },
    { createApp },
    { createLogger, logDestination },
    { createMetrics },
    { startExpiryRunner },
    { nextSteps },
    { startRefundRunner },
    { startWebhookSender },
    { startStatsCompaction },
  ] = await Promise.all([
    import('./bootstrap.ts'),
    import('./db/client.ts'),
    import('./http/server.ts'),
    import('./logger.ts'),
    import('./observability/metrics.ts'),
    import('./services/expiry.ts'),
    import('./next-steps.ts'),
    import('./services/refund-runner.ts'),
    import('./services/webhooks/sender.ts'),
    import('./services/stats-hourly.ts'),
  ]);
  const logger = createLogger(config.logLevel, logDestination());
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception; exiting');
    process.exit(1);
  });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  await prepareDatabase(config, db, logger);
  const app = createApp({ config, db, logger, metrics: createMetrics({ processMetrics: true }) });
  const port = await app.listen();
  // Background work of this instance (EXPIRY_INTERVAL_SECONDS=0: none); stopped before the server drains.
  const expiryRunner = startExpiryRunner({ db, config, logger });
  // Folds transactionStats' recorded changes into its hourly figures (STATS_COMPACTION_INTERVAL_SECONDS=0: not this instance).
  const statsCompaction = startStatsCompaction({ db, config, logger });
  // Calls Alipay for refunds (REFUND_RUNNER_INTERVAL_MS=0: not this instance); refunds left REQUESTED by a
  // previous run are due and picked up.
  const refundRunner = startRefundRunner({ db, config, logger, alipay: () => app.providers().alipay });
  // Sends webhooks (WEBHOOK_SENDER_INTERVAL_MS=0: not this instance); deliveries due or left leased by a killed
  // instance are picked up.
  const webhookSender = startWebhookSender({ db, config, logger, registry: app.metrics.registry });
  logger.info({ port, host: config.host, database: db.kind }, `Paystream listening on http://${config.host}:${port}/graphql`);
  const { alipay, sandbox, baseUrl } = app.providers();
  if (sandbox && config.nodeEnv === 'production') {
    // Only with SANDBOX_IN_PRODUCTION=true (config.ts refuses it otherwise): said at warn level, in words no one misreads.
    logger.warn(
      { gateway: alipay.gatewayUrl, settlement: `${baseUrl}/sandbox/alipay/settlement`, setting: 'SANDBOX_IN_PRODUCTION=true' },
      'SANDBOX IN PRODUCTION: ALIPAY_GATEWAY_URL is unset and SANDBOX_IN_PRODUCTION=true, so the built-in Alipay sandbox is the gateway: ' +
        'its page confirms payments no one made and no real money moves. Set ALIPAY_GATEWAY_URL for real payments.',
    );
  } else if (sandbox) {
    logger.info(
      { gateway: alipay.gatewayUrl, settlement: `${baseUrl}/sandbox/alipay/settlement` },
      'ALIPAY_GATEWAY_URL is unset: the built-in Alipay sandbox is the gateway (no real money moves)',
    );
  } else {
    logger.info({ gateway: alipay.gatewayUrl }, 'Alipay gateway configured');
  }
  // For a person at a terminal (log collectors get the lines above only).
  if (process.stdout.isTTY) {
    const adminKey =
      config.adminApiKey !== undefined ? { kind: 'configured' as const } : db.kind === 'embedded' ? { kind: 'file' as const, path: adminKeyFile(config) } : { kind: 'none' as const };
    process.stdout.write(`${nextSteps({ graphqlUrl: `${baseUrl}/graphql`, graphiql: config.nodeEnv !== 'production', adminKey })}\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The whole stop fits in SHUTDOWN_TIMEOUT_SECONDS: most of it for in-flight requests, the rest for the
    // database; if something still hangs, the backstop exits non-zero so the supervisor knows.
    const budgetMs = config.shutdownTimeoutSeconds * 1000;
    const drainMs = Math.max(budgetMs - 2_000, Math.floor(budgetMs / 2));
    logger.info({ signal, timeoutSeconds: config.shutdownTimeoutSeconds }, 'shutting down: draining in-flight requests');
    const backstop = setTimeout(() => {
      logger.error('shutdown did not finish in SHUTDOWN_TIMEOUT_SECONDS; exiting');
      process.exit(1);
    }, budgetMs);
    backstop.unref();
    await expiryRunner?.stop();
    await statsCompaction?.stop();
    await refundRunner?.stop();
    // Webhook attempts get half the drain, then are aborted (due again at once, for another instance or the next
    // start): WEBHOOK_TIMEOUT_MS may well exceed the whole budget.
    const webhooksStopped = webhookSender?.stop({ graceMs: Math.min(config.webhooks.timeoutMs, Math.floor(drainMs / 2)) });
    const { cutConnections } = await app.close({ timeoutMs: drainMs });
    await webhooksStopped;
    await db.close();
    logger.info({ cutConnections }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`paystream failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
