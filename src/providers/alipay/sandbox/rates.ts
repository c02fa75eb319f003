import { currencyExponent, formatMinorUnits } from '../../../domain/money.ts';

/**
 * What the sandbox shows the consumer: the amount in CNY at a demo rate, as Alipay shows it at its current
 * rate. Display only (we are paid in the transaction's currency), but still exact: rates are decimal strings
 * and the conversion is integer arithmetic, rounded half up to the fen.
 */

/** CNY per unit of each currency: round demo figures, overridable with SANDBOX_CNY_RATES. */
export const DEFAULT_CNY_RATES: ReadonlyMap<string, string> = new Map([
  ['CNY', '1'],
  ['EUR', '7.80'],
  ['USD', '7.20'],
  ['GBP', '9.10'],
  ['CHF', '8.10'],
  ['JPY', '0.048'],
  ['HKD', '0.92'],
  ['SGD', '5.30'],
  ['AUD', '4.70'],
  ['CAD', '5.20'],
  ['NZD', '4.30'],
  ['SEK', '0.68'],
  ['DKK', '1.05'],
  ['NOK', '0.66'],
  ['KRW', '0.0052'],
  ['THB', '0.20'],
  ['KWD', '23.40'],
]);

export function demoCnyRates(overrides: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  return new Map([...DEFAULT_CNY_RATES, ...overrides]);
}

const RATE = /^([0-9]+)(?:\.([0-9]+))?$/;

/** `amountMinor` of `currency` in CNY minor units (fen) at `rate` CNY per unit; undefined for a malformed rate. */
export function convertToCnyMinor(amountMinor: bigint, currency: string, rate: string): bigint | undefined {
  const exponent = currencyExponent(currency);
  const match = RATE.exec(rate);
  if (exponent === undefined || match === null || amountMinor < 0n) return undefined;
  const fraction = match[2] ?? '';
  const rateScaled = BigInt(`${match[1] ?? '0'}${fraction}`);
  const cnyExponent = currencyExponent('CNY') ?? 2;
  // amount (major) = amountMinor / 10^exponent, rate = rateScaled / 10^fraction.length; fen = major * rate * 10^2.
  const numerator = amountMinor * rateScaled * 10n ** BigInt(cnyExponent);
  const denominator = 10n ** BigInt(exponent + fraction.length);
  return (numerator * 2n + denominator) / (2n * denominator);
}

/** "152.10" for 19.50 EUR at 7.80; undefined when there is no demo rate for the currency. */
export function formatCny(amountMinor: bigint, currency: string, rates: ReadonlyMap<string, string>): { value: string; rate: string } | undefined {
  const rate = rates.get(currency);
  if (rate === undefined) return undefined;
  const fen = convertToCnyMinor(amountMinor, currency, rate);
  return fen === undefined ? undefined : { value: formatMinorUnits(fen, 'CNY'), rate };
}
