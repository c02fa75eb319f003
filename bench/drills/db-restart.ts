/**
 * Drill (c): the database goes away mid-load and comes back. The server runs as a child process (src/main.ts)
 * whose DATABASE_URL goes through a TCP proxy in this process; once 30% of the notifications are acknowledged
 * the proxy is cut (every connection dropped, new ones refused: what a PostgreSQL restart looks like from the
 * server), held down, then restored. Senders retry every non-200 after a short pause (standing in for
 * Retry-After, so the drill stays short).
 * Checks: while it is down, ingestion answers 503 with Retry-After and never 200; /readyz says the database is
 * down; nothing but 200 and 503 is ever answered; the same process (same pid) answers 200 again after the
 * restore; every 200 names a committed inbox row; every transaction ends CAPTURED with its effect once.
 *
 *   npm run drill:db-restart
 */
import { auditHistory, loadHistory } from './judges.ts';
import {
  alipayNotification,
  CuttableProxy,
  httpSender,
  isAcknowledged,
  sendUntilAcknowledged,
  signedEvent,
  sleep,
  startServerChild,
  stopServerChild,
  throughProxy,
  waitUntil,
  type Prepared,
  type SendReply,
} from './lib.ts';
import { defineDrill } from './template.ts';

type Observed = { sentAt: number; answeredAt: number; reply: SendReply; prepared: Prepared };

