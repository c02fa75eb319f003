import type { EndpointStreak } from '../../domain/webhooks.ts';
import { sql, type SqlSession } from '../session.ts';
import { EVENTS_CHANNEL, LOG_ROW_COLUMNS, logRow, type LogRow, type LogRowColumns } from './events.ts';

/**
 * The webhook delivery queue (webhook_deliveries), whose rows a trigger on transaction_events creates in the
 * event's own database transaction (migration *_webhooks). An attempt is a lease: claiming commits on its own
 * (SKIP LOCKED, leased_until in the future), so one instance at a time attempts a delivery, and a delivery whose
 * instance died is due again once its lease ends.
 */

type ClaimedRow = LogRowColumns & {
  id: string;
  endpoint_id: string;
  event_id: string | null;
  type: string;
  webhook_id: string;
  payload: string | null;
  failures: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  failing_since: Date | null;
};

/**
 * Due deliveries of enabled endpoints, at most $2 held per endpoint by the claiming instance (its own count, $4 and
 * $5: a slow endpoint holds only its own share), at most $1 in all, oldest due first within an endpoint. Each
 * endpoint is one index range scan on (endpoint_id, status, next_attempt_at); no statement reads the leases
 * (leased_until is not indexed: a lease is a write to no index entry of its own). A delivery not attempted yet comes
 * with its event, the transaction and the refund, to build its body: the claim is the one read of a batch.
 */
const CLAIM_DUE_DELIVERIES = sql<ClaimedRow>(
  `WITH room AS (
     SELECT ep.id, $2::int - COALESCE(held.count, 0) AS free
     FROM webhook_endpoints AS ep
     LEFT JOIN unnest($4::uuid[], $5::int[]) AS held(endpoint_id, count) ON held.endpoint_id = ep.id
     WHERE ep.enabled
   ),
   picked AS (
     SELECT due.id FROM room
     CROSS JOIN LATERAL (
       SELECT d.id, d.next_attempt_at FROM webhook_deliveries AS d
       WHERE d.endpoint_id = room.id AND d.status = 'PENDING' AND d.next_attempt_at <= now()
         AND (d.leased_until IS NULL OR d.leased_until <= now())
       -- The index's own order: an index range scan that stops at the limit (with a tie-breaker on id the planner
       -- sorted every due row of the endpoint on each claim).
       ORDER BY d.next_attempt_at
       LIMIT GREATEST(room.free, 0)
       FOR UPDATE SKIP LOCKED
     ) AS due
     ORDER BY due.next_attempt_at
     LIMIT $1::int
   ),
   claimed AS (
     UPDATE webhook_deliveries AS d
     SET leased_until = now() + $3::int * interval '1 millisecond'
     FROM webhook_endpoints AS ep
     -- An array of ids: primary-key lookups (joined to picked, the planner scanned the whole queue to hash it).
     WHERE d.id = ANY (ARRAY(SELECT id FROM picked)) AND ep.id = d.endpoint_id
     RETURNING d.id::text, d.endpoint_id::text, d.event_id, d.type, d.webhook_id, d.payload, d.failures,
               ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at, ep.failing_since
   )
   SELECT c.id, c.endpoint_id, c.event_id::text AS event_id, c.type, c.webhook_id, c.payload, c.failures,
          c.url, c.secret, c.previous_secret, c.previous_secret_expires_at, c.failing_since,
          ${LOG_ROW_COLUMNS}
   FROM claimed AS c
   -- LIMIT 1: each a primary-key lookup (without it the planner hashed the whole event log).
   LEFT JOIN LATERAL (SELECT * FROM transaction_events WHERE c.payload IS NULL AND transaction_events.id = c.event_id LIMIT 1) AS e ON true
   LEFT JOIN LATERAL (SELECT * FROM transactions WHERE transactions.id = e.transaction_id LIMIT 1) AS t ON true
   LEFT JOIN LATERAL (SELECT * FROM refunds WHERE e.refund_id IS NOT NULL AND refunds.id = e.refund_id LIMIT 1) AS r ON true`,
  'paystream_claim_webhook_deliveries',
);

export type ClaimedDelivery = Readonly<{
  id: string;
  endpointId: string;
  /** Null for a test message (its payload is set). */
  eventId: bigint | null;
  type: string;
  webhookId: string;
  /** The body of earlier attempts; null before the first. */
  payload: string | null;
  /** Before the first attempt: the event with its transaction and refund, to build the body from. */
  event: LogRow | undefined;
  /** Failed attempts since created or redelivered. */
  failures: number;
  endpoint: Readonly<{ url: string; secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null; failingSince: Date | null }>;
}>;

