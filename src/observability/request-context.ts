import { randomUUID } from 'node:crypto';

/**
 * What is known about the request being served, so that its log lines name the request, the merchant and
 * the operation. Filled in as it becomes known: the request id at once, the caller after authentication, the
 * operation after parsing. It travels explicitly (Yoga's server context, a route's request logger), not in
 * AsyncLocalStorage: on Node 20 that installs a promise hook which taxed every promise of the process, and
 * slowed every subscription delivery (without it bench:subscriptions' p99 at 1,000 subscribers fell by a third).
 */
export type RequestContext = {
  readonly requestId: string;
  /** The URL's path as the server routed it (parsed once, for the routing and the access log's label). */
  pathname?: string;
  merchantId?: string;
  apiKeyId?: string;
  operationName?: string;
  operationType?: string;
};

// Printable, header-safe and short: anything else a client sends as X-Request-Id is replaced, so a
// hostile value can neither bloat the logs nor forge structure in them.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is well-formed, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** The fields a log line about this request carries (pino leaves the undefined ones out). */
export function requestLogFields(context: RequestContext): Record<string, string | undefined> {
  return {
    reqId: context.requestId,
    merchantId: context.merchantId,
    apiKeyId: context.apiKeyId,
    operationName: context.operationName,
  };
}
