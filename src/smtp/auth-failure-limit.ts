// Failed AUTH attempts per client address, so that SMTP passwords cannot be guessed at line rate.
// An address with too many failures in a window is refused AUTH (valid credentials included)
// until the window has passed since its first failure.
export interface AuthFailureLimitOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

// Bounds the table when many addresses fail once each; expired entries go first.
const MAX_TRACKED_ADDRESSES = 10_000;

export class AuthFailureLimit {
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: AuthFailureLimitOptions) {
    this.now = opts.now ?? Date.now;
  }

  isBlocked(address: string): boolean {
    const entry = this.current(address);
    return entry !== undefined && entry.count >= this.opts.maxFailures;
  }

  recordFailure(address: string): void {
    const entry = this.current(address);
    if (entry) {
      entry.count++;
      return;
    }
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) this.prune();
    this.failures.set(address, { count: 1, since: this.now() });
  }

  private current(address: string): { count: number; since: number } | undefined {
    const entry = this.failures.get(address);
    if (entry && this.now() - entry.since >= this.opts.windowMs) {
      this.failures.delete(address);
      return undefined;
    }
    return entry;
  }

  private prune(): void {
    // The map is in order of first failure, so the expired entries are at its start.
    const now = this.now();
    for (const [address, entry] of this.failures) {
      if (now - entry.since < this.opts.windowMs) break;
      this.failures.delete(address);
    }
    // Still full of live entries: forget the oldest rather than grow without bound.
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
  }
}
