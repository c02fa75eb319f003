import { judgeNotification, type AnomalyKind, type NotificationOutcome, type Verdict } from '../domain/notifications.ts';
import type { Database } from '../db/client.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { settleFlight, uuidv7, withPgTransaction, type PgTransactionSession, type SqlSession } from '../db/session.ts';
import type { Logger } from '../logger.ts';
import { alipayNotificationFromParams, parseFormBody, verifyAlipayNotification } from '../providers/alipay/notification.ts';
import type { NotificationSender, ParsedNotification, ProviderNotification } from '../providers/notification.ts';
import type { ProviderSettings } from '../providers/settings.ts';
import { parseSignedEvent, verifySignedEvent, type SignatureHeaders } from '../providers/signed-events.ts';
import { applyLockedTransitions, lockTransactions, type LockedTransaction, type LockedTransitionRequest } from './transitions.ts';

/**
 * Notification ingestion, one pipeline for both formats: verify -> inbox -> transition -> outcome.
 *
 * - Nothing unauthenticated is stored: a refused notification only increments a counter (endpoint, reason).
 * - Whatever authenticates is stored raw, even when it then proves unusable (outcome MALFORMED, answered 4xx).
 * - The inbox row, the status change (through the transition service's lock + apply) and any anomaly are
 *   written in ONE database transaction, under the transaction's row lock; the caller acknowledges only after
 *   it committed.
 * - The inbox is unique per (sender, event id): a redelivery changes nothing but the row's delivery count, and
 *   the unique index (not a read) decides, so concurrent duplicates are safe too.
 */

export type IngestionDeps = {
  db: Database;
  providers: ProviderSettings;
  logger: Logger;
  inbox: NotificationInbox;
  /** Told of every refusal as it is counted (the HTTP layer turns it into a metric). */
  onRejection?: (sender: NotificationSender, reason: RejectionReason) => void;
};

type SignatureRefusal = 'MISSING_SIGNATURE' | 'MALFORMED_SIGNATURE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'STALE_TIMESTAMP';
/** Why a notification never reached the inbox: the counters admins see in notificationStats. */
export type RejectionReason = SignatureRefusal | 'UNSUPPORTED_CONTENT_TYPE' | 'MALFORMED_BODY' | 'BODY_TOO_LARGE';

export type IngestionResult =
  | {
      kind: 'acknowledged';
      notificationId: string;
      outcome: NotificationOutcome;
      /** A redelivery of an event id already in the inbox: nothing changed. */
      duplicate: boolean;
      anomalyId: string | null;
    }
  | {
      kind: 'refused';
      status: 400 | 401 | 415;
      message: string;
      /** Set when the body authenticated and was kept (outcome MALFORMED). */
      storedAs?: string;
    };

export type SignedEventRequest = { contentType: string | undefined; headers: SignatureHeaders; rawBody: Buffer };
export type AlipayRequest = { contentType: string | undefined; rawBody: Buffer };

export async function ingestSignedEvent(deps: IngestionDeps, request: SignedEventRequest): Promise<IngestionResult> {
  const verified = verifySignedEvent(deps.providers.eventKeys, request.headers, request.rawBody);
  if (!verified.ok) {
    const { keyId, timestamp, signature } = request.headers;
    const missing = !keyId || !timestamp || !signature;
    const reason: SignatureRefusal = verified.reason === 'MALFORMED' ? (missing ? 'MISSING_SIGNATURE' : 'MALFORMED_SIGNATURE') : verified.reason;
    return refuse(deps, 'SIGNED_EVENT', 401, reason, SIGNED_EVENT_REFUSALS[reason]);
  }
  // Authentic from here on: whatever is wrong with the body, the body is kept.
  if (!hasMediaType(request.contentType, 'application/json')) {
    return keepMalformed(deps, 'SIGNED_EVENT', request, 415, 'Content-Type must be application/json (UTF-8)');
  }
  return ingestParsed(deps, 'SIGNED_EVENT', request, parseSignedEvent(request.rawBody));
}

