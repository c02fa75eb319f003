import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one application instance, on a registry of its own (never prom-client's global
 * one: tests run many apps in one process, and two registries never share a series).
 *
 * Served at GET /metrics. Who increments what:
 * - HTTP and GraphQL series (requests, latency, operations, errors, rate limiting, subscriptions open,
 *   events delivered, WebSocket connections, database pool) are recorded by src/http (access-log.ts and
 *   plugins/operation-metrics.ts) for every route and transport: nothing to wire.
 * - Notification ingestion records its outcomes with the counters below, from the route handler that
 *   knows the service's result (deps.metrics in src/http/routes/notifications.ts):
 *
 *     metrics.notifications.inc({ endpoint: 'alipay', outcome: 'applied' });
 *     metrics.notificationSignatureFailures.inc({ endpoint: 'events', reason: 'BAD_SIGNATURE' });
 *     const stop = metrics.notificationDuration.startTimer({ endpoint: 'alipay' }); ... stop();
 *
 *   endpoint: 'alipay' | 'events'. outcome: what the service decided, lower case: 'applied', 'duplicate',
 *   'stale', 'illegal', 'anomaly', 'not_found', 'malformed', 'unauthenticated', 'unavailable' (503).
 *   reason: verifyEvent's VerifyEventFailure ('UNKNOWN_KEY', 'MALFORMED', 'STALE_TIMESTAMP',
 *   'BAD_SIGNATURE') or 'BAD_RSA_SIGNATURE' for Alipay. Never a value taken from the request.
 * - The event relay counts the committed events it hands to this instance's live streams (none while it has no
 *   subscriber), labelled with how instances hint each other:
 *     metrics.eventsPublished.inc({ transport: 'redis' });   // or 'memory'
 *   and reports its Redis connection with metrics.trackRedis('pubsub', () => redis.status === 'ready').
 */
export type Metrics = {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpRequestDuration: Histogram<'method' | 'route'>;
  readonly graphqlOperations: Counter<'operation_type' | 'operation_name' | 'outcome'>;
  readonly graphqlOperationDuration: Histogram<'operation_type' | 'operation_name'>;
  readonly graphqlErrors: Counter<'code'>;
  readonly rateLimited: Counter<'transport'>;
  readonly notifications: Counter<'endpoint' | 'outcome'>;
  readonly notificationSignatureFailures: Counter<'endpoint' | 'reason'>;
  readonly notificationDuration: Histogram<'endpoint'>;
  readonly subscriptionsOpen: Gauge<'subscription'>;
  readonly eventsPublished: Counter<'transport'>;
  readonly eventsDelivered: Counter<'subscription'>;
  readonly webSocketConnections: Gauge;
  /** A label value for a client-chosen operation name: sanitised, and bounded in number (see below). */
  operationNameLabel(name: string | null | undefined): string;
  /** A label value for an error code (server-chosen, but bounded all the same). */
  errorCodeLabel(code: unknown): string;
  /** Reports the pool's connections (total, idle, waiting) at every scrape. */
  trackDatabasePool(pool: PoolLike): void;
  /** Reports redis_up{client} at every scrape, from `isUp()`. */
  trackRedis(client: string, isUp: () => boolean): void;
};

export type PoolLike = { readonly totalCount: number; readonly idleCount: number; readonly waitingCount: number; readonly options?: { max?: number } };

export type MetricsOptions = {
  /** process_* and nodejs_* series (CPU, memory, event loop lag, GC). On in main.ts; off by default for tests. */
  processMetrics?: boolean;
  /** Distinct operation names kept as labels before the rest are counted as "other". */
  maxOperationNames?: number;
};

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

/**
 * A label that keeps at most `max` distinct values. Operation names come from clients: unbounded, a
 * client could create a series per request and exhaust the memory of this process and of Prometheus.
 */
