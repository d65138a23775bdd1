// When a deferred recipient is tried again (RFC 5321 4.5.4.1: retry with back-off, give up after a
// configurable lifetime). The schedule's last delay repeats; the final attempt is moved up to the
// expiry time rather than skipped, so a message always gets its whole lifetime.

export interface RetrySchedule {
  /** Delay after the 1st, 2nd, ... failed attempt; the last one repeats. */
  delays: number[];
}

/**
 * The time of the next attempt after `attempts` failed attempts, or undefined when the message's
 * time has run out and the recipient must be bounced.
 */
export function nextAttemptAt(schedule: RetrySchedule, attempts: number, now: number, expiresAt: number): number | undefined {
  if (now >= expiresAt) return undefined;
  const index = Math.min(Math.max(attempts, 1), schedule.delays.length) - 1;
  return Math.min(now + schedule.delays[index]!, expiresAt);
}

/** A message expires after the configured lifetime, or sooner when its configuration set says so. */
export function expiresAt(createdAt: number, lifetimeMs: number, maxDeliveryMs?: number): number {
  return createdAt + (maxDeliveryMs === undefined ? lifetimeMs : Math.min(lifetimeMs, maxDeliveryMs));
}
