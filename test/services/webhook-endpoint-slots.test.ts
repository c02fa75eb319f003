import { describe, expect, it } from 'vitest';
import { EndpointSlots } from '../../src/services/webhooks/endpoint-slots.ts';

/** The sender's bookkeeping of one instance's held deliveries and requests in flight, on its own. */
describe('EndpointSlots', () => {
  const countsOf = (slots: EndpointSlots) => {
    const { endpointIds, counts } = slots.heldByEndpoint();
    return Object.fromEntries(endpointIds.map((endpointId, index) => [endpointId, counts[index]]));
  };

  it('a delivery whose request ended stops counting toward its endpoint’s claim share, and is still held until dropped', async () => {
    const slots = new EndpointSlots(2, 8, 1_000);
    for (let index = 0; index < 3; index += 1) slots.hold('a');
    slots.hold('b');
    await slots.acquire('a');
    await slots.acquire('a');
    expect(countsOf(slots)).toEqual({ a: 3, b: 1 });

    slots.release('a', true);
    // Its record is being written: the claim may take one more of endpoint a meanwhile; the instance still holds it.
    expect(countsOf(slots)).toEqual({ a: 2, b: 1 });
    expect(slots.held).toBe(4);

    slots.drop('a', true);
    expect(countsOf(slots)).toEqual({ a: 2, b: 1 });
    expect(slots.held).toBe(3);

    // Dropped without a request (given up before it): nothing ended to uncount.
    slots.drop('b', false);
    expect(countsOf(slots)).toEqual({ a: 2 });
  });

  it('the third attempt of an endpoint with two slots waits for one of them to be released', async () => {
    const slots = new EndpointSlots(2, 8, 1_000);
    for (let index = 0; index < 3; index += 1) slots.hold('a');
    await slots.acquire('a');
    await slots.acquire('a');
    let third = false;
    const waiting = slots.acquire('a').then(() => (third = true));
    await Promise.resolve();
    expect([third, slots.waiting]).toEqual([false, 1]);
    slots.release('a', true);
    await waiting;
    expect([third, slots.waiting]).toEqual([true, 0]);
    expect(countsOf(slots)).toEqual({ a: 2 });
  });
});
