import { z } from 'zod';
import { duration, durations, integer, type EnvironmentOf } from './parsers.ts';

/** Outgoing webhooks (src/services/webhooks/, docs/WEBHOOKS.md). */
export const webhooksEnvironment = {
  WEBHOOK_SENDER_INTERVAL_MS: integer(0, 600_000).default(1_000),
  WEBHOOK_TIMEOUT_MS: integer(100, 60_000).default(15_000),
  WEBHOOK_RETRY_SCHEDULE: durations.prefault(['5s', '5m', '30m', '2h', '5h', '10h', '14h', '20h', '24h'].join(',')),
  WEBHOOK_DISABLE_AFTER: duration.prefault('5d'),
  WEBHOOK_ALLOW_LOCAL_RECEIVERS: z.enum(['true', 'false']).default('false'),
};

type WebhooksEnvironment = EnvironmentOf<typeof webhooksEnvironment> & { NODE_ENV: string };

export type WebhooksConfig = {
  webhooks: Readonly<{
    /** How often each instance looks for due deliveries (it is also woken by commits); 0: this instance sends none. */
    senderIntervalMs: number;
    /** One attempt's limit: a 2xx must arrive within it. */
    timeoutMs: number;
    /** The delays after each failed attempt; once used up, the delivery has failed. */
    retryScheduleMs: readonly number[];
    /** An endpoint whose every attempt failed for this long is disabled. */
    disableAfterMs: number;
    /** http:// URLs and loopback addresses (local development and tests; refused in production). */
    allowLocalReceivers: boolean;
  }>;
};

export function checkWebhooksEnvironment(env: WebhooksEnvironment, ctx: z.RefinementCtx): void {
  // Local receivers (http://, loopback) are for development and tests: never a production server's own network.
  if (env.NODE_ENV === 'production' && env.WEBHOOK_ALLOW_LOCAL_RECEIVERS === 'true') {
    ctx.addIssue({ code: 'custom', path: ['WEBHOOK_ALLOW_LOCAL_RECEIVERS'], message: 'must not be true in production' });
  }
}

export function webhooksConfig(env: EnvironmentOf<typeof webhooksEnvironment>): WebhooksConfig {
  return {
    webhooks: {
      senderIntervalMs: env.WEBHOOK_SENDER_INTERVAL_MS,
      timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      retryScheduleMs: env.WEBHOOK_RETRY_SCHEDULE,
      disableAfterMs: env.WEBHOOK_DISABLE_AFTER,
      allowLocalReceivers: env.WEBHOOK_ALLOW_LOCAL_RECEIVERS === 'true',
    },
  };
}
