import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeGlobalId } from '../../domain/ids.ts';
import type { Logger } from '../../logger.ts';
import { consumerCancelLink } from '../../providers/alipay/redirect.ts';
import {
  buildTradeNotification,
  checkTradeRequest,
  SANDBOX_DECLINE_REASON,
  type SandboxTradeStatus,
  type TradeRequest,
  type TradeRequestCheck,
} from '../../providers/alipay/sandbox/gateway.ts';
import { postAlipayNotification, postSignedEvent, type DeliveryResult, type RetryPolicy } from '../../providers/alipay/sandbox/delivery.ts';
import { abandonedPage, closedPage, deliveryFailedPage, errorPage, gatewayPage } from '../../providers/alipay/sandbox/pages.ts';
import { formatCny } from '../../providers/alipay/sandbox/rates.ts';
import { SANDBOX_GATEWAY_PATH, type ProviderSettings, type SandboxSettings } from '../../providers/settings.ts';
import { HttpError, readBody, sendHtml, sendText } from '../body.ts';
import type { Route, RouteDeps, RouteHandler } from '../types.ts';
import { parseFormBody } from '../../providers/alipay/notification.ts';

/**
 * The built-in Alipay sandbox, the gateway while ALIPAY_GATEWAY_URL is unset: the consumer's payment page with
 * every ending a developer needs to test (pay, cancel, declined by the bank, abandon and Alipay's timeout close;
 * notifications are signed like Alipay's and the bank's, retried until acknowledged, sometimes sent twice).
 * docs/ENDINGS.md lists what each ending records. Its settlement page, for ADMIN keys, is sandbox-settlement.ts.
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

  /** The trade request carried by a payment page's form, re-checked like the redirect; undefined once refused. */
  async function tradeFromForm(request: IncomingMessage, response: ServerResponse): Promise<TradeRequest | undefined> {
    const form = parseFormBody(await readBody(request));
    const checked = form.ok ? check(deps.providers(), form.params) : ({ ok: false, code: 'ILLEGAL_ARGUMENT', message: form.error } as const);
    if (checked.ok) return checked.request;
    sendHtml(response, 400, errorPage(checked.code, checked.message));
    return undefined;
  }

  /**
   * Delivers until acknowledged, as Alipay and the bank do; true once it was. When the first attempts fail, the
   * consumer sees why (502) while retries go on in the background.
   */
  async function deliverOrExplain(
    response: ServerResponse,
    log: Logger,
    trade: TradeRequest,
    send: (policy?: RetryPolicy) => Promise<DeliveryResult>,
  ): Promise<boolean> {
    const first = await send();
    if (first.delivered) return true;
    log.warn({ attempts: first.attempts, status: first.lastStatus }, 'sandbox: notification not acknowledged; retrying in the background');
    void send(BACKGROUND_RETRY).then((later) => {
      if (!later.delivered) log.error({ status: later.lastStatus }, 'sandbox: notification never acknowledged');
    });
    sendHtml(response, 502, deliveryFailedPage(trade.returnUrl, `last answer: ${first.lastStatus ?? 'no response'} ${first.lastBody ?? ''}`));
    return false;
  }

  /** Alipay's notification about the trade; at least once, and sometimes really twice (the same notify_id). */
  async function notifyTrade(response: ServerResponse, log: Logger, trade: TradeRequest, tradeStatus: SandboxTradeStatus): Promise<boolean> {
    const sandbox = sandboxOf(deps.providers());
    const notification = buildTradeNotification(trade, tradeStatus, sandbox.alipayPrivateKey);
    if (!(await deliverOrExplain(response, log, trade, (policy) => postAlipayNotification(trade.notifyUrl, notification, policy)))) return false;
    if (Math.random() < sandbox.redeliveryRate) {
      const again = await postAlipayNotification(trade.notifyUrl, notification);
      if (!again.delivered) log.warn({ status: again.lastStatus }, 'sandbox: redelivery not acknowledged');
    }
    return true;
  }

  // Pay: Alipay notifies TRADE_SUCCESS, then returns the consumer through our return link.
  add('POST', `${SANDBOX_BASE}/pay`, async (request, response, _url, log) => {
    const trade = await tradeFromForm(request, response);
    if (trade && (await notifyTrade(response, log, trade, 'TRADE_SUCCESS'))) redirect(response, trade.returnUrl);
  });

  // Cancel: the consumer goes back through our return link saying so (CANCELLED, source CONSUMER). Alipay says
  // nothing now; a TRADE_CLOSED it sends later (its timeout) confirms the cancel.
  add('POST', `${SANDBOX_BASE}/cancel`, async (request, response) => {
    const trade = await tradeFromForm(request, response);
    if (trade) redirect(response, consumerCancelLink(trade.returnUrl));
  });

  // Declined by the bank: the bank's word comes as a signed payment.rejected event (REJECTED, reason DECLINED),
  // then the consumer returns through our return link.
  add('POST', `${SANDBOX_BASE}/decline`, async (request, response, _url, log) => {
    const trade = await tradeFromForm(request, response);
    if (!trade) return;
    const sandbox = sandboxOf(deps.providers());
    const event = {
      id: `evt_sandbox_${randomBytes(12).toString('hex')}`,
      type: 'payment.rejected',
      created: new Date().toISOString(),
      payment: { id: encodeGlobalId('Transaction', trade.outTradeNo), status: 'REJECTED', reason: SANDBOX_DECLINE_REASON },
    };
    const key = { keyId: sandbox.settlementKeyId, secret: sandbox.settlementSecret };
    if (await deliverOrExplain(response, log, trade, (policy) => postSignedEvent(sandbox.eventsUrl, event, key, policy))) redirect(response, trade.returnUrl);
  });

  // Abandon: the consumer just leaves; nothing comes back. The page offers Alipay's timeout close, to test it.
  add('POST', `${SANDBOX_BASE}/abandon`, async (request, response) => {
    const trade = await tradeFromForm(request, response);
    if (trade) sendHtml(response, 200, abandonedPage(trade));
  });

  // Alipay's timeout: the unpaid trade is closed (TRADE_CLOSED: REJECTED, or NO_OP after a cancel).
  add('POST', `${SANDBOX_BASE}/close`, async (request, response, _url, log) => {
    const trade = await tradeFromForm(request, response);
    if (trade && (await notifyTrade(response, log, trade, 'TRADE_CLOSED'))) sendHtml(response, 200, closedPage());
  });

  add('GET', SANDBOX_BASE, async (_request, response) => {
    sandboxOf(deps.providers());
    sendText(response, 200, `Paystream Alipay sandbox. Settlement: ${SANDBOX_BASE}/settlement`);
  });

  return routes;
}
