import { describe, expect, it } from 'vitest';
import { applyEndpointUpdate, isOptedOut } from '../../../src/domain/pinpoint/endpoint.js';

const target = { accountId: '000000000000', region: 'us-east-1', applicationId: 'app', id: 'ep' };

describe('applyEndpointUpdate', () => {
  const created = applyEndpointUpdate(
    undefined,
    target,
    { channelType: 'EMAIL', address: 'a@example.com', attributes: { A: ['1'], B: ['2'] }, user: { userId: 'u', userAttributes: { N: ['x'] } } },
    1000,
  );

  it('creates an ACTIVE, not opted-out endpoint with a fixed cohort', () => {
    expect(created).toMatchObject({ endpointStatus: 'ACTIVE', optOut: 'NONE', userId: 'u', createdAt: 1000, updatedAt: 1000 });
    expect(Number(created.cohortId)).toBeGreaterThanOrEqual(0);
    expect(Number(created.cohortId)).toBeLessThan(100);
    expect(isOptedOut(created)).toBe(false);
  });

  it('merges attribute maps key by key, removes keys given an empty list and keeps what the update omits', () => {
    const updated = applyEndpointUpdate(created, target, { attributes: { B: [], C: ['3'] }, optOut: 'ALL' }, 2000);
    expect(updated.profile.attributes).toEqual({ A: ['1'], C: ['3'] });
    expect(updated.profile.userAttributes).toEqual({ N: ['x'] });
    expect(updated).toMatchObject({ address: 'a@example.com', userId: 'u', cohortId: created.cohortId, createdAt: 1000, updatedAt: 2000 });
    expect(isOptedOut(updated)).toBe(true);
  });

  it.each([
    [{ address: 'a@example.com' }, 'Missing ChannelType'],
    [{ channelType: 'EMAIL' }, 'Missing Address'],
    [{ channelType: 'EMAIL', address: 'nobody' }, "Missing final '@domain'"],
    [{ channelType: 'EMAIL', address: 'a@example.com', optOut: 'SOME' }, 'OptOut must be ALL or NONE, not SOME.'],
  ])('refuses %j', (update, message) => {
    expect(() => applyEndpointUpdate(undefined, target, update, 0)).toThrow(message);
  });
});
