// Signature schemes: inbound notifications (our own HMAC-signed events and Alipay's RSA2), our signed redirects,
// and the tickets in the return links we hand Alipay.
import { createHash, createHmac, generateKeyPairSync, hkdfSync, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

// ---------------------------------------------------------------------------------------------
// Provider-neutral signed events: X-Signature = base64(HMAC-SHA256(secret, `${timestamp}.${rawBody}`))
// ---------------------------------------------------------------------------------------------

export const DEFAULT_TOLERANCE_SECONDS = 300;

function eventMac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  // Fed in two parts so a Buffer body is signed byte for byte, never re-decoded as text.
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export function signEvent(secret: string, timestamp: number, rawBody: string | Buffer): string {
  // A fractional or negative timestamp would produce signatures that verifyEvent can never accept.
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`timestamp must be a non-negative integer of unix seconds, got ${timestamp}`);
  }
  return eventMac(secret, String(timestamp), rawBody).toString('base64');
}

export type VerifyEventFailure = 'UNKNOWN_KEY' | 'MALFORMED' | 'STALE_TIMESTAMP' | 'BAD_SIGNATURE';
export type VerifyEventResult = { ok: true } | { ok: false; reason: VerifyEventFailure };

export interface VerifyEventInput {
  /** keyId -> shared secret. Several entries during rotation. */
  keys: ReadonlyMap<string, string>;
  /** Header values are passed as received; a missing header is MALFORMED. */
  keyId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string | Buffer;
  now: Date;
  toleranceSeconds?: number;
}

const UNIX_SECONDS = /^[0-9]{1,12}$/;
// Standard (not URL-safe) base64 with correct padding; anything else is a client bug worth naming.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isBase64(s: string): boolean {
  return s.length > 0 && BASE64.test(s);
}

// Hashing both sides first gives equal-length inputs to timingSafeEqual, so a wrong-length signature
// neither throws nor returns early in a way whose timing reveals the expected length.
/** Compares two secrets (signatures, tokens) in time independent of where they differ. */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Checks run in this order: header shape (MALFORMED), key lookup (UNKNOWN_KEY), signature
 * (BAD_SIGNATURE), then freshness (STALE_TIMESTAMP). The signature is checked before freshness so
 * STALE_TIMESTAMP always means "authentic but replayed or clock-skewed", which is the useful
 * distinction when reading logs. Timestamps too far in the future are refused as well: a sender with
 * a fast clock could otherwise mint signatures that stay valid past the window.
 */
export function verifyEvent(input: VerifyEventInput): VerifyEventResult {
  const { keys, keyId, timestamp, signature, rawBody, now } = input;
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;

  if (keyId === undefined || keyId === '') return { ok: false, reason: 'MALFORMED' };
  if (timestamp === undefined || !UNIX_SECONDS.test(timestamp)) return { ok: false, reason: 'MALFORMED' };
  if (signature === undefined || !isBase64(signature)) return { ok: false, reason: 'MALFORMED' };

  const secret = keys.get(keyId);
  if (secret === undefined) return { ok: false, reason: 'UNKNOWN_KEY' };

  const expected = eventMac(secret, timestamp, rawBody);
  if (!constantTimeEqual(expected, Buffer.from(signature, 'base64'))) return { ok: false, reason: 'BAD_SIGNATURE' };

  const nowSeconds = Math.floor(now.getTime() / 1000);
  const skew = Math.abs(nowSeconds - Number(timestamp));
  // Written so that NaN (invalid Date or tolerance) fails closed instead of passing.
  if (!(skew <= tolerance)) return { ok: false, reason: 'STALE_TIMESTAMP' };

  return { ok: true };
}

// ---------------------------------------------------------------------------------------------
// Alipay RSA2 (SHA256withRSA) over the sorted `k=v&k=v` string
// ---------------------------------------------------------------------------------------------

