/** Amounts exactly as the API gives them (decimal strings, never floats), always with their currency. */
export function money(amount: { value: string; currency: string }): string {
  return `${amount.value} ${amount.currency}`;
}

// Made once: toLocaleString builds a formatter per call, too slow for a feed rendering hundreds of rows a second.
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const TIME = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** An instant in the browser's time zone, to the second. */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : DATE_TIME.format(date);
}

export function time(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : TIME.format(date);
}

/** Today in a time zone, YYYY-MM-DD. */
export function today(timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function percent(rate: string | null | undefined): string {
  return rate === null || rate === undefined ? '–' : `${(Number(rate) * 100).toFixed(2)} %`;
}
