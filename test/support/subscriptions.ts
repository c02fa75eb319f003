import { CreateTransactionDocument } from '../../src/client/operations.ts';
import { createMerchantClient, type MerchantClient, type MerchantClientOptions } from '../../src/client/merchant-client.ts';
import type { Database } from '../../src/db/client.ts';
import { encodeEventCursor } from '../../src/events/cursor.ts';
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
