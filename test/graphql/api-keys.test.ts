import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetRememberedApiKeys } from '../../src/services/merchants.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// Key management over GraphQL (#15): a merchant lists, creates, revokes and rolls its own keys; ADMIN any
// merchant's; another merchant's key reads as absent.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

type Key = { id: string; prefix: string; role: string; expiresAt: string | null; revokedAt: string | null };
const KEY_FIELDS = 'id prefix role expiresAt revokedAt publishableKey createdAt';

async function status(key: string): Promise<number> {
  return (await server.graphql('{ transactions { totalCount } }', {}, key)).status;
}

async function keysOf(key: string, merchantId?: string): Promise<Key[]> {
  const result = await server.graphql<{ apiKeys: Key[] }>(`query ($merchantId: ID) { apiKeys(merchantId: $merchantId) { ${KEY_FIELDS} } }`, { merchantId }, key);
  if (!result.data) throw new Error(JSON.stringify(result));
  return result.data.apiKeys;
}

describe('apiKeys, createApiKey, revokeApiKey, rollApiKey', () => {
  it('a merchant lists and manages its own keys, never another merchant’s', async () => {
    const mine = await server.createMerchant('Keys mine');
    const theirs = await server.createMerchant('Keys theirs');
    const [own] = await keysOf(mine.key);
    expect(own).toMatchObject({ role: 'MERCHANT', prefix: mine.key.slice(0, 12), revokedAt: null, expiresAt: null });
    const [foreign] = await keysOf(theirs.key);

    for (const mutation of [`mutation { revokeApiKey(id: "${foreign?.id}") { __typename } }`, `mutation { rollApiKey(id: "${foreign?.id}") { __typename } }`]) {
      const refused = await server.graphql<Record<string, { __typename: string }>>(mutation, {}, mine.key);
      expect(Object.values(refused.data ?? {})[0]?.__typename).toBe('NotFoundError');
    }
    expect(await status(theirs.key)).toBe(200);
    const asMerchant = await server.graphql(`{ apiKeys(merchantId: "${Buffer.from(`Merchant:${theirs.merchantId}`).toString('base64')}") { id } }`, {}, mine.key);
    expect(asMerchant.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    // ADMIN manages any merchant's keys, naming the merchant.
    const merchantId = Buffer.from(`Merchant:${theirs.merchantId}`).toString('base64');
    expect((await keysOf(server.adminKey, merchantId)).map((key) => key.id)).toEqual([foreign?.id]);
    const made = await server.graphql<{ createApiKey: { __typename: string; secret?: string } }>(
      `mutation { createApiKey(role: READ_ONLY, merchantId: "${merchantId}") { __typename ... on CreateApiKeySuccess { secret } } }`,
      {},
      server.adminKey,
    );
    expect(made.data?.createApiKey).toMatchObject({ __typename: 'CreateApiKeySuccess', secret: expect.stringMatching(/^psk_/) });
    const withoutMerchant = await server.graphql<{ createApiKey: { __typename: string } }>('mutation { createApiKey(role: SECRET) { __typename } }', {}, server.adminKey);
    expect(withoutMerchant.data?.createApiKey.__typename).toBe('ValidationError');
  });

  it('rolling: a new secret now, the old one until its expiry (at most 7 days), then nothing', async () => {
    const merchant = await server.createMerchant('Keys rolled');
    const [original] = await keysOf(merchant.key);
    const tooLong = await server.graphql<{ rollApiKey: { __typename: string } }>(`mutation { rollApiKey(id: "${original?.id}", expiresInHours: 169) { __typename } }`, {}, merchant.key);
    expect(tooLong.data?.rollApiKey.__typename).toBe('ValidationError');

    const rolled = await server.graphql<{ rollApiKey: { __typename: string; secret: string; apiKey: Key; previous: Key } }>(
      `mutation { rollApiKey(id: "${original?.id}", expiresInHours: 2) { __typename ... on RollApiKeySuccess { secret apiKey { ${KEY_FIELDS} } previous { ${KEY_FIELDS} } } } }`,
      {},
      merchant.key,
    );
    const payload = rolled.data?.rollApiKey;
    if (payload?.__typename !== 'RollApiKeySuccess') throw new Error(JSON.stringify(rolled));
    expect(payload.apiKey.role).toBe('MERCHANT');
    const expiresIn = Date.parse(payload.previous.expiresAt ?? '') - Date.now();
    expect(expiresIn).toBeGreaterThan(2 * 3_600_000 - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(2 * 3_600_000);
    expect(await status(payload.secret)).toBe(200);
    expect(await status(merchant.key)).toBe(200);

    // Once its expiry has passed (moved into the past here), the old secret authenticates nothing.
    await server.db.prisma.apiKey.update({ where: { id: original?.id ?? '' }, data: { expiresAt: new Date(Date.now() - 1_000) } });
    forgetRememberedApiKeys(server.db); // as the key cache's lifetime passing would
    expect(await status(merchant.key)).toBe(401);
    expect(await status(payload.secret)).toBe(200);
  });

  it('revoking a key over GraphQL: at once', async () => {
    const merchant = await server.createMerchant('Keys revoked');
    const extra = await server.graphql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
      'mutation { createApiKey(role: SECRET) { ... on CreateApiKeySuccess { secret apiKey { id } } } }',
      {},
      merchant.key,
    );
    const secret = extra.data?.createApiKey.secret ?? '';
    expect(await status(secret)).toBe(200);
    const revoked = await server.graphql<{ revokeApiKey: { __typename: string; apiKey: Key } }>(
      `mutation { revokeApiKey(id: "${extra.data?.createApiKey.apiKey.id}") { __typename ... on RevokeApiKeySuccess { apiKey { ${KEY_FIELDS} } } } }`,
      {},
      merchant.key,
    );
    expect(revoked.data?.revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeySuccess', apiKey: { revokedAt: expect.any(String) } });
    expect(await status(secret)).toBe(401);
    expect(await status(merchant.key)).toBe(200);
  });
});

describe('last use', () => {
  it('apiKeys shows when a key last authenticated', async () => {
    const merchant = await server.createMerchant('Keys used');
    const [unused] = await server.graphql<{ apiKeys: { lastUsedAt: string | null }[] }>('{ apiKeys { lastUsedAt } }', {}, merchant.key).then((result) => result.data?.apiKeys ?? []);
    // The listing request itself is the key's first use; written in the background, to the minute.
    expect(unused).toBeDefined();
    let lastUsedAt: Date | null = null;
    for (let attempt = 0; attempt < 50 && lastUsedAt === null; attempt += 1) {
      lastUsedAt = (await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: merchant.merchantId } })).lastUsedAt;
      if (lastUsedAt === null) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(lastUsedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const listed = await server.graphql<{ apiKeys: { lastUsedAt: string | null }[] }>('{ apiKeys { lastUsedAt } }', {}, merchant.key);
    expect(listed.data?.apiKeys[0]?.lastUsedAt).toBe(lastUsedAt?.toISOString());
  });
});
