import { verifyReturnTicket } from '../../domain/signatures.ts';
import { CONSUMER_CANCEL } from '../../providers/alipay/redirect.ts';
import { CONSUMER_RETURN_PATH } from '../../providers/settings.ts';
import { consumerReturn } from '../../services/consumer-return.ts';
import { sendText } from '../body.ts';
import type { Route, RouteDeps } from '../types.ts';

/**
 * `GET /return/alipay/<ticket>`: the return_url of every redirect we sign. Alipay sends the consumer here; the
 * ticket (our transaction id with its HMAC) says which transaction, and nobody can make one for another
 * transaction. We answer 303 to the merchant's returnUrl with the transaction's id and status added. Whatever
 * Alipay appends to the query is ignored: the status comes from our own records. With `?action=cancel` (the
 * payment page's Cancel) the consumer cancels that transaction first, if it is still unpaid (docs/ENDINGS.md).
 */
export function consumerReturnRoutes(deps: RouteDeps): Route[] {
  return [
    {
      method: 'GET',
      path: `${CONSUMER_RETURN_PATH}/*`,
      handler: async (_request, response, url, log) => {
        const ticket = url.pathname.slice(CONSUMER_RETURN_PATH.length + 1);
        const transactionId = verifyReturnTicket(deps.providers().alipay.returnTicketKey, ticket);
        const cancel = url.searchParams.get(CONSUMER_CANCEL.parameter) === CONSUMER_CANCEL.value;
        const answer = transactionId === undefined ? undefined : await consumerReturn(deps.db, transactionId, { cancel });
        if (answer?.kind !== 'return') {
          sendText(response, 404, 'unknown return link');
          return;
        }
        if (answer.cancelled) log.info({ transactionId }, 'the consumer cancelled the transaction on the payment page');
        // no-referrer: the merchant's page must not learn our link (its ticket) from the Referer header.
        response.writeHead(303, { location: answer.location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
        response.end();
      },
    },
  ];
}
