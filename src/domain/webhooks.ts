import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import ipaddr from 'ipaddr.js';

/**
 * Outgoing webhooks, the pure parts: secrets and signatures of the Standard Webhooks spec
 * (github.com/standard-webhooks/standard-webhooks), which addresses a webhook may reach, endpoint URLs, and the
 * retry schedule. No I/O: src/services/webhooks/ sends, src/db/sql/webhooks.ts stores.
 */

const SECRET_PREFIX = 'whsec_';
/** 24 random bytes: the spec asks for 24 to 64. */
const SECRET_BYTES = 24;

/** A new signing secret, `whsec_<base64>` as the spec's libraries read it. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

export type SignedMessage = Readonly<{ id: string; timestamp: number; body: string }>;

/**
 * `webhook-signature`: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` with each secret's key, space-separated
 * (several during a secret rotation: a receiver accepts the message if any one verifies). `timestamp` is in
 * whole seconds since the epoch.
 */
export function signWebhook(message: SignedMessage, secrets: readonly string[]): string {
  const content = `${message.id}.${message.timestamp}.${message.body}`;
  return secrets.map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content, 'utf8').digest('base64')}`).join(' ');
}

/** Secrets' keys, decoded and imported once rather than on every signature; past the bound it starts over. */
const secretKeys = new Map<string, KeyObject>();
const SECRET_KEY_CACHE_SIZE = 1024;

function secretKey(secret: string): KeyObject {
  const known = secretKeys.get(secret);
  if (known !== undefined) return known;
  const key = createSecretKey(Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'));
  if (secretKeys.size >= SECRET_KEY_CACHE_SIZE) secretKeys.clear();
  secretKeys.set(secret, key);
  return key;
}

/** The headers of one attempt (`timestamp`: the attempt's time, so a receiver can refuse old replays). */
export type WebhookHeaders = Readonly<{ 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string }>;

export function webhookHeaders(message: SignedMessage, secrets: readonly string[]): WebhookHeaders {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signWebhook(message, secrets),
  };
}

/**
 * Whether a webhook may connect to `address` (an IP literal). Only public unicast addresses: private, loopback,
 * link-local, unique-local, carrier-grade NAT, multicast, reserved and the rest are refused, so an endpoint URL
 * never reaches the server's own network by accident. IPv4-mapped IPv6 is judged as the IPv4 it carries.
 * `allowLoopback` (local development and tests) lets loopback through too.
 */
export function isAllowedAddress(address: string, allowLoopback: boolean): boolean {
  if (!ipaddr.isValid(address)) return false;
  const range = ipaddr.process(address).range();
  return range === 'unicast' || (allowLoopback && range === 'loopback');
}

export const MAX_ENDPOINT_URL_LENGTH = 2048;

export type EndpointUrlCheck = { ok: true; url: URL } | { ok: false; problem: string };

/**
 * An endpoint URL as registered: absolute https (http only with `allowLocal`), no credentials, no fragment, and
 * when the host is an IP literal, an allowed one. Host names are resolved and checked by the caller (at
 * registration) and again at every connection.
 */
export function checkEndpointUrl(raw: string, allowLocal: boolean): EndpointUrlCheck {
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) return { ok: false, problem: `must be at most ${MAX_ENDPOINT_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'must be an absolute URL' };
  }
  if (url.protocol !== 'https:' && !(allowLocal && url.protocol === 'http:')) {
    return { ok: false, problem: allowLocal ? 'must be an http:// or https:// URL' : 'must be an https:// URL' };
  }
  if (url.username !== '' || url.password !== '') return { ok: false, problem: 'must not carry credentials (user:password@)' };
  if (url.hash !== '') return { ok: false, problem: 'must not have a fragment (#...)' };
  const address = ipLiteral(url);
  if (address !== undefined && !isAllowedAddress(address, allowLocal)) {
    return { ok: false, problem: 'must not point to a private, loopback, link-local or reserved address' };
  }
  return { ok: true, url };
}

/** The URL's host when it is an IP literal (IPv6 without its brackets), else undefined. */
export function ipLiteral(url: URL): string | undefined {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return ipaddr.isValid(host) && (host.includes(':') || ipaddr.IPv4.isValidFourPartDecimal(host)) ? host : undefined;
}

/**
 * The delay before the next attempt after `failures` failed ones, or undefined when the schedule is used up (the
 * delivery has failed). ±10% jitter spreads retries of many deliveries that failed together. A `Retry-After` the
 * receiver asked for (429, 503) is honoured when it is longer, up to the schedule's longest step.
 */
export function retryDelayMs(
  failures: number,
  scheduleMs: readonly number[],
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  const step = scheduleMs[failures - 1];
  if (step === undefined) return undefined;
  const jittered = Math.round(step * (0.9 + 0.2 * random()));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, Math.max(...scheduleMs)));
}

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/** What an attempt's HTTP answer means for the delivery. */
export type AttemptVerdict = 'succeeded' | 'retry' | 'gone';

export function judgeStatusCode(statusCode: number | undefined): AttemptVerdict {
  if (statusCode === undefined) return 'retry';
  if (statusCode >= 200 && statusCode < 300) return 'succeeded';
  return statusCode === 410 ? 'gone' : 'retry';
}

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `500ms`, `5s`, `30m`, `2h`, `5d` in milliseconds; undefined when not one of these. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** What a batch of attempts means for one endpoint's failure streak (recorded with the batch). */
export type EndpointStreak = Readonly<{
  endpointId: string;
  /** Null: the streak ended (the last attempt succeeded). */
  failingSince: Date | null;
  /** The batch had no success before its failures: an earlier streak (the endpoint's failing_since) goes on. */
  continuesEarlier: boolean;
  /** Set to disable the endpoint, with this reason (410 Gone, failing for too long), as of `disabledAt`. */
  disableReason: string | null;
  disabledAt: Date;
}>;

/**
 * Folds a batch of attempts, in the order they ended, into each endpoint's streak: a success ends it, the first
 * failure after a success starts a new one, failures with no success before them continue the endpoint's streak.
 * The first disabling reason of the batch disables the endpoint.
 */
export function endpointStreaks(attempts: readonly { endpointId: string; attemptedAt: Date; succeeded: boolean; disableReason: string | null }[]): EndpointStreak[] {
  const streaks = new Map<string, { failingSince: Date | null; continuesEarlier: boolean; disableReason: string | null; disabledAt: Date }>();
  for (const attempt of attempts) {
    const streak = streaks.get(attempt.endpointId);
    if (streak === undefined) {
      streaks.set(attempt.endpointId, {
        failingSince: attempt.succeeded ? null : attempt.attemptedAt,
        continuesEarlier: !attempt.succeeded,
        disableReason: attempt.disableReason,
        disabledAt: attempt.attemptedAt,
      });
      continue;
    }
    if (attempt.succeeded) {
      streak.failingSince = null;
      streak.continuesEarlier = false;
    } else if (streak.failingSince === null) {
      streak.failingSince = attempt.attemptedAt;
    }
    if (streak.disableReason === null && attempt.disableReason !== null) {
      streak.disableReason = attempt.disableReason;
      streak.disabledAt = attempt.attemptedAt;
    }
  }
  return [...streaks].map(([endpointId, streak]) => ({ endpointId, ...streak }));
}
