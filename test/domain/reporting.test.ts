import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCalendarDate } from '../../src/domain/calendar.ts';
import { encodeCsv, encodeCsvField, neutraliseFormula } from '../../src/domain/csv.ts';
import { formatRatio } from '../../src/domain/ratio.ts';

describe('isCalendarDate', () => {
  it.each(['2026-03-08', '2024-02-29', '2000-02-29', '0001-01-01', '9999-12-31'])('accepts %s', (value) => {
    expect(isCalendarDate(value)).toBe(true);
  });

  it.each(['2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '2026-3-8', '20260308', ' 2026-03-08', '2026-03-08T00:00:00Z', ''])(
    'refuses %j',
    (value) => {
      expect(isCalendarDate(value)).toBe(false);
    },
  );

  it('agrees with the Gregorian calendar for every day of 1900-2100', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
        const text = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
        const date = new Date(Date.UTC(year, month - 1, day));
        expect(isCalendarDate(text)).toBe(date.getUTCDate() === day);
      }),
    );
  });
});

describe('encodeCsv (RFC 4180)', () => {
  it('quotes only fields that need it, doubles embedded quotes, ends every record with CRLF', () => {
    expect(encodeCsv([['a', 'b,c', 'say "hi"', 'two\nlines', 'cr\r', '', ' spaced ']])).toBe('a,"b,c","say ""hi""","two\nlines","cr\r",, spaced \r\n');
    expect(encodeCsv([])).toBe('');
  });

  it('round-trips any text through a strict RFC 4180 reader (formula-like text with its guard)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (records) => {
        expect(parseCsv(encodeCsv(records))).toEqual(records.map((record) => record.map(neutraliseFormula)));
      }),
    );
  });
});

describe('CSV formula injection (#14.11)', () => {
  it('prefixes with a quote every cell a spreadsheet would run: = + - @, and a leading tab or CR', () => {
    expect(encodeCsvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(encodeCsvField('=HYPERLINK("https://evil.example","x")')).toBe('"\'=HYPERLINK(""https://evil.example"",""x"")"');
    expect(encodeCsvField('+1+1')).toBe("'+1+1");
    expect(encodeCsvField('-2+3')).toBe("'-2+3");
    expect(encodeCsvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(encodeCsvField('\t=1+1')).toBe("'\t=1+1");
    expect(encodeCsvField('\r=1+1')).toBe('"\'\r=1+1"');
  });

  it('leaves numbers and ordinary text alone', () => {
    for (const value of ['-12.50', '+3', '1999', '0.00', 'Acme', 'a=b', ' =not a formula', '', '2026-11-01T05:30:00-04:00']) {
      expect(encodeCsvField(value)).toBe(value);
    }
  });

  it('no encoded field starts a formula, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const field = encodeCsvField(value);
        const cell = field.startsWith('"') ? field.slice(1) : field;
        if (/^[=+\-@\t\r]/.test(cell)) expect(cell).toMatch(/^[+-]?\d+(\.\d+)?$/);
      }),
    );
  });
});

/** A strict RFC 4180 reader, for the round-trip property. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let index = 0;
  while (index < text.length) {
    if (text[index] === '"') {
      index += 1;
      while (true) {
        if (text[index] === '"' && text[index + 1] === '"') {
          field += '"';
          index += 2;
        } else if (text[index] === '"') {
          index += 1;
          break;
        } else {
          field += text[index];
          index += 1;
        }
      }
    }
    while (index < text.length && text[index] !== ',' && !(text[index] === '\r' && text[index + 1] === '\n')) {
      field += text[index];
      index += 1;
    }
    record.push(field);
    field = '';
    if (text[index] === ',') {
      index += 1;
    } else {
      records.push(record);
      record = [];
      index += 2;
    }
  }
  return records;
}

describe('formatRatio', () => {
  it.each([
    [2n, 3n, 4, '0.6667'],
    [1n, 3n, 4, '0.3333'],
    [1n, 8n, 2, '0.13'], // 0.125 rounds half up
    [0n, 5n, 4, '0.0000'],
    [5n, 5n, 4, '1.0000'],
    [7n, 2n, 0, '4'],
    [123_456_789_012_345_678_901n, 123_456_789_012_345_678_902n, 4, '1.0000'],
  ])('%s / %s with %s decimals is %s', (numerator, denominator, digits, expected) => {
    expect(formatRatio(numerator, denominator, digits)).toBe(expected);
  });

  it('is undefined for an empty denominator and refuses negative counts', () => {
    expect(formatRatio(0n, 0n)).toBeUndefined();
    expect(() => formatRatio(-1n, 2n)).toThrow(RangeError);
  });
});
