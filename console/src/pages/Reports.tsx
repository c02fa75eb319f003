import { useState } from 'preact/hooks';
import { csvUrl, request } from '../api.ts';
import { browserTimeZone, money, percent, today } from '../format.ts';
import type { PageProps } from '../main.tsx';
import { DailyReportDocument } from '../operations.ts';
import { navigate } from '../router.ts';
import { Empty, Show, useLoad } from '../states.tsx';

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

export function Reports({ route, merchantId }: PageProps) {
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
            <h2>Remittance: paid that day</h2>
            {dailyReport.remittance.length === 0 ? (
              <Empty>Nothing reached PAID that day.</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Currency</th>
                    <th class="number">Count</th>
                    <th class="number">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {dailyReport.remittance.map((row) => (
                    <tr key={row.currency}>
                      <td>{row.currency}</td>
                      <td class="number">{row.count}</td>
                      <td class="number">{money(row.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      />
    </section>
  );
}
