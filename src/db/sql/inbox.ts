import type { AnomalyKind, NotificationOutcome, NotificationSender, TransactionStatus } from '../../generated/prisma/client.ts';
import { sql, uuidv7, type SqlSession, type Statement } from '../session.ts';

/**
 * The notification inbox (notifications) and anomalies, as notification ingestion writes them inside its
 * database transaction (src/services/notifications/batch.ts).
 */

/** The inbox's unique index on (sender, external_id): an event id that is already in. */
export const INBOX_EVENT_ID_KEY = 'notifications_sender_external_id_key';

/** A notification already in the inbox, as a redelivery of it is answered. */
export type StoredNotification = Readonly<{
  sender: NotificationSender;
  externalId: string;
  id: string;
  outcome: NotificationOutcome;
  anomalyId: string | null;
}>;

const COUNT_REDELIVERIES = sql<{ sender: NotificationSender; external_id: string; id: string; outcome: NotificationOutcome; anomaly_id: string | null }>(
  `UPDATE notifications AS n
   SET deliveries = n.deliveries + d.times, last_received_at = now()
   FROM unnest($1::text[], $2::text[], $3::int[]) AS d(sender, external_id, times)
   WHERE n.sender = d.sender::"NotificationSender" AND n.external_id = d.external_id
   RETURNING n.sender::text AS sender, n.external_id, n.id::text, n.outcome::text AS outcome, n.anomaly_id::text`,
  'paystream_count_redeliveries',
);

/** Adds `times` deliveries to each event already in the inbox and returns those; events not in are absent. */
export async function countRedeliveries(
  session: SqlSession,
  deliveries: readonly { sender: NotificationSender; externalId: string; times: number }[],
): Promise<StoredNotification[]> {
  const rows = await session.query(COUNT_REDELIVERIES, [
    deliveries.map((delivery) => delivery.sender),
    deliveries.map((delivery) => delivery.externalId),
    deliveries.map((delivery) => delivery.times),
  ]);
  return rows.map((row) => ({ sender: row.sender, externalId: row.external_id, id: row.id, outcome: row.outcome, anomalyId: row.anomaly_id }));
}

const ADD_DELIVERIES = sql(
  `UPDATE notifications AS n SET deliveries = n.deliveries + d.times
   FROM unnest($1::uuid[], $2::int[]) AS d(id, times) WHERE n.id = d.id`,
  'paystream_add_deliveries',
);

/** More deliveries of notifications inserted earlier in the same database transaction. */
export async function addDeliveries(session: SqlSession, deliveries: readonly { notificationId: string; times: number }[]): Promise<void> {
  await session.query(ADD_DELIVERIES, [deliveries.map((delivery) => delivery.notificationId), deliveries.map((delivery) => delivery.times)]);
}

/** One new inbox row. */
export type InboxRow = Readonly<{
  id: string;
  sender: NotificationSender;
  externalId: string;
  eventType: string;
  transactionReference: string;
  transactionId: string | null;
  targetStatus: TransactionStatus | null;
  amountMinor: bigint | null;
  currency: string | null;
  providerReference: string | null;
  outcome: NotificationOutcome;
  detail: string | null;
  anomalyId: string | null;
  contentType: string;
  rawBody: Buffer;
  /** Refund notifications: the refund as named (out_return_no), and its id when it names a refund we have. */
  refundReference: string | null;
  refundId: string | null;
  /**
   * APPLIED only: the sequence of the history row its transition writes in the same database transaction
   * (the version the transaction moves to); the row's transaction_event_id is looked up by it.
   */
  appliedSequence: number | null;
}>;

const INBOX_COLUMNS = `id, sender, external_id, event_type, transaction_reference, transaction_id, target_status, amount_minor,
  currency, provider_reference, outcome, detail, anomaly_id, content_type, raw_body, refund_reference, refund_id`;
const INBOX_CASTS = ['uuid', 'text::"NotificationSender"', 'text', 'text', 'text', 'uuid', 'text::"TransactionStatus"', 'bigint',
  'text', 'text', 'text::"NotificationOutcome"', 'text', 'uuid', 'text', 'bytea', 'text', 'uuid', 'int'];

