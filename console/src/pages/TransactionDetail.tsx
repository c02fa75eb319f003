import { useState } from 'preact/hooks';
import { ApiError, READ_ONLY_REASON, readOnly, refusal, request } from '../api.ts';
import { dateTime, money } from '../format.ts';
import type { ConsoleTransactionQuery } from '../generated/graphql.ts';
import type { PageProps } from '../main.tsx';
import { CancelTransactionDocument, RefundTransactionDocument, ResolveAnomalyDocument, TransactionDocument } from '../operations.ts';
import { href } from '../router.ts';
import { Empty, Failure, Show, useLoad } from '../states.tsx';

type Transaction = NonNullable<ConsoleTransactionQuery['transaction']>;

/** Cancel and refund; a read-only session sees them disabled, saying why. */
function Actions({ transaction, onChanged, locked }: { transaction: Transaction; onChanged: () => void; locked: boolean }) {
  const [error, setError] = useState<unknown>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const [refund, setRefund] = useState({ value: '', reason: '' });
  const run = async (work: () => Promise<ApiError | undefined>, done: string) => {
    setPending(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const refused = await work();
      if (refused) setError(refused);
      else {
        setNotice(done);
        onChanged();
      }
    } catch (failure) {
      setError(failure);
    } finally {
      setPending(false);
    }
  };
  const cancel = () =>
    run(async () => {
      if (!window.confirm(`Cancel ${transaction.merchantReference}? The consumer can no longer pay it.`)) return undefined;
      return refusal((await request(CancelTransactionDocument, { id: transaction.id })).cancelTransaction);
    }, 'Cancelled.');
  const submitRefund = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const amount = refund.value.trim() === '' ? null : { value: refund.value.trim(), currency: transaction.amount.currency };
      const result = await request(RefundTransactionDocument, { input: { transactionId: transaction.id, amount, reason: refund.reason, idempotencyKey: crypto.randomUUID() } });
      return refusal(result.refundTransaction);
    }, 'Refund requested: its outcome appears in the timeline.');
  };
  const refundable = transaction.refundableAmount.minorUnits !== '0';
  const acts = transaction.isCancellable || refundable;
  // What the last action did stays in view after the reload that follows it (a cancel leaves nothing to act on).
  if (!acts && notice === undefined && error === undefined) return null;
  return (
    <>
      {acts && (
        <div class="actions">
          {transaction.isCancellable && (
            <button type="button" class="danger" disabled={pending || locked} title={locked ? READ_ONLY_REASON : undefined} onClick={() => void cancel()}>
              Cancel transaction
            </button>
          )}
          {refundable && (
            <form class="filters" onSubmit={submitRefund} aria-label="Refund">
              <label>
                Refund amount ({transaction.amount.currency}, up to {transaction.refundableAmount.value})
                <input name="refundAmount" value={refund.value} placeholder={`${transaction.refundableAmount.value} (all)`} onInput={(event) => setRefund({ ...refund, value: event.currentTarget.value })} />
              </label>
              <label>
                Reason
                <input name="refundReason" required value={refund.reason} onInput={(event) => setRefund({ ...refund, reason: event.currentTarget.value })} />
              </label>
              <button type="submit" disabled={pending || locked} title={locked ? READ_ONLY_REASON : undefined}>
                Refund
              </button>
            </form>
          )}
        </div>
      )}
      {acts && locked && <p class="muted">{READ_ONLY_REASON}.</p>}
      {notice !== undefined && <div class="notice">{notice}</div>}
      {error !== undefined && <Failure error={error} />}
    </>
  );
}

