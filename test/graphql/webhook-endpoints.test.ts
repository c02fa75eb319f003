import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { prismaSession } from '../../src/db/session.ts';
import { recordCreation, applyLockedTransition, transition } from '../../src/services/transitions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
let merchant: { merchantId: string; key: string };
let other: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer();
  merchant = await server.createMerchant('Hooked');
  other = await server.createMerchant('Bystander');
});
afterAll(() => server?.close());

const ENDPOINT_FIELDS = 'id url description kinds statuses enabled disabledAt disabledReason failingSince previousSecretExpiresAt merchant { id }';
const RESULT = `__typename ... on Error { code message } ... on ValidationError { fields { path message } }`;

type Endpoint = { id: string; url: string; enabled: boolean; disabledReason: string | null; previousSecretExpiresAt: string | null; kinds: string[]; statuses: string[] };
type Result = { __typename: string; code?: string; fields?: { path: string[]; message: string }[]; endpoint?: Endpoint; secret?: string; deletedId?: string };

async function create(input: Record<string, unknown>, key = merchant.key): Promise<Result> {
  const response = await server.graphql<{ createWebhookEndpoint: Result }>(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ${RESULT} ... on CreateWebhookEndpointSuccess { secret endpoint { ${ENDPOINT_FIELDS} } } } }`,
    { input },
    key,
  );
  if (!response.data) throw new Error(JSON.stringify(response));
  return response.data.createWebhookEndpoint;
}

async function update(input: Record<string, unknown>, key = merchant.key): Promise<Result> {
  const response = await server.graphql<{ updateWebhookEndpoint: Result }>(
    `mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) { ${RESULT} ... on UpdateWebhookEndpointSuccess { endpoint { ${ENDPOINT_FIELDS} } } } }`,
    { input },
    key,
  );
  if (!response.data) throw new Error(JSON.stringify(response));
  return response.data.updateWebhookEndpoint;
}

async function created(input: Record<string, unknown> = {}, key = merchant.key): Promise<{ endpoint: Endpoint; secret: string }> {
  const result = await create({ url: 'https://hooks.shop.example/paystream', ...input }, key);
  if (!result.endpoint || !result.secret) throw new Error(JSON.stringify(result));
  return { endpoint: result.endpoint, secret: result.secret };
}

async function list(key: string, merchantId?: string): Promise<string[]> {
  const response = await server.graphql<{ webhookEndpoints: { edges: { node: { id: string } }[] } }>(
    'query($merchantId: ID) { webhookEndpoints(first: 100, merchantId: $merchantId) { edges { node { id } } totalCount } }',
    merchantId === undefined ? {} : { merchantId },
    key,
  );
  return response.data?.webhookEndpoints.edges.map((edge) => edge.node.id) ?? [];
}

describe('webhook endpoints over GraphQL', () => {
  it('registers an endpoint with a whsec_ secret shown once, every event kind by default', async () => {
    const { endpoint, secret } = await created({ description: 'orders service' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(endpoint).toMatchObject({
      url: 'https://hooks.shop.example/paystream',
      kinds: ['STATUS_CHANGED', 'REFUND_REQUESTED', 'REFUND_SUCCEEDED', 'REFUND_FAILED', 'WEBHOOK_ENDPOINT_DISABLED'],
      statuses: [],
      enabled: true,
      disabledReason: null,
      merchant: { id: encodeGlobalId('Merchant', merchant.merchantId) },
    });
    expect(await list(merchant.key)).toContain(endpoint.id);
    // No field of the schema reads a secret back.
    const read = await server.graphql(`query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { secret } } }`, { id: endpoint.id }, merchant.key);
    expect(read.errors?.[0]?.message).toMatch(/Cannot query field "secret"/);
  });

  it('refuses URLs that are not https on a public address, each with its reason', async () => {
    const cases: [string, string][] = [
      ['http://hooks.shop.example/', 'must be an https:// URL'],
      ['https://127.0.0.1/hook', 'must not point to a private, loopback, link-local or reserved address'],
      ['https://10.0.0.8/hook', 'must not point to a private, loopback, link-local or reserved address'],
      ['https://169.254.169.254/latest/meta-data', 'must not point to a private, loopback, link-local or reserved address'],
      ['https://[::1]/hook', 'must not point to a private, loopback, link-local or reserved address'],
      ['https://localhost/hook', 'its host resolves to a private, loopback, link-local or reserved address'],
      ['https://user:secret@hooks.shop.example/', 'must not carry credentials (user:password@)'],
      ['not a url', 'must be an absolute URL'],
    ];
    for (const [url, message] of cases) {
      expect(await create({ url }), url).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', fields: [{ path: ['input', 'url'], message }] });
    }
    expect(await create({ url: 'https://hooks.shop.example/', kinds: [] })).toMatchObject({ fields: [{ path: ['input', 'kinds'] }] });
    expect(await create({ url: 'https://hooks.shop.example/', description: 'x'.repeat(501) })).toMatchObject({ fields: [{ path: ['input', 'description'] }] });
  });

  it('accepts loopback http receivers only when WEBHOOK_ALLOW_LOCAL_RECEIVERS is set', async () => {
    const local = await startTestServer({ WEBHOOK_ALLOW_LOCAL_RECEIVERS: 'true' });
    try {
      const owner = await local.createMerchant('Local');
      const response = await local.graphql<{ createWebhookEndpoint: Result }>(
        `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/hook" }) { __typename } }`,
        {},
        owner.key,
      );
      expect(response.data?.createWebhookEndpoint.__typename).toBe('CreateWebhookEndpointSuccess');
      const privateNet = await local.graphql<{ createWebhookEndpoint: Result }>(
        `mutation { createWebhookEndpoint(input: { url: "http://192.168.0.10/hook" }) { __typename } }`,
        {},
        owner.key,
      );
      expect(privateNet.data?.createWebhookEndpoint.__typename).toBe('ValidationError');
    } finally {
      await local.close();
    }
  });

  it('keeps every merchant to its own endpoints; ADMIN names the merchant and sees all', async () => {
    const { endpoint } = await created();
    expect(await list(other.key)).not.toContain(endpoint.id);
    expect((await server.graphql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: endpoint.id }, other.key)).data?.node).toBeNull();
    expect(await update({ id: endpoint.id, description: 'mine now' }, other.key)).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const foreignDelete = await server.graphql<{ deleteWebhookEndpoint: Result }>(
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename } }`,
      { id: endpoint.id },
      other.key,
    );
    expect(foreignDelete.data?.deleteWebhookEndpoint.__typename).toBe('NotFoundError');
    const forbidden = await server.graphql(
      `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { __typename } }`,
      { input: { url: 'https://hooks.shop.example/', merchantId: encodeGlobalId('Merchant', other.merchantId) } },
      merchant.key,
    );
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');

    expect(await create({ url: 'https://hooks.shop.example/' }, server.adminKey)).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: ['input', 'merchantId'], message: 'ADMIN keys name the merchant the endpoint is for' }],
    });
    const byAdmin = await created({ merchantId: encodeGlobalId('Merchant', other.merchantId) }, server.adminKey);
    expect(await list(other.key)).toContain(byAdmin.endpoint.id);
    expect(await list(server.adminKey)).toEqual(expect.arrayContaining([endpoint.id, byAdmin.endpoint.id]));
    expect(await list(server.adminKey, encodeGlobalId('Merchant', other.merchantId))).not.toContain(endpoint.id);
  });

  it('updates, disables with a visible reason, enables again and deletes', async () => {
    const { endpoint } = await created();
    expect(await update({ id: endpoint.id, url: 'https://other.shop.example/hook', statuses: ['PAID'], kinds: ['STATUS_CHANGED'] })).toMatchObject({
      endpoint: { url: 'https://other.shop.example/hook', statuses: ['PAID'], kinds: ['STATUS_CHANGED'], enabled: true },
    });
    expect(await update({ id: endpoint.id, enabled: false })).toMatchObject({ endpoint: { enabled: false, disabledReason: 'disabled by its owner', disabledAt: expect.any(String) } });
    expect(await update({ id: endpoint.id, enabled: true })).toMatchObject({ endpoint: { enabled: true, disabledReason: null, disabledAt: null } });
    expect(await update({ id: endpoint.id, url: 'http://other.shop.example/' })).toMatchObject({ __typename: 'ValidationError', fields: [{ path: ['input', 'url'] }] });
    expect(await update({ id: 'not-an-id', enabled: false })).toMatchObject({ __typename: 'NotFoundError' });

    const deleted = await server.graphql<{ deleteWebhookEndpoint: Result }>(
      `mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { __typename ... on DeleteWebhookEndpointSuccess { deletedId } } }`,
      { id: endpoint.id },
      merchant.key,
    );
    expect(deleted.data?.deleteWebhookEndpoint).toEqual({ __typename: 'DeleteWebhookEndpointSuccess', deletedId: endpoint.id });
    expect(await list(merchant.key)).not.toContain(endpoint.id);
  });

  it('rolls the secret with an overlap during which the previous one still signs', async () => {
    const { endpoint, secret } = await created();
    const roll = (overlapHours?: number) =>
      server.graphql<{ rollWebhookEndpointSecret: Result }>(
        `mutation($id: ID!, $overlapHours: Int) { rollWebhookEndpointSecret(id: $id, overlapHours: $overlapHours) { ${RESULT} ... on RollWebhookEndpointSecretSuccess { secret endpoint { ${ENDPOINT_FIELDS} } } } }`,
        overlapHours === undefined ? { id: endpoint.id } : { id: endpoint.id, overlapHours },
        merchant.key,
      );
    const rolled = (await roll()).data?.rollWebhookEndpointSecret;
    expect(rolled?.secret).toMatch(/^whsec_/);
    expect(rolled?.secret).not.toBe(secret);
    const expires = Date.parse(rolled?.endpoint?.previousSecretExpiresAt ?? '');
    expect(Math.abs(expires - (Date.now() + 24 * 3_600_000))).toBeLessThan(60_000);
    const row = await server.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: decodeGlobalId(endpoint.id, 'WebhookEndpoint') ?? '' } });
    expect([row.secret, row.previousSecret]).toEqual([rolled?.secret, secret]);
    expect((await roll(0)).data?.rollWebhookEndpointSecret.endpoint?.previousSecretExpiresAt).toBeNull();
    expect((await roll(1000)).data?.rollWebhookEndpointSecret).toMatchObject({ __typename: 'ValidationError', fields: [{ path: ['overlapHours'] }] });
  });
});

describe('deliveries are queued with the event, in its database transaction', () => {
  it('one per matching enabled endpoint per event, its webhook-id the event cursor; a rolled-back change queues none', async () => {
    const owner = await server.createMerchant('Queued');
    const everything = (await created({}, owner.key)).endpoint;
    const paidOnly = (await created({ kinds: ['STATUS_CHANGED'], statuses: ['PAID'] }, owner.key)).endpoint;
    const disabled = (await created({}, owner.key)).endpoint;
    await update({ id: disabled.id, enabled: false }, owner.key);
    const id = crypto.randomUUID();
    await server.db.prisma.$transaction(async (tx) => {
      const locked = await recordCreation(prismaSession(tx), {
        id,
        merchantId: owner.merchantId,
        merchantReference: 'queued-1',
        amountMinor: 1000n,
        currency: 'EUR',
        paymentProduct: 'ALIPAY',
        returnUrl: 'https://shop.example/r',
        redirectUrl: null,
        source: 'MERCHANT_API',
      });
      await applyLockedTransition(prismaSession(tx), locked, { target: 'REDIRECTED', source: 'MERCHANT_API' });
    });
    for (const target of ['CAPTURED', 'PAID'] as const) await transition(server.db, { transactionId: id, target, source: 'PROVIDER_NOTIFICATION' });
    // A change that rolls back leaves no delivery behind.
    await expect(
      server.db.prisma.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(
          `INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source) VALUES ($1::uuid, $2::uuid, 99, 'PAID', 'PAID', 'SYSTEM')`,
          id,
          owner.merchantId,
        );
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow('rolled back on purpose');

    const events = await server.db.prisma.transactionEvent.findMany({ where: { transactionId: id }, orderBy: { sequence: 'asc' } });
    expect(events.map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', 'CAPTURED', 'PAID']);
    const deliveries = await server.db.prisma.webhookDelivery.findMany({ where: { merchantId: owner.merchantId }, orderBy: [{ eventId: 'asc' }, { endpointId: 'asc' }] });
    const endpointOf = (globalId: string) => decodeGlobalId(globalId, 'WebhookEndpoint');
    expect(deliveries.filter((row) => row.endpointId === endpointOf(everything.id)).map((row) => [row.eventId, row.type, row.webhookId, row.status])).toEqual(
      events.map((event) => [event.id, `transaction.${event.status.toLowerCase()}`, encodeEventCursor({ txid: event.txid, id: event.id }), 'PENDING']),
    );
    expect(deliveries.filter((row) => row.endpointId === endpointOf(paidOnly.id)).map((row) => row.type)).toEqual(['transaction.paid']);
    expect(deliveries.filter((row) => row.endpointId === endpointOf(disabled.id))).toEqual([]);
    expect(deliveries).toHaveLength(5);
  });
});
