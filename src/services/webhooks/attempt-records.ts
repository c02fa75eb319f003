import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { recordAttempts, recordEndpointDisabledEvent, releaseAbortedAttempt, type AttemptRecord, type ClaimedDelivery } from '../../db/sql/webhooks.ts';
import { prismaSession } from '../../db/session.ts';
import { endpointStreaks, judgeStatusCode, parseRetryAfter, retryDelayMs, type AttemptVerdict } from '../../domain/webhooks.ts';
import type { Logger } from '../../logger.ts';
import type { WebhookMetrics } from './metrics.ts';
import type { PostOutcome } from './post.ts';

/**
 * What the sender writes after an attempt: the verdict on its answer (next state of the delivery, retry time,
 * disabling of the endpoint) and its log row, recorded in batches; or, for an attempt cut by a shutdown, its release.
 */

/**
 * Ended attempts are recorded once this many are waiting, or RECORD_LINGER_MS after the first (a statement costs
 * the process far more than a row: bigger batches, fewer of them; the next claim follows the record, so it grows too).
 */
const RECORD_BATCH = 32;
const RECORD_LINGER_MS = 2;

/** An attempt that got its answer (or none), until its batch is recorded. */
type EndedAttempt = {
  delivery: ClaimedDelivery;
  verdict: AttemptVerdict;
  disableReason: string | null;
  durationMs: number;
  record: AttemptRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
};

export class AttemptRecorder {
  /** Attempts that ended, waiting to be recorded together (one statement per batch, however many ended meanwhile). */
  private ended: EndedAttempt[] = [];
  private recording: Promise<void> | undefined;
  private linger: NodeJS.Timeout | undefined;
  /** Set once the sender stops: what ends is written at once, without lingering for a batch. */
  private stopping = false;

  constructor(
    private readonly db: Database,
    private readonly settings: Config['webhooks'],
    private readonly metrics: WebhookMetrics,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the attempt's batch is recorded. */
  record(delivery: ClaimedDelivery, body: string, attemptedAt: Date, outcome: PostOutcome): Promise<void> {
    const { settings } = this;
    const verdict = judgeStatusCode(outcome.statusCode);
    const succeeded = verdict === 'succeeded';
    const failures = succeeded ? delivery.failures : delivery.failures + 1;
    const retryAfterMs = outcome.statusCode === 429 || outcome.statusCode === 503 ? parseRetryAfter(outcome.retryAfter, attemptedAt) : undefined;
    const delayMs = succeeded ? undefined : retryDelayMs(failures, settings.retryScheduleMs, retryAfterMs);
    const status = succeeded ? 'SUCCEEDED' : delayMs === undefined ? 'FAILED' : 'PENDING';
    const failingSince = succeeded ? undefined : (delivery.endpoint.failingSince ?? attemptedAt);
    const disableReason =
      verdict === 'gone'
        ? `the receiver answered 410 Gone at ${attemptedAt.toISOString()}`
        : failingSince !== undefined && attemptedAt.getTime() - failingSince.getTime() >= settings.disableAfterMs
          ? `every attempt failed since ${failingSince.toISOString()}`
          : null;
    const recorded = new Promise<void>((resolve, reject) => {
      this.ended.push({
        delivery,
        verdict,
        disableReason,
        durationMs: outcome.durationMs,
        record: {
          deliveryId: delivery.id,
          attemptedAt,
          durationMs: outcome.durationMs,
          statusCode: outcome.statusCode ?? null,
          error: outcome.error ?? null,
          responseExcerpt: outcome.excerpt ?? null,
          payload: body,
          succeeded,
          status,
          nextAttemptAt: delayMs === undefined ? null : new Date(attemptedAt.getTime() + delayMs),
        },
        resolve,
        reject,
      });
    });
    this.writeEnded();
    return recorded;
  }

  /** An attempt cut by a shutdown: logged, due again at once, no verdict on its endpoint. */
  async releaseAborted(delivery: ClaimedDelivery, body: string, attemptedAt: Date, outcome: PostOutcome): Promise<void> {
    await releaseAbortedAttempt(this.db.sql, { deliveryId: delivery.id, attemptedAt, durationMs: outcome.durationMs, error: outcome.error ?? 'aborted', payload: body });
    this.metrics.attempts.inc({ outcome: 'aborted' });
  }

  /** From now on, each ended attempt is written without waiting for a batch to fill. */
  stop(): void {
    this.stopping = true;
  }

  /** Writes what ended since the last write (see RECORD_BATCH); what ends meanwhile waits for the next. */
  private writeEnded(): void {
    if (this.recording !== undefined || this.ended.length === 0) return;
    if (this.ended.length < RECORD_BATCH && !this.stopping) {
      this.linger ??= setTimeout(() => {
        this.linger = undefined;
        this.flushEnded();
      }, RECORD_LINGER_MS);
      return;
    }
    this.flushEnded();
  }

  private flushEnded(): void {
    if (this.recording !== undefined || this.ended.length === 0) return;
    const { db, metrics, logger } = this;
    clearTimeout(this.linger);
    this.linger = undefined;
    const batch = this.ended;
    this.ended = [];
    const streaks = endpointStreaks(batch.map(({ delivery, record: attempt, disableReason }) => ({ endpointId: delivery.endpointId, attemptedAt: attempt.attemptedAt, succeeded: attempt.succeeded, disableReason })));
    const records = batch.map((attempt) => attempt.record);
    this.recording = (
      streaks.some((streak) => streak.disableReason !== null)
        ? // Disabling an endpoint and its event on the merchant's stream commit together.
          db.prisma.$transaction(async (tx) => {
            const session = prismaSession(tx);
            const disabled = await recordAttempts(session, records, streaks);
            for (const endpointId of disabled) {
              const by = batch.find((attempt) => attempt.delivery.endpointId === endpointId && attempt.disableReason !== null);
              if (by?.disableReason) await recordEndpointDisabledEvent(session, { endpointId, deliveryId: by.delivery.id, reason: by.disableReason });
            }
            return disabled;
          })
        : recordAttempts(db.sql, records, streaks)
    )
      .then((disabled) => {
        for (const attempt of batch) {
          const { verdict, record: written, delivery } = attempt;
          metrics.attempts.inc({ outcome: written.succeeded ? 'succeeded' : verdict === 'gone' ? 'gone' : 'failed' });
          metrics.attemptDuration.observe(attempt.durationMs / 1000);
          if (written.status === 'FAILED') {
            metrics.deliveriesFailed.inc();
            logger.warn({ deliveryId: delivery.id, endpointId: delivery.endpointId, webhookId: delivery.webhookId }, 'webhook delivery failed every attempt of the retry schedule');
          }
        }
        for (const endpointId of disabled) {
          const streak = streaks.find((candidate) => candidate.endpointId === endpointId);
          metrics.endpointsDisabled.inc({ reason: streak?.disableReason?.includes('410 Gone') ? 'gone' : 'failing' });
          logger.error({ endpointId, reason: streak?.disableReason }, 'webhook endpoint disabled');
        }
        for (const attempt of batch) attempt.resolve();
      })
      .catch((error: unknown) => {
        for (const attempt of batch) attempt.reject(error);
      })
      .finally(() => {
        this.recording = undefined;
        this.writeEnded();
      });
  }
}
