import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { createApp } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { serveBenchIpc } from './ipc.ts';

// The real application, as src/main.ts builds it, in a benchmark child process (migrations are the
// benchmark's job: it prepared the schema before starting this).
const config = loadConfig(process.env);
const logger = createLogger(config.logLevel);
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
const app = createApp({ config, db, logger });
const port = await app.listen(0, '127.0.0.1');
serveBenchIpc({
  port,
  attached: () => app.events.stats().streams,
  close: async () => {
    await app.close();
    await db.close();
  },
});
