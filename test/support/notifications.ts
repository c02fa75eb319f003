import { randomBytes } from 'node:crypto';
import { encodeGlobalId } from '../../src/domain/ids.ts';
import { signAlipay, signEvent } from '../../src/domain/signatures.ts';

/** Senders as our upstreams behave: signed events and Alipay notifications over real HTTP. */

export type Reply = { status: number; text: string; headers: Headers; json(): unknown };

async function reply(response: Response): Promise<Reply> {
  const text = await response.text();
  return { status: response.status, text, headers: response.headers, json: () => JSON.parse(text) as unknown };
}

export function eventId(): string {
  return `evt_${randomBytes(8).toString('hex')}`;
}

export type SignedEventInput = {
  id?: string;
  /** Our database id, sent as the API's global id; or `paymentId` to send exactly that. */
  transactionId?: string;
  paymentId?: string;
  status: string;
  amount?: { value: string; currency: string } | null;
  providerReference?: string;
  reason?: string;
};

export function signedEventBody(input: SignedEventInput): string {
  return JSON.stringify({
    id: input.id ?? eventId(),
    type: `payment.${input.status.toLowerCase()}`,
    created: new Date().toISOString(),
    payment: {
      id: input.paymentId ?? encodeGlobalId('Transaction', input.transactionId ?? ''),
      status: input.status,
      ...(input.providerReference ? { providerReference: input.providerReference } : {}),
      ...(input.amount !== null && input.amount !== undefined ? { amount: input.amount } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    },
  });
}

export type EventKey = { keyId: string; secret: string };

export async function postSignedEvent(
  baseUrl: string,
  key: EventKey,
  body: string | Buffer,
  options: { timestamp?: number; signature?: string; headers?: Record<string, string>; contentType?: string } = {},
): Promise<Reply> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'x-key-id': key.keyId,
    'x-timestamp': String(timestamp),
    'x-signature': options.signature ?? signEvent(key.secret, timestamp, body),
    ...options.headers,
  };
  return reply(await fetch(`${baseUrl}/notifications/events`, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) }));
}

export type AlipayInput = {
  outTradeNo: string;
  tradeStatus: string;
  totalFee?: string;
  currency?: string;
  notifyId?: string;
  tradeNo?: string;
  extra?: Record<string, string>;
};

export function alipayParams(input: AlipayInput, privateKeyPem: string): Record<string, string> {
  const params: Record<string, string> = {
    notify_time: '2026-11-26 12:00:00',
    notify_type: 'trade_status_sync',
    notify_id: input.notifyId ?? randomBytes(12).toString('hex'),
    out_trade_no: input.outTradeNo,
    trade_no: input.tradeNo ?? '2026112622001400000001',
    trade_status: input.tradeStatus,
    ...(input.totalFee !== undefined ? { total_fee: input.totalFee } : {}),
    ...(input.currency !== undefined ? { currency: input.currency } : {}),
    ...input.extra,
  };
  return { ...params, sign_type: 'RSA2', sign: signAlipay(params, privateKeyPem) };
}

export async function postAlipay(
  baseUrl: string,
  body: string | Buffer | Record<string, string>,
  contentType = 'application/x-www-form-urlencoded; charset=utf-8',
): Promise<Reply> {
  const payload = typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : new URLSearchParams(body).toString();
  return reply(await fetch(`${baseUrl}/notifications/alipay`, { method: 'POST', headers: { 'content-type': contentType }, body: payload }));
}
