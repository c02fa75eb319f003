import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { pgSession, type SqlSession } from '../db/session.ts';
import { API_KEYS_CHANNEL } from '../db/sql/api-keys.ts';
import { EVENTS_CHANNEL, listenForCommits } from '../db/sql/events.ts';
import { comparePositions, decodeEventCursor, encodeEventCursor, type EventPosition } from './cursor.ts';
import { readCommittedBatch, readHead, type CommittedEvent } from './log.ts';
import type { EventPubSub, RelayHint } from './pubsub.ts';

/**
 * One per process: tails the committed event log from its own position and hands every event, in
 * order and once, to `dispatch`. It never passes the horizon (src/events/log.ts), so a position it has
 * passed can never be filled later, and it only ever sees committed rows: a rolled-back change does
 * not exist for it.
 *
 * What wakes it is only ever a hint that there may be more to read:
 * - PostgreSQL NOTIFY, which every writer sends inside its transaction and PostgreSQL delivers only on
 *   commit. On PostgreSQL a dedicated session LISTENs (it hears every instance and process). The
 *   embedded PGlite has one session, shared by the pool; it LISTENs there and hears its own commits.
 * - hints from other instances over the pub/sub (Redis), published after each read that moved on;
 * - a fallback poll, so a lost wake-up only delays;
 * - itself, soon, while committed events wait behind an older open transaction (whose end notifies
 *   nobody), backing off from 5 ms to the poll interval.
 * Reads are serialised and coalesced: wake-ups during a read cause exactly one more read.
 *
 * While this process has no subscriber, nobody needs the events themselves: a read only moves the position to
 * the head (one short row), and with no other instance to hint (in-process pub/sub) commits do not wake it at all.
 * The poll keeps the position near the head; a subscription "from now" wakes it before attaching, and a replay
 * reads the log up to the horizon itself (src/events/stream.ts).
 */

export type ListenStatus = 'up' | 'down' | 'off';

export type RelayOptions = {
  db: Database;
  pubsub: EventPubSub;
  logger: Logger;
  listen: boolean;
  pollIntervalMs: number;
  dispatch: (event: CommittedEvent) => void;
  /** Whether any stream of this process takes events now. */
  hasSubscribers: () => boolean;
  /** API keys were revoked (in any process): heard on the same LISTEN session, which costs no connection more. */
  onApiKeysRevoked?: (() => void) | undefined;
  batchSize?: number;
};

export type RelayHealth = {
  running: boolean;
  listen: ListenStatus;
  /** Cursor of the last event dispatched. */
  position: string;
  /** When the last read of the log succeeded (ISO), if any. */
  lastReadAt: string | undefined;
  /** The last read error, while reads keep failing. */
  lastError: string | undefined;
};

const LISTEN_RETRY_CAP_MS = 10_000;

export class EventRelay {
  readonly origin = randomUUID();
  private readonly options: RelayOptions;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private position: EventPosition = { txid: 0n, id: 0n };
  private running = false;
  private reading = false;
  private readAgain = false;
  private lastReadAt: Date | undefined;
  private lastError: string | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private heldBackTimer: NodeJS.Timeout | undefined;
  private heldBackDelayMs = 0;
  private listenStatus: ListenStatus = 'off';
  private listener: pg.Client | undefined;
  private listenRetry: NodeJS.Timeout | undefined;
  private listenAttempts = 0;
  private readonly poolListeners = new Set<pg.PoolClient>();
  private unsubscribeHints: (() => void) | undefined;
  private unsubscribeResync: (() => void) | undefined;
  private idle: Promise<void> = Promise.resolve();
  /** Set when the head could not be read at start: the next read starts there, not from the beginning. */
  private headPending = false;
  private settleIdle: (() => void) | undefined;

  constructor(options: RelayOptions) {
    this.options = options;
    this.logger = options.logger.child({ component: 'event-relay' });
    this.batchSize = options.batchSize ?? 500;
  }

  /** Everything up to here has been dispatched; a stream attaching now goes live from here. */
  get currentPosition(): EventPosition {
    return this.position;
  }

