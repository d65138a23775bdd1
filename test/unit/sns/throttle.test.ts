import { describe, expect, it } from 'vitest';
import { SubscriptionThrottle } from '../../../src/sns/throttle.js';

describe('SNS subscription throttle (throttlePolicy.maxReceivesPerSecond)', () => {
  it('lets deliveries through up to the rate and gives each one after that a slot of its own, 1/rate apart', () => {
    const throttle = new SubscriptionThrottle();
    const t0 = 1_000_000;
    // 4 a second: slots 250 ms apart, the first now.
    expect(throttle.admit('sub-a', 1, 4, t0)).toBeUndefined();
    expect([2, 3, 4].map((id) => throttle.admit('sub-a', id, 4, t0))).toEqual([t0 + 250, t0 + 500, t0 + 750]);
    // Another subscription has its own rate.
    expect(throttle.admit('sub-b', 10, 4, t0)).toBeUndefined();
    // A postponed delivery claimed again before its slot keeps it; at or after it, it goes.
    expect(throttle.admit('sub-a', 3, 4, t0 + 100)).toBe(t0 + 500);
    expect(throttle.admit('sub-a', 2, 4, t0 + 260)).toBeUndefined();
    expect(throttle.admit('sub-a', 3, 4, t0 + 520)).toBeUndefined();
    // A new delivery queues behind the reserved slots.
    expect(throttle.admit('sub-a', 5, 4, t0 + 600)).toBe(t0 + 1000);
    // Once the subscription has been quiet past its last slot, the next one goes at once.
    expect(throttle.admit('sub-a', 6, 4, t0 + 5000)).toBeUndefined();
  });

  it('forgets reservations that are never claimed again', () => {
    const throttle = new SubscriptionThrottle();
    const t0 = 1_000_000;
    throttle.admit('sub', 1, 1, t0);
    expect(throttle.admit('sub', 2, 1, t0)).toBe(t0 + 1000);
    expect(throttle.reservations).toBe(1);
    // Many later admissions (the sweep runs every thousand) long after the slot passed, each to a quiet subscription.
    for (let id = 100; id < 1100; id++) expect(throttle.admit(`other-${id}`, id, 1, t0 + 3_600_000)).toBeUndefined();
    expect(throttle.reservations).toBe(0);
  });
});
