import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelTransactionDocument, CreateTransactionDocument, TransactionNotificationsDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { generateRsaKeyPair } from '../../src/domain/signatures.ts';
import { consumerCancelLink } from '../../src/providers/alipay/redirect.ts';
import { alipayParams, postAlipay } from '../support/notifications.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Issue #22: a consumer who cancels on the payment page comes back through our return link saying so, and the
 * transaction is CANCELLED by the consumer (source CONSUMER, reason CANCELLED_BY_CONSUMER): only while unpaid, and
 * only the transaction the link was made for. What Alipay says afterwards is judged as after a merchant's cancel.
 */

const alipay = generateRsaKeyPair();
let server: TestServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer({ ALIPAY_PUBLIC_KEY: alipay.publicKeyPem });
  merchant = await server.createMerchant('Tea House');
});
afterAll(() => server?.close());

async function create(reference = 'order-1', key = merchant.key) {
  const result = await server.execute(
    CreateTransactionDocument,
    { input: { merchantReference: reference, amount: { value: '19.99', currency: 'EUR' }, returnUrl: 'https://shop.example/done?order=1' } },
    key,
  );
  const payload = result.data?.createTransaction;
  if (payload?.__typename !== 'CreateTransactionSuccess') throw new Error(JSON.stringify(result));
  const uuid = decodeGlobalId(payload.transaction.id, 'Transaction') ?? '';
  const link = new URL(payload.transaction.redirectUrl ?? '').searchParams.get('return_url') ?? '';
  return { id: payload.transaction.id, uuid, link, cancelLink: consumerCancelLink(link) };
}

async function view(id: string) {
  const result = await server.execute(TransactionNotificationsDocument, { id }, server.adminKey);
  if (!result.data?.transaction) throw new Error(JSON.stringify(result));
  return result.data.transaction;
}

