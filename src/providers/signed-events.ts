import { z } from 'zod';
import { decodeGlobalId } from '../domain/ids.ts';
import { fitsInInt64, parseMoney } from '../domain/money.ts';
import { verifyEvent, type VerifyEventResult } from '../domain/signatures.ts';
import { TRANSACTION_STATUSES } from '../domain/status.ts';
import type { ParsedNotification } from './notification.ts';

/**
 * Provider-neutral signed events (the bank-statement reconciler and other internal senders):
 * a JSON envelope, X-Key-Id / X-Timestamp / X-Signature = base64(HMAC-SHA256(secret, `<timestamp>.<raw body>`)).
 */

export type SignatureHeaders = { keyId: string | undefined; timestamp: string | undefined; signature: string | undefined };

export function verifySignedEvent(keys: ReadonlyMap<string, string>, headers: SignatureHeaders, rawBody: Buffer, now = new Date()): VerifyEventResult {
  return verifyEvent({ keys, ...headers, rawBody, now });
}

const PRINTABLE = /^[^\p{C}]+$/u;
const text = (max: number) => z.string().min(1).max(max).regex(PRINTABLE, 'must be printable text');
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const envelopeSchema = z.object({
  id: text(255),
  type: z.string().regex(/^payment\.[a-z_]{1,32}$/, 'must be payment.<status in lower case>'),
  created: z.string().refine((value) => ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)), 'must be an ISO-8601 date-time'),
  payment: z.object({
    id: text(255),
    status: z.enum(TRANSACTION_STATUSES),
    providerReference: text(128).nullish(),
    amount: z.object({ value: z.string().max(40), currency: z.string().max(8) }).nullish(),
    reason: text(255).nullish(),
  }),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The event's meaning; call only after the signature verified (the body is then authentic, if not valid). */
export function parseSignedEvent(rawBody: Buffer): ParsedNotification {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(rawBody));
  } catch (error) {
    return { ok: false, error: error instanceof SyntaxError ? `body is not JSON: ${error.message}` : 'body is not valid UTF-8' };
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || 'body';
    return { ok: false, error: `${path}: ${issue?.message ?? 'is invalid'}` };
  }
  const event = parsed.data;
  const { payment } = event;
  if (event.type !== `payment.${payment.status.toLowerCase()}`) {
    return { ok: false, error: `type ${event.type} does not match payment.status ${payment.status}` };
  }
  let amount: { minorUnits: bigint; currency: string } | undefined;
  if (payment.amount) {
    const money = parseMoney(payment.amount.value, payment.amount.currency);
    if (!money.ok) return { ok: false, error: `payment.amount: ${money.error}` };
    if (money.minorUnits <= 0n || !fitsInInt64(money.minorUnits)) return { ok: false, error: 'payment.amount is out of range' };
    amount = { minorUnits: money.minorUnits, currency: payment.amount.currency };
  } else if (payment.status === 'CAPTURED' || payment.status === 'PAID') {
    // Money said to have moved is always checked against the transaction, so it must be stated.
    return { ok: false, error: `payment.amount is required for ${event.type}` };
  }
  return {
    ok: true,
    notification: {
      sender: 'SIGNED_EVENT',
      externalId: event.id,
      eventType: event.type,
      transactionReference: payment.id,
      transactionId: decodeGlobalId(payment.id, 'Transaction'),
      target: payment.status,
      // Settlement is funds seen in our bank statement; every other signed event reports what a provider said.
      source: payment.status === 'PAID' ? 'SETTLEMENT' : 'PROVIDER_NOTIFICATION',
      amount,
      providerReference: payment.providerReference ?? null,
      reason: payment.reason ?? null,
    },
  };
}
