/**
 * Drill (b): crash. The server runs as a child process (src/main.ts, as `npm start`) on a fixed port; a
 * capture (Alipay) and a settlement (signed event) per transaction are sent shuffled at concurrency 32;
 * once 40% are acknowledged the process is SIGKILLed (by its pid), then started again on the same database
 * and port, and every notification whose 200 was not seen is resent until acknowledged.
 * A quarter of the transactions are refunded: captured and given a refund before the load, Alipay's refund
 * notification sent with the load; meanwhile the merchant asks for a second refund of each (with an idempotency
 * key), some in flight at the SIGKILL; every request is asked again after the restart with its key.
 * Checks: every acknowledged notification is in the inbox once and its effect is in history exactly once;
 * every transaction ends PAID with a legal, gapless history; every notified refund SUCCEEDED once; one refund per
 * idempotency key, a retry answering the same one; refund sums agree with the refunds; a merchant-client
 * subscriber connected before the crash resumes from its last cursor and ends with the merchant's whole log
 * (refund events included), once each, in order. The refund runner is off: "Alipay" is the drill.
 *
 *   npm run drill:crash
 */
import { freePort } from '../../test/support/processes.ts';
import { graphqlClient } from '../harness.ts';
import { auditHistory, loadHistory } from './judges.ts';
import {
  alipayNotification,
  alipayRefundNotification,
  httpSender,
  isAcknowledged,
  REFUND,
  requestRefund,
  sendUntilAcknowledged,
  sleep,
  settleSubscribers,
  shuffle,
  signedEvent,
  startServerChild,
  stopServerChild,
  subscribeFromStart,
  type Prepared,
  type ServerChild,
} from './lib.ts';
import { defineDrill } from './template.ts';

const SECOND_REFUND = '2.00';

