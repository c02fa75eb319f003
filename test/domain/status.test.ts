import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ALLOWED_TRANSITIONS,
  STATUS_RANK,
  TRANSACTION_STATUSES,
  canTransition,
  classify,
  isCancellable,
  isFinal,
  isTransactionStatus,
  type TransactionStatus,
  type TransitionClass,
} from '../../src/domain/status.ts';

// Every (current, target) pair, written out by hand from DOMAIN.md so the test does not share logic
// with the implementation.
const TABLE: ReadonlyArray<readonly [TransactionStatus, TransactionStatus, TransitionClass]> = [
  ['CREATED', 'CREATED', 'duplicate'],
  ['CREATED', 'REDIRECTED', 'apply'],
  ['CREATED', 'CAPTURED', 'apply'],
  ['CREATED', 'PAID', 'apply'],
  ['CREATED', 'REJECTED', 'apply'],
  ['CREATED', 'CANCELLED', 'apply'],

  ['REDIRECTED', 'CREATED', 'stale'],
  ['REDIRECTED', 'REDIRECTED', 'duplicate'],
  ['REDIRECTED', 'CAPTURED', 'apply'],
  ['REDIRECTED', 'PAID', 'apply'],
  ['REDIRECTED', 'REJECTED', 'apply'],
  ['REDIRECTED', 'CANCELLED', 'apply'],

  ['CAPTURED', 'CREATED', 'stale'],
  ['CAPTURED', 'REDIRECTED', 'stale'],
  ['CAPTURED', 'CAPTURED', 'duplicate'],
  ['CAPTURED', 'PAID', 'apply'],
  ['CAPTURED', 'REJECTED', 'illegal'],
  ['CAPTURED', 'CANCELLED', 'illegal'],

  ['PAID', 'CREATED', 'stale'],
  ['PAID', 'REDIRECTED', 'stale'],
  ['PAID', 'CAPTURED', 'stale'],
  ['PAID', 'PAID', 'duplicate'],
  ['PAID', 'REJECTED', 'illegal'],
  ['PAID', 'CANCELLED', 'illegal'],

  ['REJECTED', 'CREATED', 'stale'],
  ['REJECTED', 'REDIRECTED', 'stale'],
  ['REJECTED', 'CAPTURED', 'illegal'],
  ['REJECTED', 'PAID', 'illegal'],
  ['REJECTED', 'REJECTED', 'duplicate'],
  ['REJECTED', 'CANCELLED', 'illegal'],

  ['CANCELLED', 'CREATED', 'stale'],
  ['CANCELLED', 'REDIRECTED', 'stale'],
  ['CANCELLED', 'CAPTURED', 'illegal'],
  ['CANCELLED', 'PAID', 'illegal'],
  ['CANCELLED', 'REJECTED', 'illegal'],
  ['CANCELLED', 'CANCELLED', 'duplicate'],
];

const statusArb = fc.constantFrom(...TRANSACTION_STATUSES);

describe('status table', () => {
  it('covers all 36 pairs exactly once', () => {
    const keys = new Set(TABLE.map(([c, t]) => `${c}->${t}`));
    expect(TABLE).toHaveLength(36);
    expect(keys.size).toBe(36);
  });

  it.each(TABLE)('classify(%s, %s) = %s', (current, target, expected) => {
    expect(classify(current, target)).toBe(expected);
    expect(canTransition(current, target)).toBe(expected === 'apply');
  });
});

describe('status predicates', () => {
  it('finals are PAID, REJECTED, CANCELLED', () => {
    expect(TRANSACTION_STATUSES.filter(isFinal)).toEqual(['PAID', 'REJECTED', 'CANCELLED']);
  });

  it('only CREATED and REDIRECTED are cancellable', () => {
    expect(TRANSACTION_STATUSES.filter(isCancellable)).toEqual(['CREATED', 'REDIRECTED']);
  });

  it('cancellable states are exactly those that may transition to CANCELLED', () => {
    for (const s of TRANSACTION_STATUSES) expect(isCancellable(s)).toBe(canTransition(s, 'CANCELLED'));
  });

  it('recognises status strings exactly', () => {
    expect(isTransactionStatus('PAID')).toBe(true);
    expect(isTransactionStatus('paid')).toBe(false);
    expect(isTransactionStatus('')).toBe(false);
    expect(isTransactionStatus('toString')).toBe(false);
  });

  it('rank order is documented as CREATED < REDIRECTED < CAPTURED < finals', () => {
    expect(STATUS_RANK).toEqual({ CREATED: 0, REDIRECTED: 1, CAPTURED: 2, PAID: 3, REJECTED: 3, CANCELLED: 3 });
  });
});

describe('status properties', () => {
  it('any sequence of applied transitions strictly increases rank and ends no later than a final', () => {
    fc.assert(
      fc.property(fc.array(statusArb, { maxLength: 30 }), (targets) => {
        let current: TransactionStatus = 'CREATED';
        for (const target of targets) {
          if (classify(current, target) !== 'apply') continue;
          expect(STATUS_RANK[target]).toBeGreaterThan(STATUS_RANK[current]);
          expect(isFinal(current)).toBe(false);
          current = target;
        }
      }),
    );
  });

  it('finals accept nothing', () => {
    fc.assert(
      fc.property(statusArb, statusArb, (current, target) => {
        fc.pre(isFinal(current));
        expect(canTransition(current, target)).toBe(false);
        expect(classify(current, target)).not.toBe('apply');
        expect(ALLOWED_TRANSITIONS[current]).toHaveLength(0);
      }),
    );
  });

  it('classify is total and returns one of the four classes', () => {
    fc.assert(
      fc.property(statusArb, statusArb, (current, target) => {
        expect(['apply', 'duplicate', 'stale', 'illegal']).toContain(classify(current, target));
      }),
    );
  });

  it('applying a transition then re-sending the same target is a duplicate', () => {
    fc.assert(
      fc.property(statusArb, statusArb, (current, target) => {
        fc.pre(classify(current, target) === 'apply');
        expect(classify(target, target)).toBe('duplicate');
      }),
    );
  });

  it('after applying, the previous status is stale (late re-delivery changes nothing)', () => {
    fc.assert(
      fc.property(statusArb, statusArb, (current, target) => {
        fc.pre(classify(current, target) === 'apply');
        expect(classify(target, current)).toBe('stale');
      }),
    );
  });

  it('stale targets are never final and never ahead in rank', () => {
    fc.assert(
      fc.property(statusArb, statusArb, (current, target) => {
        fc.pre(classify(current, target) === 'stale');
        expect(isFinal(target)).toBe(false);
        expect(STATUS_RANK[target]).toBeLessThan(STATUS_RANK[current]);
      }),
    );
  });

  it('allowed transitions are transitively closed (skipping steps is always allowed)', () => {
    for (const a of TRANSACTION_STATUSES)
      for (const b of ALLOWED_TRANSITIONS[a])
        for (const c of ALLOWED_TRANSITIONS[b]) expect(canTransition(a, c)).toBe(true);
  });
});
