import { isUuid } from '../../domain/ids.ts';
import { fitsInInt64, formatMinorUnits, parseMoney } from '../../domain/money.ts';
import { signAlipay } from '../../domain/signatures.ts';
import type { ParsedNotification } from '../notification.ts';
import type { AlipaySettings } from '../settings.ts';
import { beijingTimestamp } from './time.ts';

/**
 * Alipay's forex_refund: a server-to-server call to the gateway, RSA2-signed like the redirect. `out_return_no` is
 * our refund id, so a call repeated after a timeout (or to ask again) is the same refund to Alipay, never a second
 * one. In asynchronous mode (is_sync=N) the answer only says whether Alipay took the request; a success is then
 * notified to notify_url (refund_status_sync), a failure is not notified: asking again (the same call) reveals it.
 */

export type ForexRefundSubject = Readonly<{
  refundId: string;
  transactionId: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
  /** When the refund was requested: gmt_return, the same on every call of the same refund. */
  requestedAt: Date;
}>;

/** The parameters of a forex_refund request, before signing. */
export function forexRefundParams(alipay: AlipaySettings, refund: ForexRefundSubject): Record<string, string> {
  return {
    service: 'forex_refund',
    partner: alipay.partnerId,
    _input_charset: 'utf-8',
    notify_url: alipay.notifyUrl,
    out_return_no: refund.refundId,
    out_trade_no: refund.transactionId,
    return_amount: formatMinorUnits(refund.amountMinor, refund.currency),
    currency: refund.currency,
    gmt_return: beijingTimestamp(refund.requestedAt),
    reason: refund.reason,
    is_sync: 'N',
  };
}

export function signedForexRefundParams(alipay: AlipaySettings, refund: ForexRefundSubject): Record<string, string> {
  const params = forexRefundParams(alipay, refund);
  return { ...params, sign_type: 'RSA2', sign: signAlipay(params, alipay.privateKey) };
}

/** What one call established. */
export type ForexRefundAnswer =
  /** Alipay took it (is_success T): a success will be notified; asking again later reveals a failure. */
  | { kind: 'accepted' }
  /** Alipay refused this refund for good (is_success F with a code about the refund itself). */
  | { kind: 'refused'; code: string }
  /** No definite answer: a timeout, a network error, a 5xx, an unreadable body, or a code that may pass. */
  | { kind: 'retry'; detail: string };

/**
 * Codes that are Alipay's final word on this refund. Anything else that comes with F is retried with the same
 * out_return_no (harmless: Alipay refunds it at most once): a configuration mistake (ILLEGAL_SIGN, ...) must not
 * fail every refund in flight, and an unknown code must not make a refund look failed when it may have happened.
 */
const DEFINITE_REFUSALS: ReadonlySet<string> = new Set([
  'PURCHASE_TRADE_NOT_EXIST',
  'TRADE_NOT_EXIST',
  'RETURN_AMOUNT_EXCEED',
  'REFUND_AMOUNT_EXCEED',
  'CURRENCY_NOT_SAME',
  'TRADE_NOT_ALLOW_REFUND',
  'TRADE_STATUS_NOT_AVAILD',
  'REFUND_WINDOW_EXCEED',
  'REFUND_FAILED',
]);

/** Reads the gateway's XML answer: `<alipay><is_success>T</is_success></alipay>`, or F with `<error>CODE</error>`. */
export function readForexRefundResponse(status: number, body: string): ForexRefundAnswer {
  if (status >= 500 || status === 408 || status === 429) return { kind: 'retry', detail: `HTTP ${status}` };
  const success = /<is_success>\s*([TF])\s*<\/is_success>/.exec(body)?.[1];
  if (status !== 200 || success === undefined) return { kind: 'retry', detail: `HTTP ${status}: not a forex_refund answer` };
  if (success === 'T') return { kind: 'accepted' };
  const code = /<error>\s*([A-Z0-9_]{1,64})\s*<\/error>/.exec(body)?.[1] ?? 'UNKNOWN_ERROR';
  return DEFINITE_REFUSALS.has(code) ? { kind: 'refused', code } : { kind: 'retry', detail: code };
}

/**
 * One forex_refund call, POSTed as a form (`_input_charset` in the URL, as Alipay asks for POSTs), within
 * `timeoutMs`. Never throws: whatever goes wrong is an answer to retry.
 */
export async function callForexRefund(alipay: AlipaySettings, refund: ForexRefundSubject, timeoutMs: number): Promise<ForexRefundAnswer> {
  const url = new URL(alipay.gatewayUrl);
  url.searchParams.set('_input_charset', 'utf-8');
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: new URLSearchParams(signedForexRefundParams(alipay, refund)).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    return readForexRefundResponse(response.status, (await response.text()).slice(0, 10_000));
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { kind: 'retry', detail: timedOut ? `no answer within ${timeoutMs} ms` : `network: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The notify_type of Alipay's refund notifications. */
export const REFUND_NOTIFY_TYPE = 'refund_status_sync';
/** The only refund_status Alipay notifies: a failure is never notified. */
const REFUND_SUCCESS = 'REFUND_SUCCESS';
const PRINTABLE = /^[^\p{C}]*$/u;

/**
 * A refund notification's meaning (call only after the signature verified): the refund (out_return_no, our refund
 * id) of the transaction (out_trade_no) succeeded, for return_amount in currency. It changes no status: `target` is
 * null and `refund` carries the claim, judged against the refund under its transaction's row lock.
 */
export function refundNotificationFromParams(params: Record<string, string>): ParsedNotification {
  const missing = ['notify_id', 'out_trade_no', 'out_return_no', 'refund_status', 'return_amount', 'currency'].filter((field) => !params[field]);
  if (missing.length > 0) return { ok: false, error: `missing field(s): ${missing.join(', ')}` };
  for (const field of ['notify_id', 'out_trade_no', 'out_return_no', 'refund_no']) {
    const value = params[field];
    if (value !== undefined && (value.length > 128 || !PRINTABLE.test(value))) return { ok: false, error: `${field} must be at most 128 printable characters` };
  }
  if (params['refund_status'] !== REFUND_SUCCESS) {
    return { ok: false, error: `refund_status must be ${REFUND_SUCCESS}, got ${JSON.stringify(params['refund_status'])}` };
  }
  const currency = params['currency'] ?? '';
  const amount = parseMoney(params['return_amount'] ?? '', currency);
  if (!amount.ok) return { ok: false, error: `return_amount: ${amount.error}` };
  if (amount.minorUnits <= 0n || !fitsInInt64(amount.minorUnits)) return { ok: false, error: 'return_amount is out of range' };
  const outTradeNo = params['out_trade_no'] ?? '';
  const outReturnNo = params['out_return_no'] ?? '';
  const refundNo = params['refund_no'];
  return {
    ok: true,
    notification: {
      sender: 'ALIPAY',
      externalId: params['notify_id'] ?? '',
      eventType: REFUND_SUCCESS,
      transactionReference: outTradeNo,
      transactionId: isUuid(outTradeNo) ? outTradeNo.toLowerCase() : undefined,
      target: null,
      source: 'PROVIDER_NOTIFICATION',
      amount: { minorUnits: amount.minorUnits, currency },
      providerReference: refundNo ? refundNo.slice(0, 128) : null,
      reason: null,
      refund: { reference: outReturnNo, refundId: isUuid(outReturnNo) ? outReturnNo.toLowerCase() : undefined, outcome: 'SUCCEEDED' },
    },
  };
}
