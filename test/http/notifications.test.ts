import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnomaliesDocument,
  CancelTransactionDocument,
  CreateTransactionDocument,
  NotificationStatsDocument,
  ResolveAnomalyDocument,
  TransactionNotificationsDocument,
} from '../../src/client/operations.ts';
import { encodeGlobalId, decodeGlobalId } from '../../src/domain/ids.ts';
import { generateRsaKeyPair, signEvent } from '../../src/domain/signatures.ts';
import { transition } from '../../src/services/transitions.ts';
import {
  alipayParams,
  eventId,
  postAlipay,
  postSignedEvent,
  signedEventBody,
  type EventKey,
} from '../support/notifications.ts';
import { metricSum } from '../support/http.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { waitFor } from '../support/subscriptions.ts';

// Two active keys at once: rotation.
const oldKey: EventKey = { keyId: 'reconciler-2025', secret: 'old-secret-0123456789abcdef' };
const newKey: EventKey = { keyId: 'reconciler-2026', secret: 'new-secret-0123456789abcdef' };
const alipay = generateRsaKeyPair();
const stranger = generateRsaKeyPair();

let server: TestServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer({
    NOTIFICATION_KEYS: `${oldKey.keyId}:${oldKey.secret},${newKey.keyId}:${newKey.secret}`,
    ALIPAY_PUBLIC_KEY: alipay.publicKeyPem,
    // Refusals are counted in memory and written this often: the counts below appear within a second.
    NOTIFICATION_REFUSAL_FLUSH_SECONDS: '1',
  });
  merchant = await server.createMerchant('Acme');
});
afterAll(() => server?.close());

type Created = { globalId: string; id: string };

async function createTransaction(value = '19.99', currency = 'EUR'): Promise<Created> {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: `order-${Math.random().toString(36).slice(2)}`, amount: { value, currency }, returnUrl: 'https://shop.example/return' } },
    merchant.key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  return { globalId: payload.transaction.id, id: decodeGlobalId(payload.transaction.id, 'Transaction') ?? '' };
}

async function inspect(transaction: Created) {
  const result = await server.execute(TransactionNotificationsDocument, { id: transaction.globalId }, server.adminKey);
  const found = result.data?.transaction;
  if (!found) throw new Error(JSON.stringify(result));
  return found;
}

const alipayPay = (transaction: Created, overrides: Partial<Parameters<typeof alipayParams>[0]> = {}) =>
  postAlipay(server.url, alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '19.99', currency: 'EUR', ...overrides }, alipay.privateKeyPem));

const sendEvent = (input: Parameters<typeof signedEventBody>[0], key = newKey) => postSignedEvent(server.url, key, signedEventBody(input));

async function rejectionCount(reason: string, sender: string): Promise<number> {
  const stats = await server.execute(NotificationStatsDocument, {}, server.adminKey);
  return stats.data?.notificationStats.rejections.find((row) => row.reason === reason && row.sender === sender)?.count ?? 0;
}

/** Waits for the periodic flush to make the stored count what it must be (exactly: a count past it never matches). */
async function expectRejectionCount(reason: string, sender: string, expected: (count: number) => boolean): Promise<void> {
  await waitFor(async () => expected(await rejectionCount(reason, sender)), `${sender} ${reason} counted`);
}

async function inboxSize(): Promise<number> {
  return server.db.prisma.notification.count();
}

