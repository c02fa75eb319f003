import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SubscriptionError, TransactionEventMessage, TransactionMessage } from '../../src/client/merchant-client.ts';
import { RefundTransactionDocument } from '../../src/client/operations.ts';
import { decodeGlobalId } from '../../src/domain/ids.ts';
import { encodeEventCursor } from '../../src/events/cursor.ts';
import { readCommittedEvents, START_OF_LOG } from '../../src/events/log.ts';
import { settleRefund } from '../../src/services/refunds.ts';
import { transition } from '../../src/services/transitions.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { createTransactionVia, logCursors, relayCaughtUp, testClient, waitFor } from '../support/subscriptions.ts';

/**
 * Refund changes are events of the same log as status changes: streamed in order with the rest, exactly once,
 * resumable across them; a status filter leaves them out, a kind filter picks them; transactionUpdated shows the
 * refunded amounts after each.
 */

let server: TestServer;
let merchant: { merchantId: string; key: string };

beforeAll(async () => {
  server = await startTestServer({ REFUND_RUNNER_INTERVAL_MS: '0' });
  merchant = await server.createMerchant('Streamed Refunds');
});
afterAll(() => server?.close());

type Options = Parameters<ReturnType<typeof testClient>['transactionEvents']>[0];

async function subscribeEvents(options: Omit<Options, 'onEvent' | 'onError'> = {}) {
  if (options.after === undefined) await relayCaughtUp(server);
  const client = testClient(server.url, merchant.key);
  const received: TransactionEventMessage[] = [];
  const errors: SubscriptionError[] = [];
  const before = server.app.events.stats().opened;
  client.transactionEvents({ ...options, onEvent: (event) => received.push(event), onError: (error) => errors.push(error) });
  await waitFor(() => server.app.events.stats().opened > before || errors.length > 0, 'the subscription to attach');
  return { client, received, errors };
}

