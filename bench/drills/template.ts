/**
 * The one shape of a fault drill (bench/drills/*.ts). A drill is a definition: its name, what it does, how many
 * transactions it needs, and `run`, which gets everything drills share already set up. `npm run drill:<name>`
 * runs it at full scale (bench/drills/run.ts), test/drills/drills.test.ts runs every drill small inside
 * `npm test`. Everything goes over real HTTP / WebSocket on loopback against PostgreSQL (a schema of its
 * own, dropped afterwards); outages are TCP proxies a drill cuts, never the machine's services.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { generateRsaKeyPair } from '../../src/domain/signatures.ts';
import { createMerchant } from '../../src/services/merchants.ts';
import { createBenchDatabase } from '../harness.ts';
import { AMOUNT, newEventKey, type EventKey } from './lib.ts';

export type DrillScale = 'full' | 'small';
export type DrillNumbers = Record<string, number | string>;
/** Every named check with whether it held; `pass` is all of them. */
export type DrillResult = { name: string; pass: boolean; checks: Record<string, boolean>; numbers: DrillNumbers };

export type DrillSetup = {
  full: boolean;
  db: Awaited<ReturnType<typeof createBenchDatabase>>;
  /** One merchant, named after the drill; `secret` is its API key. */
  merchant: { id: string; secret: string };
  /** REDIRECTED transactions of that merchant (CREATED and REDIRECTED in their history), seeded in bulk. */
  transactionIds: string[];
  /** One more, left alone until settleSubscribers cancels it as the stream's last event. */
  markerTransactionId: string;
  /** The signed-event key and the Alipay key pair the server is configured with (the senders sign with them). */
  eventKey: EventKey;
  alipayKeys: { publicKeyPem: string; privateKeyPem: string };
  /** Variables for a server on this database: its keys, a scratch DATA_DIR, port 0 (override what differs). */
  serverEnv: Record<string, string>;
  /** Runs `cleanup` when the drill ends, however it ends (the last registered runs first). */
  onEnd(cleanup: () => unknown): void;
};

export type DrillDefinition = {
  name: string;
  /** What happens and what must hold, in a line (the drill test's name). */
  summary: string;
  transactions: Record<DrillScale, number>;
  run(setup: DrillSetup): Promise<{ checks: Record<string, boolean>; numbers: DrillNumbers }>;
};

export type Drill = DrillDefinition & { execute(scale: DrillScale): Promise<DrillResult> };

/** A drill from its definition: `execute` sets everything up, runs it, and tears everything down. */
export function defineDrill(definition: DrillDefinition): Drill {
  return { ...definition, execute: (scale) => execute(definition, scale) };
}

async function execute(definition: DrillDefinition, scale: DrillScale): Promise<DrillResult> {
  const cleanups: (() => unknown)[] = [];
  try {
    const db = await createBenchDatabase({ poolSize: 4 });
    cleanups.push(() => db.drop());
    const dataDir = mkdtempSync(join(tmpdir(), `paystream-drill-${definition.name}-`));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const eventKey = newEventKey();
    const alipayKeys = generateRsaKeyPair();
    const { merchant, secret } = await createMerchant(db, definition.name);
    const [markerTransactionId = '', ...transactionIds] = await seedTransactions(
      db.sql,
      Array.from({ length: definition.transactions[scale] + 1 }, () => ({ merchantId: merchant.id, amountMinor: AMOUNT.minor, history: [{ status: 'REDIRECTED' as const }] })),
    );
    const { checks, numbers } = await definition.run({
      full: scale === 'full',
      db,
      merchant: { id: merchant.id, secret },
      transactionIds,
      markerTransactionId,
      eventKey,
      alipayKeys,
      serverEnv: {
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '8',
        PORT: '0',
        DATA_DIR: dataDir,
        NOTIFICATION_KEYS: `${eventKey.keyId}:${eventKey.secret}`,
        ALIPAY_PUBLIC_KEY: alipayKeys.publicKeyPem,
      },
      onEnd: (cleanup) => cleanups.push(cleanup),
    });
    return { name: definition.name, pass: Object.values(checks).every(Boolean), checks, numbers };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** The checks that did not hold. */
export function failedChecks(result: DrillResult): string[] {
  return Object.entries(result.checks)
    .filter(([, held]) => !held)
    .map(([check]) => check);
}

/** PASS/FAIL, the checks and the numbers, as the scripts print them. */
export function formatDrill(result: DrillResult): string {
  const lines = [`${result.pass ? 'PASS' : 'FAIL'} drill:${result.name}`];
  for (const [check, held] of Object.entries(result.checks)) lines.push(`  ${held ? 'ok  ' : 'FAIL'} ${check}`);
  for (const [figure, value] of Object.entries(result.numbers)) lines.push(`  ${figure}: ${value}`);
  return lines.join('\n');
}
