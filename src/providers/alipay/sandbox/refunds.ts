import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { parseMoney } from '../../../domain/money.ts';
import { signAlipay, verifyAlipay } from '../../../domain/signatures.ts';
import { beijingTime } from '../time.ts';
import { tradeNumber } from './gateway.ts';

/**
 * The sandbox's forex_refund: checks the request as Alipay would, and plays the outcome the developer chose by
 * putting `sandbox:<outcome>` in the refund's reason (the merchant's `reason`, passed through):
 *
 * | outcome                       | first call          | later calls (same out_return_no)  | notification                 |
 * |-------------------------------|---------------------|-----------------------------------|------------------------------|
 * | `success` (the default)       | T                   | T                                 | REFUND_SUCCESS, at once      |
 * | `late-twice`                  | T                   | T                                 | REFUND_SUCCESS, late, twice  |
 * | `insufficient-funds`          | F SELLER_BALANCE_NOT_ENOUGH | T (the merchant topped up) | REFUND_SUCCESS after the T   |
 * | `failure`                     | T                   | F REFUND_FAILED                   | none (Alipay never notifies a failure) |
 * | `timeout`                     | no answer           | T                                 | REFUND_SUCCESS after the T   |
 *
 * Like Alipay it refunds an out_return_no once, whatever the number of calls. What it remembers lives in memory
 * (the sandbox is a development tool): after a restart a refund it knew starts over, with the same outcome.
 */

export const SANDBOX_REFUND_OUTCOMES = ['success', 'late-twice', 'insufficient-funds', 'failure', 'timeout'] as const;
export type SandboxRefundOutcome = (typeof SANDBOX_REFUND_OUTCOMES)[number];

export type RefundRequest = {
  outReturnNo: string;
  outTradeNo: string;
  returnAmount: string;
  currency: string;
  notifyUrl: string | undefined;
  outcome: SandboxRefundOutcome;
};

export type RefundRequestCheck = { ok: true; request: RefundRequest } | { ok: false; code: string };

const REQUIRED = ['service', 'partner', 'out_return_no', 'out_trade_no', 'return_amount', 'currency', 'gmt_return', 'reason', 'sign_type', 'sign'];

/** The outcome named in a reason (`... sandbox:failure ...`); `success` when none is. */
export function outcomeOf(reason: string): SandboxRefundOutcome {
  const named = /sandbox:([a-z-]+)/.exec(reason)?.[1];
  return SANDBOX_REFUND_OUTCOMES.find((outcome) => outcome === named) ?? 'success';
}

