import type { TradeRequest } from './gateway.ts';

/** The sandbox's pages: plain server-rendered HTML, every interpolated value escaped. */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: system-ui, sans-serif; background: #f2f5f8; margin: 0; color: #1f2933; }
  header { background: #1677ff; color: #fff; padding: 12px 24px; font-weight: 600; }
  header small { font-weight: 400; opacity: .85; margin-left: 8px; }
  main { max-width: 520px; margin: 32px auto; background: #fff; border-radius: 8px; padding: 24px 28px; box-shadow: 0 1px 4px rgba(0,0,0,.08); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 8px 16px; }
  dt { color: #616e7c; } dd { margin: 0; font-variant-numeric: tabular-nums; }
  .cny { font-size: 2rem; font-weight: 700; margin: 16px 0 4px; }
  .actions { display: flex; gap: 12px; margin-top: 24px; }
  button { font-size: 1rem; padding: 10px 22px; border-radius: 6px; border: 1px solid #1677ff; cursor: pointer; }
  .primary { background: #1677ff; color: #fff; } .secondary { background: #fff; color: #1677ff; }
  .note { color: #616e7c; margin: 20px 0 0; }
  .error { color: #b42318; } table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e7eb; }
</style>
</head>
<body>
<header>Alipay <small>Paystream sandbox: no real money moves</small></header>
<main>
${body}
</main>
</body>
</html>
`;
}

function hiddenInputs(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');
}

export function gatewayPage(request: TradeRequest, cny: { value: string; rate: string } | undefined): string {
  const converted = cny
    ? `<p class="cny" data-testid="cny-amount">¥${escapeHtml(cny.value)} CNY</p>
<p>Converted from ${escapeHtml(request.totalFee)} ${escapeHtml(request.currency)} at the demo rate of ${escapeHtml(cny.rate)} CNY per ${escapeHtml(request.currency)}.</p>`
    : `<p class="cny">${escapeHtml(request.totalFee)} ${escapeHtml(request.currency)}</p>
<p>No demo CNY rate for ${escapeHtml(request.currency)} (set SANDBOX_CNY_RATES).</p>`;
  const fields = hiddenInputs(request.params);
  return layout(
    'Alipay sandbox: confirm payment',
    `<h1>Confirm payment</h1>
${converted}
<dl>
  <dt>Order</dt><dd data-testid="subject">${escapeHtml(request.subject)}</dd>
  <dt>Amount</dt><dd data-testid="amount">${escapeHtml(request.totalFee)} ${escapeHtml(request.currency)}</dd>
  <dt>Trade</dt><dd>${escapeHtml(request.outTradeNo)}</dd>
</dl>
<div class="actions">
  <form method="post" action="pay">${fields}<button class="primary" type="submit">Pay</button></form>
  <form method="post" action="cancel">${fields}<button class="secondary" type="submit">Cancel</button></form>
</div>
<p class="note">To test the other endings:</p>
<div class="actions">
  <form method="post" action="decline">${fields}<button class="secondary" type="submit">Declined by the bank</button></form>
  <form method="post" action="abandon">${fields}<button class="secondary" type="submit">Leave (abandon)</button></form>
</div>`,
  );
}

/** The consumer left without paying: nothing returns to the merchant; Alipay closes the trade at its timeout. */
export function abandonedPage(request: TradeRequest): string {
  return layout(
    'Alipay sandbox: payment abandoned',
    `<h1>You left without paying</h1>
<p>Nothing is sent back to the merchant. The trade stays open until Alipay's timeout, when Alipay closes it
(<code>TRADE_CLOSED</code>): the transaction becomes REJECTED with reason TRADE_CLOSED. Paystream's own expiry
(REJECTED, reason EXPIRED) catches a close that never arrives.</p>
<div class="actions"><form method="post" action="close">${hiddenInputs(request.params)}<button class="secondary" type="submit">Close the trade now (Alipay's timeout)</button></form></div>`,
  );
}

/** Alipay closed the unpaid trade and told the merchant's server. */
export function closedPage(): string {
  return layout(
    'Alipay sandbox: trade closed',
    `<h1 data-testid="closed">Trade closed</h1>
<p>Alipay closed the unpaid trade and sent <code>TRADE_CLOSED</code> to the merchant's server.</p>`,
  );
}

export function errorPage(code: string, message: string): string {
  return layout(
    'Alipay sandbox: request refused',
    `<h1 class="error">Request refused</h1>
<p><strong data-testid="error-code">${escapeHtml(code)}</strong></p>
<p>${escapeHtml(message)}</p>`,
  );
}

export function deliveryFailedPage(returnUrl: string, detail: string): string {
  return layout(
    'Alipay sandbox: notification not acknowledged',
    `<h1 class="error">The merchant's server did not acknowledge</h1>
<p>${escapeHtml(detail)}</p>
<p>The sandbox keeps retrying in the background, as Alipay does.</p>
<p><a href="${escapeHtml(returnUrl)}">Return to the merchant</a></p>`,
  );
}

export type SettlementSummary = { currency: string; count: number; total: string };

export type SettlementPageState = {
  /** What awaits settlement, every merchant's together: given for ADMIN callers only. */
  awaiting?: readonly SettlementSummary[];
  /** The run this page answers. */
  settled?: { settled: number; failed: number };
  /** Why the caller sees no figures (no key, a merchant key, a cross-site form...). */
  refusal?: string;
};

/** The settlement page: figures for ADMIN only, and a form that takes the ADMIN key each time (nothing is remembered). */
export function settlementPage(state: SettlementPageState): string {
  const { awaiting, settled, refusal } = state;
  const rows = (awaiting ?? [])
    .map((row) => `<tr><td>${escapeHtml(row.currency)}</td><td>${row.count}</td><td>${escapeHtml(row.total)}</td></tr>`)
    .join('\n');
  const result = settled
    ? `<p data-testid="settlement-result">Settled ${settled.settled} transaction(s)${settled.failed > 0 ? `, <span class="error">${settled.failed} not acknowledged</span>` : ''}.</p>`
    : '';
  const figures =
    awaiting === undefined
      ? ''
      : `<table><thead><tr><th>Currency</th><th>Captured</th><th>Total</th></tr></thead><tbody>
${rows || '<tr><td colspan="3">Nothing awaiting settlement.</td></tr>'}
</tbody></table>`;
  return layout(
    'Alipay sandbox: settlement',
    `<h1>Settlement</h1>
<p>Plays the bank statement: every CAPTURED transaction's funds arrive, and a signed <code>payment.paid</code> event is posted for each. For ADMIN keys only.</p>
${refusal === undefined ? '' : `<p class="error" data-testid="settlement-refusal">${escapeHtml(refusal)}</p>`}
${result}
${figures}
<form method="post" action="settlement">
<p><label>ADMIN API key <input type="password" name="apiKey" autocomplete="current-password" required></label></p>
<div class="actions"><button class="secondary" type="submit" name="action" value="show">Show</button><button class="primary" type="submit" name="action" value="settle">Settle all</button></div>
</form>`,
  );
}
