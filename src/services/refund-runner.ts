import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { claimDueRefunds, recordRefundAttempt, type ClaimedRefund } from '../db/sql/refunds.ts';
import type { Logger } from '../logger.ts';
import { startPeriodicRunner, type PeriodicRunner } from './periodic-runner.ts';
import { callForexRefund, type ForexRefundAnswer } from '../providers/alipay/refund.ts';
import type { AlipaySettings } from '../providers/settings.ts';
import { refundRequested, settleRefund } from './refunds.ts';

/**
 * The refund runner: calls Alipay's forex_refund for REQUESTED refunds, after their row committed and never inside a
 * database transaction, until Alipay answers definitely.
 *
 * - Taking a refund is a claim that commits on its own (next_attempt_at pushed past the call's lease, SKIP LOCKED):
 *   one instance at a time calls for a refund, and a refund whose caller died is due again once the lease ends. It
 *   survives restarts because the refund row is the truth: a REQUESTED refund is always due sometime.
 * - Every call carries the same out_return_no (the refund id), so retrying is safe: Alipay refunds it once.
 * - A timeout, a network error, a 5xx or a passing refusal (SELLER_BALANCE_NOT_ENOUGH, a configuration mistake) is
 *   retried after a backoff (1 s doubling, at most REFUND_RECHECK_AFTER_SECONDS and 5 minutes).
 * - Accepted (is_success T): the success comes as a notification; Alipay never notifies a failure, so the refund is
 *   asked about again every REFUND_RECHECK_AFTER_SECONDS, which reveals it (a definite refusal: FAILED).
 * - A definite refusal makes the refund FAILED through the transition service.
 * - Once a refund has been REQUESTED for REFUND_RECHECK_AFTER_SECONDS x REFUND_RECHECK_LIMIT, it is stuck: shown to
 *   ADMIN (stuckRefunds), still asked about.
 */

const BATCH_SIZE = 16;
const MAX_BACKOFF_MS = 300_000;
/** A claimed refund's call must be over by then (the call's own limit plus time to record what it got). */
const LEASE_MARGIN_MS = 30_000;

export type RefundRunnerDeps = { db: Database; config: Config; logger: Logger; alipay: () => AlipaySettings };

export type RefundRoundResult = {
  /** Refunds called about this round. */
  called: number;
  accepted: number;
  failed: number;
  retried: number;
};

/** One round: claims the due refunds and calls about each (in parallel), recording what each call established. */
export async function callDueRefunds(deps: RefundRunnerDeps, now: () => Date = () => new Date()): Promise<RefundRoundResult> {
  const { config } = deps;
  const result: RefundRoundResult = { called: 0, accepted: 0, failed: 0, retried: 0 };
  for (;;) {
    const claimed = await claimDueRefunds(deps.db.sql, BATCH_SIZE, config.refunds.callTimeoutMs + LEASE_MARGIN_MS);
    await Promise.all(
      claimed.map(async (refund) => {
        const answer = await callForexRefund(deps.alipay(), { ...refund, refundId: refund.id }, config.refunds.callTimeoutMs);
        result.called += 1;
        result[answer.kind === 'accepted' ? 'accepted' : answer.kind === 'refused' ? 'failed' : 'retried'] += 1;
        await record(deps, refund, answer, now());
      }),
    );
    if (claimed.length < BATCH_SIZE) return result;
  }
}

async function record(deps: RefundRunnerDeps, refund: ClaimedRefund, answer: ForexRefundAnswer, now: Date): Promise<void> {
  const log = deps.logger.child({ refundId: refund.id, attempt: refund.attempts });
  if (answer.kind === 'refused') {
    const settled = await settleRefund(deps.db, refund.id, { status: 'FAILED', source: 'SYSTEM', failureCode: answer.code });
    log.warn({ code: answer.code, settled: settled.kind }, 'Alipay refused a refund: FAILED');
    return;
  }
  const { recheckAfterSeconds, recheckLimit } = deps.config.refunds;
  const recheckMs = recheckAfterSeconds * 1000;
  const stuck = now.getTime() - refund.requestedAt.getTime() >= recheckMs * recheckLimit;
  const nextInMs = answer.kind === 'accepted' ? recheckMs : Math.min(1000 * 2 ** Math.min(refund.attempts - 1, 20), recheckMs, MAX_BACKOFF_MS);
  const recorded = await recordRefundAttempt(deps.db.sql, {
    refundId: refund.id,
    accepted: answer.kind === 'accepted',
    nextAttemptAt: new Date(now.getTime() + nextInMs),
    error: answer.kind === 'retry' ? answer.detail.slice(0, 200) : null,
    stuck,
  });
  if (!recorded) return; // settled meanwhile (its notification came first)
  if (answer.kind === 'retry') log.warn({ detail: answer.detail, nextInMs }, 'refund call without a definite answer; retrying later');
  if (stuck && refund.stuckAt === null) log.error({ requestedAt: refund.requestedAt }, 'refund stuck: still REQUESTED after every check; listed in stuckRefunds');
}

export type RefundRunner = PeriodicRunner<RefundRoundResult>;

/**
 * Every `config.refunds.runnerIntervalMs`, and at once when this process records a refund, runs a round. Undefined
 * when disabled (0). Started by src/main.ts beside the HTTP server.
 */
export function startRefundRunner(deps: RefundRunnerDeps): RefundRunner | undefined {
  const intervalMs = deps.config.refunds.runnerIntervalMs;
  if (intervalMs <= 0) return undefined;
  const logFailure = (error: unknown) => deps.logger.error({ err: error }, 'refund round failed');
  return startPeriodicRunner({
    intervalMs,
    // A failed round is logged and counts as an empty one: runOnce() answers callers without throwing.
    round: () =>
      callDueRefunds(deps).catch((error: unknown) => {
        logFailure(error);
        return { called: 0, accepted: 0, failed: 0, retried: 0 };
      }),
    onError: logFailure,
    wakeUp: refundRequested,
  });
}