/** What one instance holds (claimed, not yet recorded), per endpoint: two arrays of the same length. */
export type HeldDeliveries = Readonly<{ endpointIds: readonly string[]; counts: readonly number[] }>;

export async function claimDueDeliveries(
  session: SqlSession,
  options: { limit: number; perEndpoint: number; leaseMs: number; held?: HeldDeliveries },
): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const held = options.held ?? { endpointIds: [], counts: [] };
  const rows = await session.query(CLAIM_DUE_DELIVERIES, [options.limit, options.perEndpoint, options.leaseMs, held.endpointIds, held.counts]);
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id === null ? null : BigInt(row.event_id),
    type: row.type,
    webhookId: row.webhook_id,
    payload: row.payload,
    event: row.e_id === null ? undefined : logRow(row, row.e_id),
    failures: row.failures,
    endpoint: {
      url: row.url,
      secret: row.secret,
      previousSecret: row.previous_secret,
      previousSecretExpiresAt: row.previous_secret_expires_at,
      failingSince: row.failing_since,
    },
  }));
}

/** One attempt's outcome, and what it means for its delivery. */
export type AttemptRecord = Readonly<{
  deliveryId: string;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  /** The body sent (kept from the first attempt on). */
  payload: string;
  succeeded: boolean;
  /** PENDING (retry at nextAttemptAt), SUCCEEDED or FAILED. */
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  nextAttemptAt: Date | null;
}>;

const RECORD_ATTEMPTS = sql<{ endpoint_id: string; endpoint_disabled: boolean }>(
  `WITH settings AS (
     -- Committed without waiting for the WAL flush (this statement's implicit transaction only): a record lost in a
     -- crash of PostgreSQL leaves the delivery PENDING under its lease, so it is sent again (at least once, the
     -- receiver deduplicates on webhook-id). The claim, which keeps one attempt at a time, stays synchronous.
     SELECT set_config('synchronous_commit', 'off', true) AS value
   ),
   input AS (
     SELECT r.* FROM settings, jsonb_to_recordset($1::jsonb) AS r(delivery_id uuid, attempted_at timestamptz, duration_ms int, status_code int,
       error text, response_excerpt text, payload text, succeeded boolean, status text, next_attempt_at timestamptz)
   ),
   delivery AS (
     UPDATE webhook_deliveries AS d
     SET attempts = d.attempts + 1,
         failures = CASE WHEN i.succeeded THEN d.failures ELSE d.failures + 1 END,
         status = i.status::"WebhookDeliveryStatus",
         next_attempt_at = COALESCE(i.next_attempt_at, d.next_attempt_at),
         leased_until = NULL,
         last_attempt_at = i.attempted_at,
         completed_at = CASE WHEN i.status = 'PENDING' THEN NULL ELSE i.attempted_at END,
         payload = COALESCE(d.payload, i.payload)
     FROM input AS i
     -- The array: primary-key lookups (the planner guesses 100 rows of a function and scanned the queue to hash them).
     WHERE d.id = ANY (ARRAY(SELECT delivery_id FROM input)) AND d.id = i.delivery_id
     RETURNING d.id
   ),
   attempt AS (
     INSERT INTO webhook_attempts (delivery_id, attempted_at, duration_ms, status_code, error, response_excerpt)
     SELECT i.delivery_id, i.attempted_at, i.duration_ms, i.status_code, i.error, i.response_excerpt
     FROM input AS i JOIN delivery ON delivery.id = i.delivery_id
   ),
   streak AS (
     SELECT * FROM jsonb_to_recordset($2::jsonb) AS s(endpoint_id uuid, failing_since timestamptz, continues_earlier boolean,
       disable_reason text, disabled_at timestamptz)
   )
   UPDATE webhook_endpoints AS e
   SET failing_since = CASE WHEN s.continues_earlier THEN COALESCE(e.failing_since, s.failing_since) ELSE s.failing_since END,
       enabled = e.enabled AND s.disable_reason IS NULL,
       disabled_at = CASE WHEN e.enabled AND s.disable_reason IS NOT NULL THEN s.disabled_at ELSE e.disabled_at END,
       disabled_reason = CASE WHEN e.enabled AND s.disable_reason IS NOT NULL THEN s.disable_reason ELSE e.disabled_reason END
   FROM streak AS s
   -- Successes on an endpoint without a failure streak change nothing: no write, no wait on its row lock.
   WHERE e.id = s.endpoint_id AND (s.failing_since IS NOT NULL OR e.failing_since IS NOT NULL OR s.disable_reason IS NOT NULL)
   RETURNING e.id::text AS endpoint_id, (NOT e.enabled AND e.disabled_at = s.disabled_at AND s.disable_reason IS NOT NULL) AS endpoint_disabled`,
  'paystream_record_webhook_attempts',
);

