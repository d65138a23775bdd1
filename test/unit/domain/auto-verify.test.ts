import { describe, expect, it } from 'vitest';
import { anySenderVerified, autoVerifyMode, createsVerified } from '../../../src/domain/identities/auto-verify.js';

describe('autoVerifyMode', () => {
  it('maps auto to any in capture mode and to off otherwise', () => {
    expect(autoVerifyMode('auto', true)).toBe('any');
    expect(autoVerifyMode('auto', false)).toBe('off');
  });

  it('keeps the older values true and false as any and off', () => {
    expect(autoVerifyMode('true', false)).toBe('any');
    expect(autoVerifyMode('false', true)).toBe('off');
  });

  it('takes the named modes as they are', () => {
    for (const mode of ['off', 'identities', 'any'] as const) expect(autoVerifyMode(mode, true)).toBe(mode);
  });

  it('creates identities verified in identities and any, and skips the sender check only in any', () => {
    expect([createsVerified('off'), createsVerified('identities'), createsVerified('any')]).toEqual([false, true, true]);
    expect([anySenderVerified('off'), anySenderVerified('identities'), anySenderVerified('any')]).toEqual([false, false, true]);
  });
});
