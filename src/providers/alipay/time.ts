/** Alipay's clock: Beijing time (GMT+8, no daylight saving), in the two layouts its messages use. */

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** `yyyy-MM-dd HH:mm:ss`, e.g. notify_time. */
export function beijingTime(now: Date): string {
  return new Date(now.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** `yyyyMMddHHmmss`, e.g. forex_refund's gmt_return. */
export function beijingTimestamp(now: Date): string {
  return beijingTime(now).replace(/[-: ]/g, '');
}
