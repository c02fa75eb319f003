/**
 * Drill (b): crash. The server runs as a child process (src/main.ts, as `npm start`) on a fixed port; a
 * capture (Alipay) and a settlement (signed event) per transaction are sent shuffled at concurrency 32;
 * once 40% are acknowledged the process is SIGKILLed (by its pid), then started again on the same database
 * and port, and every notification whose 200 was not seen is resent until acknowledged.
 * Checks: every acknowledged notification is in the inbox once and its effect is in history exactly once;
 * every transaction ends PAID with a legal, gapless history; a merchant-client subscriber connected before
 * the crash resumes from its last cursor and ends with the merchant's whole log, once each, in order.
 *
 *   npm run drill:crash
 */
import { freePort } from '../../test/support/processes.ts';
import { auditHistory, loadHistory } from './judges.ts';
import {
  alipayNotification,
  httpSender,
  isAcknowledged,
  sendUntilAcknowledged,
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

export const crash = defineDrill({
  name: 'crash',
  summary: 'SIGKILL mid-ingestion, restart, resend the unacknowledged (each acknowledged one applied once, subscriber resumes)',
  transactions: { full: 2_000, small: 100 },
  async run({ full, db, merchant, transactionIds: ids, markerTransactionId, eventKey: key, alipayKeys, serverEnv, onEnd }) {
    const concurrency = full ? 32 : 16;
    const killAtShare = 0.4;
    // A fixed port: the restarted server comes back where the subscriber reconnects.
    const env = { ...serverEnv, PORT: String(await freePort()) };
    let server: ServerChild = await startServerChild(env);
    onEnd(() => stopServerChild(server));
    const firstPid = server.pid;
    const secret = merchant.secret;
    const notifications: Prepared[] = shuffle(
      ids.flatMap((id) => [alipayNotification(alipayKeys.privateKeyPem, id, 'CAPTURED'), signedEvent(key, id, 'PAID')]),
    );
    const subscriber = subscribeFromStart(server.url, secret);
    onEnd(() => subscriber.client.close());

    // Load until 40% are acknowledged, then SIGKILL: requests in flight die with the process.
    const acknowledged = new Set<string>();
    const sender = httpSender(server.url, concurrency);
    let next = 0;
    let killed = false;
    let killScheduled = false;
    let inFlightAtKill = 0;
    let inFlight = 0;
    const killAt = Math.floor(notifications.length * killAtShare);
    const crashed = server;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
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
    );
    const exitedWith = await crashed.exited;
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

    const [stream] = await settleSubscribers(db, merchant.id, markerTransactionId, [subscriber], full ? 60_000 : 15_000);

    return {
      checks: {
        'killed mid-load (some acknowledged, some not)': acknowledgedBeforeCrash > 0 && acknowledgedBeforeCrash < notifications.length && exitedWith === 'SIGKILL',
        'restarted as a new process on the same port': server.pid !== firstPid,
        'every unacknowledged notification acknowledged on resend': resendFailures === 0 && acknowledged.size === notifications.length,
        'inbox: one row per event id': duplicateInboxRows === 0 && inbox.length === notifications.length,
        'every acknowledged notification is in the inbox': acknowledgedMissing === 0,
        'each applied notification is in history exactly once': effect.applied === effect.linked && effect.applied === effect.distinct_events && effect.applied === effect.notification_rows,
        'every transaction PAID': paid === ids.length,
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
        'subscriber received / log': `${stream.received}/${stream.log}`,
        'subscriber duplicates / missing': `${stream.duplicates}/${stream.missing}`,
        'subscriber connections (1 + reconnects)': subscriber.connects,
      },
    };
  },
});
