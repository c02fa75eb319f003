// The merchant's returnUrl: what createTransaction accepts and stores, and how the consumer is sent back to it.
import type { TransactionStatus } from './status.ts';

export const MAX_RETURN_URL_LENGTH = 2048;

// Any C0/C1 control character (CR, LF and NUL among them) or DEL. WHATWG URL parsing silently drops tabs and
// newlines, so they are looked for in the text as given, before parsing.
const CONTROL = /\p{Cc}/u;

export type ReturnUrlCheck = { ok: true; url: string } | { ok: false; message: string };

/**
 * An absolute http(s) URL with a host, no credentials and no control characters, at most MAX_RETURN_URL_LENGTH
 * characters as given and once normalised; answered in its WHATWG-normalised form (what is stored and compared
 * for idempotency), so the spelling the merchant chose does not matter.
 */
export function normaliseReturnUrl(raw: string): ReturnUrlCheck {
  if (raw.length > MAX_RETURN_URL_LENGTH) return { ok: false, message: `must be at most ${MAX_RETURN_URL_LENGTH} characters` };
  if (CONTROL.test(raw)) return { ok: false, message: 'must not contain control characters (CR, LF, NUL, ...)' };
  if (raw.trim() !== raw) return { ok: false, message: 'must not begin or end with spaces' };
  const url = URL.parse(raw);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return { ok: false, message: 'must be an absolute http(s) URL, e.g. https://shop.example/return' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, message: 'must not contain a user name or password' };
  if (url.href.length > MAX_RETURN_URL_LENGTH) return { ok: false, message: `must be at most ${MAX_RETURN_URL_LENGTH} characters once normalised` };
  return { ok: true, url: url.href };
}

/** The query parameters Paystream adds when it sends the consumer back to the merchant's returnUrl. */
export const RETURN_PARAMETERS = { transactionId: 'transactionId', status: 'status' } as const;

/**
 * The merchant's returnUrl with the transaction's id (as the API shows it) and current status added to its query.
 * Its own parameters are kept exactly as written (URLSearchParams would re-encode them: `?a` to `?a=`, `%20` to `+`),
 * and so is its fragment; same-named ones are dropped, so each of ours appears exactly once.
 */
export function merchantReturnLocation(returnUrl: string, transaction: { globalId: string; status: TransactionStatus }): string {
  const url = new URL(returnUrl);
  const ours = new URLSearchParams([
    [RETURN_PARAMETERS.transactionId, transaction.globalId],
    [RETURN_PARAMETERS.status, transaction.status],
  ]);
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !ours.has(new URLSearchParams(pair).keys().next().value ?? ''));
  url.search = [...kept, ours.toString()].join('&');
  return url.href;
}
