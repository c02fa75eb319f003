// Exact ratios as decimal strings: integer arithmetic only, so a rate never carries float noise.

/**
 * numerator / denominator with `fractionDigits` decimals, rounded half up ("0.6667" for 2/3);
 * undefined when the denominator is zero (a rate of nothing is unknown, not 0).
 */
export function formatRatio(numerator: bigint, denominator: bigint, fractionDigits = 4): string | undefined {
  if (denominator === 0n) return undefined;
  if (numerator < 0n || denominator < 0n) throw new RangeError('formatRatio expects non-negative counts');
  const scale = 10n ** BigInt(fractionDigits);
  const scaled = (numerator * scale * 2n + denominator) / (denominator * 2n);
  const whole = scaled / scale;
  if (fractionDigits === 0) return whole.toString();
  const fraction = (scaled % scale).toString().padStart(fractionDigits, '0');
  return `${whole}.${fraction}`;
}
