import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelTransactionDocument, CreateTransactionDocument, TransactionDocument, TransactionsDocument } from '../../src/client/operations.ts';
import { decodeGlobalId, encodeGlobalId } from '../../src/domain/ids.ts';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { transition } from '../../src/services/transitions.ts';
import { schema } from '../../src/graphql/schema/index.ts';
import { errorCodes, postGraphql, wsClient } from '../support/http.ts';
import { isCheckoutField, sweepOperations, type AddressingValues } from '../support/schema-sweep.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

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
/** variants[i]'s kind of id and cursor, naming nothing that exists. */
let absentVariants: AddressingValues[];
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
  // The attacker's transactions on both sides of the victim's: a victim cursor would position their pages either way.
  for (const side of ['before-1', 'before-2']) await createTransaction(attacker.key, `attacker-${side}-${suffix}`);
  const created = await createTransaction(victim.key, `victim-ref-${suffix}`);
  for (const side of ['after-1', 'after-2']) await createTransaction(attacker.key, `attacker-${side}-${suffix}`);
  victimTransaction = { id: created.id, uuid: decodeGlobalId(created.id, 'Transaction') ?? '', reference: created.merchantReference };
  // Captured: money mutations (refundTransaction) would succeed on it if isolation failed, and change its version.
  await transition(server.db, { transactionId: victimTransaction.uuid, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  const eventCursor = created.events[0]?.cursor ?? '';
  const page = await server.execute(TransactionsDocument, { first: 1 }, victim.key);
  const connectionCursor = page.data?.transactions.edges[0]?.cursor ?? '';
  const merchantGlobalId = encodeGlobalId('Merchant', victim.merchantId);
  variants = [
    { id: victimTransaction.id, cursor: eventCursor },
    { id: merchantGlobalId, cursor: connectionCursor },
    { id: victimTransaction.uuid, cursor: eventCursor },
    { id: victim.merchantId, cursor: connectionCursor },
  ];
  const absent = '0190f0f0-0000-7000-8000-00000000abcd';
  const absentEventCursor = encodeEventCursor({ txid: 1n, id: 1n });
  const absentConnectionCursor = Buffer.from(`GPC:S:${absent}`).toString('base64');
  absentVariants = [
    { id: encodeGlobalId('Transaction', absent), cursor: absentEventCursor },
    { id: encodeGlobalId('Merchant', absent), cursor: absentConnectionCursor },
    { id: absent, cursor: absentEventCursor },
    { id: absent, cursor: absentConnectionCursor },
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
      // Another merchant's id is no reason for an internal error (node used to answer one, and log it).
      expect(errorCodes(response), `${operation.query}\n${response.text}`).not.toContain('INTERNAL_SERVER_ERROR');
      expect(leakedMarkers(response.json?.data), `${operation.query}\n${response.text}`).toEqual([]);
    }
    const after = await server.db.prisma.transaction.findUniqueOrThrow({ where: { id: victimTransaction.uuid }, include: { events: true } });
    expect(after).toEqual(before);
    expect(await server.db.prisma.refund.count({ where: { merchantId: victim.merchantId } })).toBe(0);
  });

  it("reads another merchant's ids and cursors exactly like ones that do not exist", async () => {
    // Each victim value beside an absent one of the same kind; the answers, values aside, must be identical.
    const foreign = sweepOperations(schema, rootType, variants);
    const absent = sweepOperations(schema, rootType, absentVariants);
    expect(absent.map((operation) => operation.field)).toEqual(foreign.map((operation) => operation.field));
    let compared = 0;
    for (const [index, operation] of foreign.entries()) {
      const twin = absent[index];
      if (!operation.addressed || !twin) continue;
      const answer = await postGraphql(server.url, { query: operation.query }, { key: attacker.key });
      const twinAnswer = await postGraphql(server.url, { query: twin.query }, { key: attacker.key });
      const normalised = (text: string, { id, cursor }: AddressingValues) => text.split(id).join('<id>').split(cursor).join('<cursor>');
      const [values, absentValues] = [variants[operation.variant], absentVariants[twin.variant]];
      if (!values || !absentValues) throw new Error(`no values for variant ${operation.variant}`);
      expect(normalised(answer.text, values), operation.query).toBe(normalised(twinAnswer.text, absentValues));
      compared += 1;
    }
    expect(compared).toBeGreaterThan(variants.length);
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

// The checkout subscription is closed to secret keys; test/security/checkout.test.ts sweeps it with client secrets.
const subscriptionFields = Object.values(schema.getSubscriptionType()?.getFields() ?? {})
  .filter((field) => !isCheckoutField(field))
  .map((field) => field.name);

// Every subscription root field is swept, whatever fields are added later.
describe('tenant isolation sweep: every subscription field', () => {
  /**
   * Subscribes as `key`, waits until the subscription is attached (or refused), lets `change` happen, and returns
   * what arrived once `arrived` holds or the subscription ended.
   */
  async function collect(key: string, query: string, change: () => Promise<unknown>, arrived: (text: string) => boolean): Promise<unknown[]> {
    const client = wsClient(server.url, key);
    const received: unknown[] = [];
    let ended = false;
    const opened = server.app.events.stats().opened;
    const unsubscribe = client.subscribe(
      { query },
      {
        next: (value) => received.push(value),
        error: (error) => {
          received.push({ error });
          ended = true;
        },
        complete: () => (ended = true),
      },
    );
    await waitFor(() => server.app.events.stats().opened > opened || ended, 'the subscription to attach or be refused');
    await change();
    await waitFor(() => ended || arrived(JSON.stringify(received)), 'the marker, or the end of the subscription');
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
    // After the victim's change, one of the attacker's own as the marker: a stream that stays open delivers in log
    // order, so the victim's change would arrive before it.
    const attackerMarker = `attacker-marker-${field}-${suffix}`;
    const attackerSaw = await collect(
      attacker.key,
      operation.query,
      async () => {
        await server.execute(CancelTransactionDocument, { id: fresh.id }, victim.key);
        const own = await createTransaction(attacker.key, attackerMarker);
        await server.execute(CancelTransactionDocument, { id: own.id }, attacker.key);
      },
      (text) => text.includes(attackerMarker),
    );
    expect(JSON.stringify(attackerSaw)).not.toContain(fresh.merchantReference);
    expect(JSON.stringify(attackerSaw)).not.toContain(fresh.id);
    // The oracle: the victim, subscribed the same way to another transaction of theirs, does see it.
    const mine = await createTransaction(victim.key, `victim-mine-${field}-${suffix}`);
    const mineHistory = await server.execute(TransactionDocument, { id: mine.id }, victim.key);
    const own = sweepOperations(schema, 'subscription', [{ id: mine.id, cursor: mineHistory.data?.transaction?.events[0]?.cursor ?? '' }]).find(
      (candidate) => candidate.field === field,
    );
    const victimSaw = await collect(
      victim.key,
      own?.query ?? '',
      () => server.execute(CancelTransactionDocument, { id: mine.id }, victim.key),
      (text) => text.includes(mine.merchantReference),
    );
    expect(JSON.stringify(victimSaw)).toContain(mine.merchantReference);
  });
});