// Plain UTF-16 code-unit order, which is ASCII order for Alipay's ASCII keys. localeCompare would put
// 'a' before 'B' and break signatures.
function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Alipay's content-to-sign: without `sign`/`sign_type`, without empty values, keys in ASCII order. */
export function alipaySigningString(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'sign' && k !== 'sign_type')
    .filter((k) => {
      const v = params[k];
      return v !== undefined && v !== '';
    })
    .sort(byCodeUnit)
    .map((k) => `${k}=${params[k] ?? ''}`)
    .join('&');
}

/**
 * Returns the base64 SHA256withRSA signature; the caller puts it in `sign` and sets `sign_type=RSA2`.
 * Keys may be PEM text or, for hot paths, a KeyObject parsed once (parsing PEM costs more than signing).
 */
export function signAlipay(params: Record<string, string>, privateKey: string | KeyObject): string {
  return sign('sha256', Buffer.from(alipaySigningString(params), 'utf8'), privateKey).toString('base64');
}

/**
 * signAlipay on libuv's thread pool: the same signature, without holding the event loop for the RSA operation
 * (about half a millisecond: the largest single cost of a createTransaction, bench:create).
 */
export function signAlipayOffThread(params: Record<string, string>, privateKey: KeyObject): Promise<string> {
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(alipaySigningString(params), 'utf8'), privateKey, (error, signature) => {
      if (error) reject(error);
      else resolve(signature.toString('base64'));
    });
  });
}

/**
 * Verifies `params.sign`. Never throws: a notification with a malformed signature or a misconfigured
 * key must be answered "not verified", not crash the ingestion endpoint.
 * A `sign_type` other than RSA2 is refused: it is not covered by the signature, so trusting it to pick
 * a weaker algorithm would let anyone downgrade.
 */
export function verifyAlipay(params: Record<string, string>, publicKey: string | KeyObject): boolean {
  const signature = params['sign'];
  if (signature === undefined || !isBase64(signature)) return false;
  const signType = params['sign_type'];
  if (signType !== undefined && signType !== 'RSA2') return false;
  try {
    return verify(
      'sha256',
      Buffer.from(alipaySigningString(params), 'utf8'),
      publicKey,
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Return tickets: the last path segment of a Paystream-hosted return link, `<transaction uuid>.<mac>`
// ---------------------------------------------------------------------------------------------

const RETURN_TICKET_LABEL = 'paystream.return.v1';
const RETURN_TICKET = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;

/**
 * The return-link key, derived (HKDF) from the key that signs our redirects: every instance that can sign a
 * redirect can check the links in it, with no further setting, and the label keeps the two uses apart.
 */
export function deriveReturnTicketKey(redirectSigningKey: KeyObject): Buffer {
  const material = redirectSigningKey.export({ type: 'pkcs8', format: 'der' });
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), RETURN_TICKET_LABEL, 32));
}

function returnTicketMac(key: Buffer, transactionId: string): Buffer {
  return createHmac('sha256', key).update(`${RETURN_TICKET_LABEL}:${transactionId}`).digest();
}

/**
 * `<uuid>.<base64url HMAC-SHA256 of the uuid>`: only characters that need no escaping in a URL path and
 * neither `&` nor `=`, so the link is safe inside Alipay's signed `k=v&k=v` string.
 */
export function signReturnTicket(key: Buffer, transactionId: string): string {
  const id = transactionId.toLowerCase();
  if (!RETURN_TICKET.test(`${id}.${'A'.repeat(43)}`)) throw new RangeError(`not a transaction uuid: ${transactionId}`);
  return `${id}.${returnTicketMac(key, id).toString('base64url')}`;
}

/** The transaction a ticket was issued for, or undefined when it is not one of ours (shape or MAC). */
export function verifyReturnTicket(key: Buffer, ticket: string): string | undefined {
  const match = RETURN_TICKET.exec(ticket);
  const [, id, mac] = match ?? [];
  if (id === undefined || mac === undefined) return undefined;
  // Compared as text: only the one canonical spelling of the MAC is accepted.
  const expected = returnTicketMac(key, id).toString('base64url');
  return constantTimeEqual(Buffer.from(expected), Buffer.from(mac)) ? id : undefined;
}

/** For the sandbox, which plays Alipay and needs its own key pair. */
export function generateRsaKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}
