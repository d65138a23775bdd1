import { describe, expect, it } from 'vitest';
import { AuthFailureLimit, clientKey } from '../../../src/net/auth-failure-limit.js';
import { tooManyAuthFailures } from '../../../src/smtp/replies.js';
import { isLoopbackAddress } from '../../../src/net/loopback.js';
import { ConnectionLimit } from '../../../src/net/connection-limit.js';

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

  it('says when a lockout lifts, and that the failure that reached the maximum started it', () => {
    let now = 1_000;
    const limit = new AuthFailureLimit({ maxFailures: 2, windowMs: 15 * 60_000, now: () => now });
    expect(limit.recordFailure('10.0.0.1')).toBeUndefined();
    now = 61_000;
    expect(limit.recordFailure('10.0.0.1')).toBe(1_000 + 15 * 60_000);
    expect(limit.recordFailure('10.0.0.1')).toBeUndefined();
    expect(limit.blockedUntil('10.0.0.1')).toBe(1_000 + 15 * 60_000);
    expect(tooManyAuthFailures(1_000 + 15 * 60_000, now)).toEqual({
      code: 421,
      message: 'Too many failed authentication attempts from your address; try again in 14 minutes (after 1970-01-01T00:15:01.000Z)',
    });
    expect(tooManyAuthFailures(now + 10_000, now).message).toContain('try again in 1 minute (');
  });

  it('never locks out loopback when told to exempt it', () => {
    const limit = new AuthFailureLimit({ maxFailures: 1, windowMs: 60_000, exemptLoopback: true });
    for (const address of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) {
      limit.recordFailure(address);
      limit.recordFailure(address);
      expect(limit.isBlocked(address), address).toBe(false);
    }
    limit.recordFailure('192.0.2.1');
    expect(limit.isBlocked('192.0.2.1')).toBe(true);
    limit.recordFailure('::ffff:192.0.2.2');
    expect(limit.isBlocked('::ffff:192.0.2.2')).toBe(true);
  });
});

describe('clientKey', () => {
  it('counts IPv4 by address and IPv6 by its /64 (a host picks addresses from its whole prefix)', () => {
    expect(clientKey('192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(clientKey('2001:db8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:DB8:0000:0001:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('locks out a whole /64 after its failures', () => {
    const limit = new AuthFailureLimit({ maxFailures: 2, windowMs: 60_000 });
    limit.recordFailure('2001:db8:0:1::a');
    limit.recordFailure('2001:db8:0:1::b');
    expect(limit.isBlocked('2001:db8:0:1::c')).toBe(true);
    expect(limit.isBlocked('2001:db8:0:2::a')).toBe(false);
  });
});

describe('isLoopbackAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.255.0.9', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['::ffff:10.0.0.1', false],
    ['::2', false],
    ['fe80::1', false],
  ])('%s → %s', (address, expected) => {
    expect(isLoopbackAddress(address)).toBe(expected);
  });
});
