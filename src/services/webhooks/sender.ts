import pg from 'pg';
import type { Registry } from 'prom-client';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { claimDueDeliveries, releaseLeases, type ClaimedDelivery } from '../../db/sql/webhooks.ts';
import { EVENTS_CHANNEL, listenForCommits } from '../../db/sql/events.ts';
import { webhookHeaders } from '../../domain/webhooks.ts';
import type { Logger } from '../../logger.ts';
import { AttemptRecorder } from './attempt-records.ts';
import { signingSecrets } from './endpoints.ts';
import { EndpointSlots } from './endpoint-slots.ts';
import { webhookMetrics } from './metrics.ts';
import { deliveryPayload } from './payload.ts';
import { createPoster, type PostOutcome, type Poster } from './post.ts';
import { webhooksDue } from './deliveries.ts';

/**
 * The webhook sender of one instance: claims due deliveries (a lease that commits on its own, so instances share
 * the work and each attempt is made by one of them), POSTs each signed, and records what came back.
 *
 * - Deliveries run independently, at most 16 requests at a time per endpoint and instance: a slow or failing
 *   endpoint holds only its own slots. Endpoints that stop answering (STALL_MS) stop counting toward the instance's
 *   cap, so even many hanging at once do not hold up the others. Claims and records (attempt-records.ts) are batched.
 * - 2xx within WEBHOOK_TIMEOUT_MS: SUCCEEDED. Anything else is retried after the next step of
 *   WEBHOOK_RETRY_SCHEDULE (a longer Retry-After is honoured); once the schedule is used up, FAILED. 410 Gone
 *   disables the endpoint; so does failing continuously for WEBHOOK_DISABLE_AFTER.
 * - A process that dies mid-attempt leaves the lease behind; the delivery is due again when it ends (an attempt
 *   never outlives its lease), with the same webhook-id and body: receivers deduplicate on webhook-id.
 * - stop() lets the attempts in flight finish for a grace period, then aborts the rest: each aborted one is logged and
 *   due again at once (for another instance, or this one after its restart), not counted as a failure of the
 *   endpoint. So a shutdown ends within its budget whatever WEBHOOK_TIMEOUT_MS is.
 * Woken by commits (LISTEN, on PostgreSQL), by redeliveries of this process, and every WEBHOOK_SENDER_INTERVAL_MS.
 */

/**
 * Deliveries one instance holds (claimed, being attempted or recorded; not counting those waiting for a slot of
 * their endpoint, see HELD_PER_IN_FLIGHT), and requests in flight to one endpoint from
 * one instance (WebhookSenderDeps.limits overrides). An instance holds up to LEASES_PER_SLOT times an endpoint's
 * requests in flight of its deliveries waiting for their request or in it (those being recorded do not count): the
 * next ones are claimed while the current ones are answered and recorded, so the claim and the record of a batch
 * (a round trip each) overlap the requests instead of stalling them.
 */
const DEFAULT_LIMITS = { inFlight: 256, perEndpoint: 16 } as const;
/**
 * Deliveries of an endpoint one instance holds per request in flight to it: the claimed-ahead queue. Deep enough
 * that a claim's round trip (a synchronous commit) never empties it, and claims come in big batches (BENCHMARKS.md).
 */
const LEASES_PER_SLOT = 16;
/**
 * Attempts waiting for a slot of their own endpoint do not count toward the instance's cap (endpoints that hang
 * with a backlog would otherwise fill it and starve the others); all held deliveries stay under this many times it.
 */
const HELD_PER_IN_FLIGHT = 4;
/** Time to record an attempt after its request ended, within the lease. */
const LEASE_MARGIN_MS = 5_000;
/**
 * An endpoint that answered nothing for this long (or a quarter of WEBHOOK_TIMEOUT_MS, if shorter) while it had
 * requests in flight is stalled (EndpointSlots): far above a healthy receiver's answer, far below the timeout.
 */
const STALL_MS = 1_000;

export type WebhookSenderDeps = {
  db: Database;
  config: Config;
  logger: Logger;
  registry: Registry;
  limits?: Readonly<{ inFlight: number; perEndpoint: number }>;
};

export type WebhookSender = {
  /** Claims what is due now and waits until those attempts are recorded (tests; the timer does the same). */
  runOnce(): Promise<number>;
  /**
   * Stops claiming, lets the attempts in flight finish for up to `graceMs` (default: none), aborts the rest (due
   * again at once, not a failure of their endpoint) and waits until every attempt is recorded.
   */
  stop(options?: { graceMs?: number }): Promise<void>;
};