export async function ingestAlipayNotification(deps: IngestionDeps, request: AlipayRequest): Promise<IngestionResult> {
  // Alipay signs the decoded form fields, so nothing can be verified before the body is read as a form.
  if (!hasMediaType(request.contentType, 'application/x-www-form-urlencoded')) {
    return refuse(deps, 'ALIPAY', 415, 'UNSUPPORTED_CONTENT_TYPE', 'Content-Type must be application/x-www-form-urlencoded (UTF-8)');
  }
  const form = parseFormBody(request.rawBody);
  if (!form.ok) return refuse(deps, 'ALIPAY', 400, 'MALFORMED_BODY', form.error);
  if (!form.params['sign']) return refuse(deps, 'ALIPAY', 401, 'MISSING_SIGNATURE', 'missing sign: Alipay notifications are RSA2-signed');
  if (!verifyAlipayNotification(form.params, deps.providers.alipay.publicKeys)) {
    return refuse(deps, 'ALIPAY', 401, 'BAD_SIGNATURE', 'sign does not verify with the Alipay public key (sign_type must be RSA2)');
  }
  return ingestParsed(deps, 'ALIPAY', request, alipayNotificationFromParams(form.params));
}

const SIGNED_EVENT_REFUSALS: Record<SignatureRefusal, string> = {
  MISSING_SIGNATURE: 'missing X-Key-Id, X-Timestamp or X-Signature',
  MALFORMED_SIGNATURE: 'X-Timestamp must be unix seconds and X-Signature standard base64',
  UNKNOWN_KEY: 'unknown X-Key-Id',
  BAD_SIGNATURE: 'X-Signature does not match the body',
  STALE_TIMESTAMP: 'X-Timestamp is more than 5 minutes away from now (replay or clock skew)',
};

/** `type/subtype`, optionally with `charset=utf-8` (any other charset is refused: signatures are over UTF-8). */
function hasMediaType(contentType: string | undefined, expected: string): boolean {
  if (contentType === undefined) return false;
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== expected) return false;
  return parameters.every((parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter));
}

async function refuse(
  deps: IngestionDeps,
  sender: NotificationSender,
  status: 400 | 401 | 415,
  reason: RejectionReason,
  message: string,
): Promise<IngestionResult> {
  await countRejection(deps, sender, reason);
  return { kind: 'refused', status, message };
}

/**
 * Counts a refused notification where admins can see it. Best effort: the refusal does not depend on the
 * database, so a database outage must not turn a 401 into something else.
 */
export async function countRejection(
  deps: Pick<IngestionDeps, 'db' | 'logger' | 'onRejection'>,
  sender: NotificationSender,
  reason: RejectionReason,
): Promise<void> {
  deps.logger.warn({ sender, reason }, 'notification refused');
  deps.onRejection?.(sender, reason);
  try {
    await deps.db.prisma.$executeRaw`
      INSERT INTO notification_rejections (sender, reason, count)
      VALUES (${sender}::"NotificationSender", ${reason}, 1)
      ON CONFLICT (sender, reason) DO UPDATE
        SET count = notification_rejections.count + 1, last_seen_at = now()`;
  } catch (error) {
    deps.logger.error({ err: error, sender, reason }, 'could not count a refused notification');
  }
}

async function ingestParsed(
  deps: IngestionDeps,
  sender: NotificationSender,
  request: { contentType: string | undefined; rawBody: Buffer },
  parsed: ParsedNotification,
): Promise<IngestionResult> {
  if (!parsed.ok) return keepMalformed(deps, sender, request, 400, parsed.error);
  const result = await deps.inbox.ingest(parsed.notification, { contentType: request.contentType ?? '', rawBody: request.rawBody });
  if (result.outcome === 'ANOMALY' && !result.duplicate) {
    deps.logger.warn({ sender, notificationId: result.notificationId, anomalyId: result.anomalyId }, 'notification recorded an anomaly');
  }
  return result;
}

