import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { randomToken } from '../../../domain/random.ts';
import { generateRsaKeyPair } from '../../../domain/signatures.ts';

/**
 * The sandbox plays Alipay and the bank, so it needs the keys they would hold: the merchant-side pair we sign
 * redirects with, "Alipay's" pair it signs notifications with, and an HMAC secret for the settlement events
 * it sends as the bank-statement reconciler. Made on first start and kept in DATA_DIR, so redirects and
 * notifications stay verifiable across restarts (whatever the database).
 */

export const SANDBOX_KEYS_FILE = 'sandbox-keys.json';
export const SANDBOX_SETTLEMENT_KEY_ID = 'paystream-sandbox';

const keyPair = z.object({ publicKeyPem: z.string().min(1), privateKeyPem: z.string().min(1) });
const sandboxKeysSchema = z.object({
  merchant: keyPair,
  alipay: keyPair,
  settlement: z.object({ keyId: z.string().min(1), secret: z.string().min(16) }),
});

export type SandboxKeys = z.infer<typeof sandboxKeysSchema>;

export function loadOrCreateSandboxKeys(dataDir: string): SandboxKeys {
  const file = join(dataDir, SANDBOX_KEYS_FILE);
  const existing = readKeys(file);
  if (existing) return existing;
  const keys: SandboxKeys = {
    merchant: generateRsaKeyPair(),
    alipay: generateRsaKeyPair(),
    settlement: { keyId: SANDBOX_SETTLEMENT_KEY_ID, secret: randomToken(32) },
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written aside, then hard-linked into place: link() is atomic and fails when the file exists, so instances
  // starting together never read a half-written file and all end up with the same keys.
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
  const stored = readKeys(file);
  if (!stored) throw new Error(`${file} could not be read back after writing it`);
  return stored;
}

function readKeys(file: string): SandboxKeys | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = sandboxKeysSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not a sandbox key file; delete it to have new keys made`);
  return parsed.data;
}
