/**
 * Drill (a): a duplicate and out-of-order storm. Full scale: 10,000 deliveries for 2,000 transactions: about
 * 4,100 distinct notifications (both formats), each delivered one to three times, all shuffled, at concurrency 32 over real
 * HTTP. A tenth of the transactions are refunded: captured and given two partial refunds before the storm, their
 * refund notifications (some twice, some with a wrong amount, some for a refund we never made) in the storm, and
 * two concurrent requests for the rest while it rages. Checks: every delivery acknowledged; final states and
 * refund statuses equal an independent oracle; of the two concurrent requests exactly one is recorded; refund sums
 * agree with the refunds and never exceed the amount; history holds only legal steps with sequences 1..n; the
 * inbox holds each event once with its delivery count; the anomalies expected (capture after cancel, wrong
 * amount, unknown refund) and no others; a merchant-client subscriber saw the merchant's log (refund events
 * included) exactly once, in order. The server runs in this process, its refund runner off: "Alipay" is the drill.
 *
 *   npm run drill:storm
 */
import { CancelTransactionDocument } from '../../src/client/operations.ts';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { graphqlClient } from '../harness.ts';
import { uuidv7 } from '../../src/db/session.ts';
import { transition } from '../../src/services/transitions.ts';
import { ALLOWED_TRANSITIONS, auditHistory, loadHistory, type Status } from './judges.ts';
import {
  alipayNotification,
  alipayRefundNotification,
  httpSender,
  isAcknowledged,
  randomInt,
  REFUND,
  requestRefund,
  settleSubscribers,
  shuffle,
  signedEvent,
  startInProcessServer,
  subscribeFromStart,
  type Prepared,
} from './lib.ts';
import { defineDrill } from './template.ts';

/** A status notification (`target`), or a refund notification (no target: it never changes the status). */
type Planned = { transactionId: string; target: Status | undefined; amountMismatch: boolean; prepared: Prepared };
type Story = 'paid' | 'captured' | 'rejected' | 'cancelled-then-captured' | 'refunded';
type RefundStatus = 'REQUESTED' | 'SUCCEEDED' | 'FAILED';

/** DOMAIN.md in a few lines: a notification applies when the step is allowed and its amount is right; else nothing changes. */
function oracle(start: Status, notifications: readonly Planned[]): Status {
  let status = start;
  for (const notification of notifications) {
    const target = notification.target;
    if (target !== undefined && !notification.amountMismatch && ALLOWED_TRANSITIONS[status].includes(target)) status = target;
  }
  return status;
}

