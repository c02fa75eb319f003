import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What is known about the request being served, carried through every await by AsyncLocalStorage so that
 * any log line written while serving it (resolvers, services, masked errors) names the request, the
 * merchant and the operation without each caller passing them along. Filled in as it becomes known:
 * the request id at once, the caller after authentication, the operation after parsing.
 */
export type RequestContext = {
  readonly requestId: string;
  merchantId?: string;
  apiKeyId?: string;
  role?: 'ADMIN' | 'MERCHANT';
  operationName?: string;
  operationType?: string;
};

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

// Printable, header-safe and short: anything else a client sends as X-Request-Id is replaced, so a
// hostile value can neither bloat the logs nor forge structure in them.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's X-Request-Id when it is well-formed, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && ACCEPTABLE_REQUEST_ID.test(value) ? value : randomUUID();
}

/** The fields every log line carries while a request is served (undefined ones are left out by pino). */
export function requestLogFields(): Record<string, string | undefined> {
  const context = storage.getStore();
  if (!context) return {};
  return {
    reqId: context.requestId,
    merchantId: context.merchantId,
    apiKeyId: context.apiKeyId,
    operationName: context.operationName,
  };
}