  async start(): Promise<void> {
    if (this.running) return;
    try {
      this.position = (await readHead(this.options.db.sql)).position;
      this.lastReadAt = new Date();
    } catch (error) {
      // The database is down at start: serve anyway (health says so); the first successful read finds the head.
      this.headPending = true;
      this.lastError = error instanceof Error ? error.message : String(error);
      this.logger.warn({ err: this.lastError }, 'event log unreadable at start; retrying on the next poll');
    }
    this.running = true;
    this.unsubscribeHints = this.options.pubsub.subscribe((hint) => this.onHint(hint));
    this.unsubscribeResync = this.options.pubsub.onResync(() => void this.wake());
    if (this.options.listen) {
      if (this.options.db.kind === 'embedded') await this.listenOnPool();
      else await this.connectListener();
    }
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pollTimer.unref();
  }

  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.heldBackTimer);
    clearTimeout(this.listenRetry);
    this.unsubscribeHints?.();
    this.unsubscribeHints = undefined;
    this.unsubscribeResync?.();
    this.unsubscribeResync = undefined;
    this.options.db.pool.off('connect', this.attachPoolClient);
    for (const client of this.poolListeners) client.off('notification', this.onNotification);
    this.poolListeners.clear();
    const listener = this.listener;
    this.listener = undefined;
    this.listenStatus = 'off';
    if (listener) await listener.end().catch(() => undefined);
    await this.idle;
  }

  health(): RelayHealth {
    return {
      running: this.running,
      listen: this.listenStatus,
      position: encodeEventCursor(this.position),
      lastReadAt: this.lastReadAt?.toISOString(),
      lastError: this.lastError,
    };
  }

  /** Reads the log now (coalesced with a read in progress). Resolves when the log has been read. */
  wake(): Promise<void> {
    if (!this.running) return this.idle;
    if (this.reading) {
      this.readAgain = true;
      return this.idle;
    }
    this.reading = true;
    this.idle = new Promise((resolve) => {
      this.settleIdle = resolve;
    });
    void this.readLoop();
    return this.idle;
  }

  private async readLoop(): Promise<void> {
    const started = this.position;
    let heldBack = false;
    try {
      if (this.headPending) {
        this.position = (await readHead(this.readSession())).position;
        this.headPending = false;
      }
      do {
        this.readAgain = false;
        heldBack = this.options.hasSubscribers() ? await this.readBatch() : await this.skipToHead();
        this.lastReadAt = new Date();
        if (this.lastError !== undefined) {
          this.logger.info('event log readable again');
          this.lastError = undefined;
        }
      } while (this.readAgain && this.running);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.lastError === undefined) this.logger.warn({ err: message }, 'reading the event log failed; retrying on the next wake-up or poll');
      this.lastError = message;
    } finally {
      this.reading = false;
      this.settleIdle?.();
    }
    this.scheduleHeldBackRead(heldBack);
    if (comparePositions(this.position, started) > 0) {
      this.options.pubsub.publish({ origin: this.origin, cursor: encodeEventCursor(this.position) });
    }
  }

  /** Dispatches the next batch; whether committed rows wait behind an open transaction. */
  private async readBatch(): Promise<boolean> {
    const batch = await readCommittedBatch(this.readSession(), { after: this.position, limit: this.batchSize });
    const last = batch.events.at(-1);
    if (last) {
      this.position = last.position;
      for (const event of batch.events) this.options.dispatch(event);
      if (batch.events.length === this.batchSize) this.readAgain = true;
    }
    return batch.heldBack;
  }

  /** Nobody to dispatch to: moves to the head without reading the events. Whether rows wait behind an open transaction. */
  private async skipToHead(): Promise<boolean> {
    const head = await readHead(this.readSession());
    // A stream that attached during the read went live from the old position: it gets the batch from there.
    if (this.options.hasSubscribers()) this.readAgain = true;
    else if (comparePositions(head.position, this.position) > 0) this.position = head.position;
    return head.heldBack;
  }

  private scheduleHeldBackRead(heldBack: boolean): void {
    if (!heldBack) {
      this.heldBackDelayMs = 0;
      return;
    }
    if (!this.running || this.heldBackTimer !== undefined) return;
    this.heldBackDelayMs = Math.min(Math.max(5, this.heldBackDelayMs * 2), this.options.pollIntervalMs);
    this.heldBackTimer = setTimeout(() => {
      this.heldBackTimer = undefined;
      void this.wake();
    }, this.heldBackDelayMs);
    this.heldBackTimer.unref();
  }

  /**
   * Where to read: the LISTEN session while it is up (a connection of its own, so a read never queues behind
   * a busy pool, and costs no extra connection), else the pool.
   */
  private readSession(): SqlSession {
    return this.listener !== undefined && this.listenStatus === 'up' ? pgSession(this.listener) : this.options.db.sql;
  }

  private onHint(hint: RelayHint): void {
    if (hint.origin === this.origin) return;
    const position = decodeEventCursor(hint.cursor);
    if (position && comparePositions(position, this.position) > 0) void this.wake();
  }

  private readonly onNotification = (message: pg.Notification): void => {
    if (message.channel === EVENTS_CHANNEL) this.onCommit();
    else if (message.channel === API_KEYS_CHANNEL) this.options.onApiKeysRevoked?.();
  };

  /** Without subscribers, a commit matters only to other instances' relays, through this one's hints. */
  private onCommit(): void {
    if (this.options.hasSubscribers() || this.options.pubsub.kind === 'redis') void this.wake();
  }

  /** PostgreSQL: a session of its own, reconnected with backoff; after each (re)connect, one read. */
  private async connectListener(): Promise<void> {
    if (!this.running) return;
    const client = new pg.Client({ connectionString: this.options.db.connectionString, connectionTimeoutMillis: 5_000 });
    this.listener = client;
    client.on('notification', this.onNotification);
    client.on('error', () => {
      // Followed by 'end', which reconnects.
    });
    client.on('end', () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.setListenStatus('down');
      this.scheduleListenerReconnect();
    });
    try {
      await client.connect();
      await listenForCommits(client);
      if (this.listener !== client) return;
      this.listenAttempts = 0;
      this.setListenStatus('up');
      // Whatever committed while nobody listened.
      void this.wake();
    } catch (error) {
      if (this.listener === client) this.listener = undefined;
      this.setListenStatus('down', error);
      await client.end().catch(() => undefined);
      this.scheduleListenerReconnect();
    }
  }

  private scheduleListenerReconnect(): void {
    if (!this.running || this.listenRetry !== undefined) return;
    this.listenAttempts += 1;
    const delay = Math.min(250 * 2 ** Math.min(this.listenAttempts, 6), LISTEN_RETRY_CAP_MS);
    this.listenRetry = setTimeout(() => {
      this.listenRetry = undefined;
      void this.connectListener();
    }, delay);
    this.listenRetry.unref();
  }

  private setListenStatus(status: ListenStatus, error?: unknown): void {
    if (status === this.listenStatus) return;
    this.listenStatus = status;
    if (status === 'up') this.logger.info('listening for committed events');
    else if (status === 'down') {
      this.logger.warn({ err: error instanceof Error ? error.message : undefined }, 'LISTEN session lost; relying on hints and polling until it is back');
    }
  }

  /** Embedded PGlite: one session, shared through the pool; every pool client listens on it. */
  private async listenOnPool(): Promise<void> {
    this.options.db.pool.on('connect', this.attachPoolClient);
    const client = await this.options.db.pool.connect();
    try {
      await this.attachPoolClient(client);
    } finally {
      client.release();
    }
    this.setListenStatus('up');
  }

  private readonly attachPoolClient = async (client: pg.PoolClient): Promise<void> => {
    if (this.poolListeners.has(client)) return;
    this.poolListeners.add(client);
    client.on('notification', this.onNotification);
    client.once('end', () => this.poolListeners.delete(client));
    await listenForCommits(client).catch(() => undefined);
  };
}
