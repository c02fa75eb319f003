import type { HeldDeliveries } from '../../db/sql/webhooks.ts';

type Endpoint = { held: number; busy: number; waiting: (() => void)[] };

/**
 * What one instance holds per endpoint: deliveries claimed and not yet recorded (the claim takes at most its share
 * more), requests in flight (at most `perEndpoint` each), and the attempts claimed ahead that wait for one of their
 * endpoint's slots (the sender does not count those toward its own cap).
 */
export class EndpointSlots {
  private readonly endpoints = new Map<string, Endpoint>();
  /** Attempts waiting for a slot, across endpoints. */
  waiting = 0;

  constructor(private readonly perEndpoint: number) {}

  /** A claimed delivery, until `drop`. */
  hold(endpointId: string): void {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) this.endpoints.set(endpointId, { held: 1, busy: 0, waiting: [] });
    else endpoint.held += 1;
  }

  /** Its attempt is recorded (or given up): no longer held. */
  drop(endpointId: string): void {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) return;
    endpoint.held -= 1;
    if (endpoint.held === 0) this.endpoints.delete(endpointId);
  }

  /** For the claim: how many deliveries each endpoint has held here. */
  held(): HeldDeliveries {
    const endpointIds: string[] = [];
    const counts: number[] = [];
    for (const [endpointId, endpoint] of this.endpoints) {
      endpointIds.push(endpointId);
      counts.push(endpoint.held);
    }
    return { endpointIds, counts };
  }

  /** Resolves once a slot of the endpoint is this attempt's (it must be held). */
  acquire(endpointId: string): Promise<void> {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) return Promise.reject(new Error(`no delivery of endpoint ${endpointId} is held`));
    if (endpoint.busy < this.perEndpoint) {
      endpoint.busy += 1;
      return Promise.resolve();
    }
    this.waiting += 1;
    return new Promise((resolve) => endpoint.waiting.push(resolve));
  }

  release(endpointId: string): void {
    const endpoint = this.endpoints.get(endpointId);
    if (endpoint === undefined) return;
    const next = endpoint.waiting.shift();
    // The slot passes straight to the next waiting attempt of this endpoint.
    if (next !== undefined) {
      this.waiting -= 1;
      return next();
    }
    endpoint.busy -= 1;
  }
}
