import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '../../db/client.ts';
import { readQueueStats } from '../../db/sql/webhooks.ts';
import { OWNER_DISABLED_REASON } from './endpoints.ts';

export type WebhookMetrics = {
  attempts: Counter<'outcome'>;
  attemptDuration: Histogram;
  deliveriesFailed: Counter;
  endpointsDisabled: Counter<'reason'>;
};

const metricsByRegistry = new WeakMap<Registry, WebhookMetrics>();

/** The webhook series, registered once per registry (several senders of one app share them). */
export function webhookMetrics(registry: Registry, db: Database): WebhookMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: WebhookMetrics = {
    attempts: new Counter({
      name: 'paystream_webhook_attempts_total',
      help: 'Webhook attempts by outcome (succeeded, failed: retried or given up, gone: 410, aborted: cut by a shutdown and due again)',
      labelNames: ['outcome'],
      registers,
    }),
    attemptDuration: new Histogram({
      name: 'paystream_webhook_attempt_duration_seconds',
      help: 'Time from sending a webhook to its complete answer (or the timeout)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    }),
    deliveriesFailed: new Counter({ name: 'paystream_webhook_deliveries_failed_total', help: 'Webhook deliveries that failed every attempt of the retry schedule', registers }),
    endpointsDisabled: new Counter({
      name: 'paystream_webhook_endpoints_disabled_total',
      help: 'Webhook endpoints Paystream disabled, by reason (gone: HTTP 410; failing: every attempt failed for WEBHOOK_DISABLE_AFTER)',
      labelNames: ['reason'],
      registers,
    }),
  };
  // Read from the database at scrape time: the queue is shared by every instance.
  const stats = () => readQueueStats(db.sql, OWNER_DISABLED_REASON);
  new Gauge({
    name: 'paystream_webhook_deliveries_pending',
    help: 'Webhook deliveries waiting for an attempt (due or scheduled), all instances',
    registers,
    async collect() {
      this.set((await stats()).pending);
    },
  });
  new Gauge({
    name: 'paystream_webhook_oldest_due_seconds',
    help: 'How long the oldest due webhook delivery has been waiting past its time (0: none late)',
    registers,
    async collect() {
      this.set((await stats()).oldestDueSeconds);
    },
  });
  new Gauge({
    name: 'paystream_webhook_endpoints_disabled',
    help: 'Webhook endpoints disabled by Paystream (410 Gone, failing too long) and not enabled again',
    registers,
    async collect() {
      this.set((await stats()).disabledEndpoints);
    },
  });
  metricsByRegistry.set(registry, metrics);
  return metrics;
}