/**
 * Records a batch of attempts (their log rows, their deliveries' next states, their endpoints' failure streaks) in
 * one statement. Returns the endpoints this batch disabled. A delivery that no longer exists (its endpoint was
 * deleted meanwhile) is skipped.
 */
export async function recordAttempts(session: SqlSession, records: readonly AttemptRecord[], streaks: readonly EndpointStreak[]): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = await session.query(RECORD_ATTEMPTS, [
    JSON.stringify(
      records.map((record) => ({
        delivery_id: record.deliveryId,
        attempted_at: record.attemptedAt.toISOString(),
        duration_ms: record.durationMs,
        status_code: record.statusCode,
        error: record.error,
        response_excerpt: record.responseExcerpt,
        payload: record.payload,
        succeeded: record.succeeded,
        status: record.status,
        next_attempt_at: record.nextAttemptAt?.toISOString() ?? null,
      })),
    ),
    JSON.stringify(
      streaks.map((streak) => ({
        endpoint_id: streak.endpointId,
        failing_since: streak.failingSince?.toISOString() ?? null,
        continues_earlier: streak.continuesEarlier,
        disable_reason: streak.disableReason,
        disabled_at: streak.disabledAt.toISOString(),
      })),
    ),
  ]);
  return rows.filter((row) => row.endpoint_disabled).map((row) => row.endpoint_id);
}

// The transaction whose delivery was being attempted (a test message has none: the endpoint's latest event's), its
// next version, the WEBHOOK_ENDPOINT_DISABLED history row (status unchanged), then the relays' wake-up. The
// row lock of the UPDATE orders it with the transaction's other writers.
const RECORD_ENDPOINT_DISABLED_EVENT = sql<{ event_id: string }>(
  `WITH target AS (
     SELECT COALESCE(
       (SELECT ev.transaction_id FROM webhook_deliveries AS d JOIN transaction_events AS ev ON ev.id = d.event_id WHERE d.id = $2::uuid),
       (SELECT ev.transaction_id FROM webhook_deliveries AS d JOIN transaction_events AS ev ON ev.id = d.event_id
        WHERE d.endpoint_id = $1::uuid AND d.event_id IS NOT NULL ORDER BY d.created_at DESC, d.id DESC LIMIT 1)
     ) AS transaction_id
   ), updated AS (
     UPDATE transactions AS t SET version = t.version + 1
     FROM target WHERE t.id = target.transaction_id
     RETURNING t.id, t.merchant_id, t.status, t.version
   ), event AS (
     INSERT INTO transaction_events (transaction_id, merchant_id, sequence, status, previous_status, source, reason, kind, webhook_endpoint_id)
     SELECT id, merchant_id, version, status, status, 'SYSTEM', $3::text, 'WEBHOOK_ENDPOINT_DISABLED', $1::uuid FROM updated
     RETURNING id
   )
   SELECT id::text AS event_id, pg_notify($4::text, '')::text AS signalled FROM event`,
);

/**
 * The event of an endpoint Paystream disabled, on its merchant's stream (and to its other endpoints that asked for
 * the kind), in the caller's database transaction: the one that disables it. Returns the event's id; undefined when
 * the endpoint never carried an event (no transaction to attach it to).
 */
export async function recordEndpointDisabledEvent(session: SqlSession, disabled: { endpointId: string; deliveryId: string; reason: string }): Promise<bigint | undefined> {
  const [row] = await session.query(RECORD_ENDPOINT_DISABLED_EVENT, [disabled.endpointId, disabled.deliveryId, disabled.reason, EVENTS_CHANNEL]);
  return row === undefined ? undefined : BigInt(row.event_id);
}

