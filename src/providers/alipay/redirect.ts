import { formatMinorUnits } from '../../domain/money.ts';
import { signAlipayOffThread, signReturnTicket } from '../../domain/signatures.ts';
import type { AlipaySettings } from '../settings.ts';

type RedirectSubject = {
  id: string;
  amountMinor: bigint;
  currency: string;
};

/** Our return link for a transaction: Alipay sends the consumer here, and we send them on to the merchant. */
export function returnLink(alipay: Pick<AlipaySettings, 'returnUrl' | 'returnTicketKey'>, transactionId: string): string {
  return `${alipay.returnUrl}/${signReturnTicket(alipay.returnTicketKey, transactionId)}`;
}

/** What the (sandbox) payment page adds to our return link when the consumer cancels there. */
export const CONSUMER_CANCEL = { parameter: 'action', value: 'cancel' } as const;

/** Our return link with the consumer's cancel indication: it cancels the (unpaid) transaction the link names. */
export function consumerCancelLink(link: string): string {
  const url = new URL(link);
  url.searchParams.set(CONSUMER_CANCEL.parameter, CONSUMER_CANCEL.value);
  return url.href;
}

/**
 * The parameters of a create_forex_trade request, before signing. Every value is ours (configuration, our
 * transaction id, the amount as we format it): Alipay signs `k=v&k=v` over raw values, so merchant text
 * (returnUrl, merchantReference) with `&` and `=` in a value could be re-split into other parameters that
 * still verify. The merchant's returnUrl is reached through our return link instead.
 */
export function redirectParams(alipay: AlipaySettings, transaction: RedirectSubject, now = new Date()): Record<string, string> {
  const params: Record<string, string> = {
    service: 'create_forex_trade',
    partner: alipay.partnerId,
    _input_charset: 'utf-8',
    out_trade_no: transaction.id,
    subject: `Payment ${transaction.id}`,
    total_fee: formatMinorUnits(transaction.amountMinor, transaction.currency),
    currency: transaction.currency,
    notify_url: alipay.notifyUrl,
    return_url: returnLink(alipay, transaction.id),
    timestamp: now.toISOString(),
  };
  for (const [key, value] of Object.entries(params)) {
    // Our own values never need these; one that has them (a strange PUBLIC_BASE_URL) would make the signature ambiguous.
    if (/[&=]/.test(value)) throw new Error(`redirect parameter ${key} must not contain & or =: ${value}`);
  }
  return params;
}

/**
 * The consumer's redirect: a create_forex_trade-style request to the Alipay gateway, signed RSA2 with our
 * private key (ALIPAY_PRIVATE_KEY, or the sandbox's merchant key), off the event loop. `out_trade_no` is our
 * transaction id, which Alipay echoes in its notifications.
 */
export async function buildRedirectUrl(alipay: AlipaySettings, transaction: RedirectSubject): Promise<string> {
  const params = redirectParams(alipay, transaction);
  const signature = await signAlipayOffThread(params, alipay.privateKey);
  const url = new URL(alipay.gatewayUrl);
  // Serialised into the URL once: each url.searchParams.set would serialise the whole query again.
  const query = new URLSearchParams(url.search);
  for (const [key, value] of Object.entries(params)) query.set(key, value);
  query.set('sign_type', 'RSA2');
  query.set('sign', signature);
  url.search = query.toString();
  return url.href;
}
