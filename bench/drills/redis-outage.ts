/**
 * Drill (d): Redis goes down with REDIS_URL set. Two server processes (src/main.ts) share PostgreSQL and,
 * through a TCP proxy in this process, the machine's Redis under a random REDIS_KEY_PREFIX. Instance B does
 * not LISTEN and polls once a minute: what it delivers promptly, it heard through Redis. Changes are applied
 * through A (signed capture notifications); merchant-client subscribers on both instances follow the log.
 * Phases: Redis up (A's changes reach B), Redis cut (A's own subscribers still get everything, both
 * instances say redis down in /readyz while staying ready, /metrics shows paystream_redis_up 0, B hears
 * nothing), Redis restored (B catches up from the log, a new change via A reaches B again).
 * At the end each subscriber has the merchant's whole log, once each, in order.
 *
 *   npm run drill:redis   (REDIS_URL defaults to redis://127.0.0.1:6379; only the proxy is ever cut)
 */
import { randomBytes } from 'node:crypto';
import { metricSamples } from './judges.ts';
import {
  CuttableProxy,
  httpSender,
  merchantLogCursors,
  sendUntilAcknowledged,
  settleSubscribers,
  signedEvent,
  sleep,
  startServerChild,
  stopServerChild,
  subscribeFromStart,
  waitUntil,
  type ServerChild,
} from './lib.ts';
import { defineDrill } from './template.ts';

type Readiness = { status: number; redis: string | undefined; pubsub: string | undefined };

async function readiness(server: ServerChild): Promise<Readiness> {
  const response = await fetch(`${server.url}/readyz`);
  const body = (await response.json()) as { events?: { redis?: string; pubsub?: string } };
  return { status: response.status, redis: body.events?.redis, pubsub: body.events?.pubsub };
}

async function redisUpSamples(server: ServerChild): Promise<{ labels: string; value: number }[]> {
  return metricSamples(await (await fetch(`${server.url}/metrics`)).text(), 'paystream_redis_up');
}

const PER_PHASE = { full: 200, small: 20 };

