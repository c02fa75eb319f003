import { useState } from 'preact/hooks';
import { request } from '../api.ts';
import { dateTime, money } from '../format.ts';
import type { TransactionStatus } from '../generated/graphql.ts';
import type { PageProps } from '../main.tsx';
import { TransactionsDocument } from '../operations.ts';
import { href, navigate } from '../router.ts';
import { Empty, Show, useLoad } from '../states.tsx';

const PAGE_SIZE = 25;
export const STATUSES: TransactionStatus[] = ['CREATED', 'REDIRECTED', 'CAPTURED', 'PAID', 'REJECTED', 'CANCELLED'];

type Filters = { status: string; currency: string; from: string; to: string; reference: string };

/** A local date's first instant in the browser's time zone, as the API's DateTime. */
function startOfDay(date: string): string | undefined {
  if (date === '') return undefined;
  const instant = new Date(`${date}T00:00:00`);
  return Number.isNaN(instant.getTime()) ? undefined : instant.toISOString();
}

function nextDay(date: string): string | undefined {
  if (date === '') return undefined;
  const instant = new Date(`${date}T00:00:00`);
  if (Number.isNaN(instant.getTime())) return undefined;
  instant.setDate(instant.getDate() + 1);
  return instant.toISOString();
}

/** Search and filter (all in the URL), newest first, paged with the connection's cursors. */
export function Transactions({ session, route, merchantId }: PageProps) {
  const params = route.params;
  const filters: Filters = {
    status: params.get('status') ?? '',
    currency: params.get('currency') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    reference: params.get('reference') ?? '',
  };
  const after = params.get('after') ?? undefined;
  const before = params.get('before') ?? undefined;
  const [draft, setDraft] = useState(filters);
  const status = STATUSES.find((candidate) => candidate === filters.status);
  const filter = {
    statuses: status ? [status] : null,
    currency: filters.currency === '' ? null : filters.currency.toUpperCase(),
    createdFrom: startOfDay(filters.from) ?? null,
    createdTo: nextDay(filters.to) ?? null,
    merchantReference: filters.reference === '' ? null : filters.reference,
    merchantId: merchantId ?? null,
  };
  const page = before !== undefined ? { last: PAGE_SIZE, before } : { first: PAGE_SIZE, after: after ?? null };
  const [list, reload] = useLoad(
    () => request(TransactionsDocument, { ...page, filter, admin: session.role === 'ADMIN' }),
    JSON.stringify([page, filter]),
  );
  const go = (changes: Record<string, string | undefined>) =>
    navigate(['transactions'], { ...filters, merchant: merchantId, after: undefined, before: undefined, ...changes });
  const apply = (event: Event) => {
    event.preventDefault();
    go({ ...draft });
  };
  const field = (name: keyof Filters) => ({
    name,
    value: draft[name],
    onInput: (event: Event) => setDraft({ ...draft, [name]: (event.currentTarget as HTMLInputElement).value }),
  });
  const admin = session.role === 'ADMIN';
  return (
    <section>
      <h1>Transactions</h1>
      <form class="filters" onSubmit={apply} aria-label="Filters">
        <label>
          Status
          <select {...field('status')} onChange={(event) => setDraft({ ...draft, status: event.currentTarget.value })}>
            <option value="">Any status</option>
            {STATUSES.map((candidate) => (
              <option key={candidate} value={candidate}>
                {candidate}
              </option>
            ))}
          </select>
        </label>
        <label>
          Currency
          <input {...field('currency')} placeholder="EUR" size={5} maxLength={3} />
        </label>
        <label>
          Created from
          <input type="date" {...field('from')} />
        </label>
        <label>
          Created to
          <input type="date" {...field('to')} />
        </label>
        <label>
          Merchant reference
          <input {...field('reference')} placeholder="order-123" />
        </label>
        <button type="submit">Search</button>
        <button type="button" class="secondary" onClick={() => navigate(['transactions'], { merchant: merchantId })}>
          Clear
        </button>
      </form>
      <Show
        state={list}
        what="transactions"
        retry={reload}
        render={({ transactions }) =>
          transactions.edges.length === 0 ? (
            <Empty>No transaction matches these filters{merchantId ? ' for this merchant' : ''}.</Empty>
          ) : (
            <>
              <p class="muted" data-testid="total">
                {transactions.totalCount.toLocaleString('en-US')}
                {transactions.totalCountIsExact ? '' : '+'} transaction{transactions.totalCount === 1 ? '' : 's'}
              </p>
              <table>
                <thead>
                  <tr>
                    <th>Created</th>
                    <th>Merchant reference</th>
                    {admin && <th>Merchant</th>}
                    <th>Status</th>
                    <th class="number">Amount</th>
                  </tr>
                </thead>
                <tbody>
                  {transactions.edges.map(({ node }) => (
                    <tr key={node.id} class="clickable" onClick={() => navigate(['transactions', node.id], { merchant: merchantId })}>
                      <td>{dateTime(node.createdAt)}</td>
                      <td>
                        <a href={href(['transactions', node.id], { merchant: merchantId })}>{node.merchantReference}</a>
                      </td>
                      {admin && <td>{node.merchant?.name}</td>}
                      <td>
                        <span class={`status ${node.status}`}>{node.status}</span>
                      </td>
                      <td class="number">{money(node.amount)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div class="pager">
                <button type="button" class="secondary" disabled={!transactions.pageInfo.hasPreviousPage} onClick={() => go({ before: transactions.pageInfo.startCursor ?? undefined })}>
                  ← Newer
                </button>
                <button type="button" class="secondary" disabled={!transactions.pageInfo.hasNextPage} onClick={() => go({ after: transactions.pageInfo.endCursor ?? undefined })}>
                  Older →
                </button>
              </div>
            </>
          )
        }
      />
    </section>
  );
}