export const crash = defineDrill({
  name: 'crash',
  summary: 'SIGKILL mid-ingestion and mid-refund, restart, resend the unacknowledged (each acknowledged one applied once, one refund per key, subscriber resumes)',
  transactions: { full: 2_000, small: 100 },
  async run({ full, db, merchant, transactionIds: ids, markerTransactionId, eventKey: key, alipayKeys, serverEnv, onEnd }) {
    const concurrency = full ? 32 : 16;
    const killAtShare = 0.4;
    // A fixed port: the restarted server comes back where the subscriber reconnects.
    const env = { ...serverEnv, PORT: String(await freePort()), REFUND_RUNNER_INTERVAL_MS: '0' };
    let server: ServerChild = await startServerChild(env);
    onEnd(() => stopServerChild(server));
    const firstPid = server.pid;
    const secret = merchant.secret;
    const subscriber = subscribeFromStart(server.url, secret);
    onEnd(() => subscriber.client.close());

    // Refunded transactions: captured (an acknowledged notification) and refunded once before the load.
    const refunded = ids.slice(0, Math.floor(ids.length / 4));
    const refundedSet = new Set(refunded);
    const captures = refunded.map((id) => alipayNotification(alipayKeys.privateKeyPem, id, 'CAPTURED'));
    const beforeLoad = httpSender(server.url, concurrency);
    const merchantApi = graphqlClient(server.url, secret, 8);
    const firstRefunds = new Map<string, string>();
    for (let index = 0; index < refunded.length; index += 8) {
      await Promise.all(
        refunded.slice(index, index + 8).map(async (id, offset) => {
          if ((await sendUntilAcknowledged(beforeLoad, captures[index + offset] as Prepared, 5, 100)) === undefined) throw new Error(`capture of ${id} not acknowledged`);
          const answer = await requestRefund(merchantApi, id, { amount: REFUND.value, idempotencyKey: `first-${id}` });
          if (!('refundId' in answer)) throw new Error(`refund of ${id} refused: ${answer.code}`);
          firstRefunds.set(id, answer.refundId);
        }),
      );
    }
    beforeLoad.close();
    const notifications: Prepared[] = shuffle(
      ids.flatMap((id) => [
        refundedSet.has(id) ? alipayRefundNotification(alipayKeys.privateKeyPem, id, firstRefunds.get(id) ?? '') : alipayNotification(alipayKeys.privateKeyPem, id, 'CAPTURED'),
        signedEvent(key, id, 'PAID'),
      ]),
    );

    // Load until 40% are acknowledged, then SIGKILL: requests in flight die with the process.
    const acknowledged = new Set<string>(captures.map((prepared) => prepared.eventId));
    const sender = httpSender(server.url, concurrency);
    let next = 0;
    let killed = false;
    let killScheduled = false;
    let inFlightAtKill = 0;
    let inFlight = 0;
    const killAt = Math.floor(notifications.length * killAtShare);
    const crashed = server;
    // A second refund of each refunded transaction, asked while the load runs (some in flight at the SIGKILL).
    const secondAnswers = new Map<string, string>();
    let nextSecond = 0;
    const secondRefunds = async () => {
      while (!killed && nextSecond < refunded.length) {
        const id = refunded[nextSecond] as string;
        nextSecond += 1;
        try {
          const answer = await requestRefund(merchantApi, id, { amount: SECOND_REFUND, idempotencyKey: `second-${id}` });
          secondAnswers.set(id, 'refundId' in answer ? answer.refundId : answer.code);
        } catch {
          // In flight at the SIGKILL: asked again after the restart.
        }
      }
    };
    await Promise.all([
      secondRefunds(),
      secondRefunds(),
      ...Array.from({ length: concurrency }, async () => {
        while (!killed && next < notifications.length) {
          const prepared = notifications[next] as Prepared;
          next += 1;
          inFlight += 1;
          const reply = await sender.send(prepared);
          inFlight -= 1;
          if (isAcknowledged(prepared, reply)) acknowledged.add(prepared.eventId);
          if (!killScheduled && acknowledged.size >= killAt) {
            killScheduled = true;
            // A few milliseconds later, at a moment the load does not choose: some batches are mid-commit.
            setTimeout(() => {
              killed = true;
              inFlightAtKill = inFlight;
              process.kill(crashed.pid, 'SIGKILL');
            }, Math.random() * 30);
          }
        }
      }),
    ]);
    const exitedWith = await crashed.exited;
    merchantApi.close();
    const secondAnswersBeforeCrash = secondAnswers.size;
    sender.close();
    const acknowledgedBeforeCrash = acknowledged.size;
    const sentBeforeCrash = next;

    // Restart on the same database and port; the subscriber's client reconnects by itself.
    const restartedAt = performance.now();
    server = await startServerChild(env);
    const restartMs = performance.now() - restartedAt;
    const resender = httpSender(server.url, concurrency);
    const unacknowledged = notifications.filter((prepared) => !acknowledged.has(prepared.eventId));
    let resendFailures = 0;
    let duplicatesOnResend = 0;
    let cursor = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (cursor < unacknowledged.length) {
          const prepared = unacknowledged[cursor] as Prepared;
          cursor += 1;
          const reply = await sendUntilAcknowledged(resender, prepared, 20, 200);
          if (reply === undefined) resendFailures += 1;
          else {
            acknowledged.add(prepared.eventId);
            if (reply.status === 200 && reply.body.includes('"duplicate":true')) duplicatesOnResend += 1;
          }
        }
      }),
    );
    resender.close();

    // Every second refund asked again with its key (answered or not before the crash): the same refund each time.
    const restartedApi = graphqlClient(server.url, secret, 8);
    let secondRetriesFailed = 0;
    let secondAnswersChanged = 0;
    for (let index = 0; index < refunded.length; index += 8) {
      await Promise.all(
        refunded.slice(index, index + 8).map(async (id) => {
          for (let attempt = 0; attempt < 20; attempt += 1) {
            try {
              const answer = await requestRefund(restartedApi, id, { amount: SECOND_REFUND, idempotencyKey: `second-${id}` });
              const said = 'refundId' in answer ? answer.refundId : answer.code;
              if (secondAnswers.has(id) && secondAnswers.get(id) !== said) secondAnswersChanged += 1;
              secondAnswers.set(id, said);
              return;
            } catch {
              await sleep(200);
            }
          }
          secondRetriesFailed += 1;
        }),
      );
    }
    restartedApi.close();

    // The inbox: every event id once; every acknowledged one there.
    const { rows: inbox } = await db.pool.query<{ external_id: string; rows: string; outcome: string; deliveries: string; transaction_event_id: string | null }>(
      `SELECT external_id, count(*) OVER (PARTITION BY external_id)::text AS rows, outcome::text AS outcome, deliveries::text AS deliveries,
              transaction_event_id::text FROM notifications`,
    );
    const inboxById = new Map(inbox.map((row) => [row.external_id, row]));
    const duplicateInboxRows = inbox.filter((row) => row.rows !== '1').length;
    const acknowledgedMissing = [...acknowledged].filter((id) => !inboxById.has(id)).length;
    // Committed by the first process but never acknowledged to us: the resend found it in the inbox.
    const committedUnacknowledged = unacknowledged.filter((prepared) => Number(inboxById.get(prepared.eventId)?.deliveries ?? 0) > 1).length;

    // Each applied notification's effect is in history exactly once, and nothing is there without one.
    const { rows: effects } = await db.pool.query<{ applied: string; linked: string; distinct_events: string; notification_rows: string }>(
      `SELECT count(*) FILTER (WHERE n.outcome = 'APPLIED')::text AS applied,
              count(e.id)::text AS linked,
              count(DISTINCT n.transaction_event_id)::text AS distinct_events,
              (SELECT count(*) FROM transaction_events WHERE source <> 'MERCHANT_API')::text AS notification_rows
       FROM notifications n LEFT JOIN transaction_events e ON e.id = n.transaction_event_id`,
    );
    const effect = effects[0] ?? { applied: '0', linked: '-1', distinct_events: '-1', notification_rows: '-2' };
    const history = await loadHistory(db);
    const audit = auditHistory(history);
    const { rows: finals } = await db.pool.query<{ status: string; count: string }>('SELECT status::text, count(*)::text FROM transactions GROUP BY status');
    const paid = Number(finals.find((row) => row.status === 'PAID')?.count ?? 0);

    // Refunds: the first of each notified (SUCCEEDED, one REFUND_SUCCEEDED row), the second one per key, REQUESTED.
    const { rows: refundRows } = await db.pool.query<{ id: string; transaction_id: string; status: string; idempotency_key: string | null; succeeded_events: string }>(
      `SELECT r.id::text, r.transaction_id::text, r.status::text AS status, r.idempotency_key,
              (SELECT count(*) FROM transaction_events e WHERE e.refund_id = r.id AND e.kind = 'REFUND_SUCCEEDED')::text AS succeeded_events
       FROM refunds r`,
    );
    const firstsWrong = refunded.filter((id) => {
      const row = refundRows.find((candidate) => candidate.id === firstRefunds.get(id));
      return row?.status !== 'SUCCEEDED' || row.succeeded_events !== '1';
    }).length;
    const seconds = refundRows.filter((row) => row.idempotency_key?.startsWith('second-'));
    const secondsWrong =
      seconds.length !== refunded.length ||
      new Set(seconds.map((row) => row.idempotency_key)).size !== seconds.length ||
      seconds.some((row) => row.status !== 'REQUESTED' || secondAnswers.get(row.transaction_id) !== row.id);
    const { rows: sums } = await db.pool.query<{ wrong: string }>(
      `SELECT count(*)::text AS wrong FROM transactions t
       LEFT JOIN LATERAL (SELECT coalesce(sum(amount_minor) FILTER (WHERE status = 'SUCCEEDED'), 0) AS succeeded,
                                 coalesce(sum(amount_minor) FILTER (WHERE status = 'REQUESTED'), 0) AS requested
                          FROM refunds WHERE transaction_id = t.id) r ON true
       WHERE t.refunded_minor <> r.succeeded OR t.refund_pending_minor <> r.requested OR r.succeeded + r.requested > t.amount_minor`,
    );

    const [stream] = await settleSubscribers(db, merchant.id, markerTransactionId, [subscriber], full ? 60_000 : 15_000);

    return {
      checks: {
        'killed mid-load (some acknowledged, some not)': acknowledgedBeforeCrash > 0 && acknowledgedBeforeCrash < notifications.length && exitedWith === 'SIGKILL',
        'restarted as a new process on the same port': server.pid !== firstPid,
        'every unacknowledged notification acknowledged on resend': resendFailures === 0 && acknowledged.size === notifications.length + captures.length,
        'inbox: one row per event id': duplicateInboxRows === 0 && inbox.length === notifications.length + captures.length,
        'every acknowledged notification is in the inbox': acknowledgedMissing === 0,
        'each applied notification is in history exactly once': effect.applied === effect.linked && effect.applied === effect.distinct_events && effect.applied === effect.notification_rows,
        'every transaction PAID': paid === ids.length,
        'refunds: every notified refund SUCCEEDED, once': firstsWrong === 0,
        'refunds asked across the crash: one per idempotency key, every retry the same refund': secondRetriesFailed === 0 && secondAnswersChanged === 0 && !secondsWrong,
        'refunds: sums on each transaction equal its refunds, never over its amount': sums[0]?.wrong === '0',
        'history: legal, sequences 1..n, no status twice': audit.illegal === 0 && audit.gaps === 0 && audit.brokenChains === 0 && audit.repeatedStatuses === 0,
        'resuming subscriber: the whole log, once each, in order': stream.exact,
      },
      numbers: {
        transactions: ids.length,
        notifications: notifications.length,
        concurrency,
        'sent before the crash': sentBeforeCrash,
        'acknowledged before the crash': acknowledgedBeforeCrash,
        'requests in flight at SIGKILL': inFlightAtKill,
        'resent after restart': unacknowledged.length,
        'committed but unacknowledged (found on resend)': committedUnacknowledged,
        'resends answered duplicate': duplicatesOnResend,
        'restart to listening ms': Math.round(restartMs),
        'applied notifications / history rows from notifications': `${effect.applied}/${effect.notification_rows}`,
        'illegal transitions / sequence gaps': `${audit.illegal}/${audit.gaps}`,
        'refunded transactions / second refunds answered before the crash': `${refunded.length}/${secondAnswersBeforeCrash}`,
        'subscriber received / log': `${stream.received}/${stream.log}`,
        'subscriber duplicates / missing': `${stream.duplicates}/${stream.missing}`,
        'subscriber connections (1 + reconnects)': subscriber.connects,
      },
    };
  },
});