function ResolveAnomaly({ id, onResolved }: { id: string; onResolved: () => void }) {
  const [resolution, setResolution] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (event: Event) => {
    event.preventDefault();
    try {
      const refused = refusal((await request(ResolveAnomalyDocument, { id, resolution })).resolveAnomaly);
      if (refused) setError(refused);
      else onResolved();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Resolve anomaly">
      <input name="resolution" required placeholder="What was done" value={resolution} onInput={(event) => setResolution(event.currentTarget.value)} />
      <button type="submit">Resolve</button>
      {error !== undefined && <Failure error={error} />}
    </form>
  );
}

export { ResolveAnomaly };

/** One transaction: amount, status timeline with sources, refunds, and (ADMIN) notifications and anomalies. */
export function TransactionDetail({ session, route, merchantId }: PageProps) {
  const id = route.path[1] ?? '';
  const admin = session.role === 'ADMIN';
  const [loaded, reload] = useLoad(() => request(TransactionDocument, { id, admin }), id);
  return (
    <section>
      <p>
        <a href={href(['transactions'], { merchant: merchantId })}>← Transactions</a>
      </p>
      <Show
        state={loaded}
        what="the transaction"
        retry={reload}
        render={({ transaction }) =>
          transaction === null || transaction === undefined ? (
            <Empty>No transaction with this id: it does not exist, or it is not yours to see.</Empty>
          ) : (
            <>
              <h1>
                {transaction.merchantReference} <span class={`status ${transaction.status}`}>{transaction.status}</span>
              </h1>
              <dl class="detail-grid">
                <dt>Amount</dt>
                <dd data-testid="amount">{money(transaction.amount)}</dd>
                <dt>Refunded</dt>
                <dd>{money(transaction.refundedAmount)}</dd>
                {transaction.merchant && (
                  <>
                    <dt>Merchant</dt>
                    <dd>{transaction.merchant.name}</dd>
                  </>
                )}
                <dt>Status reason</dt>
                <dd>{transaction.statusReason ?? '–'}</dd>
                <dt>Provider reference</dt>
                <dd class="mono">{transaction.providerReference ?? '–'}</dd>
                <dt>Created</dt>
                <dd>{dateTime(transaction.createdAt)}</dd>
                <dt>Updated</dt>
                <dd>{dateTime(transaction.updatedAt)}</dd>
                <dt>Id</dt>
                <dd class="mono">{transaction.id}</dd>
              </dl>
              <Actions transaction={transaction} onChanged={reload} locked={readOnly(session)} />
              <h2>Timeline</h2>
              <table aria-label="Timeline">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>When</th>
                    <th>Change</th>
                    <th>Source</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {transaction.events.map((event) => (
                    <tr key={event.sequence}>
                      <td>{event.sequence}</td>
                      <td>{dateTime(event.occurredAt)}</td>
                      <td>
                        {event.kind === 'STATUS_CHANGED' ? (
                          <>
                            {event.previousStatus ? `${event.previousStatus} → ` : ''}
                            <span class={`status ${event.status}`}>{event.status}</span>
                          </>
                        ) : (
                          <>
                            {event.kind.replace('_', ' ')} {event.refund ? money(event.refund.amount) : ''}
                          </>
                        )}
                      </td>
                      <td>{event.source}</td>
                      <td>{event.reason ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <h2>Refunds</h2>
              {transaction.refunds.length === 0 ? (
                <Empty>No refund.</Empty>
              ) : (
                <table aria-label="Refunds">
                  <thead>
                    <tr>
                      <th>Requested</th>
                      <th class="number">Amount</th>
                      <th>Status</th>
                      <th>Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {transaction.refunds.map((refund) => (
                      <tr key={refund.id}>
                        <td>{dateTime(refund.requestedAt)}</td>
                        <td class="number">{money(refund.amount)}</td>
                        <td>
                          <span class={`status ${refund.status}`}>{refund.status}</span> {refund.failureCode ?? ''}
                        </td>
                        <td>{refund.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {admin && (
                <>
                  <h2>Notifications received</h2>
                  {(transaction.notifications ?? []).length === 0 ? (
                    <Empty>No notification about this transaction.</Empty>
                  ) : (
                    <table aria-label="Notifications">
                      <thead>
                        <tr>
                          <th>Received</th>
                          <th>Sender</th>
                          <th>Event</th>
                          <th>Outcome</th>
                          <th>Deliveries</th>
                          <th>Anomaly</th>
                        </tr>
                      </thead>
                      <tbody>
                        {(transaction.notifications ?? []).map((notification) => (
                          <tr key={notification.id}>
                            <td>{dateTime(notification.receivedAt)}</td>
                            <td>{notification.sender}</td>
                            <td>
                              {notification.eventType ?? '–'} {notification.targetStatus ? `→ ${notification.targetStatus}` : ''}
                              {notification.detail ? <div class="muted">{notification.detail}</div> : null}
                            </td>
                            <td>
                              <span class={`status ${notification.outcome}`}>{notification.outcome}</span>
                            </td>
                            <td class="number">{notification.deliveries}</td>
                            <td>
                              {notification.anomaly ? (
                                <>
                                  <span class={`status ${notification.anomaly.status}`}>{notification.anomaly.kind}</span> {notification.anomaly.detail}
                                  {notification.anomaly.status === 'OPEN' ? (
                                    <ResolveAnomaly id={notification.anomaly.id} onResolved={reload} />
                                  ) : (
                                    <div class="muted">Resolved: {notification.anomaly.resolution}</div>
                                  )}
                                </>
                              ) : (
                                '–'
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  )}
                </>
              )}
            </>
          )
        }
      />
    </section>
  );
}
