import type { IncomingMessage, ServerResponse } from 'node:http';
import { isDatabaseUnavailable } from '../../db/errors.ts';
import type { Logger } from '../../logger.ts';
import { ALIPAY_NOTIFY_PATH, SIGNED_EVENTS_PATH } from '../../providers/settings.ts';
import { InboxOverloadedError, NotificationInbox, type Acknowledged } from '../../services/notifications/inbox.ts';
import {
  ingestAlipayNotification,
  ingestSignedEvent,
  type IngestionDeps,
  type IngestionResult,
  type Refusal,
} from '../../services/notifications/ingest.ts';
import type { RejectionReason } from '../../services/notifications/rejections.ts';
import { HttpError, readBody, sendJson, sendText } from '../body.ts';
import type { Route, RouteDeps, RouteHandler } from '../types.ts';

/**
 * The two ingestion endpoints. No API key: the signature is the authentication. Acknowledged (200, `success`
 * for Alipay) only after the notification and its effect committed; 503 with Retry-After when the database
 * cannot be reached, so the sender retries and nothing acknowledged is ever lost.
 */

export const RETRY_AFTER_SECONDS = 5;
const VERIFICATION_VALUE = /^[\x21-\x7e]{1,256}$/;

type Reply = {
  ok(response: ServerResponse, result: Acknowledged): void;
  error(response: ServerResponse, status: number, message: string, headers?: Record<string, string>): void;
};

// Alipay resends until the body is exactly `success`; anything else (our refusals included) reads as "retry".
const alipayReply: Reply = {
  ok: (response) => sendText(response, 200, 'success'),
  error: (response, status, message, headers) => sendText(response, status, message, headers),
};

const signedEventReply: Reply = {
  ok: (response, result) =>
    sendJson(response, 200, {
      received: true,
      notificationId: result.notificationId,
      outcome: result.outcome,
      duplicate: result.duplicate,
    }),
  error: (response, status, message, headers) => sendJson(response, status, { received: false, error: message }, headers),
};

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const REFUSAL_STATUS: Record<Refusal, 400 | 401 | 415> = { UNAUTHENTICATED: 401, UNSUPPORTED_MEDIA_TYPE: 415, MALFORMED: 400 };

/** The `endpoint` label of the notification metrics. */
export function endpointLabel(sender: 'ALIPAY' | 'SIGNED_EVENT'): 'alipay' | 'events' {
  return sender === 'ALIPAY' ? 'alipay' : 'events';
}

export function notificationRoutes(routeDeps: RouteDeps): Route[] {
  const { metrics, rejections, refusalLimiter } = routeDeps;
  const inbox = new NotificationInbox({ db: routeDeps.db, logger: routeDeps.logger });
  const deps = (log: Logger): IngestionDeps => ({ db: routeDeps.db, logger: log, providers: routeDeps.providers(), inbox });
  const routes: Route[] = [];
  const add = (method: string, path: string, handler: RouteHandler) => void routes.push({ method, path, handler });

  const endpoint =
    (sender: 'ALIPAY' | 'SIGNED_EVENT', reply: Reply, ingest: (deps: IngestionDeps, request: IncomingMessage, rawBody: Buffer) => Promise<IngestionResult>): RouteHandler =>
    async (request, response, _url, log) => {
      const current = deps(log);
      const label = endpointLabel(sender);
      const stopTimer = metrics.notificationDuration.startTimer({ endpoint: label });
      // Every answer is counted and timed, once: refusals and 503s included.
      const answered = (outcome: string) => {
        metrics.notifications.inc({ endpoint: label, outcome });
        stopTimer();
      };
      /**
       * Something unauthenticated refused: counted (in memory, see RejectionCounter) and answered, unless the
       * client's address has spent its refusal budget: then 429 with Retry-After, and no log line of its own.
       */
      const refuse = async (reason: RejectionReason, status: number, message: string, outcome: string, headers: Record<string, string> = {}) => {
        rejections.count(sender, reason);
        const decision = await refusalLimiter.consume(request.socket.remoteAddress ?? 'unknown');
        if (!decision.allowed) {
          const retryAfter = String(decision.retryAfterSeconds);
          reply.error(response, 429, `too many refused notifications from this address: retry in ${retryAfter} s`, { ...headers, 'retry-after': retryAfter });
          answered('throttled');
          return;
        }
        log.warn({ sender, reason }, 'notification refused');
        reply.error(response, status, message, headers);
        answered(outcome);
      };
      let rawBody: Buffer;
      try {
        rawBody = await readBody(request);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        await refuse('BODY_TOO_LARGE', error.status, error.message, 'malformed', { connection: 'close' });
        return;
      }
      let result: IngestionResult;
      try {
        result = await ingest(current, request, rawBody);
      } catch (error) {
        const overloaded = error instanceof InboxOverloadedError;
        if (!overloaded && !isDatabaseUnavailable(error)) throw error;
        current.logger.error({ err: error, sender }, 'notification not accepted');
        const reason = overloaded ? 'overloaded' : 'database unavailable';
        reply.error(response, 503, `${reason}: nothing was recorded, retry later`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
        answered('unavailable');
        return;
      }
      if (result.kind === 'acknowledged') {
        reply.ok(response, result);
        answered(result.duplicate ? 'duplicate' : result.outcome.toLowerCase());
        return;
      }
      const outcome = result.refusal === 'UNAUTHENTICATED' ? 'unauthenticated' : 'malformed';
      if ('rejection' in result) {
        await refuse(result.rejection, REFUSAL_STATUS[result.refusal], result.message, outcome);
      } else {
        reply.error(response, REFUSAL_STATUS[result.refusal], result.message);
        answered(outcome);
      }
    };

  add(
    'POST',
    SIGNED_EVENTS_PATH,
    endpoint('SIGNED_EVENT', signedEventReply, (current, request, rawBody) =>
      ingestSignedEvent(current, {
        contentType: request.headers['content-type'],
        headers: {
          keyId: singleHeader(request, 'x-key-id'),
          timestamp: singleHeader(request, 'x-timestamp'),
          signature: singleHeader(request, 'x-signature'),
        },
        rawBody,
      }),
    ),
  );

  // Endpoint ownership check, as PSPs do when a webhook URL is registered: echo the challenge.
  add('GET', SIGNED_EVENTS_PATH, async (request, response) => {
    const challenge = singleHeader(request, 'x-endpoint-verification');
    if (challenge === undefined || !VERIFICATION_VALUE.test(challenge)) {
      sendText(response, 400, 'send X-Endpoint-Verification: <1 to 256 visible ASCII characters>; it is echoed back');
      return;
    }
    sendText(response, 200, challenge, { 'x-content-type-options': 'nosniff' });
  });

  add(
    'POST',
    ALIPAY_NOTIFY_PATH,
    endpoint('ALIPAY', alipayReply, (current, request, rawBody) =>
      ingestAlipayNotification(current, { contentType: request.headers['content-type'], rawBody }),
    ),
  );

  return routes;
}
