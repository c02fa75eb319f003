import { describe, expect, it } from 'vitest';
import type { TransactionEventMessage } from '../../src/client/merchant-client.ts';
import { auditHistory, compareWithLog, isLegalHistoryStep, metricSamples, type HistoryRow, type Status } from '../../bench/drills/judges.ts';

// The drills' own judges must be able to say FAIL: each is shown a broken case here.
describe('drill judges', () => {
  const row = (sequence: number, previousStatus: Status | null, status: Status, kind: HistoryRow['kind'] = 'STATUS_CHANGED'): HistoryRow => ({
    transactionId: 't',
    sequence,
    previousStatus,
    status,
    kind,
  });

  it('knows the DOMAIN.md transitions', () => {
    expect(isLegalHistoryStep(null, 'CREATED')).toBe(true);
    expect(isLegalHistoryStep('REDIRECTED', 'PAID')).toBe(true);
    expect(isLegalHistoryStep('CAPTURED', 'PAID')).toBe(true);
    expect(isLegalHistoryStep('CAPTURED', 'REJECTED')).toBe(false);
    expect(isLegalHistoryStep('CANCELLED', 'CAPTURED')).toBe(false);
    expect(isLegalHistoryStep('PAID', 'CAPTURED')).toBe(false);
    expect(isLegalHistoryStep(null, 'REDIRECTED')).toBe(false);
  });

  it('finds illegal steps, gaps, broken chains and repeated statuses in a history', () => {
    const good = [row(1, null, 'CREATED'), row(2, 'CREATED', 'REDIRECTED'), row(3, 'REDIRECTED', 'PAID')];
    expect(auditHistory(new Map([['t', good]]))).toEqual({ rows: 3, illegal: 0, gaps: 0, brokenChains: 0, repeatedStatuses: 0 });
    const bad = [row(1, null, 'CREATED'), row(2, 'CREATED', 'CAPTURED'), row(4, 'CAPTURED', 'REJECTED'), row(5, 'REDIRECTED', 'CAPTURED')];
    expect(auditHistory(new Map([['t', bad]]))).toEqual({ rows: 4, illegal: 1, gaps: 2, brokenChains: 1, repeatedStatuses: 1 });
  });

  it('takes refund rows as the status unchanged, and finds one that changes it or breaks the chain', () => {
    const good = [row(1, null, 'CREATED'), row(2, 'CREATED', 'CAPTURED'), row(3, 'CAPTURED', 'CAPTURED', 'REFUND_REQUESTED'), row(4, 'CAPTURED', 'PAID'), row(5, 'PAID', 'PAID', 'REFUND_SUCCEEDED')];
    expect(auditHistory(new Map([['t', good]]))).toEqual({ rows: 5, illegal: 0, gaps: 0, brokenChains: 0, repeatedStatuses: 0 });
    const bad = [row(1, null, 'CREATED', 'REFUND_REQUESTED'), row(2, 'CREATED', 'CAPTURED'), row(3, 'CAPTURED', 'PAID', 'REFUND_SUCCEEDED'), row(4, 'CAPTURED', 'CAPTURED', 'REFUND_FAILED')];
    expect(auditHistory(new Map([['t', bad]]))).toEqual({ rows: 4, illegal: 2, gaps: 0, brokenChains: 1, repeatedStatuses: 0 });
  });

  it('tells an exact stream from a duplicated, missing or reordered one', () => {
    const events = (cursors: string[]) => cursors.map((cursor) => ({ cursor }) as TransactionEventMessage);
    expect(compareWithLog(events(['a', 'b', 'c']), ['a', 'b', 'c'])).toMatchObject({ exact: true, duplicates: 0, missing: 0 });
    expect(compareWithLog(events(['a', 'b', 'b', 'c']), ['a', 'b', 'c'])).toMatchObject({ exact: false, duplicates: 1, missing: 0 });
    expect(compareWithLog(events(['a', 'c']), ['a', 'b', 'c'])).toMatchObject({ exact: false, missing: 1 });
    expect(compareWithLog(events(['a', 'c', 'b']), ['a', 'b', 'c'])).toMatchObject({ exact: false, duplicates: 0, missing: 0 });
  });

  it('reads Prometheus samples', () => {
    const text = '# HELP paystream_redis_up x\npaystream_redis_up{client="ratelimit"} 0\npaystream_redis_up_other 1\n';
    expect(metricSamples(text, 'paystream_redis_up')).toEqual([{ labels: '{client="ratelimit"}', value: 0 }]);
  });
});
