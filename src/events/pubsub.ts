import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/**
 * How instances tell each other that the event log moved. What crosses is a hint, never an event: "the
 * log is committed up to this cursor". Each instance's relay then reads the events from the log itself.
 * A dropped hint therefore loses nothing (the relay's LISTEN and fallback poll still find the events,
 * only later), a duplicated or stale one costs one empty read, and no subscriber ever depends on Redis
 * for what it receives: with Redis down, each instance keeps serving its own subscribers from the log.
 */

export type RelayHint = {
  /** The instance that published it (a relay ignores its own). */
  origin: string;
  /** The position its relay has dispatched up to, as an event cursor. */
  cursor: string;
};

export type PubSubStatus = 'up' | 'down';

export interface EventPubSub {
  readonly kind: 'in-process' | 'redis';
  /** Fire and forget: never throws, never waits (a down Redis drops the hint). */
  publish(hint: RelayHint): void;
  subscribe(listener: (hint: RelayHint) => void): () => void;
  /** Called when hints may have been missed (the connection came back): read the log once. */
  onResync(listener: () => void): () => void;
  status(): PubSubStatus;
  listenerCount(): number;
  close(): Promise<void>;
}

/** One process: every subscriber hangs off this process's relay, so there is nobody else to tell. */
export function createInProcessPubSub(): EventPubSub {
  const listeners = new Set<(hint: RelayHint) => void>();
  return {
    kind: 'in-process',
    publish(hint) {
      for (const listener of listeners) listener(hint);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onResync: () => () => undefined,
    status: () => 'up',
    listenerCount: () => listeners.size,
    async close() {
      listeners.clear();
    },
  };
}

export type RedisPubSubOptions = {
  url: string;
  /** Namespaces the channel, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
  logger: Logger;
};

const RECONNECT_CAP_MS = 5_000;

export function createRedisPubSub(options: RedisPubSubOptions): EventPubSub {
  const channel = `${options.keyPrefix}events:advanced`;
  const logger = options.logger.child({ component: 'events-redis' });
  const connectionOptions = {
    // Reconnect forever with a capped backoff: Redis coming back must need no restart.
    retryStrategy: (attempt: number) => Math.min(attempt * 200, RECONNECT_CAP_MS),
    connectTimeout: 2_000,
    lazyConnect: false,
  };
  // No offline queue on the publisher: while Redis is down a hint is dropped at once instead of
  // piling up in memory (the log still has everything).
  const publisher = new Redis(options.url, { ...connectionOptions, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  // Subscribed by hand on every (re)connect rather than by ioredis' autoResubscribe, so "up" (and the
  // resync read that comes with it) means the subscription is in place: a hint published after it is
  // heard, and anything committed before it is found by the resync read.
  const subscriber = new Redis(options.url, { ...connectionOptions, autoResubscribe: false });
  const listeners = new Set<(hint: RelayHint) => void>();
  const resyncListeners = new Set<() => void>();
  let reported: PubSubStatus | undefined;
  let subscribed = false;

  const status = (): PubSubStatus => (publisher.status === 'ready' && subscriber.status === 'ready' && subscribed ? 'up' : 'down');
  const report = (error?: Error) => {
    const now = status();
    if (now === reported) return;
    reported = now;
    if (now === 'up') {
      logger.info({ channel }, 'redis pub/sub up: instances share event hints');
      for (const listener of resyncListeners) listener();
    } else logger.warn({ err: error?.message }, 'redis pub/sub down: serving this instance from the log alone');
  };
  for (const connection of [publisher, subscriber]) {
    connection.on('ready', () => report());
    connection.on('close', () => report());
    connection.on('end', () => report());
    // Without a listener ioredis would print every failed reconnect; one log line per change instead.
    connection.on('error', (error: Error) => report(error));
  }

  subscriber.on('ready', () => {
    subscriber.subscribe(channel).then(
      () => {
        subscribed = true;
        report();
      },
      (error: Error) => report(error),
    );
  });
  subscriber.on('close', () => {
    subscribed = false;
    report();
  });
  subscriber.on('message', (received: string, message: string) => {
    if (received !== channel) return;
    const hint = parseHint(message);
    if (!hint) return;
    for (const listener of listeners) listener(hint);
  });

  return {
    kind: 'redis',
    publish(hint) {
      if (publisher.status !== 'ready') return;
      publisher.publish(channel, JSON.stringify(hint)).catch(() => report());
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onResync(listener) {
      resyncListeners.add(listener);
      return () => resyncListeners.delete(listener);
    },
    status,
    listenerCount: () => listeners.size + resyncListeners.size,
    async close() {
      listeners.clear();
      resyncListeners.clear();
      await Promise.all(
        [publisher, subscriber].map((connection) =>
          connection.status === 'ready' ? connection.quit().then(() => undefined, () => connection.disconnect()) : connection.disconnect(),
        ),
      );
    },
  };
}

function parseHint(message: string): RelayHint | undefined {
  try {
    const value: unknown = JSON.parse(message);
    if (typeof value !== 'object' || value === null) return undefined;
    const { origin, cursor } = value as Record<string, unknown>;
    if (typeof origin !== 'string' || typeof cursor !== 'string') return undefined;
    return { origin, cursor };
  } catch {
    return undefined;
  }
}
