// Wrong console passwords, counted per client address: after `limit` wrong guesses within one window
// an address is refused (HTTP 429) until that window ends, so the password cannot be guessed at the
// rate a client can send requests. Kept in memory, per node: N nodes allow N times the guesses, still
// a few a minute instead of thousands a second. Behind a reverse proxy every client shares its
// address; a guesser then locks the others out for a window, which is the lesser harm.

interface Window {
  wrong: number;
  endsAt: number;
}

export interface PasswordGuessesOptions {
  /** Wrong guesses an address may make in one window (10 unless told). */
  limit?: number;
  /** How long a window lasts, from the first wrong guess (15 minutes unless told). */
  windowMs?: number;
  /** Addresses tracked at once; past it the oldest windows are forgotten first. */
  maxAddresses?: number;
  now?: () => number;
}

export class PasswordGuesses {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(opts: PasswordGuessesOptions = {}) {
    this.limit = opts.limit ?? 10;
    this.windowMs = opts.windowMs ?? 15 * 60 * 1000;
    this.maxAddresses = opts.maxAddresses ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Seconds until `address` may guess again; 0 when it may now. */
  lockedFor(address: string): number {
    const window = this.current(address);
    return window && window.wrong >= this.limit ? Math.ceil((window.endsAt - this.now()) / 1000) : 0;
  }

  wrong(address: string): void {
    let window = this.current(address);
    if (!window) {
      this.makeRoom();
      window = { wrong: 0, endsAt: this.now() + this.windowMs };
      this.windows.set(address, window);
    }
    window.wrong++;
  }

  /** The right password forgets the address's wrong guesses. */
  right(address: string): void {
    this.windows.delete(address);
  }

  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    if (window && window.endsAt <= this.now()) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  // Maps keep insertion order, and every window lasts as long: the first entries end first.
  private makeRoom(): void {
    const now = this.now();
    for (const [address, window] of this.windows) {
      if (this.windows.size < this.maxAddresses && window.endsAt > now) break;
      this.windows.delete(address);
    }
  }
}
