// Exact money handling: decimal strings on the wire, bigint minor units everywhere else.
// Number is never used for amounts because doubles cannot represent most decimal fractions and lose
// integer precision above 2^53, well inside PostgreSQL BIGINT's range.

// ISO 4217 active currency codes and their minor-unit exponents (list as amended through 2025).
// Fund codes / units of account (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals and
// testing codes (XAU, XAG, XTS, XXX, ...) are left out on purpose: nobody pays in them, so accepting
// them would only let bad input through. Withdrawn codes (HRK, SLL, ZWL, ...) are left out too;
// ANG stays alongside its successor XCG while the 2025 changeover settles.
const EXPONENTS: ReadonlyMap<string, number> = new Map<string, number>([
  ['AED', 2], ['AFN', 2], ['ALL', 2], ['AMD', 2], ['ANG', 2], ['AOA', 2], ['ARS', 2], ['AUD', 2],
  ['AWG', 2], ['AZN', 2], ['BAM', 2], ['BBD', 2], ['BDT', 2], ['BGN', 2], ['BHD', 3], ['BIF', 0],
  ['BMD', 2], ['BND', 2], ['BOB', 2], ['BRL', 2], ['BSD', 2], ['BTN', 2], ['BWP', 2], ['BYN', 2],
  ['BZD', 2], ['CAD', 2], ['CDF', 2], ['CHF', 2], ['CLP', 0], ['CNY', 2], ['COP', 2], ['CRC', 2],
  ['CUP', 2], ['CVE', 2], ['CZK', 2], ['DJF', 0], ['DKK', 2], ['DOP', 2], ['DZD', 2], ['EGP', 2],
  ['ERN', 2], ['ETB', 2], ['EUR', 2], ['FJD', 2], ['FKP', 2], ['GBP', 2], ['GEL', 2], ['GHS', 2],
  ['GIP', 2], ['GMD', 2], ['GNF', 0], ['GTQ', 2], ['GYD', 2], ['HKD', 2], ['HNL', 2], ['HTG', 2],
  ['HUF', 2], ['IDR', 2], ['ILS', 2], ['INR', 2], ['IQD', 3], ['IRR', 2], ['ISK', 0], ['JMD', 2],
  ['JOD', 3], ['JPY', 0], ['KES', 2], ['KGS', 2], ['KHR', 2], ['KMF', 0], ['KPW', 2], ['KRW', 0],
  ['KWD', 3], ['KYD', 2], ['KZT', 2], ['LAK', 2], ['LBP', 2], ['LKR', 2], ['LRD', 2], ['LSL', 2],
  ['LYD', 3], ['MAD', 2], ['MDL', 2], ['MGA', 2], ['MKD', 2], ['MMK', 2], ['MNT', 2], ['MOP', 2],
  ['MRU', 2], ['MUR', 2], ['MVR', 2], ['MWK', 2], ['MXN', 2], ['MYR', 2], ['MZN', 2], ['NAD', 2],
  ['NGN', 2], ['NIO', 2], ['NOK', 2], ['NPR', 2], ['NZD', 2], ['OMR', 3], ['PAB', 2], ['PEN', 2],
  ['PGK', 2], ['PHP', 2], ['PKR', 2], ['PLN', 2], ['PYG', 0], ['QAR', 2], ['RON', 2], ['RSD', 2],
  ['RUB', 2], ['RWF', 0], ['SAR', 2], ['SBD', 2], ['SCR', 2], ['SDG', 2], ['SEK', 2], ['SGD', 2],
  ['SHP', 2], ['SLE', 2], ['SOS', 2], ['SRD', 2], ['SSP', 2], ['STN', 2], ['SVC', 2], ['SYP', 2],
  ['SZL', 2], ['THB', 2], ['TJS', 2], ['TMT', 2], ['TND', 3], ['TOP', 2], ['TRY', 2], ['TTD', 2],
  ['TWD', 2], ['TZS', 2], ['UAH', 2], ['UGX', 0], ['USD', 2], ['UYU', 2], ['UZS', 2], ['VED', 2],
  ['VES', 2], ['VND', 0], ['VUV', 0], ['WST', 2], ['XAF', 0], ['XCD', 2], ['XCG', 2], ['XOF', 0],
  ['XPF', 0], ['YER', 2], ['ZAR', 2], ['ZMW', 2], ['ZWG', 2],
]);

/** Every supported currency code, sorted. */
export const CURRENCY_CODES: readonly string[] = [...EXPONENTS.keys()].sort();

/** Case-sensitive on purpose: ISO codes are upper case, and silently normalising hides client bugs. */
export function currencyExponent(code: string): number | undefined {
  return EXPONENTS.get(code);
}

export function isKnownCurrency(code: string): boolean {
  return EXPONENTS.has(code);
}

// PostgreSQL BIGINT bounds; amounts and sums that leave this range cannot be stored.
export const MAX_MINOR_UNITS: bigint = 2n ** 63n - 1n;
export const MIN_MINOR_UNITS: bigint = -(2n ** 63n);

export function fitsInInt64(n: bigint): boolean {
  return n >= MIN_MINOR_UNITS && n <= MAX_MINOR_UNITS;
}

/** Longest accepted digit count (integer + fraction). Generous: int64 itself has only 19 digits. */
export const MAX_AMOUNT_DIGITS = 30;

export type ParseMoneyResult = { ok: true; minorUnits: bigint } | { ok: false; error: string };

// [0-9] rather than \d so the intent (ASCII digits only) is explicit.
const DECIMAL = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/**
 * Parses a strict decimal string ("19.99", "-5", "007.5") into minor units of `currency`.
 * The sign is accepted so the parser stays general; callers enforce positivity where the API needs it.
 * Range (int64) is also left to callers, via `fitsInInt64`.
 */
export function parseMoney(value: string, currency: string): ParseMoneyResult {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) return { ok: false, error: `unknown currency ${currency}` };

  // Checked before the regex so huge inputs are refused cheaply and with a useful message.
  if (value.length > MAX_AMOUNT_DIGITS + 2) {
    return { ok: false, error: `amount has too many digits (at most ${MAX_AMOUNT_DIGITS})` };
  }
  const match = DECIMAL.exec(value);
  if (match === null) {
    return { ok: false, error: `invalid amount "${value}": expected a decimal like 19.99` };
  }
  const sign = match[1] ?? '';
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  if (whole.length + fraction.length > MAX_AMOUNT_DIGITS) {
    return { ok: false, error: `amount has too many digits (at most ${MAX_AMOUNT_DIGITS})` };
  }
  if (fraction.length > exponent) {
    const allowed = exponent === 0 ? 'no decimal places' : `at most ${exponent} decimal places`;
    return { ok: false, error: `${currency} allows ${allowed}` };
  }
  const magnitude = BigInt(whole + fraction.padEnd(exponent, '0'));
  return { ok: true, minorUnits: sign === '-' ? -magnitude : magnitude };
}

/**
 * Formats minor units with exactly the currency's number of decimals ("19.90", JPY "1999", KWD "1.234").
 * Throws on an unknown currency: that is a programming error (the currency was validated when stored),
 * not user input.
 */
export function formatMinorUnits(minor: bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === undefined) throw new RangeError(`unknown currency ${currency}`);
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString();
  if (exponent === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, -exponent);
  const fraction = padded.slice(-exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** Exact sum. The result may exceed int64; check with `fitsInInt64` before storing it. */
export function sumMinorUnits(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}