/**
 * The inbox rows of a batch in one statement. An APPLIED row references the history row its transition wrote,
 * found by (transaction, sequence): the statement is sent in the same pipelined flight as the transitions and
 * COMMIT, before their answers, so whatever must stop the commit has to fail a statement here:
 * - an event id that got in meanwhile fails the unique index INBOX_EVENT_ID_KEY (no ON CONFLICT: the batch is
 *   retried);
 * - an APPLIED row whose history row is missing (impossible under the row lock; if it ever happened) calls
 *   paystream_fail_statement (a migration's function that raises), so it is not committed as applied.
 */
function buildInboxInsert(count: number): Statement<Record<string, never>> {
  const rows = Array.from({ length: count }, (_, row) =>
    `(${INBOX_CASTS.map((cast, column) => `$${row * INBOX_CASTS.length + column + 1}::${cast}`).join(', ')})`,
  );
  return sql(
    `INSERT INTO notifications (${INBOX_COLUMNS}, transaction_event_id)
    SELECT ${INBOX_COLUMNS.split(',').map((column) => `v.${column.trim()}`).join(', ')},
      CASE WHEN v.applied_sequence IS NULL THEN NULL
        ELSE COALESCE(e.id, paystream_fail_statement('no history row for an applied notification ' || v.id)) END
    FROM (VALUES ${rows.join(',\n')}) AS v(${INBOX_COLUMNS}, applied_sequence)
    LEFT JOIN transaction_events AS e ON e.transaction_id = v.transaction_id AND e.sequence = v.applied_sequence`,
    // Each batch size is its own prepared statement (at most the inbox's largest batch of them).
    `paystream_insert_inbox_${count}`,
  );
}

/** Built once per batch size. */
const inboxInsertByCount = new Map<number, Statement<Record<string, never>>>();

export async function insertInboxRows(session: SqlSession, rows: readonly InboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  let statement = inboxInsertByCount.get(rows.length);
  if (statement === undefined) {
    statement = buildInboxInsert(rows.length);
    inboxInsertByCount.set(rows.length, statement);
  }
  await session.query(
    statement,
    rows.flatMap((row) => [
      row.id,
      row.sender,
      row.externalId,
      row.eventType,
      row.transactionReference,
      row.transactionId,
      row.targetStatus,
      row.amountMinor?.toString() ?? null,
      row.currency,
      row.providerReference,
      row.outcome,
      row.detail,
      row.anomalyId,
      row.contentType,
      row.rawBody,
      row.refundReference,
      row.refundId,
      row.appliedSequence,
    ]),
  );
}

const FIND_OPEN_ANOMALY = sql<{ id: string }>(
  `SELECT id::text FROM anomalies WHERE transaction_id = $1::uuid AND kind = $2::text::"AnomalyKind" AND status = 'OPEN' LIMIT 1`,
  'paystream_find_open_anomaly',
);

const INSERT_ANOMALY = sql<{ id: string }>(
  `INSERT INTO anomalies (id, kind, transaction_id, detail) VALUES ($1::uuid, $2::text::"AnomalyKind", $3::uuid, $4::text) RETURNING id::text`,
  'paystream_insert_anomaly',
);

/**
 * The OPEN anomaly of this kind for the transaction, or a new one. One per (transaction, kind): a second
 * notification about the same problem (say Alipay's TRADE_SUCCESS and then the settlement of the same money)
 * joins it rather than asking for a second refund. Race-free only while the caller holds the transaction's row
 * lock. Orphans have no transaction: one each.
 */
export async function openAnomaly(session: SqlSession, kind: AnomalyKind, transactionId: string | undefined, detail: string): Promise<string> {
  if (transactionId !== undefined) {
    const [open] = await session.query(FIND_OPEN_ANOMALY, [transactionId, kind]);
    if (open) return open.id;
  }
  const [created] = await session.query(INSERT_ANOMALY, [uuidv7(), kind, transactionId ?? null, detail]);
  if (!created) throw new Error('anomaly insert returned no row');
  return created.id;
}
