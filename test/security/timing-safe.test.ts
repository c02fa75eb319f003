import * as crypto from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { signEvent, verifyEvent } from '../../src/domain/signatures.ts';
import { createApp, type App } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';
import { authenticate, createMerchant, hashSecret } from '../../src/services/merchants.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { request } from '../support/http.ts';

/**
 * Secrets are never compared in a way whose duration depends on where they differ. Timing itself is too
 * noisy to assert in a unit test, so these tests pin the code paths instead: every comparison of a
 * signature or token goes through crypto.timingSafeEqual on equal-length digests, and API keys are never
 * compared at all (they are looked up by their SHA-256).
 */

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
beforeEach(() => {
  timingSafeEqual.mockClear(); // (not returned: a function returned by beforeEach is run as its teardown)
});

describe('event signatures', () => {
  const secret = 'whsec_0123456789abcdef';
  const keys = new Map([['k1', secret]]);
  const body = '{"id":"evt_1","type":"payment.captured"}';
  const now = new Date('2026-11-26T12:00:00Z');
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const good = signEvent(secret, Number(timestamp), body);
  const bytes = Buffer.from(good, 'base64');

  function flipped(index: number): string {
    const copy = Buffer.from(bytes);
    copy[index] = (copy[index] ?? 0) ^ 0xff;
    return copy.toString('base64');
  }

  const verify = (signature: string) => verifyEvent({ keys, keyId: 'k1', timestamp, signature, rawBody: body, now });

  it.each([
    ['the first byte', flipped(0)],
    ['the last byte', flipped(bytes.length - 1)],
    ['a shorter signature', bytes.subarray(0, 16).toString('base64')],
    ['a longer signature', Buffer.concat([bytes, bytes]).toString('base64')],
  ])('a signature wrong in %s fails through one constant-time comparison of equal-length digests', (_label, signature) => {
    expect(verify(signature)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [left, right] = timingSafeEqual.mock.calls[0] ?? [];
    expect((left as Buffer).length).toBe(32);
    expect((right as Buffer).length).toBe(32);
  });

  it('the right signature passes through the same comparison', () => {
    expect(verify(good)).toEqual({ ok: true });
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
  });
});

describe('API keys and the metrics token', () => {
  let db: TestDatabase;
  let app: App;
  let url: string;
  const sql: string[] = [];
  let key: string;

  beforeAll(async () => {
    db = await createTestDatabase({ onQuery: (statement) => sql.push(statement) });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', METRICS_TOKEN: 'metrics-token-0123456789' });
    app = createApp({ config, db, logger: createLogger('silent') });
    url = `http://127.0.0.1:${await app.listen(0, '127.0.0.1')}`;
    key = (await createMerchant(db, 'Hashed')).secret;
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('stores only the SHA-256 of a key, never the key', async () => {
    const rows = await db.pool.query('SELECT * FROM api_keys');
    const stored = JSON.stringify(rows.rows);
    expect(stored).toContain(hashSecret(key));
    expect(stored).not.toContain(key);
  });

  it('looks keys up by hash: keys wrong in the first or the last character take the same single query', async () => {
    const lookups: string[][] = [];
    for (const candidate of [key, `${key[4] === 'A' ? 'B' : 'A'}${key.slice(1)}`, `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`]) {
      sql.length = 0;
      const actor = await authenticate(db, `Bearer ${candidate}`);
      expect(actor !== null).toBe(candidate === key);
      // Only the key lookup: the event relay polls the log in the background on the same client, and a valid key's
      // last use is written in the background too (an UPDATE, after the answer).
      lookups.push(sql.filter((statement) => statement.includes("api_keys") && /^\s*SELECT/i.test(statement)));
    }
    for (const statements of lookups) {
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/"secret_hash" = \$1/);
      expect(statements[0]).toBe(lookups[0]?.[0]);
    }
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });

  it('compares the metrics token in constant time, whatever its length', async () => {
    for (const token of ['metrics-token-0123456788', 'x', 'metrics-token-0123456789-and-more']) {
      timingSafeEqual.mockClear();
      expect((await request(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
      expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    }
    expect((await request(`${url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } })).status).toBe(200);
  });
});
