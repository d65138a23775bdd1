import { describe, expect, it } from 'vitest';
import { KeyedLimiter } from '../../../src/delivery/keyed-limiter.js';

describe('per-domain concurrency limit', () => {
  it('runs at most N tasks per key at once, in arrival order, and keys independently', async () => {
    const limiter = new KeyedLimiter(2);
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const order: string[] = [];
    const task = (key: string, name: string) =>
      limiter.run(key, async () => {
        running.set(key, (running.get(key) ?? 0) + 1);
        peak.set(key, Math.max(peak.get(key) ?? 0, running.get(key)!));
        order.push(name);
        await new Promise((r) => setTimeout(r, 10));
        running.set(key, running.get(key)! - 1);
      });
    await Promise.all([task('a', 'a1'), task('a', 'a2'), task('a', 'a3'), task('a', 'a4'), task('b', 'b1'), task('b', 'b2')]);
    expect(peak.get('a')).toBe(2);
    expect(peak.get('b')).toBe(2);
    expect(order.filter((n) => n.startsWith('a'))).toEqual(['a1', 'a2', 'a3', 'a4']);
  });

  it('frees the slot when a task fails', async () => {
    const limiter = new KeyedLimiter(1);
    await expect(limiter.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('a', async () => 'ok')).resolves.toBe('ok');
  });
});
