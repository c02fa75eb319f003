import { encodeGlobalId } from '../domain/ids.ts';
import { merchantReturnLocation } from '../domain/return-url.ts';
import type { Database } from '../db/client.ts';

/**
 * The consumer coming back from Alipay through our return link (src/http/routes/consumer-return.ts), whose ticket
 * has already proved which transaction it is for: where to send them on. The merchant's returnUrl gets the
 * transaction's id and its status as of now, so Pay and Cancel no longer land on the same bare URL.
 */

export type ConsumerReturn = { kind: 'return'; location: string } | { kind: 'not_found' };

export async function consumerReturn(db: Database, transactionId: string): Promise<ConsumerReturn> {
  const transaction = await db.prisma.transaction.findUnique({ where: { id: transactionId }, select: { id: true, status: true, returnUrl: true } });
  if (!transaction) return { kind: 'not_found' };
  return {
    kind: 'return',
    location: merchantReturnLocation(transaction.returnUrl, { globalId: encodeGlobalId('Transaction', transaction.id), status: transaction.status }),
  };
}
