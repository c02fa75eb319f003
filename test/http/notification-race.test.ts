import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelTransactionDocument } from '../../src/client/operations.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { generateRsaKeyPair } from '../../src/domain/signatures.ts';
import { resolveProviderSettings } from '../../src/providers/settings.ts';
import { createTransaction } from '../../src/services/transactions.ts';
import { TEST_DATABASE_URL } from '../support/database.ts';
import { alipayParams, postAlipay } from '../support/notifications.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// A merchant cancel racing Alipay's TRADE_SUCCESS on one transaction. Whoever takes the row lock first wins;
// either way the result is one consistent story, and history agrees with state.
// PGlite is one session (everything serialises), so fewer rounds prove less there; PostgreSQL runs all 200.
// Rounds run in small concurrent batches on PostgreSQL; on PGlite's single connection concurrent rounds would only
// queue behind each other, so they run one at a time.
const ROUNDS = TEST_DATABASE_URL === undefined ? 40 : 200;
const PARALLEL_ROUNDS = TEST_DATABASE_URL === undefined ? 1 : 8;

const alipay = generateRsaKeyPair();
let server: TestServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer({ ALIPAY_PUBLIC_KEY: alipay.publicKeyPem });
  merchant = await server.createMerchant('Racer');
});
afterAll(() => server?.close());

type RoundResult = 'CANCELLED' | 'CAPTURED';

async function round(index: number): Promise<RoundResult> {
  const transaction = await createTransaction(
    { db: server.db, config: server.config, alipay: resolveProviderSettings(server.config).alipay },
    merchant.merchantId,
    { merchantReference: `race-${index}`, amount: { value: '10.00', currency: 'USD' }, returnUrl: 'https://shop.example/return' },
  );
  const globalId = encodeGlobalId('Transaction', transaction.id);
  const params = alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '10.00', currency: 'USD' }, alipay.privateKeyPem);
  // One side, chosen at random, starts up to 10 ms late: small delays are true races, and across the rounds both
  // orders occur even where one path is systematically faster (one PGlite connection serialises everything).
  const lateness = Math.floor(Math.random() * 11);
  const cancelLate = Math.random() < 0.5;
  const [cancel, notification] = await Promise.all([
    sleep(cancelLate ? lateness : 0).then(() => server.execute(CancelTransactionDocument, { id: globalId }, merchant.key)),
    sleep(cancelLate ? 0 : lateness).then(() => postAlipay(server.url, params)),
  ]);

  expect(notification.status).toBe(200);
  expect(notification.text).toBe('success');
  const stored = await server.db.prisma.transaction.findUniqueOrThrow({
    where: { id: transaction.id },
    include: { events: { orderBy: { sequence: 'asc' } }, notifications: { include: { anomaly: true } }, anomalies: true },
  });
  // History agrees with state: sequences 1..version, last event = current status, each step from the previous one.
  expect(stored.events.map((event) => event.sequence)).toEqual(Array.from({ length: stored.version }, (_, i) => i + 1));
  expect(stored.events.at(-1)?.status).toBe(stored.status);
  for (const [position, event] of stored.events.entries()) {
    expect(event.previousStatus).toBe(position === 0 ? null : stored.events[position - 1]?.status);
  }
  expect(stored.notifications).toHaveLength(1);
  const [inbox] = stored.notifications;

  const payload = cancel.data?.cancelTransaction;
  if (payload?.__typename === 'CancelTransactionSuccess') {
    // The cancel won: the capture is real money for a cancelled order.
    expect(payload.transaction.status).toBe('CANCELLED');
    expect(stored.status).toBe('CANCELLED');
    expect(stored.events.map((event) => [event.status, event.source])).toEqual([
      ['CREATED', 'MERCHANT_API'],
      ['REDIRECTED', 'MERCHANT_API'],
      ['CANCELLED', 'MERCHANT_API'],
    ]);
    expect(inbox?.outcome).toBe('ANOMALY');
    expect(inbox?.anomaly?.kind).toBe('CAPTURED_AFTER_CANCEL');
    expect(stored.anomalies).toHaveLength(1);
    return 'CANCELLED';
  }
  // The capture won: the merchant is told, with the current status, and nothing is flagged.
  expect(payload).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE', currentStatus: 'CAPTURED' });
  expect(stored.status).toBe('CAPTURED');
  expect(stored.events.map((event) => [event.status, event.source])).toEqual([
    ['CREATED', 'MERCHANT_API'],
    ['REDIRECTED', 'MERCHANT_API'],
    ['CAPTURED', 'PROVIDER_NOTIFICATION'],
  ]);
  expect(inbox?.outcome).toBe('APPLIED');
  expect(inbox?.transactionEventId).toBe(stored.events.at(-1)?.id);
  expect(stored.anomalies).toHaveLength(0);
  return 'CAPTURED';
}

describe('merchant cancel racing TRADE_SUCCESS', () => {
  it(`ends every one of ${ROUNDS} rounds in one consistent outcome`, async () => {
    const outcomes: RoundResult[] = [];
    for (let start = 0; start < ROUNDS; start += PARALLEL_ROUNDS) {
      const batch = Array.from({ length: Math.min(PARALLEL_ROUNDS, ROUNDS - start) }, (_, offset) => round(start + offset));
      outcomes.push(...(await Promise.all(batch)));
    }
    expect(outcomes).toHaveLength(ROUNDS);
    // Both orders must actually have happened, or the race was not tested.
    expect(outcomes).toContain('CANCELLED');
    expect(outcomes).toContain('CAPTURED');
    const open = await server.db.prisma.anomaly.count({ where: { kind: 'CAPTURED_AFTER_CANCEL', status: 'OPEN' } });
    expect(open).toBe(outcomes.filter((outcome) => outcome === 'CANCELLED').length);
  }, 120_000);
});
