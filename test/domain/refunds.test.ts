import { describe, expect, it } from 'vitest';
import { judgeRefundRequest, refundableAmount, type RefundableSnapshot } from '../../src/domain/refunds.ts';
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
