import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  CURRENCY_CODES,
  MAX_AMOUNT_DIGITS,
  MAX_MINOR_UNITS,
  MIN_MINOR_UNITS,
  currencyExponent,
  fitsInInt64,
  formatMinorUnits,
  isKnownCurrency,
  parseMoney,
  sumMinorUnits,
} from '../../src/domain/money.ts';

function parsed(value: string, currency: string): bigint {
  const r = parseMoney(value, currency);
  if (!r.ok) throw new Error(`expected ${value} ${currency} to parse, got: ${r.error}`);
  return r.minorUnits;
}

function parseError(value: string, currency: string): string {
  const r = parseMoney(value, currency);
  if (r.ok) throw new Error(`expected ${JSON.stringify(value)} ${currency} to be refused, got ${r.minorUnits}`);
  return r.error;
}

describe('currency exponents', () => {
  it.each([
    ['USD', 2], ['EUR', 2], ['GBP', 2], ['CNY', 2], ['HKD', 2], ['SGD', 2], ['CHF', 2], ['AUD', 2],
    ['CAD', 2], ['SEK', 2], ['INR', 2], ['BRL', 2], ['MXN', 2],
    ['JPY', 0], ['KRW', 0], ['VND', 0], ['CLP', 0], ['ISK', 0], ['XAF', 0], ['XOF', 0], ['PYG', 0], ['UGX', 0],
    ['BHD', 3], ['IQD', 3], ['JOD', 3], ['KWD', 3], ['LYD', 3], ['OMR', 3], ['TND', 3],
  ] as const)('%s has exponent %i', (code, exp) => {
    expect(currencyExponent(code)).toBe(exp);
    expect(isKnownCurrency(code)).toBe(true);
  });

  it('does not know lower case, withdrawn, fund, or made-up codes', () => {
    for (const code of ['eur', 'Eur', 'HRK', 'XAU', 'XXX', 'ABC', '', 'EURO', 'toString', '__proto__']) {
      expect(isKnownCurrency(code)).toBe(false);
      expect(currencyExponent(code)).toBeUndefined();
    }
  });

  it('lists a decent set of currencies, all three upper-case letters', () => {
    expect(CURRENCY_CODES.length).toBeGreaterThan(140);
    for (const code of CURRENCY_CODES) expect(code).toMatch(/^[A-Z]{3}$/);
  });
});

describe('parseMoney', () => {
  it.each([
    ['19.99', 'EUR', 1999n],
    ['19.9', 'EUR', 1990n],
    ['19', 'EUR', 1900n],
    ['0', 'EUR', 0n],
    ['0.01', 'USD', 1n],
    ['007.50', 'USD', 750n],
    ['-5.25', 'EUR', -525n],
    ['-0', 'EUR', 0n],
    ['1999', 'JPY', 1999n],
    ['1.234', 'KWD', 1234n],
    ['1.2', 'KWD', 1200n],
    ['9223372036854775807', 'JPY', MAX_MINOR_UNITS],
    ['92233720368547758.07', 'EUR', MAX_MINOR_UNITS],
  ] as const)('parses %s %s', (value, currency, expected) => {
    expect(parsed(value, currency)).toBe(expected);
  });

  it('parses beyond int64 exactly (range is the caller\'s check)', () => {
    const v = parsed('123456789012345678901234567.89', 'EUR');
    expect(v).toBe(12345678901234567890123456789n);
    expect(fitsInInt64(v)).toBe(false);
  });

  it('refuses more decimals than the currency allows, with a clear message', () => {
    expect(parseError('19.999', 'EUR')).toBe('EUR allows at most 2 decimal places');
    expect(parseError('19.990', 'EUR')).toBe('EUR allows at most 2 decimal places');
    expect(parseError('1.2345', 'KWD')).toBe('KWD allows at most 3 decimal places');
    expect(parseError('1999.0', 'JPY')).toBe('JPY allows no decimal places');
  });

  it('refuses unknown currencies', () => {
    expect(parseError('1.00', 'XYZ')).toBe('unknown currency XYZ');
    expect(parseError('1.00', 'eur')).toBe('unknown currency eur');
  });

  it.each([
    '1e3', '1E3', ' 1', '1 ', '1.', '.5', '+1', '', '-', '--1', '0x10', '１', '1,00', '1_000', '1.2.3',
    'NaN', 'Infinity', '١', '1\n', '\t1', '- 1', '1.-5', '٣',
  ])('refuses malformed %j', (value) => {
    expect(parseError(value, 'EUR')).toMatch(/invalid amount/);
  });

  it('refuses absurdly long strings', () => {
    expect(parseError('9'.repeat(MAX_AMOUNT_DIGITS + 1), 'JPY')).toMatch(/too many digits/);
    expect(parseError(`${'9'.repeat(29)}.99`, 'EUR')).toMatch(/too many digits/);
    expect(parseError('1'.repeat(1_000_000), 'EUR')).toMatch(/too many digits/);
    expect(parseError(`${'0'.repeat(100)}1`, 'EUR')).toMatch(/too many digits/);
    expect(parsed('9'.repeat(MAX_AMOUNT_DIGITS), 'JPY')).toBe(10n ** 30n - 1n);
  });
});

