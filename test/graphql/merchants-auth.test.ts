import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateMerchantDocument, CreateTransactionDocument, NodeDocument, TransactionsDocument } from '../../src/client/operations.ts';
import { revokeApiKey } from '../../src/services/merchants.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const createInput = {
  merchantReference: 'auth-order',
  amount: { value: '1.00', currency: 'USD' },
  returnUrl: 'https://shop.example/return',
};

describe('createMerchant and API keys', () => {
  it('creates a merchant with a working key whose secret is shown once and stored only as a hash', async () => {
    const created = await server.execute(CreateMerchantDocument, { name: 'Initech' }, server.adminKey);
    const payload = created.data?.createMerchant;
    expect(payload?.__typename).toBe('CreateMerchantSuccess');
    if (payload?.__typename !== 'CreateMerchantSuccess') return;
    expect(payload.merchant.name).toBe('Initech');
    expect(payload.apiKey).toMatchObject({ role: 'MERCHANT', prefix: payload.secret.slice(0, 12) });
    const stored = await server.db.prisma.apiKey.findUniqueOrThrow({ where: { id: payload.apiKey.id } });
    expect(JSON.stringify(stored)).not.toContain(payload.secret);

    const transaction = await server.execute(CreateTransactionDocument, { input: createInput }, payload.secret);
    expect(transaction.data?.createTransaction.__typename).toBe('CreateTransactionSuccess');
    const ownMerchant = await server.execute(NodeDocument, { id: payload.merchant.id }, payload.secret);
    expect(ownMerchant.data?.node).toMatchObject({ __typename: 'Merchant', name: 'Initech' });
  });

  it('refuses an empty merchant name with a ValidationError', async () => {
    const result = await server.execute(CreateMerchantDocument, { name: '   ' }, server.adminKey);
    expect(result.data?.createMerchant).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
  });

  it('keeps createMerchant for ADMIN keys and createTransaction for merchant keys (FORBIDDEN)', async () => {
    const merchant = await server.createMerchant('Plain');
    const asMerchant = await server.execute(CreateMerchantDocument, { name: 'Evil' }, merchant.key);
    expect(asMerchant.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(await server.db.prisma.merchant.count({ where: { name: 'Evil' } })).toBe(0);
    const asAdmin = await server.execute(CreateTransactionDocument, { input: createInput }, server.adminKey);
    expect(asAdmin.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it("hides other merchants from a merchant's node lookups", async () => {
    const mine = await server.createMerchant('Mine');
    const theirs = await server.createMerchant('Theirs');
    const theirId = Buffer.from(`Merchant:${theirs.merchantId}`).toString('base64');
    expect((await server.execute(NodeDocument, { id: theirId }, mine.key)).data?.node).toBeNull();
    expect((await server.execute(NodeDocument, { id: theirId }, server.adminKey)).data?.node).toMatchObject({ name: 'Theirs' });
  });
});

describe('authentication', () => {
  const query = TransactionsDocument.toString();

  async function status(authorization: string | undefined): Promise<{ status: number; code: unknown }> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
      body: JSON.stringify({ query, variables: { first: 1 } }),
    });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
    return { status: response.status, code: body.errors?.[0]?.extensions?.code };
  }

  it.each([
    ['no header', undefined],
    ['empty bearer', 'Bearer '],
    ['basic auth', 'Basic dXNlcjpwYXNz'],
    ['unknown key', 'Bearer psk_this-key-does-not-exist-anywhere'],
    ['two tokens', 'Bearer a b'],
    ['very long', `Bearer ${'a'.repeat(10_000)}`],
  ])('answers 401 UNAUTHENTICATED for %s', async (_label, authorization) => {
    expect(await status(authorization)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('stops accepting a revoked key', async () => {
    const merchant = await server.createMerchant('Revoked');
    expect((await status(`Bearer ${merchant.key}`)).status).toBe(200);
    const key = await server.db.prisma.apiKey.findFirstOrThrow({ where: { merchantId: merchant.merchantId } });
    await revokeApiKey(server.db, key.id);
    expect(await status(`Bearer ${merchant.key}`)).toEqual({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