/** An authentic but unusable body: kept for inspection (never applied, never a duplicate of anything). */
async function keepMalformed(
  deps: IngestionDeps,
  sender: NotificationSender,
  request: { contentType: string | undefined; rawBody: Buffer },
  status: 400 | 415,
  message: string,
): Promise<IngestionResult> {
  const row = await deps.db.prisma.notification.create({
    data: {
      sender,
      externalId: null,
      contentType: (request.contentType ?? '').slice(0, 255),
      rawBody: new Uint8Array(request.rawBody),
      outcome: 'MALFORMED',
      // The message may quote the sender's input; PostgreSQL text cannot hold NUL.
      detail: message.replaceAll('\u0000', '\\u0000'),
    },
    select: { id: true },
  });
  deps.logger.warn({ sender, notificationId: row.id, detail: message }, 'authentic notification kept as MALFORMED');
  return { kind: 'refused', status, message, storedAs: row.id };
}

/** The inbox's unique index: an event id another batch committed first. */
const INBOX_KEY = 'notifications_sender_external_id_key';

type Acknowledged = Extract<IngestionResult, { kind: 'acknowledged' }>;
type Raw = { contentType: string; rawBody: Buffer };
type Pending = { notification: ProviderNotification; raw: Raw; resolve(result: Acknowledged): void; reject(error: unknown): void };

const MAX_ATTEMPTS = 4;
/**
 * No statement of an ingestion transaction may run longer than this (waiting for a row lock included): a stuck
 * lock holder or a runaway statement turns into a 503 with Retry-After (nothing committed, the sender retries)
 * instead of requests and row locks piling up behind it. Normal statements take about a millisecond.
 */
export const INGESTION_STATEMENT_TIMEOUT_MS = 5_000;
const MAX_BATCH = 50;
/** Beyond this many waiting notifications new ones are refused for now (503): senders retry, memory stays bounded. */
const MAX_QUEUED = 5_000;

/** The inbox cannot take the notification right now; nothing was recorded, the sender should retry. */
export class InboxOverloadedError extends Error {
  constructor() {
    super(`more than ${MAX_QUEUED} notifications are waiting to be committed`);
  }
}

/**
 * The inbox writer, with group commit. A notification arriving while the inbox is idle is ingested at once,
 * alone. Notifications arriving while batches are in flight queue up and go together into the next database
 * transaction: one BEGIN/COMMIT, one row-lock query, one inbox INSERT and one collapsed pg_notify for all of
 * them, instead of one each. PostgreSQL serialises commits that NOTIFY, so without this the commit rate, not
 * the work, would bound ingestion. Every sender is still answered only after its own notification committed.
 *
 * A batch that fails on something other than a lost database is retried one notification per transaction,
 * so one poisonous notification cannot take others down with it.
 */
export class NotificationInbox {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private readonly maxConcurrentBatches: number;

  constructor(
    private readonly deps: Pick<IngestionDeps, 'db' | 'logger'>,
    options: { maxConcurrentBatches?: number } = {},
  ) {
    // Two batches at once: one gathers round trips while the other commits. More would only make batches
    // smaller, and commits that NOTIFY queue behind each other anyway (measured with bench:ingest). The
    // embedded database is one connection: one batch at a time.
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? (deps.db.kind === 'embedded' ? 1 : 2);
  }

  /** Resolves once the notification and its effect are committed: the caller may acknowledge. */
  ingest(notification: ProviderNotification, raw: Raw): Promise<Acknowledged> {
    if (this.queue.length >= MAX_QUEUED) return Promise.reject(new InboxOverloadedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ notification, raw, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxConcurrentBatches && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.settle(batch).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
    }
  }

