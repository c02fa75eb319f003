import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { eventFilter, type TransactionEventKind } from '../domain/event-filter.ts';
import type { TransactionStatus } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { NotFoundError } from '../services/errors.ts';
import type { EventPosition } from './cursor.ts';
import { readCommittedEvents, type CommittedEvent } from './log.ts';
import { createInProcessPubSub, createRedisPubSub, type EventPubSub, type PubSubStatus } from './pubsub.ts';
import { EventRelay, type ListenStatus } from './relay.ts';
import { EventStream, SHUTTING_DOWN, type StreamNotice } from './stream.ts';

/**
 * Committed events -> live subscribers, for one process: the relay that tails the log, the pub/sub
 * that carries hints between instances, and the registry of open streams, indexed so that dispatching
 * an event touches only the streams that want it (its transaction's, its merchant's, ADMIN's).
 */

export type EventsHealth = {
  relay: 'running' | 'stopped';
  listen: ListenStatus;
  pubsub: EventPubSub['kind'];
  /** Only with REDIS_URL. Down is degraded, not broken: each instance still serves its own subscribers. */
  redis?: PubSubStatus;
  position: string;
  lastReadAt: string | undefined;
  lastError?: string;
};

export type EventsStats = {
  /** Streams open now. */
  streams: number;
  /** Streams ever opened (monotonic: tests wait on it to know a subscription is attached). */
  opened: number;
  merchantsWatched: number;
  transactionsWatched: number;
  hintListeners: number;
};

export type OpenEventsStreamOptions = {
  /** Undefined: every merchant (ADMIN). */
  merchantId: string | undefined;
  statuses: readonly TransactionStatus[] | undefined;
  kinds: readonly TransactionEventKind[] | undefined;
  after: EventPosition | undefined;
  disconnect: ((notice: StreamNotice) => void) | undefined;
};

export type OpenTransactionStreamOptions = {
  transactionId: string;
  /** Set for merchants: another merchant's transaction is refused exactly like a missing one. */
  merchantId: string | undefined;
  disconnect: ((notice: StreamNotice) => void) | undefined;
};

export interface EventHub {
  start(): Promise<void>;
  /** The event stream (`transactionEvents`): replay after `after`, then live. */
  openEventsStream(options: OpenEventsStreamOptions): Promise<EventStream>;
  /** One transaction's changes (`transactionUpdated`), live. NotFoundError for a missing or foreign one. */
  openTransactionStream(options: OpenTransactionStreamOptions): Promise<EventStream>;
  /** Reads the log now instead of waiting for a wake-up (tests, and callers that just committed). */
  poke(): Promise<void>;
  health(): EventsHealth;
  stats(): EventsStats;
  /** Ends every stream (SSE subscribers get a final notice) and stops the relay and pub/sub. */
  close(): Promise<void>;
}

export type EventHubDeps = {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Pick<Metrics, 'eventsPublished'>;
  /** API keys were revoked somewhere (the relay's LISTEN session hears it). */
  onApiKeysRevoked?: () => void;
};

const REPLAY_PAGE_SIZE = 200;

