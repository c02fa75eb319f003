import { z } from 'zod';
import { API_KEY_MAX_LENGTH, isPresentableApiKey } from './domain/api-keys.ts';
import { isKnownCurrency } from './domain/money.ts';
import { parseDuration } from './domain/webhooks.ts';

/**
 * Environment -> one typed, validated configuration. Every problem is reported as one line naming the
 * variable, so a misconfigured deployment fails at start rather than on the first request.
 */

/** A whole number in [min, max], with one message that says so whatever is wrong with it. */
const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const message = max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
};
const port = integer(0, 65535);
const positiveInt = integer(1);
const nonNegativeInt = integer(0);
const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

const postgresUrl = optionalString.refine(
  (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
  'must be a postgresql:// URL',
);

const notificationKeys = optionalString.transform((value, ctx) => {
  const keys = new Map<string, string>();
  if (value === undefined) return keys;
  for (const entry of value.split(',')) {
    const separator = entry.indexOf(':');
    const keyId = entry.slice(0, separator).trim();
    const secret = entry.slice(separator + 1).trim();
    if (separator <= 0 || keyId === '' || secret.length < 16) {
      ctx.addIssue({ code: 'custom', message: 'expected keyId:secret[,keyId:secret...] with secrets of at least 16 characters' });
      return keys;
    }
    keys.set(keyId, secret);
  }
  return keys;
});

/** `https://shop.example,https://admin.example:8443`: exact origins (scheme, host, port; no path, no wildcard). */
const origins = optionalString.transform((value, ctx) => {
  const list: string[] = [];
  for (const entry of value === undefined ? [] : value.split(',')) {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      ctx.addIssue({ code: 'custom', message: `expected origins such as https://shop.example[,https://other.example:8443] (scheme://host[:port], nothing after); got ${JSON.stringify(origin.slice(0, 80))}` });
      return list;
    }
    list.push(origin);
  }
  return list;
});

const pem = (kind: 'PUBLIC' | 'PRIVATE') =>
  optionalString
    .transform((value) => value?.replace(/\\n/g, '\n'))
    .refine((value) => value === undefined || value.includes(`-----BEGIN ${kind} KEY-----`) || value.includes('-----BEGIN RSA'), `must be a PEM ${kind.toLowerCase()} key`);

/** `EUR:7.8123,USD:7.2` -> currency -> CNY per unit, as exact decimal strings (never parsed into floats). */
const cnyRates = optionalString.transform((value, ctx) => {
  const rates = new Map<string, string>();
  if (value === undefined) return rates;
  for (const entry of value.split(',')) {
    const [currency = '', rate = ''] = entry.split(':').map((part) => part.trim());
    if (!isKnownCurrency(currency) || !/^[0-9]{1,6}(\.[0-9]{1,10})?$/.test(rate) || /^[0.]+$/.test(rate)) {
      ctx.addIssue({ code: 'custom', message: 'expected CUR:rate[,CUR:rate...] with ISO 4217 codes and positive decimal rates, e.g. EUR:7.81' });
      return rates;
    }
    rates.set(currency, rate);
  }
  return rates;
});

/** Longer than any merchant key's minimum: the ADMIN key is typed by operators, and guessing it opens everything. */
const ADMIN_API_KEY_MIN_LENGTH = 24;

/** `500ms`, `5s`, `30m`, `2h`, `5d` -> milliseconds. */
const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 5s, 30m, 2h or 5d' });
  return ms ?? 0;
});

