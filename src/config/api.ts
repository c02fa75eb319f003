import { z } from 'zod';
import { API_KEY_MAX_LENGTH, isPresentableApiKey } from '../domain/api-keys.ts';
import { integer, nonNegativeInt, notificationKeys, optionalString, positiveInt, type EnvironmentOf } from './parsers.ts';

/** Longer than any merchant key's minimum: the ADMIN key is typed by operators, and guessing it opens everything. */
const ADMIN_API_KEY_MIN_LENGTH = 24;

/** What callers may do: the ADMIN key, notification signing keys, GraphQL limits, rate limits, amounts. */
export const apiEnvironment = {
  // Refused at start when no Authorization header could ever carry it (it would be registered, yet never work).
  ADMIN_API_KEY: optionalString.refine(
    (value) => value === undefined || isPresentableApiKey(value, ADMIN_API_KEY_MIN_LENGTH),
    `must be ${ADMIN_API_KEY_MIN_LENGTH} to ${API_KEY_MAX_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / = (no spaces: it is sent as Authorization: Bearer <key>)`,
  ),
  NOTIFICATION_KEYS: notificationKeys,
  MAX_TRANSACTION_AMOUNT: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a decimal number in major units, e.g. 1000000')
    .default('1000000'),
  IDEMPOTENCY_TTL_HOURS: positiveInt.default(24),
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
};

export type ApiConfig = {
  adminApiKey: string | undefined;
  notificationKeys: ReadonlyMap<string, string>;
  /** Upper bound for one transaction, in major units of any currency (a sanity limit, not a risk rule). */
  maxTransactionAmount: string;
  idempotencyTtlHours: number;
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
  /** Requests per API key per window; `requests: 0` means no limit. */
  rateLimit: Readonly<{ requests: number; windowSeconds: number }>;
  notificationRefusals: Readonly<{
    /** Refused notifications per client address per window before its refusals are answered 429; 0: no limit. */
    requests: number;
    windowSeconds: number;
    /** How often the refusal counts kept in memory are written to the database. */
    flushSeconds: number;
  }>;
};

export function apiConfig(env: EnvironmentOf<typeof apiEnvironment>): ApiConfig {
  return {
    adminApiKey: env.ADMIN_API_KEY,
    notificationKeys: env.NOTIFICATION_KEYS,
    maxTransactionAmount: env.MAX_TRANSACTION_AMOUNT,
    idempotencyTtlHours: env.IDEMPOTENCY_TTL_HOURS,
    graphqlLimits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxCost: env.GRAPHQL_MAX_COST,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxPageSize: env.GRAPHQL_MAX_PAGE_SIZE,
      maxNodeIds: env.GRAPHQL_MAX_NODE_IDS,
    },
    rateLimit: { requests: env.RATE_LIMIT_REQUESTS, windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS },
    notificationRefusals: {
      requests: env.NOTIFICATION_REFUSALS_PER_ADDRESS,
      windowSeconds: env.NOTIFICATION_REFUSAL_WINDOW_SECONDS,
      flushSeconds: env.NOTIFICATION_REFUSAL_FLUSH_SECONDS,
    },
  };
}
