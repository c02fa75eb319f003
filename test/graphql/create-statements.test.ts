import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { transactionOfClientSecret } from '../../src/services/client-secrets.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Pins the SQL a createTransaction costs (#19.2): every statement sent on any pg connection while the mutation is
 * served, Prisma's and hand-written alike. Without an idempotency key it is one statement (no BEGIN/COMMIT: a single
 * statement is atomic on its own); with one, BEGIN + advisory lock + the key's record, then the create and COMMIT.
 */

let server: TestServer;
let merchantKey: string;
let merchantId: string;
const statements: string[] = [];
const originalQuery = pg.Client.prototype.query;

type QueryArgument = string | { text?: string; name?: string };

beforeAll(async () => {
  server = await startTestServer();
  ({ key: merchantKey, merchantId } = await server.createMerchant('Counted creates'));
  // Every statement of every connection (the pool's, Prisma's through the same pool); the event relay's reads of the log
  // after each commit are the relay's, not the request's, and are left out below.
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as QueryArgument;
    statements.push(typeof first === 'string' ? first : (first.text ?? ''));
    return (originalQuery as (...values: unknown[]) => unknown).apply(this, args);
  } as typeof pg.Client.prototype.query;
});
afterAll(async () => {
  pg.Client.prototype.query = originalQuery;
  await server?.close();
});
afterEach(() => {
  statements.length = 0;
});

/** The statements sent for the request, named by what they do (any other is shown whole). */
const fromRequest = () =>
  statements
    .filter((text) => !/pg_snapshot_xmin|LISTEN /.test(text))
    .map((text) => {
      const flat = text.replace(/\s+/g, ' ').trim();
      if (flat.startsWith('WITH t AS ( INSERT INTO transactions')) return 'create';
      if (flat.startsWith('WITH secret AS ( INSERT INTO client_secrets')) return 'replay';
      if (flat.startsWith('SELECT pg_advisory_xact_lock')) return 'lock';
      if (flat.startsWith('SELECT request_hash, transaction_id::text AS transaction_id, expires_at FROM idempotency_records')) return 'record';
      return flat;
    });

const input = (reference: string, idempotencyKey?: string) => ({
  merchantReference: reference,
  amount: { value: '19.99', currency: 'EUR' },
  returnUrl: 'https://shop.example/return',
  ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
});

it('creates a transaction with its history and client secret in one statement', async () => {
  await server.execute(CreateTransactionDocument, { input: input('warm') }, merchantKey); // the API key's lookup
  statements.length = 0;
  const answer = await server.execute(CreateTransactionDocument, { input: input('one-statement') }, merchantKey);
  const result = answer.data?.createTransaction;
  if (result?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(answer));
  expect(fromRequest(), statements.join('\n---\n')).toEqual(['create']);
  expect(result.transaction).toMatchObject({ status: 'REDIRECTED', merchantReference: 'one-statement', amount: { value: '19.99', currency: 'EUR' } });
  expect(result.transaction.events.map((event) => [event.sequence, event.status, event.previousStatus, event.source])).toEqual([
    [1, 'CREATED', null, 'MERCHANT_API'],
    [2, 'REDIRECTED', 'CREATED', 'MERCHANT_API'],
  ]);
  // What was answered is what was stored.
  const id = decodeGlobalId(result.transaction.id, 'Transaction') ?? '';
  const stored = await server.db.prisma.transaction.findUniqueOrThrow({ where: { id }, include: { events: { orderBy: { sequence: 'asc' } } } });
  expect(stored).toMatchObject({ status: 'REDIRECTED', version: 2, redirectUrl: result.transaction.redirectUrl });
  expect(stored.events.map((event) => [event.sequence, event.status, event.previousStatus])).toEqual([
    [1, 'CREATED', null],
    [2, 'REDIRECTED', 'CREATED'],
  ]);
  expect(stored.events[0]!.id < stored.events[1]!.id).toBe(true);
  expect(await transactionOfClientSecret(server.db, merchantId, result.clientSecret)).toBe(id);
});

it('with an idempotency key: BEGIN, the lock and the record, then the create with COMMIT; a replay reads in one statement', async () => {
  const first = await server.execute(CreateTransactionDocument, { input: input('keyed', 'key-1') }, merchantKey);
  expect(fromRequest()).toEqual([
    'BEGIN',
    'lock',
    'record',
    'create',
    'COMMIT',
  ]);
  statements.length = 0;
  const replay = await server.execute(CreateTransactionDocument, { input: input('keyed', 'key-1') }, merchantKey);
  expect(fromRequest()).toEqual([
    'BEGIN',
    'lock',
    'record',
    'replay',
    'COMMIT',
  ]);
  const [created, replayed] = [first.data?.createTransaction, replay.data?.createTransaction];
  if (created?.__typename !== 'CreateTransactionSuccess' || replayed?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify([first, replay]));
  expect(replayed.transaction).toEqual(created.transaction);
  expect(replayed.clientSecret).not.toBe(created.clientSecret);
  const id = decodeGlobalId(created.transaction.id, 'Transaction') ?? '';
  expect(await transactionOfClientSecret(server.db, merchantId, replayed.clientSecret)).toBe(id);
  expect(await transactionOfClientSecret(server.db, merchantId, created.clientSecret)).toBe(id);
});
