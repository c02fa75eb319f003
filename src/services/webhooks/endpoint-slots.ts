import type { HeldDeliveries } from '../../db/sql/webhooks.ts';

type Endpoint = {
  held: number;
  /** Of those held, the ones whose request ended: only their record is left (see heldByEndpoint). */
  ended: number;
  busy: number;
  waiting: (() => void)[];
  /** When it last answered, or got its first request in flight since it had none (performance.now()). */
  quietSince: number;
  stalled: boolean;
};

/**
 * What one instance holds per endpoint: deliveries claimed and not yet recorded (the claim takes at most its share
 * more), requests in flight (at most `perEndpoint` each), and the attempts claimed ahead that wait for one of their
 * endpoint's slots (the sender does not count those toward its own cap).
 *
 * An endpoint with requests in flight that has not answered any for `stallMs` is stalled (hanging, or slower than
 * anyone should wait for at its share of the instance): what it holds no longer counts toward the instance's caps,
 * and the claim takes no more of its deliveries, until it answers again or its requests in flight have all ended.
 * So endpoints that hang together hold up the others for about `stallMs`, not until their timeouts.
 */
export class EndpointSlots {
  private readonly endpoints = new Map<string, Endpoint>();
  /** Deliveries held and attempts waiting for a slot, across endpoints; the stalled endpoints' share of each. */
  held = 0;
  waiting = 0;
  stalledHeld = 0;
  stalledWaiting = 0;

  constructor(
    private readonly perEndpoint: number,
    /** What the claim counts a stalled endpoint as holding: its whole share, so none more is claimed. */
    private readonly share: number,
    private readonly stallMs: number,
  ) {}

  /** A claimed delivery, until `drop`. */
  hold(endpointId: string): void {
    this.held += 1;
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) {
      this.endpoints.set(endpointId, { held: 1, ended: 0, busy: 0, waiting: [], quietSince: 0, stalled: false });
      return;
    }
    endpoint.held += 1;
    if (endpoint.stalled) this.stalledHeld += 1;
  }

  /** Its attempt is recorded (or given up): no longer held. `ended`: its request ended (`release`) before. */
  drop(endpointId: string, ended: boolean): void {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) return;
    this.held -= 1;
    endpoint.held -= 1;
    if (ended) endpoint.ended -= 1;
    if (endpoint.stalled) this.stalledHeld -= 1;
    if (endpoint.held === 0) {
      this.settle(endpoint);
      this.endpoints.delete(endpointId);
    }
  }

  /**
   * For the claim: how many deliveries of each endpoint wait here for their request or are in it (a stalled one: its
   * whole share). Those whose request ended do not count: the next ones are claimed while they are recorded, so that
   * the endpoint's queue does not run dry while a batch of records is written.
   */
  heldByEndpoint(): HeldDeliveries {
    const endpointIds: string[] = [];
    const counts: number[] = [];
    for (const [endpointId, endpoint] of this.endpoints) {
      endpointIds.push(endpointId);
      counts.push(endpoint.stalled ? Math.max(endpoint.held, this.share) : endpoint.held - endpoint.ended);
    }
    return { endpointIds, counts };
  }

  /** Resolves once a slot of the endpoint is this attempt's (it must be held). */
  acquire(endpointId: string): Promise<void> {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) return Promise.reject(new Error(`no delivery of endpoint ${endpointId} is held`));
    if (endpoint.busy < this.perEndpoint) {
      if (endpoint.busy === 0) endpoint.quietSince = performance.now();
      endpoint.busy += 1;
      return Promise.resolve();
    }
    this.waiting += 1;
    if (endpoint.stalled) this.stalledWaiting += 1;
    return new Promise((resolve) => endpoint.waiting.push(resolve));
  }

  /** A request ended; `answered`: the endpoint answered it (whatever the status), not a timeout or a network error. */
  release(endpointId: string, answered: boolean): void {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) return;
    endpoint.ended += 1;
    if (answered) {
      endpoint.quietSince = performance.now();
      this.settle(endpoint);
    }
    const next = endpoint.waiting.shift();
    // The slot passes straight to the next waiting attempt of this endpoint.
    if (next !== undefined) {
      this.waiting -= 1;
      if (endpoint.stalled) this.stalledWaiting -= 1;
      return next();
    }
    endpoint.busy -= 1;
    if (endpoint.busy === 0) this.settle(endpoint);
  }

  /** Marks the endpoints that have stalled since the last look; true when any did (the instance has room again). */
  findStalled(): boolean {
    const now = performance.now();
    let found = false;
    for (const endpoint of this.endpoints.values()) {
      if (endpoint.stalled || endpoint.busy === 0 || now - endpoint.quietSince < this.stallMs) continue;
      endpoint.stalled = true;
      this.stalledHeld += endpoint.held;
      this.stalledWaiting += endpoint.waiting.length;
      found = true;
    }
    return found;
  }

  /** No longer stalled: it answered, or has nothing in flight. */
  private settle(endpoint: Endpoint): void {
    if (!endpoint.stalled) return;
    endpoint.stalled = false;
    this.stalledHeld -= endpoint.held;
    this.stalledWaiting -= endpoint.waiting.length;
  }
}