function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max) return 'other';
    seen.add(value);
    return value;
  };
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.processMetrics) collectDefaultMetrics({ register: registry });

  const operationNames = boundedLabel(options.maxOperationNames ?? 200);
  const errorCodes = boundedLabel(100);

  const pools: PoolLike[] = [];
  // Read at scrape time, so the values are current and nothing polls in between.
  new Gauge({
    name: 'paystream_db_pool_connections',
    help: 'Database pool connections by state (total, idle, waiting clients, max)',
    labelNames: ['state'],
    registers,
    collect() {
      if (pools.length === 0) return;
      const sum = (pick: (pool: PoolLike) => number) => pools.reduce((total, pool) => total + pick(pool), 0);
      this.set({ state: 'total' }, sum((pool) => pool.totalCount));
      this.set({ state: 'idle' }, sum((pool) => pool.idleCount));
      this.set({ state: 'waiting' }, sum((pool) => pool.waitingCount));
      this.set({ state: 'max' }, sum((pool) => pool.options?.max ?? 0));
    },
  });

  const redisClients = new Map<string, () => boolean>();
  new Gauge({
    name: 'paystream_redis_up',
    help: '1 when the named Redis connection is ready, else 0',
    labelNames: ['client'],
    registers,
    collect() {
      for (const [client, isUp] of redisClients) this.set({ client }, isUp() ? 1 : 0);
    },
  });

  return {
    registry,
    httpRequests: new Counter({
      name: 'paystream_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'paystream_http_request_duration_seconds',
      help: 'HTTP request latency, from the first byte received to the last byte sent',
      labelNames: ['method', 'route'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    graphqlOperations: new Counter({
      name: 'paystream_graphql_operations_total',
      help: 'GraphQL operations by type, name and outcome (success, error, rejected)',
      labelNames: ['operation_type', 'operation_name', 'outcome'],
      registers,
    }),
    graphqlOperationDuration: new Histogram({
      name: 'paystream_graphql_operation_duration_seconds',
      help: 'GraphQL execution latency (queries and mutations; subscriptions: until the stream is set up)',
      labelNames: ['operation_type', 'operation_name'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    graphqlErrors: new Counter({
      name: 'paystream_graphql_errors_total',
      help: 'Errors in GraphQL responses by code (INTERNAL_SERVER_ERROR: unexpected, masked and logged)',
      labelNames: ['code'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'paystream_rate_limited_total',
      help: 'Requests refused by the per-API-key rate limit',
      labelNames: ['transport'],
      registers,
    }),
    notifications: new Counter({
      name: 'paystream_notifications_total',
      help: 'Upstream notifications by endpoint (alipay, events) and outcome',
      labelNames: ['endpoint', 'outcome'],
      registers,
    }),
    notificationSignatureFailures: new Counter({
      name: 'paystream_notification_signature_failures_total',
      help: 'Notifications refused for their signature, by endpoint and reason',
      labelNames: ['endpoint', 'reason'],
      registers,
    }),
    notificationDuration: new Histogram({
      name: 'paystream_notification_duration_seconds',
      help: 'Time to verify, store, apply and acknowledge one notification',
      labelNames: ['endpoint'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    subscriptionsOpen: new Gauge({
      name: 'paystream_subscriptions_open',
      help: 'GraphQL subscriptions currently streaming (WebSocket and SSE), by root field',
      labelNames: ['subscription'],
      registers,
    }),
    eventsPublished: new Counter({
      name: 'paystream_events_published_total',
      help: "Committed transaction events the relay handed to this instance's live subscribers, by pub/sub transport (memory, redis)",
      labelNames: ['transport'],
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'paystream_events_delivered_total',
      help: 'Subscription payloads delivered to clients, by root field',
      labelNames: ['subscription'],
      registers,
    }),
    webSocketConnections: new Gauge({
      name: 'paystream_websocket_connections_open',
      help: 'Open GraphQL WebSocket connections',
      registers,
    }),
    operationNameLabel(name) {
      if (name === undefined || name === null || name === '') return 'anonymous';
      return GRAPHQL_NAME.test(name) ? operationNames(name) : 'invalid';
    },
    errorCodeLabel(code) {
      return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? errorCodes(code) : 'UNKNOWN';
    },
    trackDatabasePool(pool) {
      pools.push(pool);
    },
    trackRedis(client, isUp) {
      redisClients.set(client, isUp);
    },
  };
}
