/**
 * Requests in flight per endpoint from one instance, at most `perEndpoint` each, and the attempts claimed ahead
 * that wait for one of their endpoint's slots (the sender does not count those toward its own cap).
 */
export class EndpointSlots {
  private readonly endpoints = new Map<string, { busy: number; waiting: (() => void)[] }>();
  /** Attempts waiting for a slot, across endpoints. */
  waiting = 0;

  constructor(private readonly perEndpoint: number) {}

  acquire(endpointId: string): Promise<void> {
    const endpoint = this.endpoints.get(endpointId) ?? { busy: 0, waiting: [] };
    this.endpoints.set(endpointId, endpoint);
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
    if (endpoint.busy === 0) this.endpoints.delete(endpointId);
  }
}