const RELEASE_ABORTED_ATTEMPT = sql<{ id: string }>(
  `WITH delivery AS (
     UPDATE webhook_deliveries
     SET attempts = attempts + 1, leased_until = NULL, next_attempt_at = now(), last_attempt_at = $2::timestamptz,
         payload = COALESCE(payload, $5::text)
     WHERE id = $1::uuid AND status = 'PENDING'
     RETURNING id
   )
   INSERT INTO webhook_attempts (delivery_id, attempted_at, duration_ms, status_code, error, response_excerpt)
   SELECT id, $2::timestamptz, $3::int, NULL, $4::text, NULL FROM delivery
   RETURNING delivery_id::text AS id`,
  'paystream_release_aborted_webhook_attempt',
);

/**
 * An attempt this instance cut short (shutdown): logged, its lease released and the delivery due again at once,
 * with neither its retry schedule (failures) nor the endpoint's failure streak touched: it says nothing of the receiver.
 */
export async function releaseAbortedAttempt(session: SqlSession, attempt: { deliveryId: string; attemptedAt: Date; durationMs: number; error: string; payload: string }): Promise<void> {
  await session.query(RELEASE_ABORTED_ATTEMPT, [attempt.deliveryId, attempt.attemptedAt.toISOString(), attempt.durationMs, attempt.error, attempt.payload]);
}

const RELEASE_LEASES = sql(
  `UPDATE webhook_deliveries SET leased_until = NULL WHERE id = ANY ($1::uuid[]) AND status = 'PENDING'`,
  'paystream_release_webhook_leases',
);

/** Deliveries claimed but never attempted (their sender stopped first): due again at once. */
export async function releaseLeases(session: SqlSession, deliveryIds: readonly string[]): Promise<void> {
  if (deliveryIds.length > 0) await session.query(RELEASE_LEASES, [deliveryIds]);
}

const REDELIVER = sql<{ id: string }>(
  `UPDATE webhook_deliveries
   SET status = 'PENDING', failures = 0, next_attempt_at = now(), completed_at = NULL
   WHERE id = ANY ($1::uuid[]) AND ($2::uuid IS NULL OR merchant_id = $2::uuid)
   RETURNING id::text`,
);

/** Makes deliveries due now with a fresh retry schedule (any status); returns those that exist in the scope. */
export async function redeliver(session: SqlSession, ids: readonly string[], merchantId: string | undefined): Promise<string[]> {
  return (await session.query(REDELIVER, [ids, merchantId ?? null])).map((row) => row.id);
}

const REDELIVER_FAILED_SINCE = sql<{ count: string }>(
  `WITH requeued AS (
     UPDATE webhook_deliveries
     SET status = 'PENDING', failures = 0, next_attempt_at = now(), completed_at = NULL
     WHERE endpoint_id = $1::uuid AND status = 'FAILED' AND created_at >= $2::timestamptz
     RETURNING 1
   )
   SELECT count(*)::text AS count FROM requeued`,
);

/** Every FAILED delivery of an endpoint created since `since`, due again now; returns how many. */
export async function redeliverFailedSince(session: SqlSession, endpointId: string, since: Date): Promise<number> {
  const [row] = await session.query(REDELIVER_FAILED_SINCE, [endpointId, since.toISOString()]);
  return Number(row?.count ?? 0);
}

const QUEUE_STATS = sql<{ pending: string; oldest_due_seconds: number | null; disabled_by_paystream: string }>(
  `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'PENDING')::text AS pending,
          (SELECT EXTRACT(EPOCH FROM now() - min(next_attempt_at))::float8 FROM webhook_deliveries
            WHERE status = 'PENDING' AND next_attempt_at <= now()) AS oldest_due_seconds,
          (SELECT count(*) FROM webhook_endpoints WHERE NOT enabled AND disabled_reason IS DISTINCT FROM $1::text)::text AS disabled_by_paystream`,
);

/** For the metrics scrape: deliveries pending, how late the oldest due one is, endpoints Paystream disabled (not their owner). */
export async function readQueueStats(session: SqlSession, ownerDisabledReason: string): Promise<{ pending: number; oldestDueSeconds: number; disabledEndpoints: number }> {
  const [row] = await session.query(QUEUE_STATS, [ownerDisabledReason]);
  return { pending: Number(row?.pending ?? 0), oldestDueSeconds: Math.max(0, row?.oldest_due_seconds ?? 0), disabledEndpoints: Number(row?.disabled_by_paystream ?? 0) };
}