describe('endpoint verification', () => {
  it('echoes X-Endpoint-Verification as text/plain', async () => {
    const response = await fetch(`${server.url}/notifications/events`, { headers: { 'x-endpoint-verification': 'challenge-42' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('challenge-42');
  });

  it('answers 400 without the header', async () => {
    const response = await fetch(`${server.url}/notifications/events`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/X-Endpoint-Verification/);
  });
});

describe('signatures', () => {
  it('accepts every active key (rotation) and acknowledges with JSON', async () => {
    for (const key of [oldKey, newKey]) {
      const transaction = await createTransaction();
      const response = await sendEvent({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } }, key);
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ received: true, outcome: 'APPLIED', duplicate: false });
      expect((await inspect(transaction)).status).toBe('CAPTURED');
    }
  });

  it.each([
    ['UNKNOWN_KEY', (body: string) => postSignedEvent(server.url, { keyId: 'nobody', secret: newKey.secret }, body)],
    ['BAD_SIGNATURE', (body: string) => postSignedEvent(server.url, newKey, body, { signature: signEvent('wrong-secret-0123456789', Math.floor(Date.now() / 1000), body) })],
    ['BAD_SIGNATURE', (body: string) => postSignedEvent(server.url, newKey, body, { signature: signEvent(newKey.secret, Math.floor(Date.now() / 1000), `${body} `) })],
    ['STALE_TIMESTAMP', (body: string) => postSignedEvent(server.url, newKey, body, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
    ['STALE_TIMESTAMP', (body: string) => postSignedEvent(server.url, newKey, body, { timestamp: Math.floor(Date.now() / 1000) + 301 })],
    ['MISSING_SIGNATURE', (body: string) => postSignedEvent(server.url, newKey, body, { headers: { 'x-signature': '' } })],
    ['MALFORMED_SIGNATURE', (body: string) => postSignedEvent(server.url, newKey, body, { signature: 'not base64!' })],
  ])('refuses %s with 401, changes nothing, and counts it', async (reason, send) => {
    const transaction = await createTransaction();
    const before = await rejectionCount(reason, 'SIGNED_EVENT');
    const inbox = await inboxSize();
    const response = await send(signedEventBody({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } }));
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ received: false, error: expect.any(String) });
    expect((await inspect(transaction)).status).toBe('REDIRECTED');
    expect(await inboxSize()).toBe(inbox);
    await expectRejectionCount(reason, 'SIGNED_EVENT', (count) => count === before + 1);
  });

  it('refuses Alipay notifications that are unsigned, signed by another key, or not RSA2', async () => {
    const transaction = await createTransaction();
    const signed = alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '19.99', currency: 'EUR' }, alipay.privateKeyPem);
    const { sign: _sign, ...unsigned } = signed;
    const cases: [Record<string, string>, string][] = [
      [unsigned, 'MISSING_SIGNATURE'],
      [alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '19.99', currency: 'EUR' }, stranger.privateKeyPem), 'BAD_SIGNATURE'],
      [{ ...signed, sign_type: 'RSA' }, 'BAD_SIGNATURE'],
      [{ ...signed, total_fee: '0.01' }, 'BAD_SIGNATURE'],
    ];
    for (const [params, reason] of cases) {
      const before = await rejectionCount(reason, 'ALIPAY');
      const response = await postAlipay(server.url, params);
      expect(response.status).toBe(401);
      expect(response.text).not.toBe('success');
      await expectRejectionCount(reason, 'ALIPAY', (count) => count === before + 1);
    }
    expect((await inspect(transaction)).status).toBe('REDIRECTED');
  });
});

