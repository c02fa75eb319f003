import type { ServerResponse } from 'node:http';
import { buildTradeNotification, checkTradeRequest, type SandboxTradeStatus, type TradeRequestCheck } from '../../providers/alipay/sandbox/gateway.ts';
import { postAlipayNotification, type RetryPolicy } from '../../providers/alipay/sandbox/delivery.ts';
import { deliveryFailedPage, errorPage, gatewayPage } from '../../providers/alipay/sandbox/pages.ts';
import { formatCny } from '../../providers/alipay/sandbox/rates.ts';
import { SANDBOX_GATEWAY_PATH, type ProviderSettings, type SandboxSettings } from '../../providers/settings.ts';
import { HttpError, readBody, sendHtml, sendText } from '../body.ts';
import type { Route, RouteDeps, RouteHandler } from '../types.ts';
import { parseFormBody } from '../../providers/alipay/notification.ts';

/**
 * The built-in Alipay sandbox, the gateway while ALIPAY_GATEWAY_URL is unset: the consumer's payment page,
 * its Pay and Cancel actions (which post signed Alipay notifications to our notify_url, retrying until
 * `success`, sometimes twice). Its settlement page, for ADMIN keys, is sandbox-settlement.ts.
 */

export const SANDBOX_BASE = SANDBOX_GATEWAY_PATH.slice(0, SANDBOX_GATEWAY_PATH.lastIndexOf('/'));
/** Alipay's schedule is 8 attempts over about 25 hours; the sandbox compresses the tail to minutes. */
const BACKGROUND_RETRY: RetryPolicy = { delaysMs: [5_000, 15_000, 30_000, 60_000], timeoutMs: 10_000 };

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(303, { location, 'cache-control': 'no-store' });
  response.end();
}

function sandboxOf(providers: ProviderSettings): SandboxSettings {
  if (!providers.sandbox) throw new HttpError(404, 'not found');
  return providers.sandbox;
}

function check(providers: ProviderSettings, params: Record<string, string>): TradeRequestCheck {
  return checkTradeRequest(params, { partnerId: providers.alipay.partnerId, merchantPublicKey: sandboxOf(providers).merchantPublicKey });
}

function queryParams(url: URL): Record<string, string> | string {
  const params: Record<string, string> = {};
  for (const [key, value] of url.searchParams) {
    if (key in params) return `parameter ${key} appears more than once`;
    params[key] = value;
  }
  return params;
}

export function sandboxRoutes(deps: RouteDeps): Route[] {
  const routes: Route[] = [];
  const add = (method: string, path: string, handler: RouteHandler) => void routes.push({ method, path, handler });

  add('GET', SANDBOX_GATEWAY_PATH, async (_request, response, url) => {
    const providers = deps.providers();
    const params = queryParams(url);
    const checked = typeof params === 'string' ? ({ ok: false, code: 'ILLEGAL_ARGUMENT', message: params } as const) : check(providers, params);
    if (!checked.ok) {
      sendHtml(response, 400, errorPage(checked.code, checked.message));
      return;
    }
    const cny = formatCny(checked.request.amountMinor, checked.request.currency, sandboxOf(providers).cnyRates);
    sendHtml(response, 200, gatewayPage(checked.request, cny));
  });

  const consumerAction =
    (tradeStatus: SandboxTradeStatus): RouteHandler =>
    async (request, response, _url, log) => {
      const providers = deps.providers();
      const sandbox = sandboxOf(providers);
      const form = parseFormBody(await readBody(request));
      const checked = form.ok ? check(providers, form.params) : ({ ok: false, code: 'ILLEGAL_ARGUMENT', message: form.error } as const);
      if (!checked.ok) {
        sendHtml(response, 400, errorPage(checked.code, checked.message));
        return;
      }
      const notification = buildTradeNotification(checked.request, tradeStatus, sandbox.alipayPrivateKey);
      const first = await postAlipayNotification(checked.request.notifyUrl, notification);
      if (!first.delivered) {
        log.warn({ attempts: first.attempts, status: first.lastStatus }, 'sandbox: notification not acknowledged; retrying in the background');
        void postAlipayNotification(checked.request.notifyUrl, notification, BACKGROUND_RETRY).then((later) => {
          if (!later.delivered) log.error({ status: later.lastStatus }, 'sandbox: notification never acknowledged');
        });
        sendHtml(response, 502, deliveryFailedPage(checked.request.returnUrl, `last answer: ${first.lastStatus ?? 'no response'} ${first.lastBody ?? ''}`));
        return;
      }
      // Alipay delivers at least once, and sometimes really twice: the same notify_id again.
      if (Math.random() < sandbox.redeliveryRate) {
        const again = await postAlipayNotification(checked.request.notifyUrl, notification);
        if (!again.delivered) log.warn({ status: again.lastStatus }, 'sandbox: redelivery not acknowledged');
      }
      redirect(response, checked.request.returnUrl);
    };

  add('POST', `${SANDBOX_BASE}/pay`, consumerAction('TRADE_SUCCESS'));
  // The consumer gives up: Alipay closes the unpaid trade (TRADE_CLOSED, which we record as REJECTED).
  add('POST', `${SANDBOX_BASE}/cancel`, consumerAction('TRADE_CLOSED'));

  add('GET', SANDBOX_BASE, async (_request, response) => {
    sandboxOf(deps.providers());
    sendText(response, 200, `Paystream Alipay sandbox. Settlement: ${SANDBOX_BASE}/settlement`);
  });

  return routes;
}