async function follow(link: string) {
  const response = await fetch(link, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location') };
}

const tradeStatus = (uuid: string, status: string) =>
  postAlipay(server.url, alipayParams({ outTradeNo: uuid, tradeStatus: status, totalFee: '19.99', currency: 'EUR' }, alipay.privateKeyPem));

describe('the consumer cancels on the payment page (#22)', () => {
  it('CANCELLED with source CONSUMER and reason CANCELLED_BY_CONSUMER; the merchant gets the id and status CANCELLED', async () => {
    const transaction = await create();
    const answer = await follow(transaction.cancelLink);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(`https://shop.example/done?order=1&${new URLSearchParams({ transactionId: transaction.id, status: 'CANCELLED' })}`);
    const cancelled = await view(transaction.id);
    expect(cancelled).toMatchObject({ status: 'CANCELLED', statusReason: 'CANCELLED_BY_CONSUMER' });
    expect(cancelled.events.at(-1)).toMatchObject({ sequence: 3, status: 'CANCELLED', previousStatus: 'REDIRECTED', source: 'CONSUMER' });
    const history = await server.db.prisma.transactionEvent.findFirst({ where: { transactionId: transaction.uuid, sequence: 3 } });
    expect(history?.reason).toBe('CANCELLED_BY_CONSUMER');

    // The same link again (reload, back button): nothing more is recorded.
    expect((await follow(transaction.cancelLink)).location).toContain('status=CANCELLED');
    expect((await view(transaction.id)).events).toHaveLength(3);

    // Alipay closing the trade afterwards confirms it; a capture afterwards is money to refund, never a change.
    expect((await tradeStatus(transaction.uuid, 'TRADE_CLOSED')).text).toBe('success');
    expect((await tradeStatus(transaction.uuid, 'TRADE_SUCCESS')).text).toBe('success');
    const after = await view(transaction.id);
    expect(after).toMatchObject({ status: 'CANCELLED', statusReason: 'CANCELLED_BY_CONSUMER' });
    expect(after.events).toHaveLength(3);
    expect(after.notifications.map((row) => [row.eventType, row.outcome])).toEqual([
      ['TRADE_CLOSED', 'NO_OP'],
      ['TRADE_SUCCESS', 'ANOMALY'],
    ]);
    const anomalies = await server.db.prisma.anomaly.findMany({ where: { transactionId: transaction.uuid } });
    expect(anomalies.map((row) => [row.kind, row.status])).toEqual([['CAPTURED_AFTER_CANCEL', 'OPEN']]);
  });

  it('cannot cancel a paid transaction: it stays CAPTURED and the merchant is told so', async () => {
    const transaction = await create();
    expect((await tradeStatus(transaction.uuid, 'TRADE_SUCCESS')).text).toBe('success');
    const answer = await follow(transaction.cancelLink);
    expect(answer.location).toContain('status=CAPTURED');
    const paid = await view(transaction.id);
    expect(paid.status).toBe('CAPTURED');
    expect(paid.events.map((event) => event.source)).not.toContain('CONSUMER');
  });

  it('cannot cancel another transaction: a link edited to name it is 404 and changes nothing', async () => {
    const mine = await create('mine');
    const theirs = await create('theirs');
    const [, mac] = new URL(mine.link).pathname.split('/').at(-1)?.split('.') ?? [];
    const forged = consumerCancelLink(`${server.url}/return/alipay/${theirs.uuid}.${mac ?? ''}`);
    expect(await follow(forged)).toEqual({ status: 404, location: null });
    expect((await view(theirs.id)).status).toBe('REDIRECTED');
    expect((await view(mine.id)).status).toBe('REDIRECTED');
  });

  it('a cancel racing a capture: either the capture wins (cancel refused) or the cancel wins and the capture is an anomaly', async () => {
    for (let round = 0; round < 5; round += 1) {
      const transaction = await create(`race-${round}`);
      const [answer, ack] = await Promise.all([follow(transaction.cancelLink), tradeStatus(transaction.uuid, 'TRADE_SUCCESS')]);
      expect(ack.text).toBe('success');
      const final = await view(transaction.id);
      const anomalies = await server.db.prisma.anomaly.findMany({ where: { transactionId: transaction.uuid } });
      if (final.status === 'CANCELLED') {
        expect(final.events.map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', 'CANCELLED']);
        expect(anomalies.map((row) => row.kind)).toEqual(['CAPTURED_AFTER_CANCEL']);
      } else {
        expect(final.status).toBe('CAPTURED');
        expect(final.events.map((event) => event.status)).toEqual(['CREATED', 'REDIRECTED', 'CAPTURED']);
        expect(anomalies).toEqual([]);
      }
      expect(answer.location).toContain(`status=${final.status}`);
    }
  });
});

describe('endings without a consumer cancel stay REJECTED (#22)', () => {
  it('TRADE_CLOSED with no prior cancel: REJECTED, reason TRADE_CLOSED, source PROVIDER_NOTIFICATION', async () => {
    const transaction = await create();
    expect((await tradeStatus(transaction.uuid, 'TRADE_CLOSED')).text).toBe('success');
    const closed = await view(transaction.id);
    expect(closed).toMatchObject({ status: 'REJECTED', statusReason: 'TRADE_CLOSED' });
    expect(closed.events.at(-1)).toMatchObject({ status: 'REJECTED', source: 'PROVIDER_NOTIFICATION' });
    // The consumer's cancel arriving after the close changes nothing.
    expect((await follow(transaction.cancelLink)).location).toContain('status=REJECTED');
    expect((await view(transaction.id)).events).toHaveLength(3);
  });
});

describe('reports tell a consumer cancel from a merchant cancel and from a rejection (#22)', () => {
  it('dailyReport: both in cancelled, split by reason; the closed trade in rejected', async () => {
    const own = await server.createMerchant('Report House');
    const createFor = (reference: string) => create(reference, own.key);
    const byConsumer = await createFor('consumer');
    expect((await follow(byConsumer.cancelLink)).location).toContain('status=CANCELLED');
    const byMerchant = await createFor('merchant');
    expect((await server.execute(CancelTransactionDocument, { id: byMerchant.id }, own.key)).data?.cancelTransaction.__typename).toBe('CancelTransactionSuccess');
    const closed = await createFor('closed');
    expect((await tradeStatus(closed.uuid, 'TRADE_CLOSED')).text).toBe('success');

    const today = new Date().toISOString().slice(0, 10);
    const report = await server.graphql<{ dailyReport: { funnel: Record<string, number> } }>(
      `query ($date: Date!) { dailyReport(date: $date) { funnel { created cancelled cancelledByConsumer cancelledByMerchant rejected } } }`,
      { date: today },
      own.key,
    );
    expect(report.data?.dailyReport.funnel).toEqual({ created: 3, cancelled: 2, cancelledByConsumer: 1, cancelledByMerchant: 1, rejected: 1 });
  });
});
