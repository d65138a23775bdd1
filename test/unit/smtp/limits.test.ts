import { describe, expect, it } from 'vitest';
import { AuthFailureLimit } from '../../../src/smtp/auth-failure-limit.js';
import { ConnectionLimit } from '../../../src/smtp/connection-limit.js';

describe('ConnectionLimit', () => {
  it('limits connections per address and in total, and gives them back', () => {
    const limit = new ConnectionLimit({ maxConnections: 3, maxPerAddress: 2 });
    expect(limit.tryAcquire('10.0.0.1')).toBe(true);
    expect(limit.tryAcquire('10.0.0.1')).toBe(true);
    expect(limit.tryAcquire('10.0.0.1')).toBe(false);
    expect(limit.tryAcquire('10.0.0.2')).toBe(true);
    expect(limit.tryAcquire('10.0.0.3')).toBe(false);
    limit.release('10.0.0.1');
    expect(limit.size).toBe(2);
    expect(limit.tryAcquire('10.0.0.3')).toBe(true);
    limit.release('10.0.0.9');
    expect(limit.size).toBe(3);
  });
});

describe('AuthFailureLimit', () => {
  it('blocks an address after the maximum failures until the window since its first failure has passed', () => {
    let now = 0;
    const limit = new AuthFailureLimit({ maxFailures: 3, windowMs: 1000, now: () => now });
    limit.recordFailure('a');
    now = 500;
    limit.recordFailure('a');
    expect(limit.isBlocked('a')).toBe(false);
    limit.recordFailure('a');
    expect(limit.isBlocked('a')).toBe(true);
    expect(limit.isBlocked('b')).toBe(false);
    now = 999;
    expect(limit.isBlocked('a')).toBe(true);
    now = 1000;
    expect(limit.isBlocked('a')).toBe(false);
    limit.recordFailure('a');
    expect(limit.isBlocked('a')).toBe(false);
  });

  it('stays bounded when very many addresses fail', () => {
    const limit = new AuthFailureLimit({ maxFailures: 1, windowMs: 60_000, now: () => 0 });
    for (let i = 0; i < 10_050; i++) limit.recordFailure(`addr-${i}`);
    expect(limit.isBlocked('addr-10049')).toBe(true);
    expect(limit.isBlocked('addr-0')).toBe(false);
  });
});
