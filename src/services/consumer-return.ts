import { encodeGlobalId } from '../domain/ids.ts';
import { merchantReturnLocation } from '../domain/return-url.ts';
import { CANCELLED_BY_CONSUMER } from '../domain/status.ts';
import type { Database } from '../db/client.ts';
import { transition } from './transitions.ts';

/**
 * The consumer coming back from Alipay through our return link (src/http/routes/consumer-return.ts), whose ticket
 * has already proved which transaction it is for: where to send them on. The merchant's returnUrl gets the
 * transaction's id and its status as of now, so Pay and Cancel no longer land on the same bare URL.
 *
 * With `cancel`, the consumer cancelled on the payment page: an unpaid transaction (CREATED, REDIRECTED) becomes
 * CANCELLED, source CONSUMER, reason CANCELLED_BY_CONSUMER, through the transition service like every change. Any
 * other status is left as it is (a paid one stays paid; a second cancel changes nothing), and the consumer is sent on
 * with it. Alipay's TRADE_CLOSED arriving later confirms the cancel (NO_OP); a capture arriving later is an anomaly
 * (CAPTURED_AFTER_CANCEL: refund needed), exactly as after a merchant's cancel.
 */

export type ConsumerReturn = { kind: 'return'; location: string; cancelled: boolean } | { kind: 'not_found' };

export async function consumerReturn(db: Database, transactionId: string, options: { cancel: boolean }): Promise<ConsumerReturn> {
  let cancelled = false;
  if (options.cancel) {
    const outcome = await transition(db, { transactionId, target: 'CANCELLED', source: 'CONSUMER', reason: CANCELLED_BY_CONSUMER });
    if (outcome.kind === 'not_found') return { kind: 'not_found' };
    cancelled = outcome.kind === 'applied';
  }
  const transaction = await db.prisma.transaction.findUnique({ where: { id: transactionId }, select: { id: true, status: true, returnUrl: true } });
  if (!transaction) return { kind: 'not_found' };
  return {
    kind: 'return',
    cancelled,
    location: merchantReturnLocation(transaction.returnUrl, { globalId: encodeGlobalId('Transaction', transaction.id), status: transaction.status }),
  };
}