  private async settle(batch: Pending[]): Promise<void> {
    try {
      const results = await this.commit(batch);
      batch.forEach((pending, index) => pending.resolve(results[index] as Acknowledged));
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      this.deps.logger.warn({ err: error, size: batch.length }, 'notification batch failed; retrying one by one');
      await Promise.all(
        batch.map((pending) => this.commit([pending]).then(([result]) => pending.resolve(result as Acknowledged), pending.reject)),
      );
    }
  }

  private async commit(batch: Pending[]): Promise<Acknowledged[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const results = await withPgTransaction(this.deps.db.pool, (session) => ingestBatch(session, batch, attempt > 1), {
          statementTimeoutMs: INGESTION_STATEMENT_TIMEOUT_MS,
        });
        return results;
      } catch (error) {
        // Another delivery of an event committed first (the retry looks event ids up before anything else),
        // or a deadlock / serialization failure: nothing was committed, so trying again is safe.
        if (attempt < MAX_ATTEMPTS && isRetryableConflict(error)) continue;
        throw error;
      }
    }
  }
}

type InboxRow = { sender: NotificationSender; external_id: string; id: string; outcome: NotificationOutcome; anomaly_id: string | null };

const COUNT_REDELIVERIES = `
  UPDATE notifications AS n
  SET deliveries = n.deliveries + d.times, last_received_at = now()
  FROM unnest($1::text[], $2::text[], $3::int[]) AS d(sender, external_id, times)
  WHERE n.sender = d.sender::"NotificationSender" AND n.external_id = d.external_id
  RETURNING n.sender::text AS sender, n.external_id, n.id::text, n.outcome::text AS outcome, n.anomaly_id::text`;

const INBOX_COLUMNS = `id, sender, external_id, event_type, transaction_reference, transaction_id, target_status, amount_minor,
  currency, provider_reference, outcome, detail, anomaly_id, content_type, raw_body`;
const INBOX_CASTS = ['uuid', 'text::"NotificationSender"', 'text', 'text', 'text', 'uuid', 'text::"TransactionStatus"', 'bigint',
  'text', 'text', 'text::"NotificationOutcome"', 'text', 'uuid', 'text', 'bytea', 'int'];

/**
 * The inbox rows of a batch. An APPLIED row references the history row its transition wrote, found by
 * (transaction, sequence = the version it moved to): the statement is sent in the same flight as the
 * transition and COMMIT, before their answers, so whatever must stop the commit has to fail a statement:
 * - an event id that got in meanwhile fails the unique index (no ON CONFLICT), and the batch is retried;
 * - an APPLIED row whose transition wrote no history row (it cannot happen under the row lock; if it ever
 *   did) fails the cast below, rather than being committed as applied.
 */
function insertInboxRows(count: number): string {
  let text = inboxInsertByCount.get(count);
  if (text === undefined) {
    text = buildInboxInsert(count);
    inboxInsertByCount.set(count, text);
  }
  return text;
}

/** At most MAX_BATCH texts, one per batch size (each is also a prepared statement of that size). */
const inboxInsertByCount = new Map<number, string>();

function buildInboxInsert(count: number): string {
  const rows = Array.from({ length: count }, (_, row) =>
    `(${INBOX_CASTS.map((cast, column) => `$${row * INBOX_CASTS.length + column + 1}::${cast}`).join(', ')})`,
  );
  return `INSERT INTO notifications (${INBOX_COLUMNS}, transaction_event_id)
    SELECT ${INBOX_COLUMNS.split(',').map((column) => `v.${column.trim()}`).join(', ')},
      CASE WHEN v.event_sequence IS NULL THEN NULL
        ELSE COALESCE(e.id::text, 'no history row for an applied notification')::bigint END
    FROM (VALUES ${rows.join(',\n')}) AS v(${INBOX_COLUMNS}, event_sequence)
    LEFT JOIN transaction_events AS e ON e.transaction_id = v.transaction_id AND e.sequence = v.event_sequence`;
}

function inboxKey(notification: ProviderNotification): string {
  return `${notification.sender}\u0000${notification.externalId}`;
}

