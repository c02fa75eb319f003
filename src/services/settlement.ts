import { encodeGlobalId } from '../domain/ids.ts';
import { formatMinorUnits } from '../domain/money.ts';
import type { Database } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { postSignedEvent } from '../providers/alipay/sandbox/delivery.ts';
import type { SandboxSettings } from '../providers/settings.ts';

/**
 * The sandbox's stand-in for the bank statement: Alipay's funds for every CAPTURED transaction "arrive", and
 * the reconciler posts a signed `payment.paid` event for each to our own ingestion endpoint, over HTTP, like
 * any other sender. Event ids are derived from the transaction, so settling twice is deduplicated by the inbox.
 */

const BATCH = 500;
const CONCURRENCY = 4;

export type SettlementAwaiting = { currency: string; count: number; total: string };

export async function capturedAwaitingSettlement(db: Database): Promise<SettlementAwaiting[]> {
  const groups = await db.prisma.transaction.groupBy({
    by: ['currency'],
    where: { status: 'CAPTURED', paymentProduct: 'ALIPAY' },
    _count: { _all: true },
    _sum: { amountMinor: true },
    orderBy: { currency: 'asc' },
  });
  return groups.map((group) => ({
    currency: group.currency,
    count: group._count._all,
    total: formatMinorUnits(group._sum.amountMinor ?? 0n, group.currency),
  }));
}

export async function settleCapturedTransactions(
  deps: { db: Database; logger: Logger; sandbox: SandboxSettings },
): Promise<{ settled: number; failed: number }> {
  const captured = await deps.db.prisma.transaction.findMany({
    where: { status: 'CAPTURED', paymentProduct: 'ALIPAY' },
    select: { id: true, amountMinor: true, currency: true, providerReference: true },
    orderBy: { updatedAt: 'asc' },
    take: BATCH,
  });
  let settled = 0;
  let failed = 0;
  let next = 0;
  const worker = async () => {
    while (next < captured.length) {
      const transaction = captured[next];
      next += 1;
      if (!transaction) continue;
      const event = {
        id: `evt_sandbox_settlement_${transaction.id}`,
        type: 'payment.paid',
        created: new Date().toISOString(),
        payment: {
          id: encodeGlobalId('Transaction', transaction.id),
          status: 'PAID',
          providerReference: transaction.providerReference,
          amount: { value: formatMinorUnits(transaction.amountMinor, transaction.currency), currency: transaction.currency },
          reason: 'FUNDS_RECEIVED',
        },
      };
      const result = await postSignedEvent(deps.sandbox.eventsUrl, event, {
        keyId: deps.sandbox.settlementKeyId,
        secret: deps.sandbox.settlementSecret,
      });
      if (result.delivered) settled += 1;
      else {
        failed += 1;
        deps.logger.warn({ transactionId: transaction.id, status: result.lastStatus, body: result.lastBody }, 'sandbox settlement event not acknowledged');
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { settled, failed };
}
