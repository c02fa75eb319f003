import { z } from 'zod';
import { isKnownCurrency } from '../domain/money.ts';
import { parseDuration } from '../domain/webhooks.ts';

/** The parsers environment variables share: each failure message says what a valid value looks like. */

/** The parsed values of one area's variables. */
export type EnvironmentOf<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape>>;

/** A whole number in [min, max], with one message that says so whatever is wrong with it. */
export const integer = (min: number, max = Number.MAX_SAFE_INTEGER) => {
  const message = max === Number.MAX_SAFE_INTEGER ? `must be a whole number of at least ${min}` : `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
};
export const port = integer(0, 65535);
export const positiveInt = integer(1);
export const nonNegativeInt = integer(0);
export const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

export const postgresUrl = optionalString.refine(
  (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
  'must be a postgresql:// URL',
);

export const notificationKeys = optionalString.transform((value, ctx) => {
  const keys = new Map<string, string>();
  if (value === undefined) return keys;
  for (const entry of value.split(',')) {
    const separator = entry.indexOf(':');
    const keyId = entry.slice(0, separator).trim();
    const secret = entry.slice(separator + 1).trim();
    if (separator <= 0 || keyId === '' || secret.length < 16) {
      ctx.addIssue({ code: 'custom', message: 'expected keyId:secret[,keyId:secret...] with secrets of at least 16 characters' });
      return keys;
    }
    keys.set(keyId, secret);
  }
  return keys;
});

/** `https://shop.example,https://admin.example:8443`: exact origins (scheme, host, port; no path, no wildcard). */
export const origins = optionalString.transform((value, ctx) => {
  const list: string[] = [];
  for (const entry of value === undefined ? [] : value.split(',')) {
    const origin = entry.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      ctx.addIssue({ code: 'custom', message: `expected origins such as https://shop.example[,https://other.example:8443] (scheme://host[:port], nothing after); got ${JSON.stringify(origin.slice(0, 80))}` });
      return list;
    }
    list.push(origin);
  }
  return list;
});

export const pem = (kind: 'PUBLIC' | 'PRIVATE') =>
  optionalString
    .transform((value) => value?.replace(/\\n/g, '\n'))
    .refine((value) => value === undefined || value.includes(`-----BEGIN ${kind} KEY-----`) || value.includes('-----BEGIN RSA'), `must be a PEM ${kind.toLowerCase()} key`);

/** `EUR:7.8123,USD:7.2` -> currency -> CNY per unit, as exact decimal strings (never parsed into floats). */
export const cnyRates = optionalString.transform((value, ctx) => {
  const rates = new Map<string, string>();
  if (value === undefined) return rates;
  for (const entry of value.split(',')) {
    const [currency = '', rate = ''] = entry.split(':').map((part) => part.trim());
    if (!isKnownCurrency(currency) || !/^[0-9]{1,6}(\.[0-9]{1,10})?$/.test(rate) || /^[0.]+$/.test(rate)) {
      ctx.addIssue({ code: 'custom', message: 'expected CUR:rate[,CUR:rate...] with ISO 4217 codes and positive decimal rates, e.g. EUR:7.81' });
      return rates;
    }
    rates.set(currency, rate);
  }
  return rates;
});

/** `500ms`, `5s`, `30m`, `2h`, `5d` -> milliseconds. */
export const duration = z.string().transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 5s, 30m, 2h or 5d' });
  return ms ?? 0;
});

/** `5s,5m,30m`: the delays between a webhook's attempts. */
export const durations = z.string().transform((value, ctx) => {
  const list = value.split(',').map((entry) => parseDuration(entry));
  if (list.length > 30 || list.some((ms) => ms === undefined || ms <= 0)) {
    ctx.addIssue({ code: 'custom', message: 'must be 1 to 30 comma-separated durations such as 5s,5m,30m,2h' });
    return [];
  }
  return list.filter((ms) => ms !== undefined);
});
