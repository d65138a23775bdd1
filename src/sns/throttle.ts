// A delivery policy's throttlePolicy.maxReceivesPerSecond: at most that many deliveries a second to
// one HTTP/S subscription. A delivery that would go over is not held in a dispatcher slot while it
// waits: it is given back to the outbox due at a time slot reserved for it now, and goes out when it
// is claimed again at that time. Slots are spaced 1/maxReceivesPerSecond apart, so a burst is spread
// evenly at the subscription's rate, in the order the rows were claimed. The reservations live in
// this process: each node that dispatches keeps its own, and so allows the rate on its own.

/** A reservation no longer looked for (its row went elsewhere: a lease ran out, the topic was deleted). */
const FORGET_AFTER_MS = 10 * 60_000;
const SWEEP_EVERY = 1_000;

export class SubscriptionThrottle {
  /** The earliest time each throttled subscription may receive its next delivery. */
  private readonly nextFree = new Map<string, number>();
  /** Deliveries given back, and the slot each holds. */
  private readonly reserved = new Map<number, number>();
  private calls = 0;

  /**
   * Whether delivery `deliveryId` to `subscriptionArn` may go now (undefined), or the time (ms) it
   * must be given back until; that slot is then kept for it.
   */
  admit(subscriptionArn: string, deliveryId: number, perSecond: number, now: number): number | undefined {
    if (++this.calls % SWEEP_EVERY === 0) this.sweep(now);
    const slot = this.reserved.get(deliveryId);
    if (slot !== undefined) {
      // Claimed again: its own slot has come (a poll may bring it back a little late, never early).
      if (slot <= now) {
        this.reserved.delete(deliveryId);
        return undefined;
      }
      return slot;
    }
    const spacing = 1000 / perSecond;
    const free = Math.max(this.nextFree.get(subscriptionArn) ?? now, now);
    this.nextFree.set(subscriptionArn, free + spacing);
    if (free <= now) return undefined;
    this.reserved.set(deliveryId, free);
    return free;
  }

  /** Deliveries holding a slot now. */
  get reservations(): number {
    return this.reserved.size;
  }

  private sweep(now: number): void {
    for (const [id, slot] of this.reserved) if (slot < now - FORGET_AFTER_MS) this.reserved.delete(id);
    for (const [arn, free] of this.nextFree) if (free < now) this.nextFree.delete(arn);
  }
}