export function createEventHub(deps: EventHubDeps): EventHub {
  const { config, db, logger } = deps;
  const pubsub: EventPubSub =
    config.redisUrl === undefined
      ? createInProcessPubSub()
      : createRedisPubSub({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, logger });
  const registry = new StreamRegistry();
  const published = deps.metrics.eventsPublished.labels({ transport: pubsub.kind === 'redis' ? 'redis' : 'memory' });
  const relay = new EventRelay({
    db,
    pubsub,
    logger,
    listen: config.events.listen,
    pollIntervalMs: config.events.pollIntervalMs,
    dispatch: (event) => {
      registry.dispatch(event);
      published.inc();
    },
    hasSubscribers: () => registry.size > 0,
    onApiKeysRevoked: deps.onApiKeysRevoked,
  });
  const streamLogger = logger.child({ component: 'event-stream' });
  const onReadError = (error: unknown) => streamLogger.warn({ err: error instanceof Error ? error.message : String(error) }, 'replaying the event log failed');
  let closed = false;

  function open(
    scope: EventStream['scope'],
    filters: { statuses: readonly TransactionStatus[] | undefined; kinds: readonly TransactionEventKind[] | undefined },
    after: EventPosition | undefined,
    disconnect: ((notice: StreamNotice) => void) | undefined,
  ): EventStream {
    const stream = new EventStream({
      scope,
      filter: eventFilter(filters.statuses, filters.kinds),
      after,
      livePosition: relay.currentPosition,
      bufferLimit: config.subscriptions.bufferLimit,
      pageSize: REPLAY_PAGE_SIZE,
      readPage: (position, limit) => readCommittedEvents(db, { after: position, limit, merchantId: scope.merchantId, ...filters }),
      disconnect,
      detach: (ended) => registry.remove(ended),
      onReadError,
    });
    if (closed) stream.end(SHUTTING_DOWN);
    else registry.add(stream);
    return stream;
  }

  return {
    start: () => relay.start(),
    async openEventsStream(options) {
      // Live only: catch up with what is already committed first, so "from now" does not include
      // changes that committed before the subscription but had not reached the relay yet.
      if (options.after === undefined) await relay.wake();
      return open({ merchantId: options.merchantId }, { statuses: options.statuses, kinds: options.kinds }, options.after, options.disconnect);
    },
    async openTransactionStream(options) {
      const found = await db.prisma.transaction.findFirst({
        where: { id: options.transactionId, ...(options.merchantId !== undefined ? { merchantId: options.merchantId } : {}) },
        select: { merchantId: true },
      });
      if (!found) throw new NotFoundError();
      await relay.wake(); // live from now: see openEventsStream
      return open({ merchantId: found.merchantId, transactionId: options.transactionId }, { statuses: undefined, kinds: undefined }, undefined, options.disconnect);
    },
    poke: () => relay.wake(),
    health() {
      const relayHealth = relay.health();
      return {
        relay: relayHealth.running ? 'running' : 'stopped',
        listen: relayHealth.listen,
        pubsub: pubsub.kind,
        ...(pubsub.kind === 'redis' ? { redis: pubsub.status() } : {}),
        position: relayHealth.position,
        lastReadAt: relayHealth.lastReadAt,
        ...(relayHealth.lastError !== undefined ? { lastError: relayHealth.lastError } : {}),
      };
    },
    stats() {
      return { ...registry.stats(), hintListeners: pubsub.listenerCount() };
    },
    async close() {
      if (closed) return;
      closed = true;
      registry.endAll(SHUTTING_DOWN);
      await relay.close();
      await pubsub.close();
    },
  };
}

/** Open streams, indexed by what they follow. */
class StreamRegistry {
  private readonly byTransaction = new Map<string, Set<EventStream>>();
  private readonly byMerchant = new Map<string, Set<EventStream>>();
  private readonly everything = new Set<EventStream>();
  private count = 0;
  private opened = 0;

  get size(): number {
    return this.count;
  }

  add(stream: EventStream): void {
    const { transactionId, merchantId } = stream.scope;
    if (transactionId !== undefined) addTo(this.byTransaction, transactionId, stream);
    else if (merchantId !== undefined) addTo(this.byMerchant, merchantId, stream);
    else this.everything.add(stream);
    this.count += 1;
    this.opened += 1;
  }

  remove(stream: EventStream): void {
    const { transactionId, merchantId } = stream.scope;
    const removed =
      transactionId !== undefined
        ? removeFrom(this.byTransaction, transactionId, stream)
        : merchantId !== undefined
          ? removeFrom(this.byMerchant, merchantId, stream)
          : this.everything.delete(stream);
    if (removed) this.count -= 1;
  }

  dispatch(event: CommittedEvent): void {
    const { transactionId, merchantId } = event.event;
    const forTransaction = this.byTransaction.get(transactionId);
    if (forTransaction) for (const stream of forTransaction) stream.offer(event);
    const forMerchant = this.byMerchant.get(merchantId);
    if (forMerchant) for (const stream of forMerchant) stream.offer(event);
    for (const stream of this.everything) stream.offer(event);
  }

  endAll(notice: StreamNotice): void {
    const all = [...this.everything, ...[...this.byMerchant.values(), ...this.byTransaction.values()].flatMap((set) => [...set])];
    for (const stream of all) stream.end(notice);
  }

  stats(): Omit<EventsStats, 'hintListeners'> {
    return { streams: this.count, opened: this.opened, merchantsWatched: this.byMerchant.size, transactionsWatched: this.byTransaction.size };
  }
}

function addTo(index: Map<string, Set<EventStream>>, key: string, stream: EventStream): void {
  let set = index.get(key);
  if (!set) {
    set = new Set();
    index.set(key, set);
  }
  set.add(stream);
}

function removeFrom(index: Map<string, Set<EventStream>>, key: string, stream: EventStream): boolean {
  const set = index.get(key);
  if (!set?.delete(stream)) return false;
  if (set.size === 0) index.delete(key);
  return true;
}