/** A captured transaction (global id), refunded twice: 4.00 succeeded, then 3.00 failed. Returns its uuid and refunds. */
async function capturedAndRefunded() {
  const created = await createTransactionVia(server, merchant.key);
  const id = decodeGlobalId(created.id, 'Transaction') ?? '';
  await transition(server.db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
  const refunds: string[] = [];
  for (const value of ['4.00', '3.00']) {
    const result = await server.execute(RefundTransactionDocument, { input: { transactionId: created.id, reason: 'streamed', amount: { value, currency: 'EUR' } } }, merchant.key);
    const payload = result.data?.refundTransaction;
    if (payload?.__typename !== 'RefundTransactionSuccess') throw new Error(JSON.stringify(result));
    refunds.push(payload.refund.id);
  }
  await settleRefund(server.db, decodeGlobalId(refunds[0] ?? '', 'Refund') ?? '', { status: 'SUCCEEDED', source: 'PROVIDER_NOTIFICATION' });
  await settleRefund(server.db, decodeGlobalId(refunds[1] ?? '', 'Refund') ?? '', { status: 'FAILED', source: 'SYSTEM', failureCode: 'REFUND_FAILED' });
  return { globalId: created.id, id, refunds };
}

const shape = (events: TransactionEventMessage[]) => events.map((event) => [event.sequence, event.kind, event.status, event.refund?.id ?? null, event.refund?.status ?? null]);

describe('refund events on transactionEvents', () => {
  it('stream in order with the status changes, once each, the refund as of each event', async () => {
    const all = await subscribeEvents();
    const { id, refunds } = await capturedAndRefunded();
    await waitFor(() => all.received.length >= 7, 'seven events');
    expect(shape(all.received)).toEqual([
      [1, 'STATUS_CHANGED', 'CREATED', null, null],
      [2, 'STATUS_CHANGED', 'REDIRECTED', null, null],
      [3, 'STATUS_CHANGED', 'CAPTURED', null, null],
      [4, 'REFUND_REQUESTED', 'CAPTURED', refunds[0], 'REQUESTED'],
      [5, 'REFUND_REQUESTED', 'CAPTURED', refunds[1], 'REQUESTED'],
      [6, 'REFUND_SUCCEEDED', 'CAPTURED', refunds[0], 'SUCCEEDED'],
      [7, 'REFUND_FAILED', 'CAPTURED', refunds[1], 'FAILED'],
    ]);
    expect(all.received[6]).toMatchObject({ previousStatus: 'CAPTURED', source: 'SYSTEM', refund: { amount: { value: '3.00', currency: 'EUR' }, failureCode: 'REFUND_FAILED' } });
    expect(all.received.map((event) => event.cursor)).toEqual(await logCursors(server.db, merchant.merchantId).then((cursors) => cursors.slice(-7)));
    expect(all.received.every((event) => decodeGlobalId(event.transaction.id, 'Transaction') === id)).toBe(true);
    await all.client.close();
  });

  it('a status filter leaves refund events out; a kind filter picks them', async () => {
    const byStatus = await subscribeEvents({ statuses: ['CAPTURED', 'PAID'] });
    const byKind = await subscribeEvents({ kinds: ['REFUND_SUCCEEDED', 'REFUND_FAILED'] });
    const both = await subscribeEvents({ kinds: ['STATUS_CHANGED', 'REFUND_FAILED'], statuses: ['PAID'] });
    const { id } = await capturedAndRefunded();
    // The positive marker: a later status change each filtered stream does pass.
    await transition(server.db, { transactionId: id, target: 'PAID', source: 'SETTLEMENT' });
    await waitFor(() => byStatus.received.some((event) => event.status === 'PAID'), 'PAID on the status-filtered stream');
    await waitFor(() => both.received.some((event) => event.status === 'PAID'), 'PAID on the combined stream');
    await waitFor(() => byKind.received.length >= 2, 'two refund outcomes');
    expect(shape(byStatus.received).map(([sequence, kind, status]) => [sequence, kind, status])).toEqual([
      [3, 'STATUS_CHANGED', 'CAPTURED'],
      [8, 'STATUS_CHANGED', 'PAID'],
    ]);
    expect(byKind.received.map((event) => event.kind)).toEqual(['REFUND_SUCCEEDED', 'REFUND_FAILED']);
    expect(both.received.map((event) => [event.kind, event.status])).toEqual([
      ['REFUND_FAILED', 'CAPTURED'],
      ['STATUS_CHANGED', 'PAID'],
    ]);
    // The log read applies the same rule (what a replay with `after` delivers).
    const replayed = await readCommittedEvents(server.db, { after: START_OF_LOG, limit: 1000, merchantId: merchant.merchantId, kinds: ['REFUND_FAILED'], statuses: ['PAID'] });
    expect(replayed.filter((item) => item.event.transactionId === id).map((item) => item.event.kind)).toEqual(['REFUND_FAILED']);
    for (const subscription of [byStatus, byKind, both]) await subscription.client.close();
  });

  it('resume with `after` replays the refund events after that cursor exactly once', async () => {
    const { id } = await capturedAndRefunded();
    const captured = await server.db.prisma.transactionEvent.findFirstOrThrow({ where: { transactionId: id, kind: 'STATUS_CHANGED', status: 'CAPTURED' } });
    const cursors = await logCursors(server.db, merchant.merchantId);
    const from = cursors.indexOf(encodeEventCursor(captured));
    expect(from).toBeGreaterThan(0);
    const resumed = await subscribeEvents({ after: cursors[from] ?? '' });
    await waitFor(() => resumed.received.length >= cursors.length - from - 1, 'the replay');
    expect(resumed.received.map((event) => event.cursor)).toEqual(cursors.slice(from + 1));
    expect(resumed.received.map((event) => event.kind)).toEqual(['REFUND_REQUESTED', 'REFUND_REQUESTED', 'REFUND_SUCCEEDED', 'REFUND_FAILED']);
    // Replayed from the log long after both settled, each still comes with its refund as of the event.
    expect(resumed.received.map((event) => event.refund?.status)).toEqual(['REQUESTED', 'REQUESTED', 'SUCCEEDED', 'FAILED']);
    await resumed.client.close();
  });
});

describe('transactionUpdated', () => {
  it('shows the refunded and refundable amounts after each refund change', async () => {
    const created = await createTransactionVia(server, merchant.key);
    const id = decodeGlobalId(created.id, 'Transaction') ?? '';
    await transition(server.db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
    await relayCaughtUp(server);
    const client = testClient(server.url, merchant.key);
    const received: TransactionMessage[] = [];
    const before = server.app.events.stats().opened;
    client.transactionUpdated(created.id, { onTransaction: (transaction) => received.push(transaction) });
    await waitFor(() => server.app.events.stats().opened > before, 'the subscription to attach');
    const result = await server.execute(RefundTransactionDocument, { input: { transactionId: created.id, reason: 'updated', amount: { value: '2.50', currency: 'EUR' } } }, merchant.key);
    const refundId = result.data?.refundTransaction.__typename === 'RefundTransactionSuccess' ? result.data.refundTransaction.refund.id : '';
    await waitFor(() => received.length >= 2, 'the current state, then the transaction after the request');
    await settleRefund(server.db, decodeGlobalId(refundId, 'Refund') ?? '', { status: 'SUCCEEDED', source: 'PROVIDER_NOTIFICATION' });
    await waitFor(() => received.length >= 3, 'the transaction after the success');
    expect(received.map((transaction) => [transaction.status, transaction.refundedAmount.value, transaction.refundableAmount.value])).toEqual([
      ['CAPTURED', '0.00', '10.00'],
      ['CAPTURED', '0.00', '7.50'],
      ['CAPTURED', '2.50', '7.50'],
    ]);
    await client.close();
  });
});
