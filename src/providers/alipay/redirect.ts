import { formatMinorUnits } from '../../domain/money.ts';
import { signAlipay } from '../../domain/signatures.ts';
import type { AlipaySettings } from '../settings.ts';

type RedirectSubject = {
  id: string;
  merchantReference: string;
  amountMinor: bigint;
  currency: string;
  returnUrl: string;
};

/** The parameters of a create_forex_trade request, before signing. */
export function redirectParams(alipay: AlipaySettings, transaction: RedirectSubject, now = new Date()): Record<string, string> {
  return {
    service: 'create_forex_trade',
    partner: alipay.partnerId,
    _input_charset: 'utf-8',
    out_trade_no: transaction.id,
    subject: transaction.merchantReference,
    total_fee: formatMinorUnits(transaction.amountMinor, transaction.currency),
    currency: transaction.currency,
    notify_url: alipay.notifyUrl,
    return_url: transaction.returnUrl,
    timestamp: now.toISOString(),
  };
}

/**
 * The consumer's redirect: a create_forex_trade-style request to the Alipay gateway, signed RSA2 with our
 * private key (ALIPAY_PRIVATE_KEY, or the sandbox's merchant key). `out_trade_no` is our transaction id,
 * which Alipay echoes in its notifications.
 */
export function buildRedirectUrl(alipay: AlipaySettings, transaction: RedirectSubject): string {
  const params = redirectParams(alipay, transaction);
  const url = new URL(alipay.gatewayUrl);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  url.searchParams.set('sign_type', 'RSA2');
  url.searchParams.set('sign', signAlipay(params, alipay.privateKey));
  return url.toString();
}