export function createWebhookSender(deps: WebhookSenderDeps): WebhookSender & { start(): void } {
  const { db, config, logger } = deps;
  const settings = config.webhooks;
  const { inFlight: MAX_IN_FLIGHT, perEndpoint: PER_ENDPOINT } = deps.limits ?? DEFAULT_LIMITS;
  const recorder = new AttemptRecorder(db, settings, webhookMetrics(deps.registry, db), logger);
  const inFlight = new Set<Promise<void>>();
  /**
   * Held deliveries whose request ended (EndpointSlots.release), until they are dropped: the claimed objects, not
   * their ids (a delivery whose lease ran out while it was recorded can be held a second time).
   */
  const ended = new Set<ClaimedDelivery>();
  const stallMs = Math.min(STALL_MS, settings.timeoutMs / 4);
  const slots = new EndpointSlots(PER_ENDPOINT, LEASES_PER_SLOT * PER_ENDPOINT, stallMs);
  /**
   * A lease covers a wait for a slot of up to WEBHOOK_TIMEOUT_MS, the attempt and its record. An attempt that
   * waited longer (its endpoint is slow) is not made: its lease is released and it is claimed again later.
   */
  const leaseMs = 2 * settings.timeoutMs + LEASE_MARGIN_MS;
  const latestStartAfterClaim = leaseMs - settings.timeoutMs - LEASE_MARGIN_MS;
  /** Aborts the requests in flight when a stop's grace period is over. */
  const shutdown = new AbortController();
  // One kept-alive socket per attempt an endpoint may have in flight: no attempt waits for a socket.
  const poster: Poster = createPoster({
    allowLocalReceivers: settings.allowLocalReceivers,
    socketsPerHost: PER_ENDPOINT,
    signal: shutdown.signal,
    connectTimeoutMs: settings.timeoutMs,
  });
  /** How many more deliveries this instance may claim now (what stalled endpoints hold does not count). */
  const room = (): number =>
    Math.min(
      MAX_IN_FLIGHT - (slots.held - slots.waiting - (slots.stalledHeld - slots.stalledWaiting)),
      HELD_PER_IN_FLIGHT * MAX_IN_FLIGHT - (slots.held - slots.stalledHeld),
    );
  /** Claims under way (from the timer, a wake-up or runOnce): stop waits for them before the attempts they start. */
  const claims = new Set<Promise<number>>();
  let stopped = false;
  let started = false;
  let filling: Promise<number> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let listener: pg.Client | undefined;
  /** Looks for stalled endpoints while anything is held; runOnce waits for `opened` beside the attempts. */
  let stallCheck: NodeJS.Timeout | undefined;
  let opened: { promise: Promise<void>; resolve: () => void } | undefined;
  /** Whether the latest claim passed over stalled endpoints. */
  let claimSkipped = false;
  const roomOpened = (): Promise<void> => {
    if (opened === undefined) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((resolved) => (resolve = resolved));
      opened = { promise, resolve };
    }
    return opened.promise;
  };
  /** The claim may take more now: runOnce looks again, and so does the running sender. */
  const roomMade = (): void => {
    opened?.resolve();
    opened = undefined;
    wake();
  };
  const checkStalls = (): void => {
    if (slots.findStalled()) roomMade();
  };

  const attempt = async (delivery: ClaimedDelivery, body: string, claimedAt: number): Promise<void> => {
    await slots.acquire(delivery.endpointId);
    let outcome: PostOutcome;
    let answered = false;
    const now = new Date();
    try {
      // Stopped while it waited, or waited too long for its lease to cover the attempt: not sent, due again at once.
      if (shutdown.signal.aborted || now.getTime() - claimedAt > latestStartAfterClaim) return await releaseLeases(db.sql, [delivery.id]);
      const secrets = signingSecrets(delivery.endpoint, now);
      const headers = webhookHeaders({ id: delivery.webhookId, timestamp: Math.floor(now.getTime() / 1000), body }, secrets);
      outcome = await poster.post(delivery.endpoint.url, headers, body, settings.timeoutMs);
      answered = outcome.statusCode !== undefined;
    } finally {
      slots.release(delivery.endpointId, answered);
      ended.add(delivery);
      // The endpoint's share has room for one more while this attempt is recorded.
      roomMade();
    }
    await (outcome.aborted ? recorder.releaseAborted(delivery, body, now, outcome) : recorder.record(delivery, body, now, outcome));
  };

  /** Claims as many due deliveries as there is room for and starts their attempts; returns how many. */
  const fill = (): Promise<number> => {
    if (stopped) return Promise.resolve(0);
    const claim = claimAndStart();
    claims.add(claim);
    void claim.catch(() => 0).finally(() => claims.delete(claim));
    return claim;
  };

  const claimAndStart = async (): Promise<number> => {
    // Before the statement: the lease, set by the database during it, ends no earlier than claimedAt + leaseMs.
    const claimedAt = Date.now();
    claimSkipped = slots.stalledHeld > 0;
    const claimed = await claimDueDeliveries(db.sql, { limit: room(), perEndpoint: LEASES_PER_SLOT * PER_ENDPOINT, leaseMs, held: slots.heldByEndpoint() });
    if (claimed.length === 0) return 0;
    stallCheck ??= setInterval(checkStalls, stallMs / 2).unref();
    for (const delivery of claimed) {
      slots.hold(delivery.endpointId);
      const body = delivery.payload ?? (delivery.event === undefined ? undefined : deliveryPayload(delivery.type, delivery.event));
      const running = (body === undefined ? Promise.reject(new Error(`delivery ${delivery.id} has no body and no event`)) : attempt(delivery, body, claimedAt))
        .catch((error: unknown) => logger.error({ err: error, deliveryId: delivery.id }, 'webhook attempt could not be recorded; retried when its lease ends'))
        .finally(() => {
          slots.drop(delivery.endpointId, ended.delete(delivery));
          inFlight.delete(running);
          wake();
        });
      inFlight.add(running);
    }
    return claimed.length;
  };

  const wake = (): void => {
    if (!started || stopped) return;
    if (filling) {
      again = true;
      return;
    }
    if (room() <= 0) return;
    filling = fill()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'claiming webhook deliveries failed');
        return 0;
      })
      .finally(() => {
        filling = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      wake();
      schedule();
    }, settings.senderIntervalMs);
    timer.unref();
  };

  let unsubscribe = (): void => undefined;

  return {
    start() {
      started = true;
      unsubscribe = webhooksDue.subscribe(wake);
      schedule();
      wake();
      // Commits wake the sender at once on PostgreSQL; the embedded database (one session) relies on the timer.
      if (db.kind === 'postgresql' && config.events.listen) {
        const client = new pg.Client({ connectionString: db.connectionString });
        client.on('notification', (message) => {
          if (message.channel === EVENTS_CHANNEL) wake();
        });
        client.on('error', (error) => logger.warn({ err: error }, 'webhook sender lost its LISTEN connection; polling only'));
        listener = client;
        client
          .connect()
          .then(() => listenForCommits(client))
          .catch((error: unknown) => logger.warn({ err: error }, 'webhook sender could not LISTEN; polling only'));
      }
    },
    async runOnce() {
      let total = 0;
      for (;;) {
        await filling;
        const claimed = !stopped && room() > 0 ? await fill() : 0;
        total += claimed;
        if (claimed === 0 && inFlight.size === 0) {
          // That claim passed over endpoints stalled when it began, whose attempts have all ended since: look again.
          if (claimSkipped && !stopped) continue;
          return total;
        }
        // Full, or nothing claimable until an attempt ends (its endpoint's slots, or a retry it schedules).
        if (claimed === 0 || room() <= 0) await Promise.race([...inFlight, roomOpened()]);
      }
    },
    async stop(options = {}) {
      stopped = true;
      recorder.stop();
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      await Promise.allSettled([...claims]);
      const graceMs = options.graceMs ?? 0;
      if (inFlight.size > 0 && graceMs > 0) {
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([Promise.all(inFlight), new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
        clearTimeout(grace);
      }
      shutdown.abort();
      // A claim that was under way when stop began adds attempts late: they are aborted at once, and awaited too.
      while (inFlight.size > 0) await Promise.all(inFlight);
      clearInterval(stallCheck);
      poster.close();
      await listener?.end().catch(() => undefined);
    },
  };
}

/** Started by src/main.ts beside the HTTP server; undefined when WEBHOOK_SENDER_INTERVAL_MS=0 (this instance sends none). */
export function startWebhookSender(deps: WebhookSenderDeps): WebhookSender | undefined {
  if (deps.config.webhooks.senderIntervalMs <= 0) return undefined;
  const sender = createWebhookSender(deps);
  sender.start();
  return sender;
}
