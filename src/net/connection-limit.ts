// Concurrent connections, in total and per client address. The SMTP listeners share one (and a
// smaller one for sessions that have not authenticated yet); the HTTP listener has its own, so a
// flood on one cannot take the other's slots.
export interface ConnectionLimitOptions {
  maxConnections: number;
  maxPerAddress: number;
}

export class ConnectionLimit {
  private total = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(private readonly opts: ConnectionLimitOptions) {}

  /** Counts the connection in and returns true, or returns false when a limit is reached. */
  tryAcquire(address: string): boolean {
    const current = this.perAddress.get(address) ?? 0;
    if (this.total >= this.opts.maxConnections || current >= this.opts.maxPerAddress) return false;
    this.total++;
    this.perAddress.set(address, current + 1);
    return true;
  }

  release(address: string): void {
    const current = this.perAddress.get(address);
    if (current === undefined) return;
    this.total--;
    if (current <= 1) this.perAddress.delete(address);
    else this.perAddress.set(address, current - 1);
  }

  get size(): number {
    return this.total;
  }
}

/**
 * smtp-server's onConnect/onClose for a limit: a session over it is answered 421 and closed; one
 * let in is counted until it closes. `refuse` makes the error smtp-server sends.
 */
export function connectionHooks(
  limit: ConnectionLimit,
  refuse: () => Error,
): {
  onConnect(session: { id: string; remoteAddress: string }, callback: (err?: Error | null) => void): void;
  onClose(session: { id: string }): void;
} {
  const counted = new Map<string, string>();
  return {
    onConnect(session, callback) {
      if (!limit.tryAcquire(session.remoteAddress)) return callback(refuse());
      counted.set(session.id, session.remoteAddress);
      callback();
    },
    onClose(session) {
      const address = counted.get(session.id);
      if (address === undefined) return;
      counted.delete(session.id);
      limit.release(address);
    },
  };
}
