/**
 * The drills' judges: the domain's rules written again on purpose (not src/domain/status.ts), so the drills
 * judge the code rather than themselves, and the comparisons of what was observed with what the database
 * holds. test/drills/judges.test.ts shows each of them a broken case.
 */
import type { TransactionEventMessage } from '../../src/client/merchant-client.ts';
import type { Database } from '../../src/db/client.ts';

export type Status = 'CREATED' | 'REDIRECTED' | 'CAPTURED' | 'PAID' | 'REJECTED' | 'CANCELLED';

export const ALLOWED_TRANSITIONS: Record<Status, readonly Status[]> = {
  CREATED: ['REDIRECTED', 'CAPTURED', 'PAID', 'REJECTED', 'CANCELLED'],
  REDIRECTED: ['CAPTURED', 'PAID', 'REJECTED', 'CANCELLED'],
  CAPTURED: ['PAID'],
  PAID: [],
  REJECTED: [],
  CANCELLED: [],
};

/** First history row has no previous status and is CREATED; every other is an allowed step. */
export function isLegalHistoryStep(previous: Status | null, status: Status): boolean {
  return previous === null ? status === 'CREATED' : ALLOWED_TRANSITIONS[previous].includes(status);
}

export type EventKind = 'STATUS_CHANGED' | 'REFUND_REQUESTED' | 'REFUND_SUCCEEDED' | 'REFUND_FAILED';

/** A refund's row (kind REFUND_*) leaves the status as it was: status = previous status, the status before it. */
export type HistoryRow = { transactionId: string; sequence: number; previousStatus: Status | null; status: Status; kind: EventKind };

/** The whole history of the given transactions (or all in the schema), in sequence order. */
export async function loadHistory(db: Database): Promise<Map<string, HistoryRow[]>> {
  const { rows } = await db.pool.query<{ transaction_id: string; sequence: number; previous_status: Status | null; status: Status; kind: EventKind }>(
    `SELECT transaction_id::text, sequence, previous_status::text AS previous_status, status::text AS status, kind::text AS kind
     FROM transaction_events ORDER BY transaction_id, sequence`,
  );
  const byTransaction = new Map<string, HistoryRow[]>();
  for (const row of rows) {
    const list = byTransaction.get(row.transaction_id) ?? [];
    list.push({ transactionId: row.transaction_id, sequence: Number(row.sequence), previousStatus: row.previous_status, status: row.status, kind: row.kind });
    byTransaction.set(row.transaction_id, list);
  }
  return byTransaction;
}

export type HistoryAudit = { rows: number; illegal: number; gaps: number; brokenChains: number; repeatedStatuses: number };

/**
 * Legal steps only (a refund's row: the status unchanged, after the first row), sequences 1..n with no gap, each
 * row's previous status = the row before's status, no status reached twice.
 */
export function auditHistory(history: Map<string, HistoryRow[]>): HistoryAudit {
  const audit: HistoryAudit = { rows: 0, illegal: 0, gaps: 0, brokenChains: 0, repeatedStatuses: 0 };
  for (const rows of history.values()) {
    const seen = new Set<Status>();
    rows.forEach((row, index) => {
      audit.rows += 1;
      const refund = row.kind !== 'STATUS_CHANGED';
      const legal = refund ? index > 0 && row.previousStatus === row.status : isLegalHistoryStep(row.previousStatus, row.status);
      if (!legal) audit.illegal += 1;
      if (row.sequence !== index + 1) audit.gaps += 1;
      if (index > 0 && row.previousStatus !== rows[index - 1]?.status) audit.brokenChains += 1;
      if (refund) return;
      if (seen.has(row.status)) audit.repeatedStatuses += 1;
      seen.add(row.status);
    });
  }
  return audit;
}

export type StreamComparison = {
  /** Index of the first event that differs from the log (-1: none). */
  firstDifference: number;
  received: number;
  log: number;
  duplicates: number;
  missing: number;
  /** Received but not in the log at all. */
  foreign: number;
  /** The log, exactly: each event once, in order. */
  exact: boolean;
};

/** How a subscriber's stream compares with the log: missing, duplicated, out of order. */
export function compareWithLog(received: readonly TransactionEventMessage[], log: readonly string[]): StreamComparison {
  const cursors = received.map((event) => event.cursor);
  const unique = new Set(cursors);
  const inLog = new Set(log);
  const firstDifference = cursors.findIndex((cursor, index) => cursor !== log[index]);
  return {
    firstDifference,
    received: cursors.length,
    log: log.length,
    duplicates: cursors.length - unique.size,
    missing: log.filter((cursor) => !unique.has(cursor)).length,
    foreign: cursors.filter((cursor) => !inLog.has(cursor)).length,
    exact: cursors.length === log.length && cursors.every((cursor, index) => cursor === log[index]),
  };
}

/** Every sample of one metric in a Prometheus text exposition, with its labels (e.g. `{client="ratelimit"}`). */
export function metricSamples(text: string, name: string): { labels: string; value: number }[] {
  const samples: { labels: string; value: number }[] = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})?\\s+(\\S+)$`).exec(line);
    if (match) samples.push({ labels: match[1] ?? '', value: Number(match[2]) });
  }
  return samples;
}
