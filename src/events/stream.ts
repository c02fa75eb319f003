import { passesEventFilter, type EventFilter } from '../domain/event-filter.ts';
import { comparePositions, type EventPosition } from './cursor.ts';
import type { CommittedEvent } from './log.ts';

/**
 * One subscriber's stream: first a replay of the log after its cursor (read page by page, as fast as
 * the subscriber consumes), then the live events its instance's relay dispatches, with nothing missing
 * and nothing twice in between.
 *
 * The stream attaches to the relay before its first replay read. Live events arriving during the replay
 * are kept (bounded); the switch to live happens after a replay read that came back short, and only
 * if no live event was dropped since that read began: that read saw every event the relay had
 * dispatched before it (the relay never passes the horizon either), and the kept live events are
 * everything dispatched since. Delivery is deduplicated by position: only positions after the last
 * one delivered go out.
 *
 * A live subscriber that does not read gets `bufferLimit` events of slack; past that it is cut off
 * with a reason (its connection closed, or a final notice on SSE). Nothing is lost for it: it resumes
 * with `after` = the last cursor it received.
 */

export type StreamScope = {
  /** Only this merchant's events; undefined: every merchant (ADMIN). */
  merchantId?: string | undefined;
  /** Only this transaction's events (transactionUpdated). */
  transactionId?: string | undefined;
};

export type StreamNotice = {
  /** Stable code, also the GraphQL error code an SSE subscriber receives. */
  readonly notice: 'SUBSCRIBER_TOO_SLOW' | 'EVENT_LOG_UNAVAILABLE' | 'SERVER_SHUTTING_DOWN';
  readonly message: string;
  /** WebSocket close code; every one of them makes graphql-ws clients reconnect. */
  readonly closeCode: number;
};

export const TOO_SLOW: StreamNotice = {
  notice: 'SUBSCRIBER_TOO_SLOW',
  message: 'subscriber too slow: resume with after',
  // 4008 mirrors 1008 (policy violation), which graphql-ws clients would treat as fatal and not retry.
  closeCode: 4008,
};

export const LOG_UNAVAILABLE: StreamNotice = {
  notice: 'EVENT_LOG_UNAVAILABLE',
  message: 'event log temporarily unavailable: resume with after',
  closeCode: 1013, // try again later
};

export const SHUTTING_DOWN: StreamNotice = {
  notice: 'SERVER_SHUTTING_DOWN',
  message: 'server shutting down: resume with after',
  closeCode: 1012, // service restart: graphql-ws clients reconnect (to another instance) and resume
};

export type StreamItem = CommittedEvent | StreamNotice;

export function isNotice(item: StreamItem): item is StreamNotice {
  return 'notice' in item;
}

export type EventStreamOptions = {
  scope: StreamScope;
  /** Which events this subscriber asked for (src/domain/event-filter.ts); undefined: all. */
  filter: EventFilter | undefined;
  /** Replay the log after this position first. Undefined: live only, from `livePosition`. */
  after: EventPosition | undefined;
  /** The relay's position when the stream attached: everything up to it was dispatched before. */
  livePosition: EventPosition;
  bufferLimit: number;
  pageSize: number;
  readPage: (after: EventPosition, limit: number) => Promise<CommittedEvent[]>;
  /**
   * Set for WebSocket: cuts the whole connection with the notice as close reason. Unset (SSE): the
   * stream's last item is the notice.
   */
  disconnect: ((notice: StreamNotice) => void) | undefined;
  detach: (stream: EventStream) => void;
  onReadError: (error: unknown) => void;
};

type Result = IteratorResult<StreamItem, undefined>;
const DONE: Result = { value: undefined, done: true };

export class EventStream implements AsyncIterableIterator<StreamItem, undefined> {
  readonly scope: StreamScope;
  private readonly filter: EventFilter | undefined;
  private readonly options: EventStreamOptions;
  private state: 'replaying' | 'live' | 'ended';
  private lastDelivered: EventPosition;
  private replayPage: CommittedEvent[] = [];
  private replayIndex = 0;
  private replayDrained = false;
  private droppedWhileReplaying = false;
  private live: CommittedEvent[] = [];
  private liveIndex = 0;
  private waiter: ((result: Result) => void) | undefined;
  private finalNotice: StreamNotice | undefined;