/** Alipay's checks of a forex_refund request; its error codes (ILLEGAL_SIGN, ...) on refusal. */
export function checkRefundRequest(params: Record<string, string>, expected: { partnerId: string; merchantPublicKey: KeyObject }): RefundRequestCheck {
  if (REQUIRED.some((name) => !params[name])) return { ok: false, code: 'ILLEGAL_ARGUMENT' };
  if (params['service'] !== 'forex_refund') return { ok: false, code: 'ILLEGAL_SERVICE' };
  if (params['sign_type'] !== 'RSA2') return { ok: false, code: 'ILLEGAL_SIGN_TYPE' };
  if (!verifyAlipay(params, expected.merchantPublicKey)) return { ok: false, code: 'ILLEGAL_SIGN' };
  if (params['partner'] !== expected.partnerId) return { ok: false, code: 'ILLEGAL_PARTNER' };
  const currency = params['currency'] ?? '';
  const amount = parseMoney(params['return_amount'] ?? '', currency);
  if (!amount.ok || amount.minorUnits <= 0n) return { ok: false, code: 'ILLEGAL_ARGUMENT' };
  if (!/^[0-9]{14}$/.test(params['gmt_return'] ?? '') || (params['out_return_no'] ?? '').length > 64) return { ok: false, code: 'ILLEGAL_ARGUMENT' };
  const notifyUrl = params['notify_url'];
  if (notifyUrl !== undefined && !/^https?:\/\//.test(notifyUrl)) return { ok: false, code: 'ILLEGAL_ARGUMENT' };
  return {
    ok: true,
    request: {
      outReturnNo: params['out_return_no'] ?? '',
      outTradeNo: params['out_trade_no'] ?? '',
      returnAmount: params['return_amount'] ?? '',
      currency,
      notifyUrl,
      outcome: outcomeOf(params['reason'] ?? ''),
    },
  };
}

/** The gateway's synchronous answer. */
export function refundResponseXml(answer: { ok: true } | { ok: false; code: string }): string {
  const body = answer.ok ? '<is_success>T</is_success>' : `<is_success>F</is_success><error>${answer.code}</error>`;
  return `<?xml version="1.0" encoding="utf-8"?>\n<alipay>${body}</alipay>\n`;
}

/** What the gateway does with one call. */
export type RefundCallPlan = {
  /** `hang`: no answer at all (the caller times out). */
  answer: { ok: true } | { ok: false; code: string } | 'hang';
  /** Post a REFUND_SUCCESS notification after answering: when, and how many deliveries of it. */
  notify: { delayMs: number; deliveries: number } | undefined;
};

const MAX_REMEMBERED = 10_000;

/** The sandbox's memory of refunds by out_return_no, and the outcome each call plays. */
export class SandboxRefundLedger {
  private readonly calls = new Map<string, number>();

  constructor(private readonly options: { lateMs: number; redeliveryRate: number; random?: () => number }) {}

  /** The plan for this call of `request` (calls of one out_return_no are counted). */
  plan(request: RefundRequest): RefundCallPlan {
    const call = (this.calls.get(request.outReturnNo) ?? 0) + 1;
    if (!this.calls.has(request.outReturnNo) && this.calls.size >= MAX_REMEMBERED) {
      const oldest = this.calls.keys().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
    this.calls.set(request.outReturnNo, call);
    const random = this.options.random ?? Math.random;
    const once = { delayMs: 0, deliveries: random() < this.options.redeliveryRate ? 2 : 1 };
    switch (request.outcome) {
      case 'success':
        return { answer: { ok: true }, notify: call === 1 ? once : undefined };
      case 'late-twice':
        return { answer: { ok: true }, notify: call === 1 ? { delayMs: this.options.lateMs, deliveries: 2 } : undefined };
      case 'insufficient-funds':
        if (call === 1) return { answer: { ok: false, code: 'SELLER_BALANCE_NOT_ENOUGH' }, notify: undefined };
        return { answer: { ok: true }, notify: call === 2 ? once : undefined };
      case 'failure':
        return { answer: call === 1 ? { ok: true } : { ok: false, code: 'REFUND_FAILED' }, notify: undefined };
      case 'timeout':
        if (call === 1) return { answer: 'hang', notify: undefined };
        return { answer: { ok: true }, notify: call === 2 ? once : undefined };
    }
  }
}

/** Alipay's refund number: one per refund, so the same out_return_no always gets the same one. */
export function refundNumber(outReturnNo: string): string {
  const digits = BigInt(`0x${createHash('sha256').update(`refund:${outReturnNo}`).digest('hex').slice(0, 15)}`).toString().padStart(18, '0');
  return `2026${digits.slice(0, 18)}`;
}

/** A signed refund_status_sync notification, as Alipay posts it to notify_url once a refund succeeded. */
export function buildRefundNotification(request: Pick<RefundRequest, 'outReturnNo' | 'outTradeNo' | 'returnAmount' | 'currency'>, alipayPrivateKey: KeyObject, now = new Date()): Record<string, string> {
  const params: Record<string, string> = {
    notify_time: beijingTime(now),
    notify_type: 'refund_status_sync',
    notify_id: randomBytes(16).toString('hex'),
    out_trade_no: request.outTradeNo,
    trade_no: tradeNumber(request.outTradeNo),
    out_return_no: request.outReturnNo,
    refund_no: refundNumber(request.outReturnNo),
    return_amount: request.returnAmount,
    currency: request.currency,
    refund_status: 'REFUND_SUCCESS',
    gmt_refund: beijingTime(now),
  };
  return { ...params, sign_type: 'RSA2', sign: signAlipay(params, alipayPrivateKey) };
}
