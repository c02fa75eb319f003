// The calendar buckets of a date range in a time zone (hours, days, weeks, months), from the zone's UTC offsets.
// Pure arithmetic: the offsets come from PostgreSQL's time zone database (src/db/sql/stats.ts), so the buckets agree
// with every other date PostgreSQL computes, and no second time zone database is consulted.

export const TIME_UNITS = ['HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

/** From `at` (epoch milliseconds) until the next change, local time is UTC + `utcOffsetSeconds`. */
export type OffsetChange = Readonly<{ at: number; utcOffsetSeconds: number }>;

/** A zone's UTC offsets over a span of time: the first change is the offset in force at the span's start. */
export type OffsetTimeline = Readonly<{ changes: readonly OffsetChange[]; end: number }>;

export type TimeBucket = Readonly<{
  /** First instant (epoch milliseconds, inclusive). */
  start: number;
  /** First instant after it (exclusive): the next bucket's start. */
  end: number;
  /** The local calendar date at `start`. */
  date: string;
  /** Local wall-clock time at `start` with its UTC offset, e.g. `2026-11-01T01:00:00-05:00`. */
  localStart: string;
}>;

export type DateRange = Readonly<{ from: string; to: string }>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Boundary = { at: number; offset: number; key: string; date: string };

/**
 * The buckets of `range` (local dates `from` to `to`, inclusive) by `unit`; without a unit, one bucket for the
 * whole range. A bucket is a maximal stretch of time with the same local hour (and UTC offset: an hour that occurs
 * twice is two buckets) or the same local date, so a day is 23 or 25 hours long when the clocks change, and an
 * hour that is skipped has no bucket. Weeks are ISO weeks (Monday first) and, like months, are cut to the range.
 *
 * `timeline` must cover the range with at least a day to spare on both sides (see src/db/sql/stats.ts).
 */
export function timeBuckets(range: DateRange, unit: TimeUnit | undefined, timeline: OffsetTimeline): TimeBucket[] {
  if (unit === 'HOUR') return cut(boundaries(timeline, HOUR), range);
  const days = cut(boundaries(timeline, DAY), range);
  if (unit === 'DAY') return days;
  if (unit === 'WEEK') return merge(days, (day) => String(isoWeek(day.date)));
  if (unit === 'MONTH') return merge(days, (day) => day.date.slice(0, 7));
  return merge(days, () => 'range');
}

/**
 * Every instant where the local hour (or date) changes, in order, each with its key: the span's start, each offset
 * change, and each local hour (day) start under the offset in force. Consecutive boundaries with the same key are
 * one bucket (an offset change in mid-day starts no new day), so only the first of them is kept.
 */
function boundaries(timeline: OffsetTimeline, unit: number): Boundary[] {
  const kept: Boundary[] = [];
  const { changes, end } = timeline;
  changes.forEach((change, index) => {
    const stop = changes[index + 1]?.at ?? end;
    const offset = change.utcOffsetSeconds * 1000;
    const keep = (at: number) => {
      const local = at + offset;
      const key = unit === HOUR ? `${Math.floor(local / HOUR)}@${offset}` : String(Math.floor(local / DAY));
      if (kept[kept.length - 1]?.key !== key) kept.push({ at, offset, key, date: isoDate(local) });
    };
    keep(change.at);
    for (let at = Math.ceil((change.at + offset) / unit) * unit - offset; at < stop; at += unit) {
      if (at > change.at) keep(at);
    }
  });
  kept.push({ at: end, offset: 0, key: 'end', date: '' });
  return kept;
}

/**
 * The part of `timeline` from `start` to `end` (epoch milliseconds; cut to what it covers): the offset in force at
 * `start`, then the changes in between. The buckets of a range it covers are those of a timeline read for it alone.
 */
export function timelineBetween(timeline: OffsetTimeline, start: number, end: number): OffsetTimeline {
  const first = Math.max(start, timeline.changes[0]?.at ?? start);
  const last = Math.min(end, timeline.end);
  const inForce = timeline.changes.filter((change) => change.at <= first).pop() ?? timeline.changes[0];
  return {
    changes: [{ at: first, utcOffsetSeconds: inForce?.utcOffsetSeconds ?? 0 }, ...timeline.changes.filter((change) => change.at > first && change.at < last)],
    end: last,
  };
}

/** The buckets whose local date lies in the range, each ending where the next boundary begins. */
function cut(all: readonly Boundary[], { from, to }: DateRange): TimeBucket[] {
  const buckets: TimeBucket[] = [];
  for (let index = 0; index < all.length - 1; index += 1) {
    const boundary = all[index]!;
    if (boundary.date < from || boundary.date > to) continue;
    buckets.push({ start: boundary.at, end: all[index + 1]!.at, date: boundary.date, localStart: localTime(boundary.at, boundary.offset) });
  }
  return buckets;
}

/** Consecutive buckets with the same key as one (weeks and months from days). */
function merge(buckets: readonly TimeBucket[], keyOf: (bucket: TimeBucket) => string): TimeBucket[] {
  const merged: TimeBucket[] = [];
  let lastKey: string | undefined;
  for (const bucket of buckets) {
    const key = keyOf(bucket);
    const last = merged[merged.length - 1];
    if (last !== undefined && key === lastKey) merged[merged.length - 1] = { ...last, end: bucket.end };
    else merged.push(bucket);
    lastKey = key;
  }
  return merged;
}

/** The ISO week a date belongs to, as a running number (weeks start on Monday; 1970-01-01 was a Thursday). */
function isoWeek(date: string): number {
  return Math.floor((Date.parse(`${date}T00:00:00Z`) / DAY + 3) / 7);
}

function isoDate(localMilliseconds: number): string {
  return new Date(localMilliseconds).toISOString().slice(0, 10);
}

/** `2026-11-01T01:00:00-05:00`; an offset with seconds (old local mean times) keeps them: `+00:53:28`. */
function localTime(at: number, offsetMilliseconds: number): string {
  const clock = new Date(at + offsetMilliseconds).toISOString().slice(0, 19);
  const sign = offsetMilliseconds < 0 ? '-' : '+';
  const total = Math.abs(offsetMilliseconds) / 1000;
  const parts = [Math.floor(total / 3600), Math.floor((total % 3600) / 60)];
  if (total % 60 !== 0) parts.push(total % 60);
  return `${clock}${sign}${parts.map((part) => String(part).padStart(2, '0')).join(':')}`;
}
