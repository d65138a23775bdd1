import { describe, expect, it } from 'vitest';
import { retryWhileLocked } from '../../../src/store/sqlite-lock-waits.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('retryWhileLocked', () => {
  it('retries a statement that met the write lock outside a transaction until it runs', async () => {
    let calls = 0;
    const result = await retryWhileLocked({ inTransaction: false }, async () => {
      if (++calls < 4) throw busy();
      return 'ran';
    });
    expect(result).toBe('ran');
    expect(calls).toBe(4);
  });

  it('does not retry inside a transaction: SQLite says to roll back', async () => {
    let calls = 0;
    await expect(retryWhileLocked({ inTransaction: true }, async () => { calls++; throw busy(); })).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(calls).toBe(1);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const full = Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
    await expect(retryWhileLocked({ inTransaction: false }, async () => { calls++; throw full; })).rejects.toBe(full);
    expect(calls).toBe(1);
  });

  it('gives up with SQLITE_BUSY once the wait is over, without blocking the event loop meanwhile', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = Date.now();
    await expect(retryWhileLocked({ inTransaction: false }, async () => { throw busy(); }, 200)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    clearInterval(timer);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(ticks).toBeGreaterThan(5);
  });
});
