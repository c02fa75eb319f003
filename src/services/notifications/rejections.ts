import type { Database } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import type { NotificationSender } from '../../providers/notification.ts';

export type SignatureRefusal = 'MISSING_SIGNATURE' | 'MALFORMED_SIGNATURE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'STALE_TIMESTAMP';
/** Why a notification never reached the inbox: the counters admins see in notificationStats. */
export type RejectionReason = SignatureRefusal | 'UNSUPPORTED_CONTENT_TYPE' | 'MALFORMED_BODY' | 'BODY_TOO_LARGE';

type Tally = { sender: NotificationSender; reason: RejectionReason; count: number; lastSeenAt: Date };

/**
 * The refused-notification counters (notification_rejections, one row per sender and reason), counted in memory
 * and written every `flushIntervalMs` and by `stop()`: refusals are the cheapest requests an attacker can send, and
 * a write each would queue them all on one row's lock (200 bad signatures were 200 updates of one row). A flush is
 * one upsert per (sender, reason) seen since the last, adding what was counted, so several instances add up
 * exactly. Counting never waits for or depends on the database: a refusal is answered the same during an outage,
 * and what could not be written is kept for the next flush.
 */
export class RejectionCounter {
  private tallies = new Map<string, Tally>();
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly deps: { db: Database; logger: Logger; onRejection?: (sender: NotificationSender, reason: RejectionReason) => void },
    flushIntervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), flushIntervalMs);
    // The timer alone never keeps the process alive.
    this.timer.unref();
  }

  /** One refusal, counted now in memory. */
  count(sender: NotificationSender, reason: RejectionReason): void {
    this.deps.onRejection?.(sender, reason);
    this.add({ sender, reason, count: 1, lastSeenAt: new Date() });
  }

  /** Writes what was counted since the last flush (flushes never overlap). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  /** Stops the timer and writes what is left (at shutdown, before the database closes). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private add(tally: Tally): void {
    const key = `${tally.sender}:${tally.reason}`;
    const known = this.tallies.get(key);
    if (known) {
      known.count += tally.count;
      if (tally.lastSeenAt > known.lastSeenAt) known.lastSeenAt = tally.lastSeenAt;
    } else {
      this.tallies.set(key, { ...tally });
    }
  }

  private async write(): Promise<void> {
    const pending = [...this.tallies.values()];
    this.tallies = new Map();
    for (const { sender, reason, count, lastSeenAt } of pending) {
      try {
        await this.deps.db.prisma.notificationRejection.upsert({
          where: { sender_reason: { sender, reason } },
          create: { sender, reason, count, lastSeenAt },
          update: { count: { increment: count }, lastSeenAt },
        });
      } catch (error) {
        this.deps.logger.error({ err: error, sender, reason, count }, 'could not write refused-notification counts; kept for the next flush');
        this.add({ sender, reason, count, lastSeenAt });
      }
    }
  }
}
