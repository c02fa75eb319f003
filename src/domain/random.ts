import { randomFillSync } from 'node:crypto';

// Secrets and tokens take their bytes from a buffer the CSPRNG refills 4 KiB at a time, as Node's randomUUID does
// with its own cache: randomBytes(32) for each one asks the CSPRNG every time, a cost on every createTransaction.
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `bytes` cryptographically random bytes, base64url without padding; no byte is ever handed out twice. */
export function randomToken(bytes: number): string {
  if (bytes > pool.length) throw new RangeError(`at most ${pool.length} bytes, got ${bytes}`);
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const token = pool.toString('base64url', used, used + bytes);
  used += bytes;
  return token;
}
