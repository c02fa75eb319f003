import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFormBody } from '../../providers/alipay/notification.ts';
import { postAlipayNotification } from '../../providers/alipay/sandbox/delivery.ts';
import { buildRefundNotification, checkRefundRequest, refundResponseXml, SandboxRefundLedger } from '../../providers/alipay/sandbox/refunds.ts';
import { SANDBOX_GATEWAY_PATH } from '../../providers/settings.ts';
import { HttpError, readBody } from '../body.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * The sandbox gateway's server-to-server side: forex_refund, POSTed as a form, answered in Alipay's XML. The
 * outcome each refund plays is chosen by its reason (src/providers/alipay/sandbox/refunds.ts); a success is
 * then notified to the notify_url the request named, retried until acknowledged.
 */

/** Longest a "timeout" call is held open without an answer (the caller gives up well before). */
const HANG_LIMIT_MS = 120_000;

function sendXml(response: ServerResponse, xml: string): void {
  response.writeHead(200, { 'content-type': 'text/xml; charset=utf-8', 'cache-control': 'no-store' });
  response.end(xml);
}

/** Holds the call open until the caller gives up (or the limit), as a gateway that lost its answer would. */
function hang(request: IncomingMessage, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      if (!response.writableEnded) response.destroy();
      resolve();
    }, HANG_LIMIT_MS);
    timer.unref();
    request.socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export function sandboxRefundRoutes(deps: RouteDeps): Route[] {
  const sandbox = deps.providers().sandbox;
  if (!sandbox) return [];
  const ledger = new SandboxRefundLedger({ lateMs: deps.config.sandbox.refundLateMs, redeliveryRate: sandbox.redeliveryRate });
  return [
    {
      method: 'POST',
      path: SANDBOX_GATEWAY_PATH,
      handler: async (request, response, _url, log) => {
        const providers = deps.providers();
        const settings = providers.sandbox;
        if (!settings) throw new HttpError(404, 'not found');
        const form = parseFormBody(await readBody(request));
        const checked = form.ok
          ? checkRefundRequest(form.params, { partnerId: providers.alipay.partnerId, merchantPublicKey: settings.merchantPublicKey })
          : ({ ok: false, code: 'ILLEGAL_ARGUMENT' } as const);
        if (!checked.ok) {
          sendXml(response, refundResponseXml(checked));
          return;
        }
        const { request: refund } = checked;
        const plan = ledger.plan(refund);
        if (plan.answer === 'hang') await hang(request, response);
        else sendXml(response, refundResponseXml(plan.answer));
        const { notify } = plan;
        if (notify === undefined) return;
        const notifyUrl = refund.notifyUrl ?? providers.alipay.notifyUrl;
        const notification = buildRefundNotification(refund, settings.alipayPrivateKey);
        const deliver = async () => {
          for (let delivery = 0; delivery < notify.deliveries; delivery += 1) {
            const result = await postAlipayNotification(notifyUrl, notification);
            if (!result.delivered) log.warn({ outReturnNo: refund.outReturnNo, status: result.lastStatus }, 'sandbox: refund notification not acknowledged');
          }
        };
        setTimeout(() => void deliver(), notify.delayMs).unref();
      },
    },
  ];
}
