import { isFinal } from '../domain/status.ts';
import type { Transaction } from '../generated/prisma/client.ts';
import { isNotice, type EventStream, type StreamItem } from './stream.ts';

/**
 * "Read, then follow" without a race (#15.7): a transaction subscription first yields the transaction as it is now,
 * then the stream's changes after it. The stream is opened before the row is read, so a change committed in between
 * arrives through the stream; changes the read already shows (sequence <= its version) are skipped. After a
 * reconnect the client again gets the current state first: nothing is missed.
 */

export type CurrentState = { readonly current: Transaction };

export function isCurrentState(item: CurrentState | StreamItem): item is CurrentState {
  return 'current' in item;
}

/** `current`, then the stream's items after it (notices included); with `untilFinal`, ends after a final status. */
export async function* currentThenChanges(
  current: Transaction,
  stream: EventStream,
  options: { untilFinal: boolean },
): AsyncGenerator<CurrentState | StreamItem> {
  try {
    yield { current };
    if (options.untilFinal && isFinal(current.status)) return;
    for await (const item of stream as AsyncIterable<StreamItem>) {
      if (!isNotice(item) && item.event.sequence <= current.version) continue;
      yield item;
      if (isNotice(item) || (options.untilFinal && isFinal(item.transaction.status))) return;
    }
  } finally {
    await stream.return();
  }
}

/** Opens nothing itself: reads the row after `stream` is attached; ends the stream if the read fails. */
export async function readAfterAttaching(stream: EventStream, read: () => Promise<Transaction | null>): Promise<Transaction | null> {
  try {
    const current = await read();
    if (!current) await stream.return();
    return current;
  } catch (error) {
    await stream.return();
    throw error;
  }
}
