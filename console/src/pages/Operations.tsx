import { useState } from 'preact/hooks';
import { ApiError, request } from '../api.ts';
import { dateTime, money } from '../format.ts';
import type { PageProps } from '../main.tsx';
import { CreateMerchantDocument, MerchantsDocument, OperationsDocument } from '../operations.ts';
import { href } from '../router.ts';
import { Empty, Failure, Show, useLoad } from '../states.tsx';
import { ResolveAnomaly } from './TransactionDetail.tsx';

function Merchants() {
  const [merchants, reload] = useLoad(() => request(MerchantsDocument, { first: 100 }), 'merchants');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ name: string; secret: string } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const create = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setCreated(undefined);
    try {
      const result = (await request(CreateMerchantDocument, { name })).createMerchant;
      if (result.__typename === 'CreateMerchantSuccess') {
        setCreated({ name: result.merchant.name, secret: result.secret });
        setName('');
        reload();
      } else setError(new ApiError(result.message ?? 'refused', result.code ?? 'REFUSED'));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      <form class="filters" onSubmit={create} aria-label="New merchant">
        <label>
          New merchant
          <input name="merchantName" required maxLength={200} value={name} onInput={(event) => setName(event.currentTarget.value)} />
        </label>
        <button type="submit">Create</button>
      </form>
      {created && (
        <div class="notice" role="status">
          {created.name} created. Its API key, shown this once: <code>{created.secret}</code> (manage its keys: API keys)
        </div>
      )}
      {error !== undefined && <Failure error={error} />}
      <Show
        state={merchants}
        what="merchants"
        retry={reload}
        render={({ merchants: list }) =>
          list.edges.length === 0 ? (
            <Empty>No merchant yet: create the first one above.</Empty>
          ) : (
            <table aria-label="Merchants">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Since</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {list.edges.map(({ node }) => (
                  <tr key={node.id}>
                    <td>{node.name}</td>
                    <td>{dateTime(node.createdAt)}</td>
                    <td>
                      <a href={href(['transactions'], { merchant: node.id })}>Transactions</a> · <a href={href(['reports'], { merchant: node.id })}>Reports</a> ·{' '}
                      <a href={href(['keys'], { merchant: node.id })}>API keys</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      />
    </>
  );
}

/** ADMIN: what needs a person: open anomalies, stuck transactions, what the notification inbox did, merchants. */
export function Operations({ route, merchantId }: PageProps) {
  const olderThanMinutes = Math.max(1, Number(route.params.get('olderThan') ?? '30') || 30);
  const [data, reload] = useLoad(() => request(OperationsDocument, { olderThanMinutes, merchantId }), `${olderThanMinutes}|${merchantId ?? ''}`);
  return (
    <section>
      <h1>Operations</h1>
      <Show
        state={data}
        what="operations"
        retry={reload}
        render={({ anomalies, stuckTransactions, notificationStats }) => (
          <>
            <h2>Open anomalies ({anomalies.totalCount})</h2>
            {anomalies.edges.length === 0 ? (
              <Empty>No open anomaly: every notification matched what we knew.</Empty>
            ) : (
              <table aria-label="Open anomalies">
                <thead>
                  <tr>
                    <th>Since</th>
                    <th>Kind</th>
                    <th>Transaction</th>
                    <th>Detail</th>
                    <th>Resolve</th>
                  </tr>
                </thead>
                <tbody>
                  {anomalies.edges.map(({ node }) => (
                    <tr key={node.id}>
                      <td>{dateTime(node.createdAt)}</td>
                      <td>
                        <span class="status OPEN">{node.kind}</span>
                      </td>
                      <td>
                        {node.transaction ? (
                          <a href={href(['transactions', node.transaction.id])}>
                            {node.transaction.merchantReference} ({node.transaction.merchant.name})
                          </a>
                        ) : (
                          '–'
                        )}
                      </td>
                      <td>{node.detail}</td>
                      <td>
                        <ResolveAnomaly id={node.id} onResolved={reload} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>
              Stuck: CREATED or REDIRECTED for over {olderThanMinutes} minutes ({stuckTransactions.totalCount})
            </h2>
            {stuckTransactions.edges.length === 0 ? (
              <Empty>Nothing is stuck.</Empty>
            ) : (
              <table aria-label="Stuck transactions">
                <thead>
                  <tr>
                    <th>Last change</th>
                    <th>Transaction</th>
                    <th>Merchant</th>
                    <th>Status</th>
                    <th class="number">Amount</th>
                  </tr>
                </thead>
                <tbody>
                  {stuckTransactions.edges.map(({ node }) => (
                    <tr key={node.id}>
                      <td>{dateTime(node.updatedAt)}</td>
                      <td>
                        <a href={href(['transactions', node.id])}>{node.merchantReference}</a>
                      </td>
                      <td>{node.merchant.name}</td>
                      <td>
                        <span class={`status ${node.status}`}>{node.status}</span>
                      </td>
                      <td class="number">{money(node.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Notifications since {dateTime(notificationStats.since)}</h2>
            {notificationStats.outcomes.length === 0 ? (
              <Empty>No notification received in the last 24 hours.</Empty>
            ) : (
              <table aria-label="Notification outcomes">
                <thead>
                  <tr>
                    <th>Sender</th>
                    <th>Outcome</th>
                    <th class="number">Count</th>
                  </tr>
                </thead>
                <tbody>
                  {notificationStats.outcomes.map((row) => (
                    <tr key={`${row.sender}-${row.outcome}`}>
                      <td>{row.sender}</td>
                      <td>
                        <span class={`status ${row.outcome}`}>{row.outcome}</span>
                      </td>
                      <td class="number">{row.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Refused notifications (all time)</h2>
            {notificationStats.rejections.length === 0 ? (
              <Empty>No notification was ever refused.</Empty>
            ) : (
              <table aria-label="Refused notifications">
                <thead>
                  <tr>
                    <th>Sender</th>
                    <th>Reason</th>
                    <th class="number">Count</th>
                    <th>Last seen</th>
                  </tr>
                </thead>
                <tbody>
                  {notificationStats.rejections.map((row) => (
                    <tr key={`${row.sender}-${row.reason}`}>
                      <td>{row.sender}</td>
                      <td>{row.reason}</td>
                      <td class="number">{row.count}</td>
                      <td>{dateTime(row.lastSeenAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      />
      <h2>Merchants</h2>
      <Merchants />
    </section>
  );
}