export const redisOutage = defineDrill({
  name: 'redis',
  summary: 'Redis cut with REDIS_URL set (local delivery continues, visible in readyz and metrics, fan-out recovers)',
  transactions: { full: PER_PHASE.full * 3, small: PER_PHASE.small * 3 },
  async run({ full, db, merchant, transactionIds: ids, markerTransactionId, eventKey: key, serverEnv, onEnd }) {
    const perPhase = full ? PER_PHASE.full : PER_PHASE.small;
    const redisTarget = new URL(process.env['REDIS_URL'] || 'redis://127.0.0.1:6379');
    const proxy = new CuttableProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
    await proxy.open();
    onEnd(() => proxy.cut());
    const shared = {
      ...serverEnv,
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: `redis://${proxy.url}`,
      REDIS_KEY_PREFIX: `drill:${randomBytes(6).toString('hex')}:`,
      // The default limiter: with REDIS_URL it keeps its counters in Redis too (and reports that connection).
      RATE_LIMIT_REQUESTS: '6000',
    };
    const [instanceA, instanceB] = await Promise.all([
      startServerChild(shared),
      startServerChild({ ...shared, EVENTS_LISTEN: 'false', EVENTS_POLL_INTERVAL_MS: '60000' }),
    ]);
    onEnd(() => Promise.all([stopServerChild(instanceA), stopServerChild(instanceB)]));
    const initialLog = (await merchantLogCursors(db, merchant.id)).length;
    const onA = subscribeFromStart(instanceA.url, merchant.secret);
    const onB = subscribeFromStart(instanceB.url, merchant.secret);
    onEnd(() => Promise.all([onA.client.close(), onB.client.close()]));
    await waitUntil(() => onA.received.length >= initialLog && onB.received.length >= initialLog, 'both subscribers to replay the log', 30_000);
    const readyBefore = await Promise.all([readiness(instanceA), readiness(instanceB)]);

    const sender = httpSender(instanceA.url, 8);
    let sendFailures = 0;
    const applyViaA = async (batch: string[]) => {
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < batch.length) {
            const id = batch[next] as string;
            next += 1;
            if ((await sendUntilAcknowledged(sender, signedEvent(key, id, 'CAPTURED'), 5, 200)) === undefined) sendFailures += 1;
          }
        }),
      );
    };

    // Phase 1: Redis up. A's changes reach B through Redis.
    let started = performance.now();
    await applyViaA(ids.slice(0, perPhase));
    const phase1Target = initialLog + perPhase;
    const fanOutBefore = await waitUntil(() => onB.received.length >= phase1Target, "B to hear A's changes", 15_000).then(() => true, () => false);
    const fanOutBeforeMs = performance.now() - started;

    // Phase 2: Redis cut.
    await proxy.cut();
    const cutAt = performance.now();
    const noticed = await waitUntil(
      async () => (await readiness(instanceA)).redis === 'down' && (await readiness(instanceB)).redis === 'down',
      'both instances to notice',
      15_000,
    ).then(() => true, () => false);
    const noticedMs = performance.now() - cutAt;
    const readyDuring = await Promise.all([readiness(instanceA), readiness(instanceB)]);
    const metricsDuring = await redisUpSamples(instanceA);
    const bBeforeOutageChanges = onB.received.length;
    started = performance.now();
    await applyViaA(ids.slice(perPhase, perPhase * 2));
    const phase2Target = phase1Target + perPhase;
    const localDelivery = await waitUntil(() => onA.received.length >= phase2Target, "A's subscriber during the outage", 15_000).then(() => true, () => false);
    const localDeliveryMs = performance.now() - started;
    // A window, not a wait for something late: in phase 1 B heard A's changes within milliseconds, so a
    // second in which it hears nothing shows that its only route (Redis) is really cut.
    await sleep(1_000);
    const bDuringOutage = onB.received.length - bBeforeOutageChanges;

    // Phase 3: Redis back. B catches up from the log; new changes reach it again.
    await proxy.open();
    const restoredAt = performance.now();
    const recovered = await waitUntil(
      async () => (await readiness(instanceA)).redis === 'up' && (await readiness(instanceB)).redis === 'up',
      'both instances to see Redis again',
      20_000,
    ).then(() => true, () => false);
    const recoveredMs = performance.now() - restoredAt;
    const caughtUp = await waitUntil(() => onB.received.length >= phase2Target, 'B to catch up', 20_000).then(() => true, () => false);
    const caughtUpMs = performance.now() - restoredAt;
    // Each Redis client (pub/sub, rate limiter) reconnects on its own schedule: wait for all of them.
    let metricsAfter = await redisUpSamples(instanceA);
    await waitUntil(
      async () => {
        metricsAfter = await redisUpSamples(instanceA);
        return metricsAfter.length > 0 && metricsAfter.every((sample) => sample.value === 1);
      },
      'every Redis client on /metrics to be up',
      20_000,
    ).catch(() => undefined);
    started = performance.now();
    await applyViaA(ids.slice(perPhase * 2));
    const phase3Target = phase2Target + perPhase;
    const fanOutAfter = await waitUntil(() => onB.received.length >= phase3Target, "B to hear A's new changes", 15_000).then(() => true, () => false);
    const fanOutAfterMs = performance.now() - started;
    sender.close();

    const [streamA, streamB] = await settleSubscribers(db, merchant.id, markerTransactionId, [onA, onB], 15_000);
    const pubsubInMetrics = metricsDuring.some((sample) => sample.labels.includes('pubsub'));
    const describe = (samples: { labels: string; value: number }[]) => samples.map((sample) => `${sample.labels} ${sample.value}`).join(' ') || 'none';

    return {
      checks: {
        'before: both instances ready with redis up': readyBefore.every((ready) => ready.status === 200 && ready.pubsub === 'redis' && ready.redis === 'up'),
        "before: A's changes reach B": fanOutBefore,
        'down: both report redis down in /readyz and stay ready (200)': noticed && readyDuring.every((ready) => ready.status === 200 && ready.redis === 'down'),
        'down: /metrics paystream_redis_up 0, pub/sub included': pubsubInMetrics && metricsDuring.every((sample) => sample.value === 0),
        "down: A's own subscriber gets every change": localDelivery,
        'down: B hears nothing (the outage is real)': bDuringOutage === 0,
        'back: both report redis up, /metrics paystream_redis_up 1': recovered && metricsAfter.length > 0 && metricsAfter.every((sample) => sample.value === 1),
        'back: B catches up on what it missed': caughtUp,
        "back: A's new changes reach B": fanOutAfter,
        'every change applied': sendFailures === 0,
        'both subscribers: the whole log, once each, in order': streamA.exact && streamB.exact,
      },
      numbers: {
        'changes per phase': perPhase,
        'phase 1 fan-out to B ms': Math.round(fanOutBeforeMs),
        'outage noticed by both ms': Math.round(noticedMs),
        'paystream_redis_up during': describe(metricsDuring),
        'pubsub connection in paystream_redis_up': pubsubInMetrics ? 'yes' : 'no (only the rate limiter reports; see README)',
        'phase 2 delivery on A ms': Math.round(localDeliveryMs),
        'phase 2 events heard by B while down': bDuringOutage,
        'redis back on both ms': Math.round(recoveredMs),
        'B caught up after restore ms': Math.round(caughtUpMs),
        'phase 3 fan-out to B ms': Math.round(fanOutAfterMs),
        'paystream_redis_up after': describe(metricsAfter),
        'A received / log (dup/missing)': `${streamA.received}/${streamA.log} (${streamA.duplicates}/${streamA.missing})`,
        'B received / log (dup/missing)': `${streamB.received}/${streamB.log} (${streamB.duplicates}/${streamB.missing})`,
        'B connections': onB.connects,
      },
    };
  },
});
