import { formatMinorUnits } from '../../domain/money.ts';
import { signAlipay } from '../../domain/signatures.ts';
import type { Config } from '../../config.ts';

export const SANDBOX_GATEWAY_PATH = '/sandbox/alipay/gateway';
export const ALIPAY_NOTIFY_PATH = '/notifications/alipay';

/** Where consumers and Alipay reach this server. */
export function publicBaseUrl(config: Config): string {
  return (config.publicBaseUrl ?? `http://${config.host}:${config.port}`).replace(/\/$/, '');
}

export function gatewayUrl(config: Config): string {
  return config.alipay.gatewayUrl ?? `${publicBaseUrl(config)}${SANDBOX_GATEWAY_PATH}`;
}

type RedirectSubject = {
  id: string;
  merchantReference: string;
  amountMinor: bigint;
  currency: string;
  returnUrl: string;
};

/**
 * The consumer's redirect: a create_forex_trade-style request to the Alipay gateway, signed RSA2 with
 * ALIPAY_PRIVATE_KEY. `out_trade_no` is our transaction id, which Alipay echoes in its notifications.
 */
export function buildRedirectUrl(config: Config, transaction: RedirectSubject): string {
  const params: Record<string, string> = {
    service: 'create_forex_trade',
    partner: config.alipay.partnerId,
    _input_charset: 'utf-8',
    out_trade_no: transaction.id,
    subject: transaction.merchantReference,
    total_fee: formatMinorUnits(transaction.amountMinor, transaction.currency),
    currency: transaction.currency,
    notify_url: `${publicBaseUrl(config)}${ALIPAY_NOTIFY_PATH}`,
    return_url: transaction.returnUrl,
    timestamp: new Date().toISOString(),
  };
  const url = new URL(gatewayUrl(config));
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  if (config.alipay.privateKeyPem !== undefined) {
    url.searchParams.set('sign_type', 'RSA2');
    url.searchParams.set('sign', signAlipay(params, config.alipay.privateKeyPem));
  }
  return url.toString();
}
