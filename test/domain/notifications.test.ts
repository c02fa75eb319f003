import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  groupDeliveries,
  judgeInArrivalOrder,
  judgeNotification,
  type NotificationClaim,
  type TransactionSnapshot,
  type VersionedSnapshot,
} from '../../src/domain/notifications.ts';
import { classify, TRANSACTION_STATUSES, type TransactionStatus } from '../../src/domain/status.ts';

const snapshot = (status: TransactionStatus): TransactionSnapshot => ({ status, amountMinor: 1999n, currency: 'EUR' });
const claim = (target: TransactionStatus | null, amount: NotificationClaim['amount'] = { minorUnits: 1999n, currency: 'EUR' }): NotificationClaim => ({
  target,
  amount,
  eventType: 'test',
});

describe('judgeNotification', () => {
  it('names an unknown transaction an ORPHAN, whatever it claims', () => {
    expect(judgeNotification(undefined, claim('CAPTURED'))).toMatchObject({ outcome: 'ANOMALY', kind: 'ORPHAN' });
    expect(judgeNotification(undefined, claim(null))).toMatchObject({ outcome: 'ANOMALY', kind: 'ORPHAN' });
  });

  it('never applies a disagreeing amount or currency, before looking at the status', () => {
    for (const amount of [{ minorUnits: 1998n, currency: 'EUR' }, { minorUnits: 1999n, currency: 'USD' }]) {
      for (const current of TRANSACTION_STATUSES) {
        expect(judgeNotification(snapshot(current), claim('CAPTURED', amount))).toMatchObject({ outcome: 'ANOMALY', kind: 'AMOUNT_MISMATCH' });
      }
    }
    expect(judgeNotification(snapshot('REDIRECTED'), claim('REJECTED', undefined))).toEqual({ outcome: 'APPLIED', target: 'REJECTED' });
  });

  it('ignores a claim without a status (TRADE_FINISHED)', () => {
    for (const current of TRANSACTION_STATUSES) {
      expect(judgeNotification(snapshot(current), claim(null)).outcome).toBe('IGNORED');
    }
  });

  it('maps every (current, target) pair consistently with the state machine', () => {
    const table = TRANSACTION_STATUSES.flatMap((current) =>
      TRANSACTION_STATUSES.map((target) => {
        const verdict = judgeNotification(snapshot(current), claim(target));
        return `${current}->${target}: ${verdict.outcome}${verdict.outcome === 'ANOMALY' ? ` ${verdict.kind}` : ''}`;
      }),
    );
    expect(table.filter((line) => line.includes('ANOMALY'))).toEqual([
      'CAPTURED->REJECTED: ANOMALY CONFLICTING_STATUS',
      'CAPTURED->CANCELLED: ANOMALY CONFLICTING_STATUS',
      'PAID->REJECTED: ANOMALY CONFLICTING_STATUS',
      'PAID->CANCELLED: ANOMALY CONFLICTING_STATUS',
      'REJECTED->CAPTURED: ANOMALY CAPTURED_AFTER_REJECTION',
      'REJECTED->PAID: ANOMALY CAPTURED_AFTER_REJECTION',
      'CANCELLED->CAPTURED: ANOMALY CAPTURED_AFTER_CANCEL',
      'CANCELLED->PAID: ANOMALY CAPTURED_AFTER_CANCEL',
    ]);
    // A closing word on a closed transaction confirms it (TRADE_CLOSED after a merchant cancel).
    expect(table).toContain('CANCELLED->REJECTED: NO_OP');
    expect(table).toContain('REJECTED->CANCELLED: NO_OP');
    expect(table).toContain('CAPTURED->REDIRECTED: STALE');
    expect(table).toContain('CAPTURED->CAPTURED: DUPLICATE');
  });

  it('applies exactly what classify applies, and flags money arriving on a closed transaction', () => {
    const status = fc.constantFrom(...TRANSACTION_STATUSES);
    fc.assert(
      fc.property(status, status, (current, target) => {
        const verdict = judgeNotification(snapshot(current), claim(target));
        expect(verdict.outcome === 'APPLIED').toBe(classify(current, target) === 'apply');
        if ((target === 'CAPTURED' || target === 'PAID') && (current === 'CANCELLED' || current === 'REJECTED')) {
          expect(verdict.outcome).toBe('ANOMALY');
        }
      }),
    );
  });

  it('says what to refund', () => {
    expect(judgeNotification(snapshot('CANCELLED'), claim('CAPTURED'))).toMatchObject({ detail: expect.stringContaining('refund 19.99 EUR') });
  });
});

describe('judgeInArrivalOrder', () => {
  const locked = (id: string, status: TransactionStatus, version: number): VersionedSnapshot => ({ id, status, version, amountMinor: 1999n, currency: 'EUR' });
  const about = (transactionId: string | undefined, target: TransactionStatus) => ({ ...claim(target), transactionId });

  it('lets each notification see the changes of those before it, and numbers each transaction\'s changes', () => {
    const transactions = new Map([['a', locked('a', 'REDIRECTED', 2)], ['b', locked('b', 'REDIRECTED', 2)]]);
    const judgements = judgeInArrivalOrder(transactions, [
      about('a', 'CAPTURED'),
      about('b', 'CAPTURED'),
      about('a', 'PAID'),
      about('a', 'CAPTURED'),
      about('z', 'CAPTURED'),
    ]);
    expect(judgements.map(({ verdict, transaction, change }) => [verdict.outcome, transaction?.status, change])).toEqual([
      ['APPLIED', 'REDIRECTED', { version: 3, round: 0 }],
      ['APPLIED', 'REDIRECTED', { version: 3, round: 0 }],
      ['APPLIED', 'CAPTURED', { version: 4, round: 1 }],
      ['STALE', 'PAID', undefined],
      ['ANOMALY', undefined, undefined],
    ]);
    // The input is left as it was locked.
    expect(transactions.get('a')).toMatchObject({ status: 'REDIRECTED', version: 2 });
  });

  it('judges one notification exactly as judgeNotification does', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TRANSACTION_STATUSES), fc.constantFrom(...TRANSACTION_STATUSES), (current, target) => {
        const [judgement] = judgeInArrivalOrder(new Map([['t', locked('t', current, 5)]]), [about('t', target)]);
        expect(judgement?.verdict).toEqual(judgeNotification(snapshot(current), claim(target)));
      }),
    );
  });
});

describe('groupDeliveries', () => {
  it('groups deliveries of one event under its first, in order of first delivery', () => {
    expect(groupDeliveries(['x', 'y', 'x', 'z', 'y', 'x'], (item) => item)).toEqual([
      { first: 0, redeliveries: [2, 5] },
      { first: 1, redeliveries: [4] },
      { first: 3, redeliveries: [] },
    ]);
    expect(groupDeliveries([], (item: string) => item)).toEqual([]);
  });
});
