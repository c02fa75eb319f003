import type { Database } from '../db/client.ts';
import { decodeGlobalId } from '../domain/ids.ts';
import { ForbiddenError, ValidationFailedError } from './errors.ts';
import type { Actor } from './merchants.ts';

/**
 * Which merchant's data a request reads: the one rule behind every `merchantId` argument (GraphQL queries
 * and subscriptions, the CSV report, the CLI).
 *
 * - no merchantId: a merchant key reads its own merchant; ADMIN reads every merchant;
 * - a merchant key passing merchantId, whatever its value: FORBIDDEN (choosing a merchant is an ADMIN right,
 *   and the answer says nothing about the id);
 * - ADMIN passing something that is not a Merchant id, or the id of no merchant: VALIDATION_FAILED naming the
 *   argument (a typo must not read as an empty report).
 */

/** The merchant a caller acts for; undefined for ADMIN alone (who sees every merchant): every other key has one. */
export function merchantScope(actor: Actor): string | undefined {
  return actor.role === 'ADMIN' ? undefined : actor.merchantId;
}

/**
 * The merchant (database id) a request with an optional `merchantId` argument reads, undefined for every
 * merchant. `path` names the argument in the error (e.g. ['filter', 'merchantId']).
 */
export async function requestedMerchantScope(
  db: Database,
  actor: Actor,
  merchantId: string | null | undefined,
  path: readonly string[] = ['merchantId'],
): Promise<string | undefined> {
  if (merchantId == null) return merchantScope(actor);
  if (actor.role !== 'ADMIN') throw new ForbiddenError(`${path.join('.')} is for ADMIN keys`);
  const id = decodeGlobalId(merchantId, 'Merchant');
  if (id === undefined) throw new ValidationFailedError([{ path: [...path], message: 'must be a Merchant id' }]);
  const merchant = await db.prisma.merchant.findUnique({ where: { id }, select: { id: true } });
  if (merchant === null) throw new ValidationFailedError([{ path: [...path], message: 'no merchant has this id' }]);
  return id;
}
