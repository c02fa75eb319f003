import { sql, type SqlSession } from '../session.ts';

/**
 * The webhook delivery queue (webhook_deliveries), whose rows a trigger on transaction_events creates in the
 * event's own database transaction (migration *_webhooks). An attempt is a lease: claiming commits on its own
 * (SKIP LOCKED, leased_until in the future), so one instance at a time attempts a delivery, and a delivery whose
 * instance died is due again once its lease ends.
 */

type ClaimedRow = {
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
 * Due deliveries of enabled endpoints, at most $2 in flight per endpoint across every instance (a slow endpoint
 * holds only its own slots), at most $1 in all, oldest due first within an endpoint. Each endpoint is one index
 * range scan on (endpoint_id, status, next_attempt_at).
 */
const CLAIM_DUE_DELIVERIES = sql<ClaimedRow>(
  `WITH room AS (
     SELECT e.id,
            $2::int - (SELECT count(*) FROM webhook_deliveries AS busy
                       WHERE busy.endpoint_id = e.id AND busy.status = 'PENDING' AND busy.leased_until > now())::int AS free
     FROM webhook_endpoints AS e
     WHERE e.enabled
   ),
   picked AS (
     SELECT due.id FROM room
     CROSS JOIN LATERAL (
       SELECT d.id, d.next_attempt_at FROM webhook_deliveries AS d
       WHERE d.endpoint_id = room.id AND d.status = 'PENDING' AND d.next_attempt_at <= now()
         AND (d.leased_until IS NULL OR d.leased_until <= now())
       ORDER BY d.next_attempt_at, d.id
       LIMIT GREATEST(room.free, 0)
       FOR UPDATE SKIP LOCKED
     ) AS due
     ORDER BY due.next_attempt_at
     LIMIT $1::int
   )
   UPDATE webhook_deliveries AS d
   SET leased_until = now() + $3::int * interval '1 millisecond'
   FROM picked, webhook_endpoints AS e
   WHERE d.id = picked.id AND e.id = d.endpoint_id
   RETURNING d.id::text, d.endpoint_id::text, d.event_id::text, d.type, d.webhook_id, d.payload, d.failures,
             e.url, e.secret, e.previous_secret, e.previous_secret_expires_at, e.failing_since`,
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
  /** Failed attempts since created or redelivered. */
  failures: number;
  endpoint: Readonly<{ url: string; secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null; failingSince: Date | null }>;
}>;

export async function claimDueDeliveries(session: SqlSession, options: { limit: number; perEndpoint: number; leaseMs: number }): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  const rows = await session.query(CLAIM_DUE_DELIVERIES, [options.limit, options.perEndpoint, options.leaseMs]);
  return rows.map((row) => ({
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id === null ? null : BigInt(row.event_id),
    type: row.type,
    webhookId: row.webhook_id,
    payload: row.payload,
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

/** One attempt's outcome, and what it means for its delivery and endpoint. */
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
  /** Set to disable the endpoint, with this reason (410 Gone, failing for too long). */
  disableReason: string | null;
}>;

const RECORD_ATTEMPT = sql<{ endpoint_disabled: boolean }>(
  `WITH delivery AS (
     UPDATE webhook_deliveries
     SET attempts = attempts + 1,
         failures = CASE WHEN $8::boolean THEN failures ELSE failures + 1 END,
         status = $9::"WebhookDeliveryStatus",
         next_attempt_at = COALESCE($10::timestamptz, next_attempt_at),
         leased_until = NULL,
         last_attempt_at = $2::timestamptz,
         completed_at = CASE WHEN $9::text = 'PENDING' THEN NULL ELSE $2::timestamptz END,
         payload = COALESCE(payload, $7::text)
     WHERE id = $1::uuid
     RETURNING id, endpoint_id
   ),
   attempt AS (
     INSERT INTO webhook_attempts (delivery_id, attempted_at, duration_ms, status_code, error, response_excerpt)
     SELECT id, $2::timestamptz, $3::int, $4::int, $5::text, $6::text FROM delivery
   )
   UPDATE webhook_endpoints AS e
   SET failing_since = CASE WHEN $8::boolean THEN NULL ELSE COALESCE(e.failing_since, $2::timestamptz) END,
       enabled = e.enabled AND $11::text IS NULL,
       disabled_at = CASE WHEN e.enabled AND $11::text IS NOT NULL THEN $2::timestamptz ELSE e.disabled_at END,
       disabled_reason = CASE WHEN e.enabled AND $11::text IS NOT NULL THEN $11::text ELSE e.disabled_reason END
   FROM delivery
   -- A success on an endpoint without a failure streak changes nothing: no write, no wait on its row lock.
   WHERE e.id = delivery.endpoint_id AND (NOT $8::boolean OR e.failing_since IS NOT NULL OR $11::text IS NOT NULL)
   RETURNING (NOT e.enabled AND e.disabled_at = $2::timestamptz AND $11::text IS NOT NULL) AS endpoint_disabled`,
  'paystream_record_webhook_attempt',
);

/**
 * Records an attempt (its log row, the delivery's next state, the endpoint's failure streak) in one statement.
 * Returns whether this attempt disabled the endpoint; undefined when the delivery no longer exists (its endpoint
 * was deleted meanwhile).
 */
export async function recordAttempt(session: SqlSession, record: AttemptRecord): Promise<{ endpointDisabled: boolean } | undefined> {
  const [row] = await session.query(RECORD_ATTEMPT, [
    record.deliveryId,
    record.attemptedAt.toISOString(),
    record.durationMs,
    record.statusCode,
    record.error,
    record.responseExcerpt,
    record.payload,
    record.succeeded,
    record.status,
    record.nextAttemptAt?.toISOString() ?? null,
    record.disableReason,
  ]);
  return row === undefined ? undefined : { endpointDisabled: row.endpoint_disabled };
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
