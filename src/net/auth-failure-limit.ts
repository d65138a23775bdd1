// Failed password attempts per client address (SMTP AUTH, the console password), so that passwords
// cannot be guessed at line rate.
// An address with too many failures in a window is refused AUTH (valid credentials included)
// until the window has passed since its first failure. Loopback can be exempt: there every local
// application shares one address, and one misconfigured app would lock out all the others.
import { isLoopbackAddress } from '../net/loopback.js';

export interface AuthFailureLimitOptions {
  maxFailures: number;
  windowMs: number;
  /** Never lock out 127.0.0.0/8 and ::1. */
  exemptLoopback?: boolean;
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

  /** When the lockout of the address lifts (epoch ms), or undefined when it is not locked out. */
  blockedUntil(address: string): number | undefined {
    const entry = this.current(clientKey(address));
    return entry !== undefined && entry.count >= this.opts.maxFailures ? entry.since + this.opts.windowMs : undefined;
  }

  isBlocked(address: string): boolean {
    return this.blockedUntil(address) !== undefined;
  }

  /** Counts a failure; returns when the lockout lifts if this failure started one. */
  recordFailure(address: string): number | undefined {
    if (this.opts.exemptLoopback && isLoopbackAddress(address)) return undefined;
    const key = clientKey(address);
    const entry = this.current(key);
    if (entry) {
      entry.count++;
      return entry.count === this.opts.maxFailures ? entry.since + this.opts.windowMs : undefined;
    }
    if (this.failures.size >= MAX_TRACKED_ADDRESSES) this.prune();
    this.failures.set(key, { count: 1, since: this.now() });
    return this.opts.maxFailures <= 1 ? this.now() + this.opts.windowMs : undefined;
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

/**
 * Whom a failure counts against: an IPv4 address, or an IPv6 address's /64, since one host usually
 * has a whole /64 to pick addresses from and would otherwise get a fresh count with each one.
 */
export function clientKey(address: string): string {
  const plain = address.replace(/%.*$/, '').toLowerCase();
  if (!plain.includes(':')) return plain;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = plain.split('::');
  const groups = head ? head.split(':') : [];
  if (tail !== undefined) {
    const rest = tail ? tail.split(':') : [];
    groups.push(...Array<string>(Math.max(0, 8 - groups.length - rest.length)).fill('0'), ...rest);
  }
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
