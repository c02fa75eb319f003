import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { Config } from '../config.ts';
import { deriveReturnTicketKey } from '../domain/signatures.ts';
import { loadOrCreateSandboxKeys, type SandboxKeys } from './alipay/sandbox/keys.ts';
import { demoCnyRates } from './alipay/sandbox/rates.ts';

/**
 * What the services need to talk to providers, resolved once at start from the (immutable) Config: which
 * gateway, which keys, which URLs. When ALIPAY_GATEWAY_URL is unset the built-in sandbox is the gateway, and its
 * keys (made on first start, kept in DATA_DIR) fill in whatever Alipay keys are not configured.
 */

export const SANDBOX_GATEWAY_PATH = '/sandbox/alipay/gateway';
export const ALIPAY_NOTIFY_PATH = '/notifications/alipay';
export const SIGNED_EVENTS_PATH = '/notifications/events';
/** Where Alipay sends the consumer back: `<this>/<return ticket>` (src/http/routes/consumer-return.ts). */
export const CONSUMER_RETURN_PATH = '/return/alipay';

export type AlipaySettings = Readonly<{
  partnerId: string;
  gatewayUrl: string;
  /** Where Alipay posts its asynchronous notifications (sent in every redirect). */
  notifyUrl: string;
  /** Signs our redirects (RSA2). Parsed once: parsing PEM costs more than an RSA operation. */
  privateKey: KeyObject;
  /** Any of these verifies a notification: ALIPAY_PUBLIC_KEY and, in sandbox mode, the sandbox's "Alipay" key. */
  publicKeys: readonly KeyObject[];
  /** Our return link, without its ticket: `<base>/return/alipay`. */
  returnUrl: string;
  /** Signs and checks the tickets in return links (derived from privateKey). */
  returnTicketKey: Buffer;
}>;

export type SandboxSettings = Readonly<{
  /** Checks our redirect signatures, as Alipay checks them with the key we registered. */
  merchantPublicKey: KeyObject;
  /** Signs the Alipay notifications the sandbox sends. */
  alipayPrivateKey: KeyObject;
  /** The signed-event key the sandbox's settlement (playing the bank-statement reconciler) signs with. */
  settlementKeyId: string;
  settlementSecret: string;
  /** Where settlement events go. */
  eventsUrl: string;
  cnyRates: ReadonlyMap<string, string>;
  redeliveryRate: number;
}>;

export type ProviderSettings = Readonly<{
  baseUrl: string;
  alipay: AlipaySettings;
  /** keyId -> secret for signed events: NOTIFICATION_KEYS, plus the sandbox's settlement key in sandbox mode. */
  eventKeys: ReadonlyMap<string, string>;
  /** Present when the sandbox is the gateway (ALIPAY_GATEWAY_URL unset); its routes exist only then. */
  sandbox: SandboxSettings | undefined;
}>;

/** Where consumers and Alipay reach this server: PUBLIC_BASE_URL, else http://HOST:<port>. */
export function publicBaseUrl(config: Config, port: number = config.port): string {
  if (config.publicBaseUrl !== undefined) return config.publicBaseUrl.replace(/\/$/, '');
  // A wildcard bind address is not somewhere a browser can go: point at loopback instead.
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host === '::' ? '::1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Reads (or on first start makes) the sandbox keys when the sandbox is the gateway. */
export function resolveProviderSettings(config: Config, baseUrl: string = publicBaseUrl(config)): ProviderSettings {
  const sandboxKeys = config.alipay.gatewayUrl === undefined ? loadOrCreateSandboxKeys(config.dataDir) : undefined;
  return assembleProviderSettings(config, sandboxKeys, baseUrl);
}

export function assembleProviderSettings(config: Config, sandboxKeys: SandboxKeys | undefined, baseUrl: string): ProviderSettings {
  const base = baseUrl.replace(/\/$/, '');
  const notifyUrl = `${base}${ALIPAY_NOTIFY_PATH}`;
  const returnUrl = `${base}${CONSUMER_RETURN_PATH}`;
  if (sandboxKeys === undefined) {
    const { privateKeyPem, publicKeyPem, gatewayUrl } = config.alipay;
    // config.ts refuses a gateway without both keys; this only guards against a hand-made Config.
    if (privateKeyPem === undefined || publicKeyPem === undefined || gatewayUrl === undefined) {
      throw new Error('ALIPAY_GATEWAY_URL needs ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY');
    }
    const privateKey = createPrivateKey(privateKeyPem);
    return {
      baseUrl: base,
      alipay: {
        partnerId: config.alipay.partnerId,
        gatewayUrl,
        notifyUrl,
        privateKey,
        publicKeys: [createPublicKey(publicKeyPem)],
        returnUrl,
        returnTicketKey: deriveReturnTicketKey(privateKey),
      },
      eventKeys: config.notificationKeys,
      sandbox: undefined,
    };
  }
  const privateKey = createPrivateKey(config.alipay.privateKeyPem ?? sandboxKeys.merchant.privateKeyPem);
  const publicKeys = [sandboxKeys.alipay.publicKeyPem, ...(config.alipay.publicKeyPem ? [config.alipay.publicKeyPem] : [])].map((pem) =>
    createPublicKey(pem),
  );
  const { keyId, secret } = sandboxKeys.settlement;
  // A configured key with the same id wins, so the sandbox signs with what the verifier will use.
  const eventKeys = new Map([[keyId, secret], ...config.notificationKeys]);
  return {
    baseUrl: base,
    alipay: {
      partnerId: config.alipay.partnerId,
      gatewayUrl: `${base}${SANDBOX_GATEWAY_PATH}`,
      notifyUrl,
      privateKey,
      publicKeys,
      returnUrl,
      returnTicketKey: deriveReturnTicketKey(privateKey),
    },
    eventKeys,
    sandbox: {
      merchantPublicKey: createPublicKey(privateKey),
      alipayPrivateKey: createPrivateKey(sandboxKeys.alipay.privateKeyPem),
      settlementKeyId: keyId,
      settlementSecret: eventKeys.get(keyId) ?? secret,
      eventsUrl: `${base}${SIGNED_EVENTS_PATH}`,
      cnyRates: demoCnyRates(config.sandbox.cnyRates),
      redeliveryRate: config.sandbox.redeliveryRate,
    },
  };
}
