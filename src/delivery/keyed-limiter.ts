// At most N concurrent holders per key (per destination domain), waiting in arrival order, so one
// busy domain does not open more connections than its receivers tolerate.

export class KeyedLimiter {
  private readonly active = new Map<string, { count: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await task();
    } finally {
      this.release(key);
    }
  }

  private acquire(key: string): Promise<void> {
    let slot = this.active.get(key);
    if (!slot) this.active.set(key, (slot = { count: 0, waiting: [] }));
    if (slot.count < this.limit) {
      slot.count++;
      return Promise.resolve();
    }
    return new Promise((resolve) => slot.waiting.push(resolve));
  }

  private release(key: string): void {
    const slot = this.active.get(key)!;
    const next = slot.waiting.shift();
    if (next) return next(); // the slot passes straight to the next waiter
    if (--slot.count === 0) this.active.delete(key);
  }
}
