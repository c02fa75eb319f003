import type { Database } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import { alipayNotificationFromParams, parseFormBody, verifyAlipayNotification } from '../../providers/alipay/notification.ts';
import type { NotificationSender, ParsedNotification } from '../../providers/notification.ts';
import type { ProviderSettings } from '../../providers/settings.ts';
import { parseSignedEvent, verifySignedEvent, type SignatureHeaders } from '../../providers/signed-events.ts';
import type { Acknowledged, NotificationInbox } from './inbox.ts';
import type { RejectionReason, SignatureRefusal } from './rejections.ts';

/**
 * Notification ingestion, one pipeline for both formats: verify -> inbox -> transition -> outcome.
 *
 * - Nothing unauthenticated is stored: a refused notification is only counted (sender, reason; rejections.ts).
 * - Whatever authenticates is stored raw, even when it then proves unusable (outcome MALFORMED, refused).
 * - The inbox row, the status change (through the transition service's lock + apply) and any anomaly are
 *   written in ONE database transaction, under the transaction's row lock (inbox.ts); the caller acknowledges
 *   only after it committed.
 * - The inbox is unique per (sender, event id): a redelivery changes nothing but the row's delivery count, and
 *   the unique index (not a read) decides, so concurrent duplicates are safe too.
 *
 * The outcomes are the domain's; src/http/routes/notifications.ts answers them with status codes.
 */

export type IngestionDeps = {
  db: Database;
  providers: ProviderSettings;
  logger: Logger;
  inbox: NotificationInbox;
};

/** Why a notification was not taken: not authentic, not in a format we read, or authentic but unusable. */
export type Refusal = 'UNAUTHENTICATED' | 'UNSUPPORTED_MEDIA_TYPE' | 'MALFORMED';

export type IngestionResult =
  | Acknowledged
  | {
      kind: 'refused';
      refusal: Refusal;
      message: string;
      /** Nothing was stored: why, for the refusal counters (RejectionCounter; the caller counts it). */
      rejection: RejectionReason;
    }
  | {
      kind: 'refused';
      refusal: Refusal;
      message: string;
      /** The body authenticated and was kept (outcome MALFORMED), as this notification id. */
      storedAs: string;
    };

export type SignedEventRequest = { contentType: string | undefined; headers: SignatureHeaders; rawBody: Buffer };
export type AlipayRequest = { contentType: string | undefined; rawBody: Buffer };

export async function ingestSignedEvent(deps: IngestionDeps, request: SignedEventRequest): Promise<IngestionResult> {
  const verified = verifySignedEvent(deps.providers.eventKeys, request.headers, request.rawBody);
  if (!verified.ok) {
    const { keyId, timestamp, signature } = request.headers;
    const missing = !keyId || !timestamp || !signature;
    const reason: SignatureRefusal = verified.reason === 'MALFORMED' ? (missing ? 'MISSING_SIGNATURE' : 'MALFORMED_SIGNATURE') : verified.reason;
    return refuse('UNAUTHENTICATED', reason, SIGNED_EVENT_REFUSALS[reason]);
  }
  // Authentic from here on: whatever is wrong with the body, the body is kept.
  if (!hasMediaType(request.contentType, 'application/json')) {
    return keepMalformed(deps, 'SIGNED_EVENT', request, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json (UTF-8)');
  }
  return ingestParsed(deps, 'SIGNED_EVENT', request, parseSignedEvent(request.rawBody));
}

export async function ingestAlipayNotification(deps: IngestionDeps, request: AlipayRequest): Promise<IngestionResult> {
  // Alipay signs the decoded form fields, so nothing can be verified before the body is read as a form.
  if (!hasMediaType(request.contentType, 'application/x-www-form-urlencoded')) {
    return refuse('UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_CONTENT_TYPE', 'Content-Type must be application/x-www-form-urlencoded (UTF-8)');
  }
  const form = parseFormBody(request.rawBody);
  if (!form.ok) return refuse('MALFORMED', 'MALFORMED_BODY', form.error);
  if (!form.params['sign']) return refuse('UNAUTHENTICATED', 'MISSING_SIGNATURE', 'missing sign: Alipay notifications are RSA2-signed');
  if (!verifyAlipayNotification(form.params, deps.providers.alipay.publicKeys)) {
    return refuse('UNAUTHENTICATED', 'BAD_SIGNATURE', 'sign does not verify with the Alipay public key (sign_type must be RSA2)');
  }
  return ingestParsed(deps, 'ALIPAY', request, alipayNotificationFromParams(form.params));
}

const SIGNED_EVENT_REFUSALS: Record<SignatureRefusal, string> = {
  MISSING_SIGNATURE: 'missing X-Key-Id, X-Timestamp or X-Signature',
  MALFORMED_SIGNATURE: 'X-Timestamp must be unix seconds and X-Signature standard base64',
  UNKNOWN_KEY: 'unknown X-Key-Id',
  BAD_SIGNATURE: 'X-Signature does not match the body',
  STALE_TIMESTAMP: 'X-Timestamp is more than 5 minutes away from now (replay or clock skew)',
};

/** `type/subtype`, optionally with `charset=utf-8` (any other charset is refused: signatures are over UTF-8). */
function hasMediaType(contentType: string | undefined, expected: string): boolean {
  if (contentType === undefined) return false;
  const [mediaType = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== expected) return false;
  return parameters.every((parameter) => !parameter.startsWith('charset=') || /^charset="?utf-8"?$/.test(parameter));
}

function refuse(refusal: Refusal, rejection: RejectionReason, message: string): IngestionResult {
  return { kind: 'refused', refusal, message, rejection };
}

async function ingestParsed(
  deps: IngestionDeps,
  sender: NotificationSender,
  request: { contentType: string | undefined; rawBody: Buffer },
  parsed: ParsedNotification,
): Promise<IngestionResult> {
  if (!parsed.ok) return keepMalformed(deps, sender, request, 'MALFORMED', parsed.error);
  const result = await deps.inbox.ingest(parsed.notification, { contentType: request.contentType ?? '', rawBody: request.rawBody });
  if (result.outcome === 'ANOMALY' && !result.duplicate) {
    deps.logger.warn({ sender, notificationId: result.notificationId, anomalyId: result.anomalyId }, 'notification recorded an anomaly');
  }
  return result;
}

/** An authentic but unusable body: kept for inspection (never applied, never a duplicate of anything). */
async function keepMalformed(
  deps: IngestionDeps,
  sender: NotificationSender,
  request: { contentType: string | undefined; rawBody: Buffer },
  refusal: Refusal,
  message: string,
): Promise<IngestionResult> {
  const row = await deps.db.prisma.notification.create({
    data: {
      sender,
      externalId: null,
      contentType: (request.contentType ?? '').slice(0, 255),
      rawBody: new Uint8Array(request.rawBody),
      outcome: 'MALFORMED',
      // The message may quote the sender's input; PostgreSQL text cannot hold NUL.
      detail: message.replaceAll('\u0000', '\\u0000'),
    },
    select: { id: true },
  });
  deps.logger.warn({ sender, notificationId: row.id, detail: message }, 'authentic notification kept as MALFORMED');
  return { kind: 'refused', refusal, message, storedAs: row.id };
}
