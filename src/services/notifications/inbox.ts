import { isDatabaseUnavailable } from '../../db/errors.ts';
import type { Database } from '../../db/client.ts';
import { withPgTransaction } from '../../db/session.ts';
import { INBOX_EVENT_ID_KEY } from '../../db/sql/inbox.ts';
import type { NotificationOutcome } from '../../domain/notifications.ts';
import type { Logger } from '../../logger.ts';
import type { ProviderNotification } from '../../providers/notification.ts';
import { commitBatch } from './batch.ts';

/** A notification committed to the inbox: the caller may acknowledge it. */
export type Acknowledged = {
  kind: 'acknowledged';
  notificationId: string;
  outcome: NotificationOutcome;
  /** A redelivery of an event id already in the inbox: nothing changed. */
  duplicate: boolean;
  anomalyId: string | null;
};

/** The body as received, kept with the inbox row. */
export type RawNotification = { contentType: string; rawBody: Buffer };

/** A notification waiting in the queue, with how to answer its caller. */
export type Pending = { notification: ProviderNotification; raw: RawNotification; resolve(result: Acknowledged): void; reject(error: unknown): void };

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
    private readonly deps: { db: Database; logger: Logger },
    options: { maxConcurrentBatches?: number } = {},
  ) {
    // Two batches at once: one gathers round trips while the other commits. More would only make batches
    // smaller, and commits that NOTIFY queue behind each other anyway (measured with bench:ingest). The
    // embedded database is one connection: one batch at a time.
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? (deps.db.kind === 'embedded' ? 1 : 2);
  }

  /** Resolves once the notification and its effect are committed: the caller may acknowledge. */
  ingest(notification: ProviderNotification, raw: RawNotification): Promise<Acknowledged> {
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

/**
 * Serialization failure, deadlock, or an event id another batch got into the inbox first (pg's SQLSTATE and
 * constraint): nothing was committed, trying again is safe.
 */
function isRetryableConflict(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '40001' || code === '40P01' || (code === '23505' && constraint === INBOX_EVENT_ID_KEY);
}
