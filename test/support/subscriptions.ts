import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { createMerchantClient, type MerchantClient, type MerchantClientOptions } from '../../src/client/merchant-client.ts';
import type { Database } from '../../src/db/client.ts';
import { comparePositions, decodeEventCursor, encodeEventCursor } from '../../src/events/cursor.ts';
import { readCommittedEvents, type CommittedEvent, type LogReadOptions } from '../../src/events/log.ts';
import type { TestServer } from './server.ts';

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every test client reconnects fast: the default backoff is for real networks. */
export function testClient(url: string, apiKey: string, extra: Partial<MerchantClientOptions> = {}): MerchantClient {
  return createMerchantClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    apiKey,
    retryWait: async () => {
      await sleep(20 + Math.random() * 30);
    },
    ...extra,
  });
}

export async function createTransactionVia(server: TestServer, key: string, reference = `order-${Math.random().toString(36).slice(2)}`) {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: reference, amount: { value: '10.00', currency: 'EUR' }, returnUrl: 'https://shop.example/return' } },
    key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(`create failed: ${JSON.stringify(result)}`);
  return payload.transaction;
}

/** The log as the database has it, in stream order, as cursors (one merchant, or all). */
export async function logCursors(db: Database, merchantId?: string): Promise<string[]> {
  const rows = await db.prisma.transactionEvent.findMany({
    where: merchantId === undefined ? {} : { merchantId },
    orderBy: [{ txid: 'asc' }, { id: 'asc' }],
    select: { txid: true, id: true },
  });
  return rows.map((row) => encodeEventCursor(row));
}

/**
 * Waits until the log reader sees `count` events: the horizon is cluster-wide, so a transaction held
 * open by any other test (or anyone) delays what readers see, never what they eventually get.
 */
export async function visibleLog(db: Database, options: LogReadOptions, count: number): Promise<CommittedEvent[]> {
  let events: CommittedEvent[] = [];
  await waitFor(async () => {
    events = await readCommittedEvents(db, options);
    return events.length >= count;
  }, `${count} events to be visible in the log`);
  return events;
}

/**
 * Waits until the server's relay has passed every event committed so far, so that a subscription
 * without `after` ("from now") starts after them. (The relay lags commits by as long as the oldest open
 * transaction in the cluster stays open; with `after`, nothing depends on that.) Each look pokes it: without
 * subscribers, commits alone do not make it read.
 */
export async function relayCaughtUp(server: TestServer): Promise<void> {
  const last = await server.db.prisma.transactionEvent.findFirst({ orderBy: [{ txid: 'desc' }, { id: 'desc' }], select: { txid: true, id: true } });
  if (!last) return;
  await waitFor(async () => {
    await server.app.events.poke();
    const position = decodeEventCursor(server.app.events.health().position);
    return position !== undefined && comparePositions(position, last) >= 0;
  }, 'the relay to pass every committed event');
}
