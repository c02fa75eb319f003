/**
 * A position in the event log: (writing transaction id, row id). Rows are read in this order and only
 * below the oldest transaction still in flight, so a position, once passed, can never be filled later.
 * On the wire it is opaque (base64url) and totally ordered per merchant.
 */
export type EventPosition = { txid: bigint; id: bigint };

const PREFIX = 'ev1:';

export function encodeEventCursor(position: EventPosition): string {
  return Buffer.from(`${PREFIX}${position.txid}:${position.id}`).toString('base64url');
}

export function decodeEventCursor(cursor: string): EventPosition | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^ev1:(\d{1,19}):(\d{1,19})$/.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  return { txid: BigInt(match[1]), id: BigInt(match[2]) };
}

export function comparePositions(a: EventPosition, b: EventPosition): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}
