import { Component } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { dateTime, money, time } from '../format.ts';
import type { ConsoleLiveEventsSubscription } from '../generated/graphql.ts';
import { subscribe, type ConnectionState } from '../live.ts';
import type { PageProps } from '../main.tsx';
import { LiveEventsDocument } from '../operations.ts';
import { href } from '../router.ts';
import { Empty, Failure } from '../states.tsx';

type LiveEvent = ConsoleLiveEventsSubscription['transactionEvents'];

/** Rows kept on screen: a feed, not a history (the history is on each transaction). */
const SHOWN = 100;
const STATUSES = ['CREATED', 'REDIRECTED', 'CAPTURED', 'PAID', 'REJECTED', 'CANCELLED'] as const;

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: '● Live',
  reconnecting: 'Reconnecting… (resumes where it stopped)',
  ended: 'Disconnected',
};

type FeedRowProps = { event: LiveEvent; admin: boolean; merchantId: string | undefined };

/**
 * One event's row. Rows never change once shown, so a frame renders only the rows it adds: at 200 changes a second
 * re-rendering (and re-formatting) all 100 rows every frame was most of the page's work.
 */
class FeedRow extends Component<FeedRowProps> {
  override shouldComponentUpdate(next: FeedRowProps): boolean {
    return next.event !== this.props.event || next.admin !== this.props.admin || next.merchantId !== this.props.merchantId;
  }

  override render({ event, admin, merchantId }: FeedRowProps) {
    return (
      <tr>
        <td title={dateTime(event.occurredAt)}>{time(event.occurredAt)}</td>
        <td>
          <a href={href(['transactions', event.transaction.id], { merchant: merchantId })}>{event.transaction.merchantReference}</a>
        </td>
        {admin && <td>{event.transaction.merchant?.name}</td>}
        <td>
          {event.kind === 'STATUS_CHANGED' ? (
            <>
              {event.previousStatus !== null && event.previousStatus !== undefined && <span class={`status ${event.previousStatus}`}>{event.previousStatus}</span>}
              {event.previousStatus ? ' → ' : ''}
              <span class={`status ${event.status}`}>{event.status}</span>
            </>
          ) : (
            <span class="status">{event.kind.replace('_', ' ')}</span>
          )}
          {event.reason ? <span class="muted"> {event.reason}</span> : null}
        </td>
        <td>{event.source}</td>
        <td class="number">{money(event.transaction.amount)}</td>
      </tr>
    );
  }
}

/**
 * Status changes as they are committed, newest first, with counters per status since the page opened. Events
 * arriving faster than the screen refreshes are applied once per animation frame, so a burst (hundreds per
 * second) costs one render per frame, not one per event.
 */
export function Live({ session, merchantId }: PageProps) {
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [received, setReceived] = useState(0);
  const [connection, setConnection] = useState<ConnectionState>('connecting');
  const [error, setError] = useState<string | undefined>(undefined);
  const pending = useRef<LiveEvent[]>([]);
  const frame = useRef<number | undefined>(undefined);

  useEffect(() => {
    setEvents([]);
    setCounts({});
    setReceived(0);
    const flush = () => {
      frame.current = undefined;
      const batch = pending.current;
      pending.current = [];
      setEvents((shown) => [...batch.slice(-SHOWN).reverse(), ...shown].slice(0, SHOWN));
      setCounts((previous) => {
        const next = { ...previous };
        for (const event of batch) if (event.kind === 'STATUS_CHANGED') next[event.status] = (next[event.status] ?? 0) + 1;
        return next;
      });
      setReceived((count) => count + batch.length);
    };
    const unsubscribe = subscribe(
      LiveEventsDocument,
      { merchantId: merchantId ?? null, after: null, admin: session.role === 'ADMIN' },
      {
        onData: (data) => {
          pending.current.push(data.transactionEvents);
          frame.current ??= requestAnimationFrame(flush);
        },
        onState: setConnection,
        onError: setError,
        cursorOf: (data) => data.transactionEvents.cursor,
      },
    );
    return () => {
      unsubscribe();
      if (frame.current !== undefined) cancelAnimationFrame(frame.current);
      frame.current = undefined;
      pending.current = [];
    };
  }, [merchantId, session.role]);

  const admin = session.role === 'ADMIN';
  return (
    <section>
      <h1>
        Live <span class={`connection ${connection}`} data-connection={connection}>{CONNECTION_LABEL[connection]}</span>
      </h1>
      {error !== undefined && <Failure error={new Error(error)} />}
      <div class="cards" aria-label="Status changes since this page opened">
        {STATUSES.map((status) => (
          <div class="card" key={status} data-status={status}>
            <div class="value">{counts[status] ?? 0}</div>
            <div class="label">{status}</div>
          </div>
        ))}
        <div class="card">
          <div class="value" data-testid="received">{received}</div>
          <div class="label">events received</div>
        </div>
      </div>
      {events.length === 0 ? (
        <Empty>Waiting for status changes… New payments and every status change appear here as they happen.</Empty>
      ) : (
        <table class="feed">
          <thead>
            <tr>
              <th>Time</th>
              <th>Transaction</th>
              {admin && <th>Merchant</th>}
              <th>Change</th>
              <th>Source</th>
              <th class="number">Amount</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <FeedRow key={event.cursor} event={event} admin={admin} merchantId={merchantId} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