describe('semantics', () => {
  it('applies TRADE_SUCCESS with source PROVIDER_NOTIFICATION and the trade number, answering `success`', async () => {
    const transaction = await createTransaction();
    const response = await alipayPay(transaction, { tradeNo: '2026112622001499999999' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toBe('success');
    const found = await inspect(transaction);
    expect(found.status).toBe('CAPTURED');
    expect(found.providerReference).toBe('2026112622001499999999');
    expect(found.events.at(-1)).toMatchObject({ sequence: 3, previousStatus: 'REDIRECTED', status: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    expect(found.notifications).toHaveLength(1);
    expect(found.notifications[0]).toMatchObject({
      sender: 'ALIPAY',
      eventType: 'TRADE_SUCCESS',
      outcome: 'APPLIED',
      targetStatus: 'CAPTURED',
      amount: { value: '19.99', currency: 'EUR' },
      deliveries: 1,
      transactionEvent: { sequence: 3, status: 'CAPTURED' },
    });
    expect(found.notifications[0]?.rawBody).toContain('trade_status=TRADE_SUCCESS');
  });

  it('answers a redelivered event id 200 and changes nothing but the delivery count', async () => {
    const transaction = await createTransaction();
    const body = signedEventBody({ id: eventId(), transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } });
    expect((await postSignedEvent(server.url, newKey, body)).json()).toMatchObject({ outcome: 'APPLIED', duplicate: false });
    const again = await postSignedEvent(server.url, newKey, body);
    expect(again.status).toBe(200);
    expect(again.json()).toMatchObject({ received: true, outcome: 'APPLIED', duplicate: true });
    const params = alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '19.99', currency: 'EUR' }, alipay.privateKeyPem);
    expect((await postAlipay(server.url, params)).text).toBe('success');
    expect((await postAlipay(server.url, params)).text).toBe('success');
    const found = await inspect(transaction);
    expect(found.events).toHaveLength(3);
    expect(found.notifications.map((row) => [row.sender, row.outcome, row.deliveries])).toEqual([
      ['SIGNED_EVENT', 'APPLIED', 2],
      ['ALIPAY', 'DUPLICATE', 2],
    ]);
  });

  it('applies concurrent deliveries of one event exactly once', async () => {
    const transaction = await createTransaction();
    const body = signedEventBody({ id: eventId(), transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } });
    const replies = await Promise.all(Array.from({ length: 12 }, () => postSignedEvent(server.url, newKey, body)));
    expect(replies.map((response) => response.status)).toEqual(Array(12).fill(200));
    expect(replies.filter((response) => (response.json() as { duplicate: boolean }).duplicate === false)).toHaveLength(1);
    const found = await inspect(transaction);
    expect(found.events).toHaveLength(3);
    expect(found.notifications).toHaveLength(1);
    expect(found.notifications[0]).toMatchObject({ outcome: 'APPLIED', deliveries: 12 });
  });

  it('records the same target status from another event as a no-op (DUPLICATE)', async () => {
    const transaction = await createTransaction();
    await alipayPay(transaction);
    const response = await sendEvent({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } });
    expect(response.json()).toMatchObject({ outcome: 'DUPLICATE', duplicate: false });
    const found = await inspect(transaction);
    expect(found.events).toHaveLength(3);
    expect(found.notifications.map((row) => row.outcome)).toEqual(['APPLIED', 'DUPLICATE']);
  });

  it('records a stale, out-of-order notification (REDIRECTED after CAPTURED) without applying it', async () => {
    const transaction = await createTransaction();
    await alipayPay(transaction);
    const late = await postAlipay(server.url, alipayParams({ outTradeNo: transaction.id, tradeStatus: 'WAIT_BUYER_PAY', totalFee: '19.99', currency: 'EUR' }, alipay.privateKeyPem));
    expect(late.text).toBe('success');
    const found = await inspect(transaction);
    expect(found.status).toBe('CAPTURED');
    expect(found.events).toHaveLength(3);
    expect(found.notifications.at(-1)).toMatchObject({ outcome: 'STALE', targetStatus: 'REDIRECTED', detail: expect.stringContaining('CAPTURED') });
  });

  it('keeps a cancelled transaction CANCELLED when the capture arrives, and opens one CAPTURED_AFTER_CANCEL anomaly', async () => {
    const transaction = await createTransaction();
    const cancelled = await server.execute(CancelTransactionDocument, { id: transaction.globalId }, merchant.key);
    expect(cancelled.data?.cancelTransaction.__typename).toBe('CancelTransactionSuccess');
    expect((await alipayPay(transaction)).text).toBe('success');
    // The settlement of the same money joins the open anomaly instead of asking for a second refund.
    expect((await sendEvent({ transactionId: transaction.id, status: 'PAID', amount: { value: '19.99', currency: 'EUR' } })).json()).toMatchObject({ outcome: 'ANOMALY' });
    const found = await inspect(transaction);
    expect(found.status).toBe('CANCELLED');
    expect(found.events.map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', 'CANCELLED']);
    expect(found.notifications.map((row) => [row.outcome, row.anomaly?.kind])).toEqual([
      ['ANOMALY', 'CAPTURED_AFTER_CANCEL'],
      ['ANOMALY', 'CAPTURED_AFTER_CANCEL'],
    ]);
    expect(found.notifications[0]?.anomaly?.id).toBe(found.notifications[1]?.anomaly?.id);
    const open = await server.execute(AnomaliesDocument, { kind: 'CAPTURED_AFTER_CANCEL', first: 100 }, server.adminKey);
    const anomaly = open.data?.anomalies.edges.find((edge) => edge.node.transaction?.id === transaction.globalId)?.node;
    expect(anomaly).toMatchObject({ status: 'OPEN', detail: expect.stringMatching(/refund 19\.99 EUR/) });
    expect(anomaly?.notifications).toHaveLength(2);
  });

  it('treats a capture after REJECTED (e.g. expired) like a capture after cancel', async () => {
    const transaction = await createTransaction();
    await transition(server.db, { transactionId: transaction.id, target: 'REJECTED', source: 'SYSTEM', reason: 'EXPIRED' });
    expect((await alipayPay(transaction)).text).toBe('success');
    const found = await inspect(transaction);
    expect(found.status).toBe('REJECTED');
    expect(found.notifications[0]).toMatchObject({ outcome: 'ANOMALY', anomaly: { kind: 'CAPTURED_AFTER_REJECTION', status: 'OPEN' } });
  });

  it.each([
    ['an unknown uuid', () => '0190f0f0-0000-7000-8000-000000000000'],
    ['a malformed out_trade_no', () => "order-42'; DROP TABLE transactions; --"],
  ])('stores an Alipay notification for %s as an ORPHAN anomaly and acknowledges it', async (_label, outTradeNo) => {
    const response = await postAlipay(server.url, alipayParams({ outTradeNo: outTradeNo(), tradeStatus: 'TRADE_SUCCESS', totalFee: '5.00', currency: 'USD' }, alipay.privateKeyPem));
    expect(response.status).toBe(200);
    expect(response.text).toBe('success');
    const row = await server.db.prisma.notification.findFirstOrThrow({ where: { transactionReference: outTradeNo() }, include: { anomaly: true } });
    expect(row).toMatchObject({ outcome: 'ANOMALY', transactionId: null, anomaly: { kind: 'ORPHAN', status: 'OPEN', transactionId: null } });
  });

  it('treats a signed event whose payment.id is not a transaction id as an orphan', async () => {
    for (const paymentId of ['not-a-global-id', encodeGlobalId('Merchant', merchant.merchantId), encodeGlobalId('Transaction', '0190f0f0-0000-7000-8000-00000000abcd')]) {
      const response = await sendEvent({ paymentId, status: 'CAPTURED', amount: { value: '1.00', currency: 'EUR' } });
      expect(response.status).toBe(200);
      expect(response.json()).toMatchObject({ outcome: 'ANOMALY' });
      const row = await server.db.prisma.notification.findFirstOrThrow({ where: { transactionReference: paymentId }, include: { anomaly: true } });
      expect(row.anomaly?.kind).toBe('ORPHAN');
    }
  });

  it.each([
    ['amount', { totalFee: '19.98', currency: 'EUR' }],
    ['currency', { totalFee: '19.99', currency: 'USD' }],
  ])('does not apply a notification whose %s disagrees (AMOUNT_MISMATCH)', async (_label, money) => {
    const transaction = await createTransaction();
    expect((await alipayPay(transaction, money)).text).toBe('success');
    const found = await inspect(transaction);
    expect(found.status).toBe('REDIRECTED');
    expect(found.notifications[0]).toMatchObject({ outcome: 'ANOMALY', anomaly: { kind: 'AMOUNT_MISMATCH' } });
  });

  it('checks signed-event amounts too, and requires one when money moves', async () => {
    const transaction = await createTransaction('1999', 'JPY');
    expect((await sendEvent({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '1998', currency: 'JPY' } })).json()).toMatchObject({ outcome: 'ANOMALY' });
    const missing = await sendEvent({ transactionId: transaction.id, status: 'CAPTURED', amount: null });
    expect(missing.status).toBe(400);
    expect(missing.json()).toMatchObject({ error: expect.stringMatching(/payment\.amount is required/) });
    expect((await inspect(transaction)).status).toBe('REDIRECTED');
  });

  it('changes nothing on TRADE_FINISHED (IGNORED, not a new success)', async () => {
    const transaction = await createTransaction();
    await alipayPay(transaction);
    expect((await alipayPay(transaction, { tradeStatus: 'TRADE_FINISHED' })).text).toBe('success');
    const found = await inspect(transaction);
    expect(found.status).toBe('CAPTURED');
    expect(found.events).toHaveLength(3);
    expect(found.notifications.map((row) => row.outcome)).toEqual(['APPLIED', 'IGNORED']);
  });

  it('moves CAPTURED to PAID on payment.paid, with source SETTLEMENT', async () => {
    const transaction = await createTransaction();
    await alipayPay(transaction);
    const response = await sendEvent({ transactionId: transaction.id, status: 'PAID', amount: { value: '19.99', currency: 'EUR' }, reason: 'FUNDS_RECEIVED' });
    expect(response.json()).toMatchObject({ outcome: 'APPLIED' });
    const found = await inspect(transaction);
    expect(found.status).toBe('PAID');
    expect(found.statusReason).toBe('FUNDS_RECEIVED');
    expect(found.events.at(-1)).toMatchObject({ status: 'PAID', previousStatus: 'CAPTURED', source: 'SETTLEMENT' });
  });

  it('rejects an open trade on TRADE_CLOSED, and takes TRADE_CLOSED after a merchant cancel as a confirmation', async () => {
    const open = await createTransaction();
    await alipayPay(open, { tradeStatus: 'TRADE_CLOSED' });
    const rejected = await inspect(open);
    expect(rejected.status).toBe('REJECTED');
    expect(rejected.statusReason).toBe('TRADE_CLOSED');

    const cancelled = await createTransaction();
    await server.execute(CancelTransactionDocument, { id: cancelled.globalId }, merchant.key);
    expect((await alipayPay(cancelled, { tradeStatus: 'TRADE_CLOSED' })).text).toBe('success');
    const confirmed = await inspect(cancelled);
    expect(confirmed.status).toBe('CANCELLED');
    expect(confirmed.notifications[0]).toMatchObject({ outcome: 'NO_OP', anomaly: null });
  });

  it('flags TRADE_CLOSED after PAID as CONFLICTING_STATUS', async () => {
    const transaction = await createTransaction();
    await alipayPay(transaction);
    await sendEvent({ transactionId: transaction.id, status: 'PAID', amount: { value: '19.99', currency: 'EUR' } });
    await alipayPay(transaction, { tradeStatus: 'TRADE_CLOSED' });
    const found = await inspect(transaction);
    expect(found.status).toBe('PAID');
    expect(found.notifications.at(-1)).toMatchObject({ outcome: 'ANOMALY', anomaly: { kind: 'CONFLICTING_STATUS' } });
  });
});