/** `5s,5m,30m`: the delays between a webhook's attempts. */
const durations = z.string().transform((value, ctx) => {
  const list = value.split(',').map((entry) => parseDuration(entry));
  if (list.length > 30 || list.some((ms) => ms === undefined || ms <= 0)) {
    ctx.addIssue({ code: 'custom', message: 'must be 1 to 30 comma-separated durations such as 5s,5m,30m,2h' });
    return [];
  }
  return list.filter((ms) => ms !== undefined);
});

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: integer(1, 200).default(10),
  DATA_DIR: z.string().min(1).default('.data'),
  REDIS_URL: optionalString.refine((value) => value === undefined || /^rediss?:\/\//.test(value), 'must be a redis:// URL'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_.-]{0,64}$/, 'must be up to 64 characters of A-Z a-z 0-9 : _ . -')
    .default('paystream:'),
  EVENTS_LISTEN: z.enum(['true', 'false']).default('true'),
  EVENTS_POLL_INTERVAL_MS: positiveInt.min(10).max(600_000).default(1_000),
  SUBSCRIPTION_BUFFER_LIMIT: positiveInt.max(100_000).default(1_000),
  SUBSCRIPTION_KEEPALIVE_MS: z.coerce.number().int().min(0).max(600_000).default(12_000),
  // Refused at start when no Authorization header could ever carry it (it would be registered, yet never work).
  ADMIN_API_KEY: optionalString.refine(
    (value) => value === undefined || isPresentableApiKey(value, ADMIN_API_KEY_MIN_LENGTH),
    `must be ${ADMIN_API_KEY_MIN_LENGTH} to ${API_KEY_MAX_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / = (no spaces: it is sent as Authorization: Bearer <key>)`,
  ),
  NOTIFICATION_KEYS: notificationKeys,
  ALIPAY_PUBLIC_KEY: pem('PUBLIC'),
  ALIPAY_PRIVATE_KEY: pem('PRIVATE'),
  ALIPAY_PARTNER_ID: optionalString,
  ALIPAY_GATEWAY_URL: optionalString.refine((value) => value === undefined || URL.canParse(value), 'must be an absolute URL'),
  SANDBOX_CNY_RATES: cnyRates,
  SANDBOX_REDELIVERY_RATE: z.coerce.number().min(0).max(1).default(0.25),
  // The sandbox confirms payments no one made: with NODE_ENV=production it runs only when this says so.
  SANDBOX_IN_PRODUCTION: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  PUBLIC_BASE_URL: optionalString.refine((value) => value === undefined || URL.canParse(value), 'must be an absolute URL'),
  MAX_TRANSACTION_AMOUNT: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal number in major units, e.g. 1000000')
    .default('1000000'),
  IDEMPOTENCY_TTL_HOURS: positiveInt.default(24),
  ALIPAY_TRADE_TIMEOUT_MINUTES: positiveInt.max(60 * 24 * 30).default(720),
  EXPIRY_INTERVAL_SECONDS: nonNegativeInt.max(86_400).default(60),
  REFUND_CALL_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  REFUND_RECHECK_AFTER_SECONDS: integer(1, 30 * 86_400).default(3_600),
  REFUND_RECHECK_LIMIT: integer(0, 1_000).default(5),
  REFUND_RUNNER_INTERVAL_MS: integer(0, 600_000).default(1_000),
  SANDBOX_REFUND_LATE_MS: integer(0, 600_000).default(5_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // GraphQL limits (src/http/plugins). Defaults leave every operation in src/client/operations.ts inside (deepest:
  // 5 levels, longest: ~100 tokens; costliest at a full page of 100: Anomalies ~22,800, Transactions ~11,000).
  GRAPHQL_MAX_DEPTH: integer(1, 100).default(8),
  GRAPHQL_MAX_COST: positiveInt.default(30_000),
  GRAPHQL_MAX_ALIASES: nonNegativeInt.default(15),
  GRAPHQL_MAX_DIRECTIVES: nonNegativeInt.default(20),
  GRAPHQL_MAX_TOKENS: positiveInt.default(1_000),
  GRAPHQL_MAX_PAGE_SIZE: integer(1, 1_000).default(100),
  // Largest list of ids `nodes(ids:)` takes in one call.
  GRAPHQL_MAX_NODE_IDS: integer(1, 1_000).default(100),
  // Browser origins answered with CORS headers on /graphql; unset: none (GraphiQL is same-origin).
  CORS_ORIGINS: origins,
  // Refused notifications (bad signature, unreadable body) per client address and window, across instances when
  // REDIS_URL is set; past it that address's refusals are answered 429. 0 turns it off. Refusal counts
  // (notificationStats) are kept in memory and written every NOTIFICATION_REFUSAL_FLUSH_SECONDS and at shutdown.
  NOTIFICATION_REFUSALS_PER_ADDRESS: nonNegativeInt.default(100),
  NOTIFICATION_REFUSAL_WINDOW_SECONDS: integer(1, 86_400).default(60),
  NOTIFICATION_REFUSAL_FLUSH_SECONDS: integer(1, 86_400).default(5),
  // Per API key, across instances when REDIS_URL is set. RATE_LIMIT_REQUESTS=0 turns it off.
  // 6,000 a minute (100 a second, the order of the big PSPs' defaults): a busy merchant backend is fine, a runaway loop is not.
  RATE_LIMIT_REQUESTS: nonNegativeInt.default(6000),
  RATE_LIMIT_WINDOW_SECONDS: integer(1, 86_400).default(60),
  METRICS_TOKEN: optionalString.refine((value) => value === undefined || value.length >= 16, 'must be at least 16 characters'),
  SHUTDOWN_TIMEOUT_SECONDS: integer(1, 600).default(10),
  // Outgoing webhooks (src/services/webhooks/, docs/WEBHOOKS.md).
  WEBHOOK_SENDER_INTERVAL_MS: integer(0, 600_000).default(1_000),
  WEBHOOK_TIMEOUT_MS: integer(100, 60_000).default(15_000),
  WEBHOOK_RETRY_SCHEDULE: durations.prefault(['5s', '5m', '30m', '2h', '5h', '10h', '14h', '20h', '24h'].join(',')),
  WEBHOOK_DISABLE_AFTER: duration.prefault('5d'),
  WEBHOOK_ALLOW_LOCAL_RECEIVERS: z.enum(['true', 'false']).default('false'),
}).superRefine((env, ctx) => {
  // Local receivers (http://, loopback) are for development and tests: never a production server's own network.
  if (env.NODE_ENV === 'production' && env.WEBHOOK_ALLOW_LOCAL_RECEIVERS === 'true') {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_ALLOW_LOCAL_RECEIVERS'], message: 'must not be true in production' });
  }
  if (env.ALIPAY_GATEWAY_URL === undefined) {
    // Without a gateway the built-in sandbox plays Alipay: anyone can "pay" on its page. Production must say so.
    if (env.NODE_ENV === 'production' && env.SANDBOX_IN_PRODUCTION !== 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['ALIPAY_GATEWAY_URL'],
        message: 'must be set when NODE_ENV=production: without it the built-in sandbox is the gateway and confirms payments no one made (set SANDBOX_IN_PRODUCTION=true to run the sandbox in production anyway)',
      });
    }
    return;
  }
  // A real gateway needs both halves: our key to sign redirects, Alipay's to verify what it sends us. Without
  // them every redirect would be refused and every notification answered 401, so refuse to start instead.
  for (const variable of ['ALIPAY_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY'] as const) {
    if (env[variable] === undefined) {
      ctx.addIssue({ code: 'custom', path: [variable], message: 'is required when ALIPAY_GATEWAY_URL is set' });
    }
  }
});