export const dbRestart = defineDrill({
  name: 'db-restart',
  summary: 'PostgreSQL cut mid-load (503 while down, never 200 without a commit, same process recovers)',
  transactions: { full: 3_000, small: 300 },
  async run({ full, db, transactionIds: ids, eventKey: key, alipayKeys, serverEnv, onEnd }) {
    const outageMs = full ? 5_000 : 2_000;
    const concurrency = 16;
    const upstream = new URL(db.url);
    const proxy = new CuttableProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    await proxy.open();
    onEnd(() => proxy.cut());
    const running = await startServerChild({ ...serverEnv, DATABASE_URL: throughProxy(db.url, proxy) });
    onEnd(() => stopServerChild(running));
    let processExited = false;
    void running.exited.then(() => (processExited = true));
    const notifications = ids.map((id, index) =>
      index % 2 === 0 ? signedEvent(key, id, 'CAPTURED') : alipayNotification(alipayKeys.privateKeyPem, id, 'CAPTURED'),
    );

    const observed: Observed[] = [];
    const acknowledgedIds = new Set<string>();
    const sender = httpSender(running.url, concurrency);
    let next = 0;
    let unacknowledged = 0;
    const load = Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < notifications.length) {
          const prepared = notifications[next] as Prepared;
          next += 1;
          let sentAt = performance.now();
          const reply = await sendUntilAcknowledged(sender, prepared, 400, 100, (each) => {
            const answeredAt = performance.now();
            observed.push({ sentAt, answeredAt, reply: each, prepared });
            sentAt = answeredAt + 100;
          });
          if (reply === undefined) unacknowledged += 1;
          else acknowledgedIds.add(prepared.eventId);
        }
      }),
    );

    // The outage, once the load is well under way.
    await waitUntil(() => acknowledgedIds.size >= notifications.length * 0.3, '30% acknowledged', 60_000);
    await proxy.cut();
    const cutAt = performance.now();
    await sleep(outageMs / 2);
    const readyDuring = await fetch(`${running.url}/readyz`).catch((error: unknown) => {
      throw new Error(`the server stopped answering during the outage (${String(error)}); it printed:\n${running.tail()}`);
    });
    const readyDuringBody = (await readyDuring.json()) as { database?: string };
    await sleep(outageMs / 2);
    await proxy.open();
    const restoredAt = performance.now();
    await load;
    const loadEndedAt = performance.now();
    sender.close();
    await waitUntil(async () => (await fetch(`${running.url}/readyz`)).status === 200, 'ready again', 30_000).catch(() => undefined);
    // The relay's own LISTEN session reconnects with backoff: live delivery comes back by itself too.
    let readyAfter = await fetch(`${running.url}/readyz`);
    let readyAfterBody = (await readyAfter.json()) as { database?: string; events?: { relay?: string; listen?: string } };
    await waitUntil(
      async () => {
        readyAfter = await fetch(`${running.url}/readyz`);
        readyAfterBody = (await readyAfter.json()) as typeof readyAfterBody;
        return readyAfterBody.events?.listen === 'up';
      },
      'LISTEN back up',
      30_000,
    ).catch(() => undefined);
    const listenBackMs = performance.now() - restoredAt;

    // Whatever was sent entirely inside the outage: 503 with Retry-After, never 200.
    const duringOutage = observed.filter((entry) => entry.sentAt >= cutAt && entry.answeredAt <= restoredAt);
    const okDuringOutage = duringOutage.filter((entry) => entry.reply.status === 200).length;
    const unavailableDuringOutage = duringOutage.filter((entry) => entry.reply.status === 503 && 'retryAfter' in entry.reply && entry.reply.retryAfter !== undefined).length;
    const statuses = new Map<number, number>();
    for (const entry of observed) statuses.set(entry.reply.status, (statuses.get(entry.reply.status) ?? 0) + 1);
    const unexpectedStatuses = observed.filter((entry) => entry.reply.status !== 200 && entry.reply.status !== 503).length;
    const firstOkAfter = observed
      .filter((entry) => entry.answeredAt > restoredAt && isAcknowledged(entry.prepared, entry.reply))
      .reduce((first, entry) => Math.min(first, entry.answeredAt), Number.POSITIVE_INFINITY);

    // Every 200 names a committed row: event ids for both formats, the notificationId the signed-event reply carries.
    const { rows: inbox } = await db.pool.query<{ id: string; external_id: string; outcome: string; deliveries: number }>(
      'SELECT id::text, external_id, outcome::text AS outcome, deliveries FROM notifications',
    );
    const inboxIds = new Set(inbox.map((row) => row.id));
    const inboxEvents = new Set(inbox.map((row) => row.external_id));
    const okWithoutCommit = observed.filter((entry) => {
      if (!isAcknowledged(entry.prepared, entry.reply) || !('body' in entry.reply)) return false;
      if (!inboxEvents.has(entry.prepared.eventId)) return true;
      if (entry.prepared.path !== '/notifications/events') return false;
      return !inboxIds.has((JSON.parse(entry.reply.body) as { notificationId: string }).notificationId);
    }).length;
    const committedDuringOutage = inbox.filter((row) => row.deliveries > 1).length;

    const history = await loadHistory(db);
    const audit = auditHistory(history);
    const { rows: finals } = await db.pool.query<{ status: string; count: string }>('SELECT status::text, count(*)::text FROM transactions GROUP BY status');
    const captured = Number(finals.find((row) => row.status === 'CAPTURED')?.count ?? 0);
    const applied = inbox.filter((row) => row.outcome === 'APPLIED').length;

    return {
      checks: {
        'while down: only 503 with Retry-After, never 200': duringOutage.length > 0 && okDuringOutage === 0 && unavailableDuringOutage === duringOutage.length,
        'while down: /readyz 503, database down': readyDuring.status === 503 && readyDuringBody.database === 'down',
        'never anything but 200 or 503': unexpectedStatuses === 0,
        'recovered without a restart (same pid, 200 again)': !processExited && Number.isFinite(firstOkAfter),
        'after: /readyz 200, LISTEN session back up': readyAfter.status === 200 && readyAfterBody.events?.listen === 'up',
        'every notification acknowledged in the end': unacknowledged === 0 && acknowledgedIds.size === notifications.length,
        'every 200 names a committed inbox row': okWithoutCommit === 0,
        'inbox: one row per notification, each applied once': inbox.length === notifications.length && applied === notifications.length,
        'every transaction CAPTURED, history legal and gapless': captured === ids.length && audit.illegal === 0 && audit.gaps === 0 && audit.repeatedStatuses === 0,
      },
      numbers: {
        notifications: notifications.length,
        concurrency,
        'outage ms': outageMs,
        'replies by status': JSON.stringify(Object.fromEntries(statuses)),
        'requests wholly inside the outage (all 503)': `${duringOutage.length} (${unavailableDuringOutage})`,
        '200 inside the outage': okDuringOutage,
        'first 200 after restore ms': Number.isFinite(firstOkAfter) ? Math.round(firstOkAfter - restoredAt) : 'never',
        'load after restore ms': Math.round(loadEndedAt - restoredAt),
        '200 without a committed row': okWithoutCommit,
        'committed while the reply failed (redelivered later)': committedDuringOutage,
        'readyz during / after': `${readyDuring.status} ${JSON.stringify(readyDuringBody.database)} / ${readyAfter.status} ${JSON.stringify(readyAfterBody.database)}`,
        'events after restore (relay/listen)': `${readyAfterBody.events?.relay}/${readyAfterBody.events?.listen}`,
        'LISTEN back up after restore ms': Math.round(listenBackMs),
        'server pid (unchanged)': running.pid,
      },
    };
  },
});