describe('bad input: 4xx with a clear message, never a 500, nothing half-applied', () => {
  it.each([
    ['a JSON body with the form content type', '{"out_trade_no":"x"}', 'application/x-www-form-urlencoded', 400, /form/],
    ['an empty body', '', 'application/x-www-form-urlencoded', 400, /empty/],
    ['invalid UTF-8', Buffer.from([0x6e, 0x6f, 0x74, 0x69, 0x66, 0x79, 0x3d, 0xff, 0xfe]), 'application/x-www-form-urlencoded', 400, /UTF-8/],
    ['percent-encoded invalid UTF-8', 'notify_id=%FF%FE&sign=abc', 'application/x-www-form-urlencoded', 400, /UTF-8|percent/],
    ['a repeated field', 'notify_id=a&notify_id=b&sign=abc', 'application/x-www-form-urlencoded', 400, /more than once/],
    ['JSON content', '{}', 'application/json', 415, /x-www-form-urlencoded/],
    ['no content type', 'a=b', '', 415, /x-www-form-urlencoded/],
    ['a non-UTF-8 charset', 'a=b', 'application/x-www-form-urlencoded; charset=gbk', 415, /UTF-8/],
  ])('Alipay: %s', async (_label, body, contentType, status, message) => {
    const inbox = await inboxSize();
    const response = await postAlipay(server.url, body, contentType);
    expect(response.status).toBe(status);
    expect(response.text).toMatch(message);
    expect(await inboxSize()).toBe(inbox);
  });

  it('Alipay: keeps the raw body of an authentic notification with missing or invalid fields, and answers 400', async () => {
    const transaction = await createTransaction();
    for (const [params, message] of [
      [alipayParams({ outTradeNo: '', tradeStatus: 'TRADE_SUCCESS', totalFee: '19.99', currency: 'EUR' }, alipay.privateKeyPem), /out_trade_no/],
      [alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS' }, alipay.privateKeyPem), /total_fee and currency/],
      [alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_PAID_MAYBE', totalFee: '19.99', currency: 'EUR' }, alipay.privateKeyPem), /trade_status/],
      [alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '19.999', currency: 'EUR' }, alipay.privateKeyPem), /total_fee/],
      [alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '19.99', currency: 'EUR', tradeNo: 'abc\u0000def' }, alipay.privateKeyPem), /trade_no/],
      [alipayParams({ outTradeNo: transaction.id, tradeStatus: 'TRADE_SUCCESS', totalFee: '1\u00009', currency: 'EUR' }, alipay.privateKeyPem), /total_fee/],
    ] as const) {
      const body = new URLSearchParams(params).toString();
      const response = await postAlipay(server.url, body);
      expect(response.status).toBe(400);
      expect(response.text).toMatch(message);
      const kept = await server.db.prisma.notification.findFirstOrThrow({ where: { outcome: 'MALFORMED', sender: 'ALIPAY' }, orderBy: { receivedAt: 'desc' } });
      expect(Buffer.from(kept.rawBody).toString()).toBe(body);
    }
    expect((await inspect(transaction)).status).toBe('REDIRECTED');
  });

  it('signed events: keeps the raw body whenever the signature is valid, and answers 4xx', async () => {
    const transaction = await createTransaction();
    const invalidUtf8 = Buffer.concat([Buffer.from('{"id":"evt_1","x":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    const cases: [string | Buffer, string, number, RegExp][] = [
      ['{"id": "evt_1", ', 'application/json', 400, /not JSON/],
      [invalidUtf8, 'application/json', 400, /UTF-8/],
      ['[]', 'application/json', 400, /body|expected object/i],
      [JSON.stringify({ id: eventId(), type: 'payment.captured', created: new Date().toISOString() }), 'application/json', 400, /payment/],
      [signedEventBody({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } }).replace('payment.captured', 'payment.paid'), 'application/json', 400, /does not match/],
      [signedEventBody({ transactionId: transaction.id, status: 'SHIPPED', amount: { value: '19.99', currency: 'EUR' } }), 'application/json', 400, /payment\.status/],
      [signedEventBody({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '1e3', currency: 'EUR' } }), 'application/json', 400, /payment\.amount/],
      [signedEventBody({ transactionId: transaction.id, status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } }), 'text/plain', 415, /application\/json/],
      [signedEventBody({ paymentId: 'Transaction\u0000', status: 'CAPTURED', amount: { value: '19.99', currency: 'EUR' } }), 'application/json', 400, /payment\.id/],
    ];
    for (const [body, contentType, status, message] of cases) {
      const response = await postSignedEvent(server.url, newKey, body, { contentType });
      expect(response.status, String(body)).toBe(status);
      expect((response.json() as { error: string }).error).toMatch(message);
      const kept = await server.db.prisma.notification.findFirstOrThrow({ where: { outcome: 'MALFORMED', sender: 'SIGNED_EVENT' }, orderBy: { receivedAt: 'desc' } });
      expect(Buffer.from(kept.rawBody).equals(Buffer.isBuffer(body) ? body : Buffer.from(body))).toBe(true);
    }
    expect((await inspect(transaction)).status).toBe('REDIRECTED');
  });

  it('refuses bodies over 1 MB with 413, declared or streamed', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 0x61);
    const inbox = await inboxSize();
    const declared = await postSignedEvent(server.url, newKey, big);
    expect(declared.status).toBe(413);
    const streamed = await fetch(`${server.url}/notifications/alipay`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new ReadableStream({
        start(controller) {
          for (let index = 0; index < 17; index += 1) controller.enqueue(new Uint8Array(64 * 1024).fill(0x61));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit).then(
      (response) => response.status,
      () => 'connection closed',
    );
    expect(streamed).toBe(413);
    expect(await inboxSize()).toBe(inbox);
    await expectRejectionCount('BODY_TOO_LARGE', 'SIGNED_EVENT', (count) => count >= 1);
  });
});

