import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFormBody } from '../../providers/alipay/notification.ts';
import { settlementPage, type SettlementPageState } from '../../providers/alipay/sandbox/pages.ts';
import { capturedAwaitingSettlement, settleCapturedTransactions } from '../../services/settlement.ts';
import type { Actor } from '../../services/merchants.ts';
import { HttpError, readBody, sendHtml } from '../body.ts';
import { fromSameOrigin } from '../console-session.ts';
import { reportCaller } from '../report-caller.ts';
import type { Route, RouteDeps } from '../types.ts';
import { SANDBOX_BASE } from './sandbox.ts';

/**
 * The sandbox's settlement page (it plays the bank statement: every CAPTURED transaction's funds arrive). It
 * moves every merchant's money and shows every merchant's totals, so it is for ADMIN keys only: sent as
 * `Authorization: Bearer <key>` (scripts), typed into the page's form (browsers; never in the URL), or an ADMIN
 * console session (its cookie is SameSite=Strict). A foreign page cannot use it through a visitor's browser: a POST
 * the browser marks as cross-site (Sec-Fetch-Site, else Origin) is refused before anything is read.
 */

const SANDBOX_SETTLEMENT_PATH = `${SANDBOX_BASE}/settlement`;

type Refusal = { status: 401 | 403 | 429; message: string };

/** The caller, from its Bearer header, the form's `apiKey` or a console session; a refusal is shown on the page, not thrown. */
async function settlementCaller(deps: RouteDeps, request: IncomingMessage, response: ServerResponse, formKey: string | undefined): Promise<Actor | Refusal> {
  const authorization = request.headers.authorization ?? (formKey === undefined ? undefined : `Bearer ${formKey}`);
  let actor: Actor;
  try {
    actor = await reportCaller(deps, request, response, authorization);
  } catch (error) {
    if (!(error instanceof HttpError) || (error.status !== 401 && error.status !== 429)) throw error;
    return { status: error.status, message: authorization === undefined && error.status === 401 ? 'Enter an ADMIN API key.' : error.message };
  }
  if (actor.role !== 'ADMIN') return { status: 403, message: 'Settlement moves every merchant’s money: it needs an ADMIN key.' };
  return actor;
}

/**
 * True when the browser says a page of another site sent this request. Sec-Fetch-Site (which no page can set)
 * decides when present: our no-referrer pages make some browsers send `Origin: null` with it. Otherwise Origin.
 */
function crossSite(request: IncomingMessage): boolean {
  const fetchSite = request.headers['sec-fetch-site'];
  if (fetchSite !== undefined) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  return !fromSameOrigin(request.headers);
}

export function sandboxSettlementRoutes(deps: RouteDeps): Route[] {
  const show = async (response: ServerResponse, status: number, state: SettlementPageState) => {
    sendHtml(response, status, settlementPage(state));
  };

  const get: Route['handler'] = async (request, response) => {
    const caller = await settlementCaller(deps, request, response, undefined);
    if ('status' in caller) return show(response, caller.status, { refusal: caller.message });
    return show(response, 200, { awaiting: await capturedAwaitingSettlement(deps.db) });
  };

  const post: Route['handler'] = async (request, response, _url, log) => {
    const providers = deps.providers();
    const sandbox = providers.sandbox;
    if (!sandbox) throw new HttpError(404, 'not found');
    if (crossSite(request)) {
      return show(response, 403, { refusal: 'Refused: this form was sent by a page of another site.' });
    }
    const form = parseFormBody(await readBody(request));
    const params = form.ok ? form.params : {};
    const caller = await settlementCaller(deps, request, response, params['apiKey'] || undefined);
    if ('status' in caller) return show(response, caller.status, { refusal: caller.message });
    if (params['action'] === 'show') return show(response, 200, { awaiting: await capturedAwaitingSettlement(deps.db) });
    const settled = await settleCapturedTransactions({ db: deps.db, logger: log, sandbox });
    log.info({ apiKeyId: caller.apiKeyId, ...settled }, 'sandbox settlement run');
    return show(response, 200, { awaiting: await capturedAwaitingSettlement(deps.db), settled });
  };

  return [
    { method: 'GET', path: SANDBOX_SETTLEMENT_PATH, handler: get },
    { method: 'POST', path: SANDBOX_SETTLEMENT_PATH, handler: post },
  ];
}