/**
 * One batch in one database transaction, in two round trips. The first (with BEGIN) takes the row locks
 * (and, on a retry, counts redeliveries); the second sends the transitions, the inbox rows and COMMIT
 * together. Notifications are judged in arrival order against the locked rows, each seeing what the
 * previous ones did (a capture and its settlement in one batch both apply). Anomalies, which are rare,
 * cost a round trip each before the second flight.
 */
async function ingestBatch(session: PgTransactionSession, batch: readonly Pending[], lookForRedeliveries: boolean): Promise<Acknowledged[]> {
  const results: (Acknowledged | undefined)[] = new Array(batch.length);

  // The same event twice in one batch: the first is ingested, the others are redeliveries of it.
  const firstByKey = new Map<string, number>();
  const echoesOf = new Map<number, number[]>();
  batch.forEach((pending, index) => {
    const key = inboxKey(pending.notification);
    const first = firstByKey.get(key);
    if (first === undefined) firstByKey.set(key, index);
    else echoesOf.set(first, [...(echoesOf.get(first) ?? []), index]);
  });
  const firsts = [...firstByKey.values()];
  const timesDelivered = (index: number) => 1 + (echoesOf.get(index)?.length ?? 0);

  // Held until commit: every notification, merchant cancel and expiry for these transactions queues here.
  // On a retry some of them turn out to be redeliveries; locking their transactions too is harmless.
  const named = firsts.map((index) => batch[index]?.notification.transactionId).filter((id): id is string => id !== undefined);
  const [known, locked] = await settleFlight([
    lookForRedeliveries
      ? session.query<InboxRow>(COUNT_REDELIVERIES, [
          firsts.map((index) => batch[index]?.notification.sender),
          firsts.map((index) => batch[index]?.notification.externalId),
          firsts.map(timesDelivered),
        ], 'paystream_count_redeliveries')
      : [],
    lockTransactions(session, named),
  ]);
  const knownByKey = new Map(known.map((row) => [`${row.sender}\u0000${row.external_id}`, row]));
  for (const index of firsts) {
    const row = knownByKey.get(inboxKey((batch[index] as Pending).notification));
    if (row) results[index] = { kind: 'acknowledged', notificationId: row.id, outcome: row.outcome, duplicate: true, anomalyId: row.anomaly_id };
  }

  // Judged in arrival order against the locked rows, each verdict seeing the ones before it; the transitions
  // are then written in waves (the k-th transition of each transaction in wave k: almost always one wave).
  const fresh = firsts.filter((index) => results[index] === undefined);
  const verdicts = new Map<number, { verdict: Verdict; current: LockedTransaction | undefined; anomalyId: string | null; eventSequence: number | null }>();
  const waves: { locked: LockedTransaction; request: LockedTransitionRequest }[][] = [];
  const wavesQueued = new Map<string, number>();
  for (const index of fresh) {
    const { notification } = batch[index] as Pending;
    const current = notification.transactionId === undefined ? undefined : locked.get(notification.transactionId);
    const verdict = judgeNotification(current, notification);
    let anomalyId: string | null = null;
    let eventSequence: number | null = null;
    if (verdict.outcome === 'APPLIED' && current) {
      const wave = wavesQueued.get(current.id) ?? 0;
      wavesQueued.set(current.id, wave + 1);
      (waves[wave] ??= []).push({
        locked: current,
        request: {
          target: verdict.target,
          source: notification.source,
          ...(notification.reason !== null ? { reason: notification.reason } : {}),
          providerReference: notification.providerReference,
        },
      });
      eventSequence = current.version + 1;
      locked.set(current.id, { ...current, status: verdict.target, version: eventSequence });
    } else if (verdict.outcome === 'ANOMALY') {
      anomalyId = await openAnomaly(session, verdict.kind, current?.id, verdict.detail);
    }
    verdicts.set(index, { verdict, current, anomalyId, eventSequence });
  }

  const rowValues = new Map<number, unknown[]>();
  for (const index of fresh) {
    const { notification, raw } = batch[index] as Pending;
    const { verdict, current, anomalyId, eventSequence } = verdicts.get(index) as NonNullable<ReturnType<typeof verdicts.get>>;
    const id = uuidv7();
    results[index] = { kind: 'acknowledged', notificationId: id, outcome: verdict.outcome, duplicate: false, anomalyId };
    rowValues.set(index, [
      id,
      notification.sender,
      notification.externalId,
      notification.eventType,
      notification.transactionReference.slice(0, 255),
      current?.id ?? null,
      notification.target,
      notification.amount?.minorUnits.toString() ?? null,
      notification.amount?.currency ?? null,
      notification.providerReference,
      verdict.outcome,
      'detail' in verdict ? verdict.detail : null,
      anomalyId,
      raw.contentType.slice(0, 255),
      raw.rawBody,
      eventSequence,
    ]);
  }
  // Echoes answer like their first delivery; the inbox row counts them.
  const echoes = [...echoesOf.entries()];
  const inserted = [...rowValues.keys()];
  const echoesOfInserted = echoes.filter(([first]) => rowValues.has(first));
  for (const [first, copies] of echoes) {
    const original = results[first] as Acknowledged;
    for (const copy of copies) results[copy] = { ...original, duplicate: true };
  }

  // The second flight: transitions, inbox rows, delivery counts and COMMIT, answered together. Inbox rows are
  // sorted by event id, so batches inserting the same ids concurrently wait for each other in one order.
  inserted.sort((a, b) => compareKeys(batch[a], batch[b]));
  await settleFlight([
    ...waves.map((wave) => applyLockedTransitions(session, wave)),
    inserted.length === 0
      ? undefined
      : session.query(insertInboxRows(inserted.length), inserted.flatMap((index) => rowValues.get(index) ?? []), `paystream_insert_inbox_${inserted.length}`),
    echoesOfInserted.length === 0
      ? undefined
      : session.query(
          `UPDATE notifications AS n SET deliveries = n.deliveries + d.times
           FROM unnest($1::uuid[], $2::int[]) AS d(id, times) WHERE n.id = d.id`,
          [echoesOfInserted.map(([first]) => results[first]?.notificationId), echoesOfInserted.map(([, copies]) => copies.length)],
        ),
    session.commit(),
  ]);
  return results as Acknowledged[];
}