describe('admin queries', () => {
  it('are ADMIN only: merchants get FORBIDDEN', async () => {
    const transaction = await createTransaction();
    const notifications = await server.execute(TransactionNotificationsDocument, { id: transaction.globalId }, merchant.key);
    expect(notifications.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const anomalies = await server.execute(AnomaliesDocument, {}, merchant.key);
    expect(anomalies.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const stats = await server.execute(NotificationStatsDocument, {}, merchant.key);
    expect(stats.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('lists open anomalies newest first and resolves them with a note', async () => {
    const transaction = await createTransaction();
    await alipayPay(transaction, { totalFee: '1.00' });
    const open = await server.execute(AnomaliesDocument, { first: 1 }, server.adminKey);
    const newest = open.data?.anomalies.edges[0]?.node;
    expect(newest).toMatchObject({ kind: 'AMOUNT_MISMATCH', status: 'OPEN', transaction: { id: transaction.globalId } });
    const resolved = await server.execute(ResolveAnomalyDocument, { id: newest?.id ?? '', resolution: 'asked Alipay; wrong amount was a test' }, server.adminKey);
    expect(resolved.data?.resolveAnomaly).toMatchObject({ __typename: 'ResolveAnomalySuccess', anomaly: { status: 'RESOLVED' } });
    const still = await server.execute(AnomaliesDocument, { first: 100 }, server.adminKey);
    expect(still.data?.anomalies.edges.map((edge) => edge.node.id)).not.toContain(newest?.id);
    const merchantTry = await server.execute(ResolveAnomalyDocument, { id: newest?.id ?? '', resolution: 'x' }, merchant.key);
    expect(merchantTry.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const unknown = await server.execute(ResolveAnomalyDocument, { id: 'nope', resolution: 'x' }, server.adminKey);
    expect(unknown.data?.resolveAnomaly).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
  });

  it('counts outcomes in notificationStats', async () => {
    const stats = await server.execute(NotificationStatsDocument, {}, server.adminKey);
    const outcomes = stats.data?.notificationStats.outcomes ?? [];
    expect(outcomes.find((row) => row.sender === 'ALIPAY' && row.outcome === 'APPLIED')?.count).toBeGreaterThan(0);
    expect(stats.data?.notificationStats.openAnomalies).toBeGreaterThan(0);
  });
});

describe('notification metrics', () => {
  it('counts outcomes and refusals on /metrics', async () => {
    const transaction = await createTransaction();
    expect((await alipayPay(transaction)).status).toBe(200);
    const forged = await postSignedEvent(server.url, { keyId: newKey.keyId, secret: 'not-the-secret-0123456789' }, signedEventBody({ paymentId: transaction.globalId, status: 'CAPTURED' }));
    expect(forged.status).toBe(401);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/paystream_notifications_total\{endpoint="alipay",outcome="applied"\} [1-9]/);
    expect(metrics).toMatch(/paystream_notifications_total\{endpoint="events",outcome="unauthenticated"\} [1-9]/);
    expect(metrics).toMatch(/paystream_notification_signature_failures_total\{endpoint="events",reason="BAD_SIGNATURE"\} [1-9]/);
  });

  it('times every answer, a 413 included: one duration sample per counted answer', async () => {
    expect((await postSignedEvent(server.url, newKey, Buffer.alloc(1024 * 1024 + 1, 0x61))).status).toBe(413);
    expect((await postAlipay(server.url, { oversized: 'a'.repeat(1024 * 1024) })).status).toBe(413);
    for (const endpoint of ['events', 'alipay']) {
      const answers = await metricSum(server.app.metrics, 'paystream_notifications_total', { endpoint });
      expect(answers).toBeGreaterThanOrEqual(2);
      expect(await metricSum(server.app.metrics, 'paystream_notification_duration_seconds', { endpoint }, 'paystream_notification_duration_seconds_count')).toBe(answers);
    }
  });
});