export type Config = Readonly<{
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  redisUrl: string | undefined;
  /** Live events: how each instance learns that the event log moved (src/events). */
  events: Readonly<{
    /** LISTEN for commits on a dedicated PostgreSQL session; off behind poolers that cannot LISTEN. */
    listen: boolean;
    /** Fallback tail of the log, so a lost wake-up only delays delivery. */
    pollIntervalMs: number;
  }>;
  subscriptions: Readonly<{
    /** Events queued for one subscriber that is not reading; past it, the subscriber is disconnected. */
    bufferLimit: number;
    /** WebSocket ping interval; a peer that does not answer within it is dropped. 0 disables. */
    keepAliveMs: number;
  }>;
  adminApiKey: string | undefined;
  notificationKeys: ReadonlyMap<string, string>;
  alipay: Readonly<{
    publicKeyPem: string | undefined;
    privateKeyPem: string | undefined;
    partnerId: string;
    gatewayUrl: string | undefined;
  }>;
  /** The built-in Alipay sandbox (the gateway when ALIPAY_GATEWAY_URL is unset). */
  sandbox: Readonly<{
    /** Demo conversion rates shown to the consumer (CNY per unit), overriding the built-in table. */
    cnyRates: ReadonlyMap<string, string>;
    /** Share of notifications the sandbox delivers twice, as Alipay sometimes does. */
    redeliveryRate: number;
    /** How late the sandbox notifies a refund whose chosen outcome is "success notified late and twice". */
    refundLateMs: number;
  }>;
  /** Where consumers and Alipay reach us; defaults to http://HOST:PORT. */
  publicBaseUrl: string | undefined;
  /** Upper bound for one transaction, in major units of any currency (a sanity limit, not a risk rule). */
  maxTransactionAmount: string;
  idempotencyTtlHours: number;
  expiry: Readonly<{
    /** Alipay closes unpaid trades after this long (its default: 12 hours); older REDIRECTED ones are expired. */
    tradeTimeoutMinutes: number;
    /** How often each instance tries to run expiry (one instance at a time actually runs); 0 disables it. */
    intervalSeconds: number;
  }>;
  /** Refunds through Alipay's forex_refund (src/services/refund-runner.ts). */
  refunds: Readonly<{
    /** One call's time limit; a call that runs out is retried with the same out_return_no. */
    callTimeoutMs: number;
    /** A refund Alipay accepted but has not notified as succeeded is asked about again after this long, and again. */
    recheckAfterSeconds: number;
    /** After this many such checks it is stuck: listed for ADMIN (stuckRefunds), no longer asked about. */
    recheckLimit: number;
    /** How often each instance looks for refunds due for a call; 0: this instance makes none. */
    runnerIntervalMs: number;
  }>;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  graphqlLimits: Readonly<{
    maxDepth: number;
    maxCost: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    /** Largest `first`/`last` a connection accepts; more is refused with a clear error, not clamped. */
    maxPageSize: number;
    /** Largest number of ids `nodes(ids:)` accepts. */
    maxNodeIds: number;
  }>;
  /** Origins whose browser pages may call /graphql (CORS); empty: no CORS headers for anyone. */
  corsOrigins: readonly string[];
  /** Requests per API key per window; `requests: 0` means no limit. */
  rateLimit: Readonly<{ requests: number; windowSeconds: number }>;
  notificationRefusals: Readonly<{
    /** Refused notifications per client address per window before its refusals are answered 429; 0: no limit. */
    requests: number;
    windowSeconds: number;
    /** How often the refusal counts kept in memory are written to the database. */
    flushSeconds: number;
  }>;
  /** Prefix of every Redis key this instance writes (tests and shared Redis servers isolate by it). */
  redisKeyPrefix: string;
  /** Bearer token for GET /metrics; unset: /metrics answers loopback clients only. */
  metricsToken: string | undefined;
  /** Upper bound for a graceful shutdown (drain in-flight requests, close subscriptions and the database). */
  shutdownTimeoutSeconds: number;
  /** Outgoing webhooks (src/services/webhooks/). */
  webhooks: Readonly<{
    /** How often each instance looks for due deliveries (it is also woken by commits); 0: this instance sends none. */
    senderIntervalMs: number;
    /** One attempt's limit: a 2xx must arrive within it. */
    timeoutMs: number;
    /** The delays after each failed attempt; once used up, the delivery has failed. */
    retryScheduleMs: readonly number[];
    /** An endpoint whose every attempt failed for this long is disabled. */
    disableAfterMs: number;
    /** http:// URLs and loopback addresses (local development and tests; refused in production). */
    allowLocalReceivers: boolean;
  }>;
}>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`invalid configuration: ${variable} ${issue?.message ?? 'is invalid'}`);
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    redisUrl: e.REDIS_URL,
    events: {
      listen: e.EVENTS_LISTEN === 'true',
      pollIntervalMs: e.EVENTS_POLL_INTERVAL_MS,
    },
    subscriptions: {
      bufferLimit: e.SUBSCRIPTION_BUFFER_LIMIT,
      keepAliveMs: e.SUBSCRIPTION_KEEPALIVE_MS,
    },
    adminApiKey: e.ADMIN_API_KEY,
    notificationKeys: e.NOTIFICATION_KEYS,
    alipay: {
      publicKeyPem: e.ALIPAY_PUBLIC_KEY,
      privateKeyPem: e.ALIPAY_PRIVATE_KEY,
      partnerId: e.ALIPAY_PARTNER_ID ?? '2088000000000000',
      gatewayUrl: e.ALIPAY_GATEWAY_URL,
    },
    sandbox: { cnyRates: e.SANDBOX_CNY_RATES, redeliveryRate: e.SANDBOX_REDELIVERY_RATE, refundLateMs: e.SANDBOX_REFUND_LATE_MS },
    publicBaseUrl: e.PUBLIC_BASE_URL,
    maxTransactionAmount: e.MAX_TRANSACTION_AMOUNT,
    idempotencyTtlHours: e.IDEMPOTENCY_TTL_HOURS,
    expiry: { tradeTimeoutMinutes: e.ALIPAY_TRADE_TIMEOUT_MINUTES, intervalSeconds: e.EXPIRY_INTERVAL_SECONDS },
    refunds: {
      callTimeoutMs: e.REFUND_CALL_TIMEOUT_MS,
      recheckAfterSeconds: e.REFUND_RECHECK_AFTER_SECONDS,
      recheckLimit: e.REFUND_RECHECK_LIMIT,
      runnerIntervalMs: e.REFUND_RUNNER_INTERVAL_MS,
    },
    logLevel: e.LOG_LEVEL,
    graphqlLimits: {
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxCost: e.GRAPHQL_MAX_COST,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxDirectives: e.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
      maxPageSize: e.GRAPHQL_MAX_PAGE_SIZE,
      maxNodeIds: e.GRAPHQL_MAX_NODE_IDS,
    },
    corsOrigins: e.CORS_ORIGINS,
    rateLimit: { requests: e.RATE_LIMIT_REQUESTS, windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS },
    notificationRefusals: {
      requests: e.NOTIFICATION_REFUSALS_PER_ADDRESS,
      windowSeconds: e.NOTIFICATION_REFUSAL_WINDOW_SECONDS,
      flushSeconds: e.NOTIFICATION_REFUSAL_FLUSH_SECONDS,
    },
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    metricsToken: e.METRICS_TOKEN,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    webhooks: {
      senderIntervalMs: e.WEBHOOK_SENDER_INTERVAL_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE,
      disableAfterMs: e.WEBHOOK_DISABLE_AFTER,
      allowLocalReceivers: e.WEBHOOK_ALLOW_LOCAL_RECEIVERS === 'true',
    },
  };
}
