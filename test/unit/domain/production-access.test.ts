import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../../src/domain/account/account-settings.js';
import { reviewOpenedBy } from '../../../src/domain/account/production-access.js';

describe('reviewOpenedBy', () => {
  const sandboxed = { ...DEFAULT_ACCOUNT_SETTINGS, productionAccess: false };

  it('opens a PENDING review with a new case id for a request for production access from the sandbox', () => {
    const first = reviewOpenedBy(sandboxed, true);
    expect(first).toEqual({ status: 'PENDING', caseId: expect.stringMatching(/^\d{10}$/) });
    expect(reviewOpenedBy({ ...sandboxed, review: { caseId: first!.caseId, status: 'DENIED' } }, true)!.caseId).not.toBe(first!.caseId);
  });

  it('opens none when production access is not asked for, or the account already has it', () => {
    expect(reviewOpenedBy(sandboxed, false)).toBeNull();
    expect(reviewOpenedBy(DEFAULT_ACCOUNT_SETTINGS, true)).toBeNull();
  });

  it('refuses any details while a review is pending', () => {
    const pending = { ...sandboxed, review: { caseId: '1234567890', status: 'PENDING' as const } };
    expect(() => reviewOpenedBy(pending, false)).toThrow(expect.objectContaining({ code: 'ConflictException', httpStatus: 409 }));
  });
});