  constructor(options: EventStreamOptions) {
    this.options = options;
    this.scope = options.scope;
    this.filter = options.filter;
    if (options.after !== undefined) {
      this.state = 'replaying';
      this.lastDelivered = options.after;
    } else {
      this.state = 'live';
      this.lastDelivered = options.livePosition;
    }
  }

  /** Live events queued and not yet taken (for tests and stats). */
  get queued(): number {
    return this.live.length - this.liveIndex;
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Called by the relay, synchronously, for every committed event in this stream's scope. */
  offer(item: CommittedEvent): void {
    if (this.state === 'ended') return;
    // As in the log read (src/domain/event-filter.ts): a status filter never passes refund events.
    if (!passesEventFilter(this.filter, item.event)) return;
    if (this.state === 'replaying') {
      if (this.queued >= this.options.bufferLimit) {
        // The replay will read these again from the log; only remember that it must.
        this.clearLive();
        this.droppedWhileReplaying = true;
      }
      this.live.push(item);
      return;
    }
    if (comparePositions(item.position, this.lastDelivered) <= 0) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.lastDelivered = item.position;
      waiter({ value: item, done: false });
      return;
    }
    if (this.queued >= this.options.bufferLimit) {
      this.end(TOO_SLOW);
      return;
    }
    this.live.push(item);
  }

  async next(): Promise<Result> {
    if (this.state === 'replaying') {
      const replayed = await this.nextReplayed();
      if (replayed) return { value: replayed, done: false };
    }
    while (this.liveIndex < this.live.length) {
      const item = this.live[this.liveIndex] as CommittedEvent;
      this.liveIndex += 1;
      // A drained queue lets go of what it delivered at once (idle subscribers held up to 256 events each).
      if (this.liveIndex === this.live.length) this.clearLive();
      else if (this.liveIndex > 256 && this.liveIndex * 2 > this.live.length) {
        this.live = this.live.slice(this.liveIndex);
        this.liveIndex = 0;
      }
      if (comparePositions(item.position, this.lastDelivered) > 0) {
        this.lastDelivered = item.position;
        return { value: item, done: false };
      }
    }
    if (this.state === 'ended') return this.takeFinal();
    return new Promise<Result>((resolve) => {
      this.waiter = resolve;
    });
  }

  async return(): Promise<Result> {
    this.end();
    this.finalNotice = undefined;
    return DONE;
  }

  async throw(): Promise<Result> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * Ends the stream. With a notice: a WebSocket subscriber's connection is closed with it (too slow),
   * an SSE subscriber receives it as the last item. Shutdown does not close WebSockets from here: the
   * server closes them all with 1012 "service restart".
   */
  end(notice?: StreamNotice): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.clearLive();
    this.replayPage = [];
    this.options.detach(this);
    if (notice !== undefined) {
      if (this.options.disconnect === undefined) this.finalNotice = notice;
      else if (notice !== SHUTTING_DOWN) this.options.disconnect(notice);
    }
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(this.takeFinal());
  }

  private takeFinal(): Result {
    const notice = this.finalNotice;
    if (notice === undefined) return DONE;
    this.finalNotice = undefined;
    return { value: notice, done: false };
  }

  private clearLive(): void {
    this.live = [];
    this.liveIndex = 0;
  }

  /** The next replayed event, or undefined once the stream has switched to live (or ended). */
  private async nextReplayed(): Promise<CommittedEvent | undefined> {
    for (;;) {
      if (this.state !== 'replaying') return undefined;
      if (this.replayIndex < this.replayPage.length) {
        const item = this.replayPage[this.replayIndex] as CommittedEvent;
        this.replayIndex += 1;
        this.lastDelivered = item.position;
        return item;
      }
      if (this.replayDrained && !this.droppedWhileReplaying) {
        this.state = 'live';
        this.replayPage = [];
        return undefined;
      }
      // Cleared before the read: a drop from here on means this read may not cover it.
      this.droppedWhileReplaying = false;
      let page: CommittedEvent[];
      try {
        page = await this.options.readPage(this.lastDelivered, this.options.pageSize);
      } catch (error) {
        this.options.onReadError(error);
        this.end(LOG_UNAVAILABLE);
        return undefined;
      }
      if (this.state !== 'replaying') return undefined;
      this.replayPage = page;
      this.replayIndex = 0;
      this.replayDrained = page.length < this.options.pageSize;
    }
  }
}
