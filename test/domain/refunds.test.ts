import { describe, expect, it } from 'vitest';
import { judgeInArrivalOrder } from '../../src/domain/notifications.ts';
import { judgeRefundNotification, judgeRefundRequest, refundableAmount, type RefundClaim, type RefundableSnapshot, type RefundSnapshot } from '../../src/domain/refunds.ts';
import { TRANSACTION_STATUSES } from '../../src/domain/status.ts';

const paid = (refundedMinor = 0n, refundPendingMinor = 0n): RefundableSnapshot => ({ status: 'PAID', amountMinor: 10_000n, refundedMinor, refundPendingMinor });

describe('refundable amount', () => {
  it('is the captured amount less succeeded and requested refunds, for CAPTURED and PAID only', () => {
    expect(refundableAmount(paid())).toBe(10_000n);
    expect(refundableAmount(paid(2_500n, 1_000n))).toBe(6_500n);
    expect(refundableAmount({ ...paid(), status: 'CAPTURED' })).toBe(10_000n);
    for (const status of ['CREATED', 'REDIRECTED', 'REJECTED', 'CANCELLED'] as const) {
      expect(refundableAmount({ ...paid(), status })).toBe(0n);
    }
  });

  it('never goes below zero', () => {
    expect(refundableAmount(paid(10_000n))).toBe(0n);
    expect(refundableAmount(paid(6_000n, 6_000n))).toBe(0n);
  });
});

describe('judging a refund request', () => {
  it('accepts what fits, up to the last minor unit, and takes everything left when no amount is given', () => {
    expect(judgeRefundRequest(paid(2_500n, 1_000n), 6_500n, false)).toEqual({ outcome: 'accept', amountMinor: 6_500n });
    expect(judgeRefundRequest(paid(2_500n, 1_000n), 1n, false)).toEqual({ outcome: 'accept', amountMinor: 1n });
    expect(judgeRefundRequest(paid(2_500n, 1_000n), undefined, false)).toEqual({ outcome: 'accept', amountMinor: 6_500n });
  });

  it('refuses more than is left, saying what is left (refunds in flight count)', () => {
    expect(judgeRefundRequest(paid(2_500n, 1_000n), 6_501n, false)).toEqual({ outcome: 'exceeds', refundableMinor: 6_500n });
    expect(judgeRefundRequest(paid(4_000n, 6_000n), undefined, false)).toEqual({ outcome: 'exceeds', refundableMinor: 0n });
    expect(judgeRefundRequest(paid(4_000n, 6_000n), 1n, false)).toEqual({ outcome: 'exceeds', refundableMinor: 0n });
  });

  it('refuses transactions without captured money, whatever the amount', () => {
    for (const status of ['CREATED', 'REDIRECTED', 'REJECTED', 'CANCELLED'] as const) {
      expect(judgeRefundRequest({ ...paid(), status }, 100n, false).outcome).toBe('invalid_state');
    }
  });

  it('refunds a closed transaction only for money an anomaly says arrived after it closed', () => {
    for (const status of TRANSACTION_STATUSES) {
      const verdict = judgeRefundRequest({ ...paid(), status }, undefined, true);
      expect(verdict.outcome, status).toBe(['CREATED', 'REDIRECTED'].includes(status) ? 'invalid_state' : 'accept');
    }
    expect(judgeRefundRequest({ ...paid(0n, 10_000n), status: 'CANCELLED' }, undefined, true)).toEqual({ outcome: 'exceeds', refundableMinor: 0n });
  });
});

describe('judging a refund notification', () => {
  const refund: RefundSnapshot = { id: 'r1', transactionId: 't1', amountMinor: 1250n, currency: 'EUR', status: 'REQUESTED' };
  const claim: RefundClaim = { reference: 'r1', refundId: 'r1', transactionId: 't1', outcome: 'SUCCEEDED', amount: { minorUnits: 1250n, currency: 'EUR' }, eventType: 'REFUND_SUCCESS' };

  it('applies a success to a REQUESTED refund and calls the same word again a duplicate', () => {
    expect(judgeRefundNotification(refund, claim)).toEqual({ outcome: 'APPLIED', refund, refundOutcome: 'SUCCEEDED' });
    expect(judgeRefundNotification({ ...refund, status: 'SUCCEEDED' }, claim)).toMatchObject({ outcome: 'DUPLICATE' });
  });

  it('never applies a refund it does not know, one of another transaction, or another amount', () => {
    expect(judgeRefundNotification(undefined, claim)).toMatchObject({ outcome: 'ANOMALY', kind: 'ORPHAN' });
    expect(judgeRefundNotification(refund, { ...claim, transactionId: 't2' })).toMatchObject({ outcome: 'ANOMALY', kind: 'ORPHAN' });
    expect(judgeRefundNotification(refund, { ...claim, amount: { minorUnits: 1251n, currency: 'EUR' } })).toMatchObject({
      outcome: 'ANOMALY',
      kind: 'AMOUNT_MISMATCH',
      detail: 'REFUND_SUCCESS reports 12.51 EUR, the refund is 12.50 EUR',
    });
    expect(judgeRefundNotification(refund, { ...claim, amount: { minorUnits: 1250n, currency: 'USD' } })).toMatchObject({ kind: 'AMOUNT_MISMATCH' });
    expect(judgeRefundNotification(refund, { ...claim, amount: undefined })).toMatchObject({ kind: 'AMOUNT_MISMATCH' });
  });

  it('calls a success of a refund recorded FAILED a contradiction for a human', () => {
    expect(judgeRefundNotification({ ...refund, status: 'FAILED' }, claim)).toMatchObject({ outcome: 'ANOMALY', kind: 'CONFLICTING_STATUS' });
  });

  it('takes its place in a batch: one version after another, the second word about a refund a duplicate', () => {
    const transactions = new Map([['t1', { id: 't1', status: 'CAPTURED' as const, amountMinor: 5000n, currency: 'EUR', version: 4 }]]);
    const notice = { reference: 'r1', refundId: 'r1', outcome: 'SUCCEEDED' as const };
    const judged = judgeInArrivalOrder(
      transactions,
      [
        { transactionId: 't1', target: null, amount: claim.amount, eventType: 'REFUND_SUCCESS', refund: notice },
        { transactionId: 't1', target: 'PAID', amount: { minorUnits: 5000n, currency: 'EUR' }, eventType: 'payment.paid' },
        { transactionId: 't1', target: null, amount: claim.amount, eventType: 'REFUND_SUCCESS', refund: notice },
        { transactionId: 't1', target: null, amount: claim.amount, eventType: 'REFUND_SUCCESS', refund: { ...notice, reference: 'r9', refundId: 'r9' } },
      ],
      new Map([['r1', refund]]),
    );
    expect(judged.map(({ verdict, change }) => [verdict.outcome, change])).toEqual([
      ['APPLIED', { version: 5, round: 0 }],
      ['APPLIED', { version: 6, round: 1 }],
      ['DUPLICATE', undefined],
      ['ANOMALY', undefined],
    ]);
  });
});
