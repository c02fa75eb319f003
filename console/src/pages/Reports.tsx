import { useState } from 'preact/hooks';
import { csvUrl, request } from '../api.ts';
import { browserTimeZone, money, percent, today } from '../format.ts';
import type { PageProps } from '../main.tsx';
import { TimeBars } from '../chart.tsx';
import { DailyBreakdownDocument, DailyReportDocument, HourlyVolumesDocument } from '../operations.ts';
import { navigate } from '../router.ts';
import { Empty, Failure, Show, useLoad } from '../states.tsx';

type Funnel = { created: number; redirected: number; captured: number; paid: number; rejected: number; cancelled: number; conversionRate?: string | null };

const FUNNEL_STEPS = ['created', 'redirected', 'captured', 'paid'] as const;

/** The conversion funnel as bars: each step's width is its share of the transactions created. */
export function FunnelChart({ funnel }: { funnel: Funnel }) {
  if (funnel.created === 0) return <Empty>No transaction was created that day.</Empty>;
  return (
    <figure class="funnel" aria-label="Conversion funnel">
      {FUNNEL_STEPS.map((step) => (
        <div class="funnel-step" key={step}>
          <span class="funnel-label">{step}</span>
          <span class="funnel-bar" style={{ width: `${(funnel[step] / funnel.created) * 100}%` }} />
          <span class="funnel-count">{funnel[step]}</span>
        </div>
      ))}
      <figcaption>
        Conversion (captured / created): <strong>{percent(funnel.conversionRate)}</strong> · rejected {funnel.rejected} · cancelled {funnel.cancelled}
      </figcaption>
    </figure>
  );
}

