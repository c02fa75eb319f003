import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, createApiKey, createMerchant, newSecret, revokeApiKey } from '../../src/services/merchants.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
let apiKeyLookups = 0;

beforeAll(async () => {
  db = await createTestDatabase({
    onQuery: (sql) => {
      if (/FROM\s+"[^"]+"\."api_keys"/.test(sql)) apiKeyLookups += 1;
    },
  });
});
afterAll(() => db?.drop());

const bearer = (secret: string) => `Bearer ${secret}`;

async function lookupsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = apiKeyLookups;
  await work();
  return apiKeyLookups - before;
}

describe('authenticate: remembered API keys', () => {
  it('looks a valid key up once, then answers from memory', async () => {
    const { merchant, secret } = await createMerchant(db, 'Cached');
    const first = await authenticate(db, bearer(secret));
    expect(first).toEqual({ role: 'MERCHANT', apiKeyId: expect.any(String), merchantId: merchant.id });
    expect(await lookupsDuring(() => authenticate(db, bearer(secret)))).toBe(0);
    expect(await authenticate(db, bearer(secret))).toEqual(first);
  });

  it('shares one lookup between requests that arrive while it is running', async () => {
    const { secret } = await createMerchant(db, 'Concurrent');
    const lookups = await lookupsDuring(async () => {
      const first = authenticate(db, bearer(secret));
      // Later than the first call's tick (Prisma already batches findUnique calls made within one tick).
      await new Promise((resolve) => setImmediate(resolve));
      const actors = await Promise.all([first, ...Array.from({ length: 9 }, () => authenticate(db, bearer(secret)))]);
      expect(actors.every((actor) => actor?.role === 'MERCHANT')).toBe(true);
    });
    expect(lookups).toBe(1);
  });

  it('makes revokeApiKey take effect at once, even for a remembered key', async () => {
    const { apiKey, secret } = await createMerchant(db, 'Revoked');
    expect(await authenticate(db, bearer(secret))).not.toBeNull();
    await revokeApiKey(db, apiKey.id);
    expect(await authenticate(db, bearer(secret))).toBeNull();
    // A revoked key is not remembered either: every attempt asks the database again.
    expect(await lookupsDuring(() => authenticate(db, bearer(secret)))).toBe(1);
  });

  it('never remembers an unknown key: a key registered after a failed attempt works at once', async () => {
    const { merchant } = await createMerchant(db, 'Late key');
    const secret = newSecret();
    expect(await authenticate(db, bearer(secret))).toBeNull();
    await createApiKey(db, 'MERCHANT', merchant.id, secret);
    expect(await authenticate(db, bearer(secret))).toEqual({ role: 'MERCHANT', apiKeyId: expect.any(String), merchantId: merchant.id });
  });

  it('keeps what it remembers per database', async () => {
    const secret = newSecret();
    await createApiKey(db, 'ADMIN', null, secret);
    expect(await authenticate(db, bearer(secret))).toMatchObject({ role: 'ADMIN' });
    const other = await createTestDatabase();
    try {
      expect(await authenticate(other, bearer(secret))).toBeNull();
    } finally {
      await other.drop();
    }
  });

  it('rejects malformed headers without a lookup', async () => {
    for (const header of [undefined, null, '', 'Bearer', 'Basic abcdefghijklmnopqrstuvwxyz', 'Bearer short', `Bearer ${'x'.repeat(300)}`]) {
      expect(await lookupsDuring(async () => expect(await authenticate(db, header)).toBeNull())).toBe(0);
    }
  });
});
