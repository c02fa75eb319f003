import { randomBytes } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelTransactionDocument, CreateTransactionDocument, TransactionDocument, TransactionsDocument } from '../../src/client/operations.ts';
import { parseGlobalId } from '../../src/graphql/ids.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { errorCodes, postGraphql, wsClient } from '../support/http.ts';
import { sweepOperations, type AddressingValues } from '../support/schema-sweep.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Every query, mutation and subscription, generated from the schema, tried by one merchant with another
 * merchant's ids and cursors. Nothing of the victim's may come back, nothing of the victim's may change.
 * The oracle is the victim's own markers (random name, reference, ids) anywhere in the response data;
 * the same operations run with the victim's key prove the oracle sees them when they are legitimately there.
 */

let server: TestServer;
let victim: { merchantId: string; key: string };
let attacker: { merchantId: string; key: string };
const suffix = randomBytes(6).toString('hex');
let victimTransaction: { id: string; uuid: string; reference: string };
let variants: AddressingValues[];
let markers: string[];

async function createTransaction(key: string, reference: string) {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: reference, amount: { value: '73.19', currency: 'EUR' }, returnUrl: 'https://victim.example/return' } },
    key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  return payload.transaction;
}

beforeAll(async () => {
  // Limits wide open: this sweep is about isolation, and its generated selections are deliberately broad.
  server = await startTestServer({ GRAPHQL_MAX_TOKENS: '20000', GRAPHQL_MAX_DEPTH: '30', GRAPHQL_MAX_COST: '100000000', GRAPHQL_MAX_ALIASES: '100' });
  victim = await server.createMerchant(`Victim-${suffix}`);
  attacker = await server.createMerchant(`Attacker-${suffix}`);
  await createTransaction(attacker.key, `attacker-${suffix}`);
  const created = await createTransaction(victim.key, `victim-ref-${suffix}`);
  victimTransaction = { id: created.id, uuid: parseGlobalId(created.id, 'Transaction') ?? '', reference: created.merchantReference };
  const eventCursor = created.events[0]?.cursor ?? '';
  const page = await server.execute(TransactionsDocument, { first: 1 }, victim.key);
  const connectionCursor = page.data?.transactions.edges[0]?.cursor ?? '';
  const merchantGlobalId = encodeGlobalID('Merchant', victim.merchantId);
  variants = [
    { id: victimTransaction.id, cursor: eventCursor },
    { id: merchantGlobalId, cursor: connectionCursor },
    { id: victimTransaction.uuid, cursor: eventCursor },
    { id: victim.merchantId, cursor: connectionCursor },
  ];
  markers = [`Victim-${suffix}`, victimTransaction.reference, victimTransaction.id, victimTransaction.uuid, merchantGlobalId, victim.merchantId, 'victim.example'];
});
afterAll(() => server?.close());

function leakedMarkers(data: unknown): string[] {
  const text = JSON.stringify(data ?? null);
  return markers.filter((marker) => text.includes(marker));
}

describe.each(['query', 'mutation'] as const)('tenant isolation sweep: every %s field', (rootType) => {
  it('returns nothing of another merchant and changes nothing of theirs', async () => {
    const operations = sweepOperations(schema, rootType, variants);
    expect(operations.length).toBeGreaterThan(0);
    const before = await server.db.prisma.transaction.findUniqueOrThrow({ where: { id: victimTransaction.uuid }, include: { events: true } });
    for (const operation of operations) {
      const response = await postGraphql(server.url, { query: operation.query }, { key: attacker.key });
      expect(response.status, `${operation.query}\n${response.text}`).toBeLessThan(500);
      // The generated operation itself must be valid, or the sweep proves nothing for this field.
      expect(errorCodes(response), `${operation.query}\n${response.text}`).not.toContain('GRAPHQL_VALIDATION_FAILED');
      expect(leakedMarkers(response.json?.data), `${operation.query}\n${response.text}`).toEqual([]);
    }
    const after = await server.db.prisma.transaction.findUniqueOrThrow({ where: { id: victimTransaction.uuid }, include: { events: true } });
    expect(after).toEqual(before);
  });

  it('the oracle sees the victim data when the victim asks (so the sweep can fail)', async () => {
    if (rootType === 'mutation') {
      // Mutations are checked for effects above; here: the victim's own cancel does reach its transaction.
      const own = await createTransaction(victim.key, `victim-own-${suffix}`);
      const cancelled = await server.execute(CancelTransactionDocument, { id: own.id }, victim.key);
      expect(cancelled.data?.cancelTransaction.__typename).toBe('CancelTransactionSuccess');
      return;
    }
    // The victim itself, and ADMIN (who may pass any merchantId), do get the victim's data back.
    const seen = new Set<string>();
    for (const key of [victim.key, server.adminKey]) {
      for (const operation of sweepOperations(schema, rootType, variants)) {
        const response = await postGraphql(server.url, { query: operation.query }, { key });
        if (leakedMarkers(response.json?.data).length > 0) seen.add(operation.field);
      }
    }
    expect([...seen]).toEqual(expect.arrayContaining(['transaction', 'node', 'nodes', 'transactions']));
  });
});

const subscriptionFields = Object.keys(schema.getSubscriptionType()?.getFields() ?? {});

// Every subscription root field is swept, whatever fields are added later.
describe('tenant isolation sweep: every subscription field', () => {
  /** Subscribes as `key`, lets `change` happen, and returns what arrived. */
  async function collect(key: string, query: string, change: () => Promise<unknown>): Promise<unknown[]> {
    const client = wsClient(server.url, key);
    const received: unknown[] = [];
    const unsubscribe = client.subscribe({ query }, { next: (value) => received.push(value), error: (error) => received.push({ error }), complete: () => {} });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await change();
    await new Promise((resolve) => setTimeout(resolve, 700));
    unsubscribe();
    await client.dispose();
    return received;
  }

  it.each(subscriptionFields)('%s: another merchant receives nothing of the victim', async (field) => {
    const fresh = await createTransaction(victim.key, `victim-live-${field}-${suffix}`);
    const history = await server.execute(TransactionDocument, { id: fresh.id }, victim.key);
    const values = { id: fresh.id, cursor: history.data?.transaction?.events[0]?.cursor ?? '' };
    const operation = sweepOperations(schema, 'subscription', [values]).find((candidate) => candidate.field === field);
    if (!operation) throw new Error(`no operation for ${field}`);
    const attackerSaw = await collect(attacker.key, operation.query, () => server.execute(CancelTransactionDocument, { id: fresh.id }, victim.key));
    expect(JSON.stringify(attackerSaw)).not.toContain(fresh.merchantReference);
    expect(JSON.stringify(attackerSaw)).not.toContain(fresh.id);
    // The oracle: the victim, subscribed the same way to another transaction of theirs, does see it.
    const mine = await createTransaction(victim.key, `victim-mine-${field}-${suffix}`);
    const mineHistory = await server.execute(TransactionDocument, { id: mine.id }, victim.key);
    const own = sweepOperations(schema, 'subscription', [{ id: mine.id, cursor: mineHistory.data?.transaction?.events[0]?.cursor ?? '' }]).find(
      (candidate) => candidate.field === field,
    );
    const victimSaw = await collect(victim.key, own?.query ?? '', () => server.execute(CancelTransactionDocument, { id: mine.id }, victim.key));
    expect(JSON.stringify(victimSaw)).toContain(mine.merchantReference);
  });
});
