import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTransactions } from '../../src/db/sql/seed.ts';
import { postAlipay, postSignedEvent, signedEventBody, type EventKey } from '../support/notifications.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

// A refused notification is the cheapest request an attacker can send (no key, no valid signature). It must
// not cost a database write each (they all queue on one counter row), and one address cannot flood refusals.

const key: EventKey = { keyId: 'refusal-sweep', secret: 'a-long-enough-secret-for-the-sweep' };
const badSignature = () => postSignedEvent(server.url, key, signedEventBody({ status: 'CAPTURED', transactionId: crypto.randomUUID() }), { signature: 'AAAA' });

let server: TestServer;
const statements: string[] = [];
const counterWrites = () => statements.filter((text) => /notification_rejections/.test(text)).length;
const storedCount = async () =>
  (await server.db.prisma.notificationRejection.findUnique({ where: { sender_reason: { sender: 'SIGNED_EVENT', reason: 'BAD_SIGNATURE' } } }))?.count ?? 0n;

beforeAll(async () => {
  server = await startTestServer(
    { NOTIFICATION_KEYS: `${key.keyId}:${key.secret}`, NOTIFICATION_REFUSALS_PER_ADDRESS: '0', NOTIFICATION_REFUSAL_FLUSH_SECONDS: '3600' },
    { onQuery: (text) => statements.push(text) },
  );
});
afterAll(() => server?.close());

describe('refused notifications', () => {
  it('200 bad signatures cost no counter write each; the count is exact once flushed (at shutdown too)', async () => {
    const writesBefore = counterWrites();
    for (let round = 0; round < 20; round += 1) {
      const replies = await Promise.all(Array.from({ length: 10 }, badSignature));
      expect(replies.map((reply) => reply.status)).toEqual(Array.from({ length: 10 }, () => 401));
    }
    expect(counterWrites() - writesBefore).toBe(0);
    await server.app.close();
    // Shutdown flushed: one write for the one (sender, reason) counted, and the count is exact.
    expect(counterWrites() - writesBefore).toBeLessThanOrEqual(2);
    expect(await storedCount()).toBe(200n);
  });
});

describe('refusals per address', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({
      NOTIFICATION_KEYS: `${key.keyId}:${key.secret}`,
      NOTIFICATION_REFUSALS_PER_ADDRESS: '5',
      NOTIFICATION_REFUSAL_WINDOW_SECONDS: '600',
      NOTIFICATION_REFUSAL_FLUSH_SECONDS: '1',
    });
  });
  afterAll(() => limited?.close());

  it('past the limit an address gets 429 with Retry-After instead of another refusal, and valid notifications still pass', async () => {
    const bad = () => postSignedEvent(limited.url, key, signedEventBody({ status: 'CAPTURED', transactionId: crypto.randomUUID() }), { signature: 'AAAA' });
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) statuses.push((await bad()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const throttled = await bad();
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(throttled.json()).toMatchObject({ received: false });
    // The same address's Alipay refusals share its budget.
    expect((await postAlipay(limited.url, { out_trade_no: 'x', sign: 'bad', sign_type: 'RSA2' })).status).toBe(429);
    // An authentic notification is never throttled: it is not a refusal.
    const { merchantId } = await limited.createMerchant();
    const [transactionId] = await seedTransactions(limited.db.sql, [{ merchantId, history: [{ status: 'REDIRECTED' }] }]);
    const valid = await postSignedEvent(limited.url, key, signedEventBody({ status: 'CAPTURED', transactionId, amount: { value: '10.00', currency: 'EUR' } }));
    expect(valid.status).toBe(200);
    expect(valid.json()).toMatchObject({ outcome: 'APPLIED' });
    // Throttled refusals are still counted (admins see the whole attack), and the periodic flush writes them.
    await waitFor(
      async () =>
        (await limited.db.prisma.notificationRejection.findUnique({ where: { sender_reason: { sender: 'SIGNED_EVENT', reason: 'BAD_SIGNATURE' } } }))?.count === 9n,
      'the periodic flush',
    );
  });
});
