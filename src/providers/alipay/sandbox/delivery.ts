import { signEvent } from '../../../domain/signatures.ts';

/**
 * How the sandbox reaches our ingestion endpoints: over real HTTP, as Alipay and the bank-statement
 * reconciler would, retrying until acknowledged.
 */

export type DeliveryResult = { delivered: boolean; attempts: number; lastStatus: number | undefined; lastBody: string | undefined };

export type RetryPolicy = { delaysMs: readonly number[]; timeoutMs: number };

/** First attempt at once, then quick retries: the consumer is waiting for the redirect meanwhile. */
export const SANDBOX_RETRY: RetryPolicy = { delaysMs: [0, 250, 500, 1_000, 2_000], timeoutMs: 5_000 };

async function deliver(
  url: string,
  init: () => { headers: Record<string, string>; body: string },
  acknowledged: (status: number, body: string) => boolean,
  policy: RetryPolicy,
): Promise<DeliveryResult> {
  let lastStatus: number | undefined;
  let lastBody: string | undefined;
  let attempts = 0;
  for (const delay of policy.delaysMs) {
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    attempts += 1;
    try {
      const { headers, body } = init();
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(policy.timeoutMs), redirect: 'manual' });
      lastStatus = response.status;
      lastBody = (await response.text()).slice(0, 500);
      if (acknowledged(response.status, lastBody)) return { delivered: true, attempts, lastStatus, lastBody };
      // A 4xx other than "busy" will not get better by retrying the same bytes.
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) break;
    } catch (error) {
      lastStatus = undefined;
      lastBody = error instanceof Error ? error.message : String(error);
    }
  }
  return { delivered: false, attempts, lastStatus, lastBody };
}

/** Alipay's way: form-encoded, resent until the body is exactly `success`. */
export function postAlipayNotification(notifyUrl: string, params: Record<string, string>, policy = SANDBOX_RETRY): Promise<DeliveryResult> {
  const body = new URLSearchParams(params).toString();
  return deliver(
    notifyUrl,
    () => ({ headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }),
    (status, text) => status === 200 && text === 'success',
    policy,
  );
}

/** A provider-neutral signed event; signed afresh on every attempt so retries never go stale. */
export function postSignedEvent(
  eventsUrl: string,
  event: unknown,
  key: { keyId: string; secret: string },
  policy = SANDBOX_RETRY,
): Promise<DeliveryResult> {
  const body = JSON.stringify(event);
  return deliver(
    eventsUrl,
    () => {
      const timestamp = Math.floor(Date.now() / 1000);
      return {
        headers: {
          'content-type': 'application/json',
          'x-key-id': key.keyId,
          'x-timestamp': String(timestamp),
          'x-signature': signEvent(key.secret, timestamp, body),
        },
        body,
      };
    },
    (status) => status === 200,
    policy,
  );
}