function compareKeys(a: Pending | undefined, b: Pending | undefined): number {
  const left = a ? inboxKey(a.notification) : '';
  const right = b ? inboxKey(b.notification) : '';
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * One OPEN anomaly per (transaction, kind): a second notification about the same problem (say Alipay's
 * TRADE_SUCCESS and then the settlement of the same money) joins it rather than asking for a second refund.
 * Race-free because the caller holds the transaction's row lock. Orphans have no transaction: one each.
 */
async function openAnomaly(session: SqlSession, kind: AnomalyKind, transactionId: string | undefined, detail: string): Promise<string> {
  if (transactionId !== undefined) {
    const [open] = await session.query<{ id: string }>(
      `SELECT id::text FROM anomalies WHERE transaction_id = $1::uuid AND kind = $2::text::"AnomalyKind" AND status = 'OPEN' LIMIT 1`,
      [transactionId, kind],
    );
    if (open) return open.id;
  }
  const [created] = await session.query<{ id: string }>(
    `INSERT INTO anomalies (id, kind, transaction_id, detail) VALUES ($1::uuid, $2::text::"AnomalyKind", $3::uuid, $4::text) RETURNING id::text`,
    [uuidv7(), kind, transactionId ?? null, detail],
  );
  if (!created) throw new Error('anomaly insert returned no row');
  return created.id;
}

/**
 * Serialization failure, deadlock, or an event id another batch got into the inbox first (pg's SQLSTATE and
 * constraint): nothing was committed, trying again is safe.
 */
function isRetryableConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '40001' || code === '40P01' || (code === '23505' && constraint === INBOX_KEY);
}
