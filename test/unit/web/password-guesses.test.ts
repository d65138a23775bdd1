import { describe, expect, it } from 'vitest';
import { PasswordGuesses } from '../../../src/web/password-guesses.js';

describe('PasswordGuesses', () => {
  it('locks an address after the limit of wrong guesses until its window ends', () => {
    let now = 0;
    const guesses = new PasswordGuesses({ limit: 2, windowMs: 10_000, now: () => now });
    guesses.wrong('a');
    expect(guesses.lockedFor('a')).toBe(0);
    now = 4_000;
    guesses.wrong('a');
    expect(guesses.lockedFor('a')).toBe(6);
    expect(guesses.lockedFor('b')).toBe(0);
    now = 10_000;
    expect(guesses.lockedFor('a')).toBe(0);
  });

  it('forgets an address that gave the right password', () => {
    const guesses = new PasswordGuesses({ limit: 2 });
    guesses.wrong('a');
    guesses.right('a');
    guesses.wrong('a');
    expect(guesses.lockedFor('a')).toBe(0);
  });

  it('tracks a bounded number of addresses, forgetting the oldest windows first', () => {
    const guesses = new PasswordGuesses({ limit: 1, maxAddresses: 2 });
    for (const address of ['a', 'b', 'c']) guesses.wrong(address);
    expect(guesses.lockedFor('a')).toBe(0);
    expect(guesses.lockedFor('b')).toBeGreaterThan(0);
    expect(guesses.lockedFor('c')).toBeGreaterThan(0);
  });
});
