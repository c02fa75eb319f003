import type { Database } from '../../db/client.ts';
import type { Logger } from '../../logger.ts';
import type { NotificationSender } from '../../providers/notification.ts';

export type SignatureRefusal = 'MISSING_SIGNATURE' | 'MALFORMED_SIGNATURE' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'STALE_TIMESTAMP';
/** Why a notification never reached the inbox: the counters admins see in notificationStats. */
export type RejectionReason = SignatureRefusal | 'UNSUPPORTED_CONTENT_TYPE' | 'MALFORMED_BODY' | 'BODY_TOO_LARGE';

/**
 * Counts a refused notification where admins can see it. Best effort: the refusal does not depend on the
 * database, so a database outage must not turn a 401 into something else.
 */
export async function countRejection(
  deps: { db: Database; logger: Logger; onRejection?: (sender: NotificationSender, reason: RejectionReason) => void },
  sender: NotificationSender,
  reason: RejectionReason,
): Promise<void> {
  deps.logger.warn({ sender, reason }, 'notification refused');
  deps.onRejection?.(sender, reason);
  try {
    await deps.db.prisma.notificationRejection.upsert({
      where: { sender_reason: { sender, reason } },
      create: { sender, reason, count: 1 },
      update: { count: { increment: 1 }, lastSeenAt: new Date() },
    });
  } catch (error) {
    deps.logger.error({ err: error, sender, reason }, 'could not count a refused notification');
  }
}