/** Volumes per local hour of the day (transactionStats by HOUR): counts as a chart, money exactly in the table. */
function HourlyVolumes({ date, timeZone, merchantId }: { date: string; timeZone: string; merchantId: string | undefined }) {
  const [stats, reload] = useLoad(() => request(HourlyVolumesDocument, { from: date, to: date, timeZone, merchantId }), `${date}|${timeZone}|${merchantId ?? ''}`);
  return (
    <Show
      state={stats}
      what="volumes per hour"
      retry={reload}
      render={({ transactionStats }) => {
        if (transactionStats.__typename !== 'TransactionStats') return <Failure error={new Error(transactionStats.message ?? 'refused')} />;
        const { rows, currencies } = transactionStats;
        if (rows.every((row) => row.created === 0)) return <Empty>No transaction was created in any hour of that day.</Empty>;
        return (
          <>
            <TimeBars
              label="Transactions created, captured and paid per hour"
              x={rows.map((row) => Date.parse(row.start) / 1000)}
              series={[
                { name: 'created', values: rows.map((row) => row.created), color: '#1554d1' },
                { name: 'captured', values: rows.map((row) => row.captured), color: '#b54708' },
                { name: 'paid', values: rows.map((row) => row.paid), color: '#067647' },
              ]}
            />
            <table aria-label="Volumes per hour">
              <thead>
                <tr>
                  <th>Hour</th>
                  <th class="number">Created</th>
                  <th class="number">Captured</th>
                  <th class="number">Paid</th>
                  {currencies.map((currency) => (
                    <th class="number" key={currency}>
                      Created ({currency})
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows
                  .filter((row) => row.created > 0)
                  .map((row) => (
                    <tr key={row.localStart}>
                      <td>{row.localStart.slice(11, 16)} <span class="muted">{row.localStart.slice(19)}</span></td>
                      <td class="number">{row.created}</td>
                      <td class="number">{row.captured}</td>
                      <td class="number">{row.paid}</td>
                      {currencies.map((currency) => (
                        <td class="number" key={currency}>
                          {row.amounts.find((amount) => amount.currency === currency)?.created.value ?? '0'} {currency}
                        </td>
                      ))}
                    </tr>
                  ))}
              </tbody>
            </table>
          </>
        );
      }}
    />
  );
}

/** ADMIN, all merchants: the day per merchant (funnel and remittance). */
function ByMerchant({ date, timeZone }: { date: string; timeZone: string }) {
  const [breakdown, reload] = useLoad(() => request(DailyBreakdownDocument, { date, timeZone }), `${date}|${timeZone}`);
  return (
    <Show
      state={breakdown}
      what="the report per merchant"
      retry={reload}
      render={({ dailyReport }) =>
        dailyReport.byMerchant.length === 0 ? (
          <Empty>No merchant had activity that day.</Empty>
        ) : (
          <table aria-label="Per merchant">
            <thead>
              <tr>
                <th>Merchant</th>
                <th class="number">Created</th>
                <th class="number">Captured</th>
                <th class="number">Paid</th>
                <th class="number">Conversion</th>
                <th>Remittance (paid that day)</th>
              </tr>
            </thead>
            <tbody>
              {dailyReport.byMerchant.map((entry) => (
                <tr key={entry.merchant.id}>
                  <td>{entry.merchant.name}</td>
                  <td class="number">{entry.funnel.created}</td>
                  <td class="number">{entry.funnel.captured}</td>
                  <td class="number">{entry.funnel.paid}</td>
                  <td class="number">{percent(entry.funnel.conversionRate)}</td>
                  <td>{entry.remittance.length === 0 ? '–' : entry.remittance.map((row) => `${money(row.total)} (${row.count})`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      }
    />
  );
}

export function Reports({ session, route, merchantId }: PageProps) {
  const timeZone = route.params.get('timeZone') ?? browserTimeZone();
  const date = route.params.get('date') ?? today(timeZone);
  const [draft, setDraft] = useState({ date, timeZone });
  const [report, reload] = useLoad(() => request(DailyReportDocument, { date, timeZone, merchantId }), `${date}|${timeZone}|${merchantId ?? ''}`);
  const apply = (event: Event) => {
    event.preventDefault();
    navigate(['reports'], { date: draft.date, timeZone: draft.timeZone, merchant: merchantId });
  };
  return (
    <section>
      <h1>Reports</h1>
      <form class="filters" onSubmit={apply}>
        <label>
          Day
          <input type="date" name="date" required value={draft.date} onInput={(event) => setDraft({ ...draft, date: event.currentTarget.value })} />
        </label>
        <label>
          Time zone
          <input name="timeZone" required value={draft.timeZone} onInput={(event) => setDraft({ ...draft, timeZone: event.currentTarget.value })} />
        </label>
        <button type="submit">Show</button>
        <a class="button secondary" href={csvUrl('/reports/daily.csv', { date, timeZone, merchantId })} download>
          Download CSV
        </a>
        <a class="button secondary" href={csvUrl('/reports/stats.csv', { from: date, to: date, timeZone, groupBy: 'HOUR,CURRENCY', merchantId })} download>
          Hourly CSV
        </a>
      </form>
      <Show
        state={report}
        what="the daily report"
        retry={reload}
        render={({ dailyReport }) => (
          <>
            <h2>Conversion funnel</h2>
            <FunnelChart funnel={dailyReport.funnel} />
            <h2>Created that day, by current status</h2>
            {dailyReport.rows.length === 0 ? (
              <Empty>No transaction was created on {dailyReport.date} ({dailyReport.timeZone}).</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Status</th>
                    <th>Currency</th>
                    <th class="number">Count</th>
                    <th class="number">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {dailyReport.rows.map((row) => (
                    <tr key={`${row.status}-${row.currency}`}>
                      <td>
                        <span class={`status ${row.status}`}>{row.status}</span>
                      </td>
                      <td>{row.currency}</td>
                      <td class="number">{row.count}</td>
                      <td class="number">{money(row.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Volumes per hour</h2>
            <HourlyVolumes date={date} timeZone={timeZone} merchantId={merchantId} />
            <h2>Remittance: paid that day, net of refunds</h2>
            {dailyReport.remittance.length === 0 ? (
              <Empty>Nothing reached PAID and nothing was refunded that day.</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Currency</th>
                    <th class="number">Paid</th>
                    <th class="number">Paid total</th>
                    <th class="number">Refunded</th>
                    <th class="number">Net</th>
                  </tr>
                </thead>
                <tbody>
                  {dailyReport.remittance.map((row) => (
                    <tr key={row.currency}>
                      <td>{row.currency}</td>
                      <td class="number">{row.count}</td>
                      <td class="number">{money(row.total)}</td>
                      <td class="number">{money(row.refunded)}</td>
                      <td class="number">{money(row.net)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {session.role === 'ADMIN' && merchantId === undefined && (
              <>
                <h2>Per merchant</h2>
                <ByMerchant date={date} timeZone={timeZone} />
              </>
            )}
          </>
        )}
      />
    </section>
  );
}
