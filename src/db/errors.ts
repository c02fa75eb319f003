/**
 * "The database cannot be reached right now" as opposed to "this statement is wrong": the first is worth a 503
 * (the sender retries later and nothing is lost), the second is a bug. Errors arrive from pg directly or
 * wrapped by Prisma's driver adapter, so the whole cause chain is inspected.
 */

// Connection failures and PostgreSQL's class 08 (connection exception), 53 (insufficient resources),
// 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now) and 57014 (statement cancelled: a statement
// timeout, typically waiting on a lock; nothing was committed and trying later is the remedy).
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const SQLSTATE_UNAVAILABLE = /^(08...|53...|57P0[123]|57014)$/;
// Prisma: can't reach server, server closed the connection, pool timeout, transaction start timeout.
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1017', 'P2024', 'P2028']);
const MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Can't reach database server/i,
  /connect ECONNREFUSED/i,
  /Client has encountered a connection error/i,
  /Unable to start a transaction in the given time/i,
  /the database system is (starting up|shutting down)/i,
];

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== null && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const candidate = current as { code?: unknown; originalCode?: unknown; kind?: unknown; message?: unknown; cause?: unknown };
    for (const code of [candidate.code, candidate.originalCode]) {
      if (typeof code !== 'string') continue;
      if (NETWORK_CODES.has(code) || SQLSTATE_UNAVAILABLE.test(code) || PRISMA_UNAVAILABLE.has(code)) return true;
    }
    if (typeof candidate.message === 'string' && MESSAGES.some((pattern) => pattern.test(candidate.message as string))) return true;
    if (candidate.kind === 'DatabaseNotReachable' || candidate.kind === 'ConnectionClosed' || candidate.kind === 'SocketTimeout') return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = candidate.cause;
  }
  return false;
}