export const storm = defineDrill({
  name: 'storm',
  summary: 'a duplicate and out-of-order storm with refunds (final states and refunds = oracle, legal history, subscriber sees each change once)',
  transactions: { full: 2_000, small: 200 },
  async run({ full, db, merchant, transactionIds: ids, markerTransactionId, eventKey: key, alipayKeys, serverEnv, onEnd }) {
    const deliveryCount = full ? 10_000 : 1_000;
    const concurrency = full ? 32 : 16;
    const server = await startInProcessServer(db, serverEnv);
    onEnd(() => server.close());
    const sender = httpSender(server.url, concurrency);
    onEnd(() => sender.close());

    // Each transaction gets a true story; the notifications that tell it are what the storm sends.
    const stories = new Map<string, Story>();
    const start = new Map<string, Status>();
    const planned: Planned[] = [];
    const plan = (transactionId: string, target: Status, format: 'alipay' | 'event', amountMismatch = false) =>
      planned.push({
        transactionId,
        target,
        amountMismatch,
        prepared:
          format === 'alipay'
            ? alipayNotification(alipayKeys.privateKeyPem, transactionId, target, amountMismatch ? '99.99' : undefined)
            : signedEvent(key, transactionId, target, amountMismatch ? { value: '99.99', currency: 'EUR' } : undefined),
      });
    const planRefund = (transactionId: string, refundId: string, returnAmount = REFUND.value) =>
      planned.push({ transactionId, target: undefined, amountMismatch: false, prepared: alipayRefundNotification(alipayKeys.privateKeyPem, transactionId, refundId, returnAmount) });
    let mismatches = 0;
    for (const id of ids) {
      const roll = Math.random();
      const story: Story = roll < 0.4 ? 'paid' : roll < 0.55 ? 'captured' : roll < 0.75 ? 'rejected' : roll < 0.9 ? 'cancelled-then-captured' : 'refunded';
      stories.set(id, story);
      start.set(id, story === 'cancelled-then-captured' ? 'CANCELLED' : story === 'refunded' ? 'CAPTURED' : 'REDIRECTED');
      if (Math.random() < 0.5) plan(id, 'REDIRECTED', 'alipay'); // the consumer reached Alipay: stale or duplicate by now
      if (story === 'paid') {
        if (Math.random() < 0.8) plan(id, 'CAPTURED', Math.random() < 0.5 ? 'alipay' : 'event');
        plan(id, 'PAID', 'event');
        if (Math.random() < 0.1) {
          plan(id, 'CAPTURED', 'event', true);
          mismatches += 1;
        }
      } else if (story === 'refunded') {
        if (Math.random() < 0.5) plan(id, 'CAPTURED', 'alipay'); // a late redelivery of the capture: a duplicate by now
        plan(id, 'PAID', 'event');
      } else if (story === 'captured') {
        plan(id, 'CAPTURED', Math.random() < 0.5 ? 'alipay' : 'event');
      } else if (story === 'rejected') {
        plan(id, 'REJECTED', Math.random() < 0.5 ? 'alipay' : 'event');
      } else {
        if (Math.random() < 0.5) plan(id, 'REJECTED', 'alipay'); // TRADE_CLOSED confirming the cancel
        plan(id, 'CAPTURED', 'alipay'); // the consumer paid anyway: an anomaly, the transaction stays CANCELLED
        if (Math.random() < 0.3) plan(id, 'PAID', 'event');
      }
    }
    const byTransaction = new Map<string, Planned[]>();
    for (const notification of planned) byTransaction.set(notification.transactionId, [...(byTransaction.get(notification.transactionId) ?? []), notification]);
    const expected = new Map<string, Status>();
    for (const [id, notifications] of byTransaction) {
      const forward = oracle(start.get(id) as Status, notifications);
      // The stories are chosen so order cannot matter (that is what lets an oracle exist for a shuffled storm).
      if (oracle(start.get(id) as Status, [...notifications].reverse()) !== forward) throw new Error(`story for ${id} is order-dependent`);
      expected.set(id, forward);
    }

    // The merchant cancels first (over GraphQL, as merchants do).
    const cancels = ids.filter((id) => stories.get(id) === 'cancelled-then-captured');
    const merchantApi = graphqlClient(server.url, merchant.secret, 8);
    onEnd(() => merchantApi.close());
    const inBatches = async (items: string[], task: (id: string) => Promise<void>) => {
      for (let index = 0; index < items.length; index += 8) await Promise.all(items.slice(index, index + 8).map(task));
    };
    await inBatches(cancels, async (id) => {
      const { payload } = await merchantApi.execute(CancelTransactionDocument, { id: encodeGlobalId('Transaction', id) });
      if (payload.data?.cancelTransaction.__typename !== 'CancelTransactionSuccess') throw new Error(`cancel failed: ${JSON.stringify(payload)}`);
    });

    // Refunded stories: captured, then two partial refunds over GraphQL. Alipay's notifications of them go into the
    // storm: the first refund's success (sometimes notified twice, as Alipay may), the second's (sometimes with a
    // wrong amount: an anomaly, the refund stays REQUESTED), and sometimes one for a refund we never made.
    const refunded = ids.filter((id) => stories.get(id) === 'refunded');
    const expectedRefunds = new Map<string, RefundStatus>();
    let refundMismatches = 0;
    let orphanRefunds = 0;
    await inBatches(refunded, async (id) => {
      const captured = await transition(db, { transactionId: id, target: 'CAPTURED', source: 'PROVIDER_NOTIFICATION' });
      if (captured.kind !== 'applied') throw new Error(`capturing ${id}: ${captured.kind}`);
      const first = await requestRefund(merchantApi, id, { amount: REFUND.value });
      const second = await requestRefund(merchantApi, id, { amount: '3.00' });
      if (!('refundId' in first) || !('refundId' in second)) throw new Error(`refund refused: ${JSON.stringify([first, second])}`);
      planRefund(id, first.refundId);
      if (Math.random() < 0.3) planRefund(id, first.refundId);
      expectedRefunds.set(first.refundId, 'SUCCEEDED');
      const mismatch = Math.random() < 0.2;
      planRefund(id, second.refundId, mismatch ? '3.01' : '3.00');
      expectedRefunds.set(second.refundId, mismatch ? 'REQUESTED' : 'SUCCEEDED');
      if (mismatch) refundMismatches += 1;
      if (Math.random() < 0.1) {
        planRefund(id, uuidv7());
        orphanRefunds += 1;
      }
    });

    const subscriber = subscribeFromStart(server.url, merchant.secret);
    onEnd(() => subscriber.client.close());

    // Deliveries: each notification one to three times, all shuffled together.
    // Exactly `deliveryCount` in all: each notification once, the rest spread at random, at most three times each.
    const times = planned.map(() => 1);
    for (let extra = deliveryCount - planned.length; extra > 0; ) {
      const index = randomInt(0, planned.length - 1);
      if ((times[index] as number) < 3) {
        times[index] = (times[index] as number) + 1;
        extra -= 1;
      }
    }
    const deliveries = shuffle(planned.flatMap((notification, index) => Array.from({ length: times[index] as number }, () => notification)));
    const replies = new Map<number, number>();
    let acknowledged = 0;
    const started = performance.now();
    let next = 0;
    // While the storm rages, the merchant asks twice at once for the rest of each refunded transaction: exactly one
    // fits (19.99 - 5.00 - 3.00 = 11.99 is reserved whatever the notifications did), the other is refused.
    const restAnswers = new Map<string, string[]>();
    const restRequests = inBatches(shuffle([...refunded]), async (id) => {
      const answers = await Promise.all([requestRefund(merchantApi, id, {}), requestRefund(merchantApi, id, {})]);
      restAnswers.set(id, answers.map((answer) => ('refundId' in answer ? `recorded ${answer.amount}` : answer.code)).sort());
      for (const answer of answers) if ('refundId' in answer) expectedRefunds.set(answer.refundId, 'REQUESTED');
    });
    await Promise.all([
      restRequests,
      ...Array.from({ length: concurrency }, async () => {
        while (next < deliveries.length) {
          const delivery = deliveries[next] as Planned;
          next += 1;
          const reply = await sender.send(delivery.prepared);
          replies.set(reply.status, (replies.get(reply.status) ?? 0) + 1);
          if (isAcknowledged(delivery.prepared, reply)) acknowledged += 1;
        }
      }),
    ]);
    const elapsedMs = performance.now() - started;

    // Final states against the oracle.
    const { rows: finals } = await db.pool.query<{ id: string; status: Status; version: number }>(
      'SELECT id::text, status::text AS status, version FROM transactions WHERE id = ANY($1::uuid[])',
      [ids],
    );
    const wrongFinal = finals.filter((row) => expected.get(row.id) !== row.status);
    const history = await loadHistory(db);
    const audit = auditHistory(history);
    const historyDisagrees = finals.filter((row) => {
      const rows = history.get(row.id) ?? [];
      return rows.length !== row.version || rows.at(-1)?.status !== row.status;
    }).length;

    // The inbox: each distinct event once, counting its deliveries.
    const { rows: inbox } = await db.pool.query<{ external_id: string; rows: string; deliveries: string }>(
      'SELECT external_id, count(*)::text AS rows, sum(deliveries)::text AS deliveries FROM notifications GROUP BY external_id',
    );
    const sentTimes = new Map<string, number>();
    for (const delivery of deliveries) sentTimes.set(delivery.prepared.eventId, (sentTimes.get(delivery.prepared.eventId) ?? 0) + 1);
    const inboxWrong =
      inbox.length !== planned.length ||
      inbox.some((row) => row.rows !== '1' || Number(row.deliveries) !== sentTimes.get(row.external_id));

    const { rows: anomalies } = await db.pool.query<{ kind: string; count: string }>(
      'SELECT kind::text, count(*)::text AS count FROM anomalies GROUP BY kind',
    );
    const anomalyCount = (kind: string) => Number(anomalies.find((row) => row.kind === kind)?.count ?? 0);
    const otherAnomalies = anomalies.filter((row) => !['CAPTURED_AFTER_CANCEL', 'AMOUNT_MISMATCH', 'ORPHAN'].includes(row.kind)).length;

    // Refunds against their oracle, and each transaction's sums against its refunds.
    const { rows: refundRows } = await db.pool.query<{ id: string; status: RefundStatus }>('SELECT id::text, status::text AS status FROM refunds');
    const wrongRefunds = refundRows.filter((row) => expectedRefunds.get(row.id) !== row.status).length + Math.abs(refundRows.length - expectedRefunds.size);
    const { rows: sums } = await db.pool.query<{ wrong: string }>(
      `SELECT count(*)::text AS wrong FROM transactions t
       LEFT JOIN LATERAL (SELECT coalesce(sum(amount_minor) FILTER (WHERE status = 'SUCCEEDED'), 0) AS succeeded,
                                 coalesce(sum(amount_minor) FILTER (WHERE status = 'REQUESTED'), 0) AS requested
                          FROM refunds WHERE transaction_id = t.id) r ON true
       WHERE t.refunded_minor <> r.succeeded OR t.refund_pending_minor <> r.requested OR r.succeeded + r.requested > t.amount_minor`,
    );
    const restExactlyOne = [...restAnswers.values()].every((answers) => answers.join() === 'AMOUNT_EXCEEDS_REFUNDABLE,recorded 11.99');

    const [stream] = await settleSubscribers(db, merchant.id, markerTransactionId, [subscriber], full ? 60_000 : 15_000);

    const finalCounts: Record<string, number> = {};
    for (const status of expected.values()) finalCounts[status] = (finalCounts[status] ?? 0) + 1;
    return {
      checks: {
        'every delivery acknowledged (200)': acknowledged === deliveries.length,
        'final states equal the oracle': finals.length === ids.length && wrongFinal.length === 0,
        'history: only legal transitions': audit.illegal === 0,
        'history: sequences 1..n, chained, no status twice': audit.gaps === 0 && audit.brokenChains === 0 && audit.repeatedStatuses === 0,
        'history agrees with transaction status and version': historyDisagrees === 0,
        'inbox: one row per event id, deliveries counted': !inboxWrong,
        'anomalies: one CAPTURED_AFTER_CANCEL per cancelled-then-captured': anomalyCount('CAPTURED_AFTER_CANCEL') === cancels.length,
        'anomalies: one AMOUNT_MISMATCH per wrong amount, no others': anomalyCount('AMOUNT_MISMATCH') === mismatches + refundMismatches && otherAnomalies === 0,
        'anomalies: one ORPHAN per notification of a refund we never made': anomalyCount('ORPHAN') === orphanRefunds,
        'refunds: final statuses equal the oracle': wrongRefunds === 0,
        'refunds: of two concurrent requests for the rest, exactly one recorded': restAnswers.size === refunded.length && restExactlyOne,
        'refunds: sums on each transaction equal its refunds, never over its amount': sums[0]?.wrong === '0',
        'subscriber saw the log exactly once, in order': stream.exact,
      },
      numbers: {
        transactions: ids.length,
        'distinct notifications': planned.length,
        deliveries: deliveries.length,
        concurrency,
        acknowledged,
        'replies by status': JSON.stringify(Object.fromEntries(replies)),
        'deliveries/s': Math.round((deliveries.length / elapsedMs) * 1000),
        'storm seconds': (elapsedMs / 1000).toFixed(1),
        'expected finals': JSON.stringify(finalCounts),
        'finals not matching oracle': wrongFinal.length,
        'history rows': audit.rows,
        'illegal transitions': audit.illegal,
        'sequence gaps': audit.gaps,
        'inbox rows': inbox.length,
        'anomalies (CAPTURED_AFTER_CANCEL / AMOUNT_MISMATCH / ORPHAN / other)': `${anomalyCount('CAPTURED_AFTER_CANCEL')}/${anomalyCount('AMOUNT_MISMATCH')}/${anomalyCount('ORPHAN')}/${otherAnomalies}`,
        'refunded transactions / refunds / refunds not matching oracle': `${refunded.length}/${refundRows.length}/${wrongRefunds}`,
        'subscriber received / log': `${stream.received}/${stream.log}`,
        'subscriber duplicates / missing / out of order': `${stream.duplicates}/${stream.missing}/${stream.exact ? 0 : 'yes'}`,
        'subscriber connects': subscriber.connects,
      },
    };
  },
});