describe('formatMinorUnits', () => {
  it.each([
    [1999n, 'EUR', '19.99'],
    [1990n, 'EUR', '19.90'],
    [5n, 'EUR', '0.05'],
    [0n, 'EUR', '0.00'],
    [-5n, 'EUR', '-0.05'],
    [-1999n, 'USD', '-19.99'],
    [1999n, 'JPY', '1999'],
    [-1999n, 'JPY', '-1999'],
    [0n, 'JPY', '0'],
    [1234n, 'KWD', '1.234'],
    [1n, 'KWD', '0.001'],
    [MAX_MINOR_UNITS, 'EUR', '92233720368547758.07'],
    [MIN_MINOR_UNITS, 'EUR', '-92233720368547758.08'],
  ] as const)('formats %s %s as %s', (minor, currency, expected) => {
    expect(formatMinorUnits(minor, currency)).toBe(expected);
  });

  it('throws on unknown currency', () => {
    expect(() => formatMinorUnits(1n, 'XYZ')).toThrow(/unknown currency XYZ/);
  });

  it('round trips parse(format(x)) === x for every currency over the int64 range', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: MIN_MINOR_UNITS, max: MAX_MINOR_UNITS }),
        fc.constantFrom(...CURRENCY_CODES),
        (x, currency) => {
          const text = formatMinorUnits(x, currency);
          expect(parsed(text, currency)).toBe(x);
          const exp = currencyExponent(currency) ?? -1;
          const decimals = text.includes('.') ? (text.split('.')[1] ?? '').length : 0;
          expect(decimals).toBe(exp);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('round trips small amounts, where zero padding matters', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -10_000n, max: 10_000n }), fc.constantFrom('EUR', 'JPY', 'KWD'), (x, c) => {
        expect(parsed(formatMinorUnits(x, c), c)).toBe(x);
      }),
    );
  });
});

describe('sums and int64', () => {
  it('sums exactly, past 2^53 where Number would drift', () => {
    const big = 2n ** 53n;
    expect(sumMinorUnits([big, 1n, 1n])).toBe(big + 2n);
    expect(sumMinorUnits([])).toBe(0n);
    expect(sumMinorUnits(new Set([1n, 2n, 3n]))).toBe(6n);
  });

  it('sum matches pairwise addition for any list', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: MIN_MINOR_UNITS, max: MAX_MINOR_UNITS })), (xs) => {
        expect(sumMinorUnits(xs)).toBe(xs.reduce((a, b) => a + b, 0n));
      }),
    );
  });

  it('fitsInInt64 guards the PostgreSQL BIGINT range', () => {
    expect(fitsInInt64(MAX_MINOR_UNITS)).toBe(true);
    expect(fitsInInt64(MIN_MINOR_UNITS)).toBe(true);
    expect(fitsInInt64(MAX_MINOR_UNITS + 1n)).toBe(false);
    expect(fitsInInt64(MIN_MINOR_UNITS - 1n)).toBe(false);
    expect(fitsInInt64(sumMinorUnits([MAX_MINOR_UNITS, 1n]))).toBe(false);
    expect(MAX_MINOR_UNITS).toBe(9223372036854775807n);
  });
});
