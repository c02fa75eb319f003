import { groupDeliveries, judgeInArrivalOrder, type EventDeliveries, type NotificationOutcome } from '../domain/notifications.ts';
import type { Database } from '../db/client.ts';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { awaitPipelined, uuidv7, withPgTransaction, type PgTransactionSession } from '../db/session.ts';
import { addDeliveries, countRedeliveries, INBOX_EVENT_ID_KEY, insertInboxRows, openAnomaly, type InboxRow } from '../db/sql/inbox.ts';
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
    await deps.db.prisma.notificationRejection.upsert({
      where: { sender_reason: { sender, reason } },
      create: { sender, reason, count: 1 },
      update: { count: { increment: 1 }, lastSeenAt: new Date() },
    });
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
      void this.commitAndAnswer(batch).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
    }
  }

  private async commitAndAnswer(batch: Pending[]): Promise<void> {
    try {
      const results = await this.commitWithRetries(batch);
      batch.forEach((pending, index) => pending.resolve(results[index] as Acknowledged));
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      this.deps.logger.warn({ err: error, size: batch.length }, 'notification batch failed; retrying one by one');
      await Promise.all(
        batch.map((pending) => this.commitWithRetries([pending]).then(([result]) => pending.resolve(result as Acknowledged), pending.reject)),
      );
    }
  }

  private async commitWithRetries(batch: Pending[]): Promise<Acknowledged[]> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const results = await withPgTransaction(this.deps.db.pool, (session) => commitBatch(session, batch, attempt > 1), {
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

function eventKey(sender: string, externalId: string): string {
  return `${sender}\u0000${externalId}`;
}

const eventKeyOf = ({ notification }: Pending) => eventKey(notification.sender, notification.externalId);

/**
 * One batch in one database transaction, in two round trips. The first (with BEGIN) takes the row locks
 * (and, on a retry, counts redeliveries of events already in the inbox); the second sends the transitions, the
 * inbox rows and COMMIT together. Anomalies, which are rare, cost a round trip each before the second.
 */
async function commitBatch(session: PgTransactionSession, batch: readonly Pending[], lookForStored: boolean): Promise<Acknowledged[]> {
  const results: (Acknowledged | undefined)[] = new Array(batch.length);
  const pendingAt = (index: number) => batch[index] as Pending;
  // The same event twice in one batch: its first delivery is ingested, the others count on its inbox row.
  const events = groupDeliveries(batch, eventKeyOf);

  // Held until commit: every notification, merchant cancel and expiry for these transactions queues here.
  // On a retry some of them turn out to be redeliveries; locking their transactions too is harmless.
  const namedTransactions = events.flatMap(({ first }) => pendingAt(first).notification.transactionId ?? []);
  const [stored, lockedById] = await awaitPipelined([
    lookForStored
      ? countRedeliveries(
          session,
          events.map(({ first, redeliveries }) => ({ ...pick(pendingAt(first).notification), times: 1 + redeliveries.length })),
        )
      : [],
    lockTransactions(session, namedTransactions),
  ]);
  const storedByKey = new Map(stored.map((row) => [eventKey(row.sender, row.externalId), row]));
  const newEvents: EventDeliveries[] = [];
  for (const event of events) {
    const row = storedByKey.get(eventKeyOf(pendingAt(event.first)));
    if (row) results[event.first] = { kind: 'acknowledged', notificationId: row.id, outcome: row.outcome, duplicate: true, anomalyId: row.anomalyId };
    else newEvents.push(event);
  }

  // Judged in arrival order against the locked rows. One statement writes one change per transaction, so the
  // k-th change of each transaction goes into the k-th statement (almost always there is only one).
  const judgements = judgeInArrivalOrder(lockedById, newEvents.map(({ first }) => pendingAt(first).notification));
  const transitionRounds: { locked: LockedTransaction; request: LockedTransitionRequest }[][] = [];
  const inboxRows: InboxRow[] = [];
  for (const [position, { first }] of newEvents.entries()) {
    const { notification, raw } = pendingAt(first);
    const { verdict, transaction, change } = judgements[position] as (typeof judgements)[number];
    let anomalyId: string | null = null;
    if (change !== undefined && transaction !== undefined && verdict.outcome === 'APPLIED') {
      (transitionRounds[change.round] ??= []).push({
        locked: transaction,
        request: {
          target: verdict.target,
          source: notification.source,
          ...(notification.reason !== null ? { reason: notification.reason } : {}),
          providerReference: notification.providerReference,
        },
      });
    } else if (verdict.outcome === 'ANOMALY') {
      anomalyId = await openAnomaly(session, verdict.kind, transaction?.id, verdict.detail);
    }
    const id = uuidv7();
    results[first] = { kind: 'acknowledged', notificationId: id, outcome: verdict.outcome, duplicate: false, anomalyId };
    inboxRows.push({
      id,
      sender: notification.sender,
      externalId: notification.externalId,
      eventType: notification.eventType,
      transactionReference: notification.transactionReference.slice(0, 255),
      transactionId: transaction?.id ?? null,
      targetStatus: notification.target,
      amountMinor: notification.amount?.minorUnits ?? null,
      currency: notification.amount?.currency ?? null,
      providerReference: notification.providerReference,
      outcome: verdict.outcome,
      detail: 'detail' in verdict ? verdict.detail : null,
      anomalyId,
      contentType: raw.contentType.slice(0, 255),
      rawBody: raw.rawBody,
      appliedSequence: change?.version ?? null,
    });
  }
  // Redeliveries answer like their first delivery.
  for (const { first, redeliveries } of events) {
    for (const copy of redeliveries) results[copy] = { ...(results[first] as Acknowledged), duplicate: true };
  }

  // The second round trip: transitions, inbox rows, delivery counts and COMMIT, answered together. Inbox rows are
  // sorted by event id, so batches inserting the same ids concurrently wait for each other in one order.
  inboxRows.sort((a, b) => compareText(eventKey(a.sender, a.externalId), eventKey(b.sender, b.externalId)));
  const redelivered = newEvents.filter(({ redeliveries }) => redeliveries.length > 0);
  await awaitPipelined([
    ...transitionRounds.map((round) => applyLockedTransitions(session, round)),
    insertInboxRows(session, inboxRows),
    redelivered.length === 0
      ? undefined
      : addDeliveries(
          session,
          redelivered.map(({ first, redeliveries }) => ({ notificationId: (results[first] as Acknowledged).notificationId, times: redeliveries.length })),
        ),
    session.commit(),
  ]);
  return results as Acknowledged[];
}

const pick = ({ sender, externalId }: ProviderNotification) => ({ sender, externalId });

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * Serialization failure, deadlock, or an event id another batch got into the inbox first (pg's SQLSTATE and
 * constraint): nothing was committed, trying again is safe.
 */
function isRetryableConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '40001' || code === '40P01' || (code === '23505' && constraint === INBOX_EVENT_ID_KEY);
}
