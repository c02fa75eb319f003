import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { parseMoney } from '../../../domain/money.ts';
import { signAlipay, verifyAlipay } from '../../../domain/signatures.ts';
import { beijingTime } from '../time.ts';

/**
 * The sandbox's Alipay: checks a create_forex_trade request as Alipay would, and writes the asynchronous
 * notifications Alipay would send about it.
 */

export type TradeRequest = {
  outTradeNo: string;
  subject: string;
  totalFee: string;
  currency: string;
  amountMinor: bigint;
  notifyUrl: string;
  returnUrl: string;
  /** Every parameter as received, signature included: carried through the Pay/Cancel forms and re-checked. */
  params: Record<string, string>;
};

export type TradeRequestCheck = { ok: true; request: TradeRequest } | { ok: false; code: string; message: string };

const REQUIRED = ['service', 'partner', 'out_trade_no', 'subject', 'total_fee', 'currency', 'notify_url', 'return_url', 'sign_type', 'sign'];

/** Alipay's error codes (ILLEGAL_SIGN, ...) with a sentence a developer can act on. */
export function checkTradeRequest(
  params: Record<string, string>,
  expected: { partnerId: string; merchantPublicKey: KeyObject },
): TradeRequestCheck {
  const missing = REQUIRED.filter((name) => !params[name]);
  if (missing.length > 0) return { ok: false, code: 'ILLEGAL_ARGUMENT', message: `missing parameter(s): ${missing.join(', ')}` };
  if (params['service'] !== 'create_forex_trade') {
    return { ok: false, code: 'ILLEGAL_SERVICE', message: `service must be create_forex_trade, got ${params['service']}` };
  }
  if (params['sign_type'] !== 'RSA2') return { ok: false, code: 'ILLEGAL_SIGN_TYPE', message: 'sign_type must be RSA2' };
  if (!verifyAlipay(params, expected.merchantPublicKey)) {
    return { ok: false, code: 'ILLEGAL_SIGN', message: 'the signature does not verify with the merchant public key' };
  }
  if (params['partner'] !== expected.partnerId) return { ok: false, code: 'ILLEGAL_PARTNER', message: 'unknown partner' };
  if (params['_input_charset'] !== undefined && params['_input_charset'].toLowerCase() !== 'utf-8') {
    return { ok: false, code: 'ILLEGAL_CHARSET', message: '_input_charset must be utf-8' };
  }
  const currency = params['currency'] ?? '';
  const totalFee = params['total_fee'] ?? '';
  const amount = parseMoney(totalFee, currency);
  if (!amount.ok || amount.minorUnits <= 0n) {
    return { ok: false, code: 'ILLEGAL_ARGUMENT', message: `total_fee ${totalFee} is not a positive ${currency} amount` };
  }
  for (const name of ['notify_url', 'return_url']) {
    if (!isHttpUrl(params[name] ?? '')) return { ok: false, code: 'ILLEGAL_ARGUMENT', message: `${name} must be an absolute http(s) URL` };
  }
  return {
    ok: true,
    request: {
      outTradeNo: params['out_trade_no'] ?? '',
      subject: params['subject'] ?? '',
      totalFee,
      currency,
      amountMinor: amount.minorUnits,
      notifyUrl: params['notify_url'] ?? '',
      returnUrl: params['return_url'] ?? '',
      params,
    },
  };
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const protocol = new URL(value).protocol;
  return protocol === 'http:' || protocol === 'https:';
}

/** Alipay's trade number: one per trade, so the same out_trade_no always gets the same one. */
export function tradeNumber(outTradeNo: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(outTradeNo).digest('hex').slice(0, 15)}`).toString().padStart(18, '0');
  return `2026${digits.slice(0, 18)}`;
}

export type SandboxTradeStatus = 'TRADE_SUCCESS' | 'TRADE_CLOSED';

/** The reason of the bank's payment.rejected when the sandbox's consumer chooses a declined payment. */
export const SANDBOX_DECLINE_REASON = 'DECLINED';

/** A signed trade_status_sync notification, as Alipay posts it to notify_url. */
export function buildTradeNotification(
  request: Pick<TradeRequest, 'outTradeNo' | 'totalFee' | 'currency'>,
  tradeStatus: SandboxTradeStatus,
  alipayPrivateKey: KeyObject,
  now = new Date(),
): Record<string, string> {
  const params: Record<string, string> = {
    notify_time: beijingTime(now),
    notify_type: 'trade_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    out_trade_no: request.outTradeNo,
    trade_no: tradeNumber(request.outTradeNo),
    trade_status: tradeStatus,
    total_fee: request.totalFee,
    currency: request.currency,
  };
  return { ...params, sign_type: 'RSA2', sign: signAlipay(params, alipayPrivateKey) };
}
