import { describe, expect, it } from 'vitest';
import { uuidv7 } from '../../src/db/session.ts';
import { randomToken } from '../../src/domain/random.ts';

describe('randomToken', () => {
  it('answers base64url of the bytes asked for, never the same bytes twice, across refills of its pool', () => {
    const tokens = Array.from({ length: 1_000 }, () => randomToken(32));
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    }
    // 32,000 bytes: the 4 KiB pool was refilled several times.
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(randomToken(24)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('uuidv7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the time, with random bits after', () => {
    const ids = Array.from({ length: 1_000 }, () => uuidv7(0x0123_4567_89ab));
    for (const id of ids) expect(id).toMatch(/^01234567-89ab-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Ordered by time first: a later millisecond sorts after, as text and as PostgreSQL's uuid.
    expect(uuidv7(Date.UTC(2026, 0, 1)) < uuidv7(Date.UTC(2026, 0, 1) + 1)).toBe(true);
    expect(uuidv7(Date.UTC(2026, 0, 1)).slice(0, 13)).toBe('019b76da-a800');
  });
});
