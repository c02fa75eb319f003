import { fitsInInt64, parseMoney } from '../../domain/money.ts';
import { isUuid } from '../../domain/ids.ts';
import type { KeyObject } from 'node:crypto';
import { verifyAlipay } from '../../domain/signatures.ts';
import type { TransactionStatus } from '../../domain/status.ts';
import type { ParsedNotification } from '../notification.ts';
import { REFUND_NOTIFY_TYPE, refundNotificationFromParams } from './refund.ts';

/**
 * Alipay's asynchronous notification: an application/x-www-form-urlencoded body, RSA2-signed over the sorted
 * `k=v` string. Parsing is strict because the signature covers the decoded values: a body that could be read
 * two ways (duplicate keys, invalid UTF-8, stray syntax) must be refused, not guessed at.
 */

export type FormParseResult = { ok: true; params: Record<string, string> } | { ok: false; error: string };

const FIELD_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const PRINTABLE = /^[^\p{C}]*$/u;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseFormBody(raw: Buffer): FormParseResult {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    return { ok: false, error: 'body is not valid UTF-8' };
  }
  if (text.trim() === '') return { ok: false, error: 'body is empty: expected an Alipay notification form' };
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const pair of text.split('&')) {
    const separator = pair.indexOf('=');
    if (separator <= 0) return { ok: false, error: 'body is not application/x-www-form-urlencoded (expected k=v&k=v)' };
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(pair.slice(0, separator).replaceAll('+', ' '));
      value = decodeURIComponent(pair.slice(separator + 1).replaceAll('+', ' '));
    } catch {
      return { ok: false, error: 'body has an invalid percent-encoding or encodes invalid UTF-8' };
    }
    if (!FIELD_NAME.test(key)) return { ok: false, error: 'body is not application/x-www-form-urlencoded (bad field name)' };
    if (key in params) return { ok: false, error: `field ${key} appears more than once` };
    params[key] = value;
  }
  return { ok: true, params: { ...params } };
}

/** True when any of the accepted Alipay public keys verifies `sign`. */
export function verifyAlipayNotification(params: Record<string, string>, publicKeys: readonly KeyObject[]): boolean {
  return publicKeys.some((key) => verifyAlipay(params, key));
}

export const TRADE_STATUSES = ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_CLOSED', 'TRADE_FINISHED'] as const;
type TradeStatus = (typeof TRADE_STATUSES)[number];

/** DOMAIN.md: TRADE_FINISHED (refund window over) changes nothing and must not count as a new success. */
const TARGET_BY_TRADE_STATUS: Readonly<Record<TradeStatus, TransactionStatus | null>> = {
  WAIT_BUYER_PAY: 'REDIRECTED',
  TRADE_SUCCESS: 'CAPTURED',
  TRADE_CLOSED: 'REJECTED',
  TRADE_FINISHED: null,
};

// Statuses that say money moved: an amount is required so it can be checked against the transaction.
const NEEDS_AMOUNT: ReadonlySet<TradeStatus> = new Set(['TRADE_SUCCESS', 'TRADE_FINISHED']);

function isTradeStatus(value: string): value is TradeStatus {
  return (TRADE_STATUSES as readonly string[]).includes(value);
}

/** The notification's meaning; call only after the signature verified. */
export function alipayNotificationFromParams(params: Record<string, string>): ParsedNotification {
  if (params['notify_type'] === REFUND_NOTIFY_TYPE) return refundNotificationFromParams(params);
  const missing = ['notify_id', 'notify_type', 'out_trade_no', 'trade_status'].filter((field) => !params[field]);
  if (missing.length > 0) return { ok: false, error: `missing field(s): ${missing.join(', ')}` };
  const notifyId = params['notify_id'] ?? '';
  const outTradeNo = params['out_trade_no'] ?? '';
  const tradeStatus = params['trade_status'] ?? '';
  // Kept as text: PostgreSQL text cannot hold NUL, and control characters in ids are never legitimate.
  for (const field of ['notify_id', 'out_trade_no', 'trade_no']) {
    const value = params[field];
    if (value !== undefined && (value.length > 128 || !PRINTABLE.test(value))) {
      return { ok: false, error: `${field} must be at most 128 printable characters` };
    }
  }
  if (params['notify_type'] !== 'trade_status_sync') {
    return { ok: false, error: `notify_type must be trade_status_sync or ${REFUND_NOTIFY_TYPE}, got ${JSON.stringify(params['notify_type'])}` };
  }
  if (!isTradeStatus(tradeStatus)) {
    return { ok: false, error: `trade_status must be one of ${TRADE_STATUSES.join(', ')}` };
  }
  const totalFee = params['total_fee'];
  const currency = params['currency'];
  let amount: { minorUnits: bigint; currency: string } | undefined;
  if (totalFee || currency) {
    if (!totalFee || !currency) return { ok: false, error: 'total_fee and currency go together' };
    const parsed = parseMoney(totalFee, currency);
    if (!parsed.ok) return { ok: false, error: `total_fee: ${parsed.error}` };
    if (parsed.minorUnits <= 0n || !fitsInInt64(parsed.minorUnits)) return { ok: false, error: 'total_fee is out of range' };
    amount = { minorUnits: parsed.minorUnits, currency };
  } else if (NEEDS_AMOUNT.has(tradeStatus)) {
    return { ok: false, error: `${tradeStatus} needs total_fee and currency` };
  }
  const tradeNo = params['trade_no'];
  return {
    ok: true,
    notification: {
      sender: 'ALIPAY',
      externalId: notifyId,
      eventType: tradeStatus,
      transactionReference: outTradeNo,
      // out_trade_no is our transaction's database id, as sent in the redirect.
      transactionId: isUuid(outTradeNo) ? outTradeNo.toLowerCase() : undefined,
      target: TARGET_BY_TRADE_STATUS[tradeStatus],
      source: 'PROVIDER_NOTIFICATION',
      amount,
      providerReference: tradeNo ? tradeNo.slice(0, 128) : null,
      reason: tradeStatus === 'TRADE_CLOSED' ? 'TRADE_CLOSED' : null,
    },
  };
}
