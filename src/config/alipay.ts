import { z } from 'zod';
import { cnyRates, integer, nonNegativeInt, optionalString, pem, positiveInt, type EnvironmentOf } from './parsers.ts';

/** Alipay (or the built-in sandbox playing it), trade expiry and refunds. */
export const alipayEnvironment = {
  ALIPAY_PUBLIC_KEY: pem('PUBLIC'),
  ALIPAY_PRIVATE_KEY: pem('PRIVATE'),
  ALIPAY_PARTNER_ID: optionalString,
  ALIPAY_GATEWAY_URL: optionalString.refine((value) => value === undefined || URL.canParse(value), 'must be an absolute URL'),
  SANDBOX_CNY_RATES: cnyRates,
  SANDBOX_REDELIVERY_RATE: z.coerce.number().min(0).max(1).default(0.25),
  // The sandbox confirms payments no one made: with NODE_ENV=production it runs only when this says so.
  SANDBOX_IN_PRODUCTION: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  SANDBOX_REFUND_LATE_MS: integer(0, 600_000).default(5_000),
  ALIPAY_TRADE_TIMEOUT_MINUTES: positiveInt.max(60 * 24 * 30).default(720),
  EXPIRY_INTERVAL_SECONDS: nonNegativeInt.max(86_400).default(60),
  REFUND_CALL_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  REFUND_RECHECK_AFTER_SECONDS: integer(1, 30 * 86_400).default(3_600),
  REFUND_RECHECK_LIMIT: integer(0, 1_000).default(5),
  REFUND_RUNNER_INTERVAL_MS: integer(0, 600_000).default(1_000),
};

type AlipayEnvironment = EnvironmentOf<typeof alipayEnvironment> & { NODE_ENV: string };

export type AlipayConfig = {
  alipay: Readonly<{
    publicKeyPem: string | undefined;
    privateKeyPem: string | undefined;
    partnerId: string;
    gatewayUrl: string | undefined;
  }>;
  /** The built-in Alipay sandbox (the gateway when ALIPAY_GATEWAY_URL is unset). */
  sandbox: Readonly<{
    /** Demo conversion rates shown to the consumer (CNY per unit), overriding the built-in table. */
    cnyRates: ReadonlyMap<string, string>;
    /** Share of notifications the sandbox delivers twice, as Alipay sometimes does. */
    redeliveryRate: number;
    /** How late the sandbox notifies a refund whose chosen outcome is "success notified late and twice". */
    refundLateMs: number;
  }>;
  expiry: Readonly<{
    /** Alipay closes unpaid trades after this long (its default: 12 hours); older REDIRECTED ones are expired. */
    tradeTimeoutMinutes: number;
    /** How often each instance tries to run expiry (one instance at a time actually runs); 0 disables it. */
    intervalSeconds: number;
  }>;
  /** Refunds through Alipay's forex_refund (src/services/refund-runner.ts). */
  refunds: Readonly<{
    /** One call's time limit; a call that runs out is retried with the same out_return_no. */
    callTimeoutMs: number;
    /** A refund Alipay accepted but has not notified as succeeded is asked about again after this long, and again. */
    recheckAfterSeconds: number;
    /** After this many such checks it is stuck: listed for ADMIN (stuckRefunds), no longer asked about. */
    recheckLimit: number;
    /** How often each instance looks for refunds due for a call; 0: this instance makes none. */
    runnerIntervalMs: number;
  }>;
};

/** Settings that are valid alone but not together. */
export function checkAlipayEnvironment(env: AlipayEnvironment, ctx: z.RefinementCtx): void {
  if (env.ALIPAY_GATEWAY_URL === undefined) {
    // Without a gateway the built-in sandbox plays Alipay: anyone can "pay" on its page. Production must say so.
    if (env.NODE_ENV === 'production' && env.SANDBOX_IN_PRODUCTION !== 'true') {
      ctx.addIssue({
        code: 'custom',
        path: ['ALIPAY_GATEWAY_URL'],
        message: 'must be set when NODE_ENV=production: without it the built-in sandbox is the gateway and confirms payments no one made (set SANDBOX_IN_PRODUCTION=true to run the sandbox in production anyway)',
      });
    }
    return;
  }
  // A real gateway needs both halves: our key to sign redirects, Alipay's to verify what it sends us. Without
  // them every redirect would be refused and every notification answered 401, so refuse to start instead.
  for (const variable of ['ALIPAY_PRIVATE_KEY', 'ALIPAY_PUBLIC_KEY'] as const) {
    if (env[variable] === undefined) {
      ctx.addIssue({ code: 'custom', path: [variable], message: 'is required when ALIPAY_GATEWAY_URL is set' });
    }
  }
}

export function alipayConfig(env: EnvironmentOf<typeof alipayEnvironment>): AlipayConfig {
  return {
    alipay: {
      publicKeyPem: env.ALIPAY_PUBLIC_KEY,
      privateKeyPem: env.ALIPAY_PRIVATE_KEY,
      partnerId: env.ALIPAY_PARTNER_ID ?? '2088000000000000',
      gatewayUrl: env.ALIPAY_GATEWAY_URL,
    },
    sandbox: { cnyRates: env.SANDBOX_CNY_RATES, redeliveryRate: env.SANDBOX_REDELIVERY_RATE, refundLateMs: env.SANDBOX_REFUND_LATE_MS },
    expiry: { tradeTimeoutMinutes: env.ALIPAY_TRADE_TIMEOUT_MINUTES, intervalSeconds: env.EXPIRY_INTERVAL_SECONDS },
    refunds: {
      callTimeoutMs: env.REFUND_CALL_TIMEOUT_MS,
      recheckAfterSeconds: env.REFUND_RECHECK_AFTER_SECONDS,
      recheckLimit: env.REFUND_RECHECK_LIMIT,
      runnerIntervalMs: env.REFUND_RUNNER_INTERVAL_MS,
    },
  };
}
