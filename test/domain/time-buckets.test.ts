import { describe, expect, it } from 'vitest';
import { timeBuckets, type OffsetTimeline, type TimeBucket } from '../../src/domain/time-buckets.ts';

const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
/** A timeline from (instant, offset in hours) pairs; the last instant ends it. */
const timeline = (changes: [string, number][], end: string): OffsetTimeline => ({
  changes: changes.map(([instant, hours]) => ({ at: at(instant), utcOffsetSeconds: Math.round(hours * 3600) })),
  end: at(end),
});
const iso = (bucket: TimeBucket) => [new Date(bucket.start).toISOString(), new Date(bucket.end).toISOString(), bucket.date, bucket.localStart];
const hours = (bucket: TimeBucket) => (bucket.end - bucket.start) / HOUR;

// America/New_York around 2026's changes: EST -5, EDT -4 from 2026-03-08T07:00Z to 2026-11-01T06:00Z.
const newYork = timeline(
  [
    ['2026-03-06T05:00:00Z', -5],
    ['2026-03-08T07:00:00Z', -4],
    ['2026-11-01T06:00:00Z', -5],
  ],
  '2026-11-04T05:00:00Z',
);

describe('timeBuckets', () => {
  it('makes the autumn day 25 hours and its repeated hour two buckets (America/New_York, 2026-11-01)', () => {
    const [day] = timeBuckets({ from: '2026-11-01', to: '2026-11-01' }, 'DAY', newYork);
    expect(iso(day!)).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z', '2026-11-01', '2026-11-01T00:00:00-04:00']);
    const buckets = timeBuckets({ from: '2026-11-01', to: '2026-11-01' }, 'HOUR', newYork);
    expect(buckets).toHaveLength(25);
    expect(buckets.slice(1, 3).map(iso)).toEqual([
      ['2026-11-01T05:00:00.000Z', '2026-11-01T06:00:00.000Z', '2026-11-01', '2026-11-01T01:00:00-04:00'],
      ['2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z', '2026-11-01', '2026-11-01T01:00:00-05:00'],
    ]);
    expect(buckets.every((bucket) => hours(bucket) === 1)).toBe(true);
  });

  it('makes the spring day 23 hours with no bucket for the skipped hour', () => {
    const buckets = timeBuckets({ from: '2026-03-08', to: '2026-03-08' }, 'HOUR', newYork);
    expect(buckets.map((bucket) => bucket.localStart.slice(11, 13))).toEqual(['00', '01', ...Array.from({ length: 21 }, (_, hour) => String(hour + 3).padStart(2, '0'))]);
    expect(hours(timeBuckets({ from: '2026-03-08', to: '2026-03-08' }, 'DAY', newYork)[0]!)).toBe(23);
  });

  it('keeps buckets contiguous across a range: each ends where the next starts', () => {
    const buckets = timeBuckets({ from: '2026-03-07', to: '2026-03-09' }, 'HOUR', newYork);
    expect(buckets).toHaveLength(24 + 23 + 24);
    buckets.slice(1).forEach((bucket, index) => expect(bucket.start).toBe(buckets[index]!.end));
  });

  it('gives a half-hour change its half-hour bucket (Australia/Lord_Howe, 2026-04-05)', () => {
    const lordHowe = timeline([['2026-04-02T13:00:00Z', 11], ['2026-04-04T15:00:00Z', 10.5]], '2026-04-07T13:30:00Z');
    const buckets = timeBuckets({ from: '2026-04-05', to: '2026-04-05' }, 'HOUR', lordHowe);
    expect(buckets).toHaveLength(25);
    expect(buckets.slice(1, 4).map(iso)).toEqual([
      ['2026-04-04T14:00:00.000Z', '2026-04-04T15:00:00.000Z', '2026-04-05', '2026-04-05T01:00:00+11:00'],
      ['2026-04-04T15:00:00.000Z', '2026-04-04T15:30:00.000Z', '2026-04-05', '2026-04-05T01:30:00+10:30'],
      ['2026-04-04T15:30:00.000Z', '2026-04-04T16:30:00.000Z', '2026-04-05', '2026-04-05T02:00:00+10:30'],
    ]);
    expect(hours(timeBuckets({ from: '2026-04-05', to: '2026-04-05' }, 'DAY', lordHowe)[0]!)).toBe(24.5);
  });

  it('starts a day at its first midnight when midnight occurs twice (America/Havana, 2025-11-02)', () => {
    // 01:00 CDT becomes 00:00 CST: PostgreSQL reads the local midnight as its later instant, 05:00Z.
    const havana = timeline([['2025-10-31T04:00:00Z', -4], ['2025-11-02T05:00:00Z', -5]], '2025-11-05T05:00:00Z');
    const [day] = timeBuckets({ from: '2025-11-02', to: '2025-11-02' }, 'DAY', havana);
    expect(iso(day!)).toEqual(['2025-11-02T04:00:00.000Z', '2025-11-03T05:00:00.000Z', '2025-11-02', '2025-11-02T00:00:00-04:00']);
    const midnightHours = timeBuckets({ from: '2025-11-02', to: '2025-11-02' }, 'HOUR', havana).slice(0, 2).map((bucket) => bucket.localStart);
    expect(midnightHours).toEqual(['2025-11-02T00:00:00-04:00', '2025-11-02T00:00:00-05:00']);
  });

  it('starts a day at 01:00 when its midnight is skipped (America/Santiago, 2026-09-06)', () => {
    const santiago = timeline([['2026-09-04T04:00:00Z', -4], ['2026-09-06T04:00:00Z', -3]], '2026-09-09T03:00:00Z');
    const [day] = timeBuckets({ from: '2026-09-06', to: '2026-09-06' }, 'DAY', santiago);
    expect(iso(day!)).toEqual(['2026-09-06T04:00:00.000Z', '2026-09-07T03:00:00.000Z', '2026-09-06', '2026-09-06T01:00:00-03:00']);
  });

  it('has no bucket for a date the zone skipped (Pacific/Apia, 2011-12-30)', () => {
    const apia = timeline([['2011-12-28T10:00:00Z', -10], ['2011-12-30T10:00:00Z', 14]], '2012-01-02T10:00:00Z');
    const days = timeBuckets({ from: '2011-12-29', to: '2011-12-31' }, 'DAY', apia);
    expect(days.map(iso)).toEqual([
      ['2011-12-29T10:00:00.000Z', '2011-12-30T10:00:00.000Z', '2011-12-29', '2011-12-29T00:00:00-10:00'],
      ['2011-12-30T10:00:00.000Z', '2011-12-31T10:00:00.000Z', '2011-12-31', '2011-12-31T00:00:00+14:00'],
    ]);
  });

  it('follows offsets that are not whole hours (Asia/Kathmandu, +05:45)', () => {
    const kathmandu = timeline([['2026-05-30T18:15:00Z', 5.75]], '2026-06-03T18:15:00Z');
    const buckets = timeBuckets({ from: '2026-06-01', to: '2026-06-01' }, 'HOUR', kathmandu);
    expect(buckets).toHaveLength(24);
    expect(iso(buckets[0]!)).toEqual(['2026-05-31T18:15:00.000Z', '2026-05-31T19:15:00.000Z', '2026-06-01', '2026-06-01T00:00:00+05:45']);
  });

  it('cuts ISO weeks (Monday first) and months to the range', () => {
    const utc = timeline([['2026-01-01T00:00:00Z', 0]], '2026-05-01T00:00:00Z');
    expect(timeBuckets({ from: '2026-01-07', to: '2026-01-20' }, 'WEEK', utc).map(iso)).toEqual([
      ['2026-01-07T00:00:00.000Z', '2026-01-12T00:00:00.000Z', '2026-01-07', '2026-01-07T00:00:00+00:00'],
      ['2026-01-12T00:00:00.000Z', '2026-01-19T00:00:00.000Z', '2026-01-12', '2026-01-12T00:00:00+00:00'],
      ['2026-01-19T00:00:00.000Z', '2026-01-21T00:00:00.000Z', '2026-01-19', '2026-01-19T00:00:00+00:00'],
    ]);
    // Europe/Berlin: CET +1, CEST +2 from 2026-03-29T01:00Z.
    const berlin = timeline([['2026-03-13T23:00:00Z', 1], ['2026-03-29T01:00:00Z', 2]], '2026-04-12T22:00:00Z');
    expect(timeBuckets({ from: '2026-03-15', to: '2026-04-10' }, 'MONTH', berlin).map(iso)).toEqual([
      ['2026-03-14T23:00:00.000Z', '2026-03-31T22:00:00.000Z', '2026-03-15', '2026-03-15T00:00:00+01:00'],
      ['2026-03-31T22:00:00.000Z', '2026-04-10T22:00:00.000Z', '2026-04-01', '2026-04-01T00:00:00+02:00'],
    ]);
  });

  it('makes the whole range one bucket without a unit', () => {
    expect(timeBuckets({ from: '2026-11-01', to: '2026-11-02' }, undefined, newYork).map(iso)).toEqual([
      ['2026-11-01T04:00:00.000Z', '2026-11-03T05:00:00.000Z', '2026-11-01', '2026-11-01T00:00:00-04:00'],
    ]);
  });

  it('writes offsets with seconds when a zone had them (local mean time)', () => {
    const amsterdam1900 = timeline([['1900-01-01T00:00:00Z', 1172 / 3600]], '1900-01-05T00:00:00Z');
    expect(timeBuckets({ from: '1900-01-02', to: '1900-01-02' }, 'DAY', amsterdam1900)[0]!.localStart).toBe('1900-01-02T00:00:00+00:19:32');
  });
});
