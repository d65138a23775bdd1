import { describe, expect, it } from 'vitest';
import { EndpointRefused, isNonPublicAddress, resolveEndpoint } from '../../../src/net/endpoint-guard.js';

describe('SNS endpoint guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:127.0.0.1', '::7f00:1', '64:ff9b:1::a00:1', '2002:7f00:1::1', '2001:0:7f00:1::1'])(
    'refuses %s',
    (address) => expect(isNonPublicAddress(address)).toBe(true),
  );

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows the public address %s', (address) =>
    expect(isNonPublicAddress(address)).toBe(false),
  );

  it('resolves a name and refuses it when it points at loopback, unless private endpoints are allowed', async () => {
    await expect(resolveEndpoint('localhost', false)).rejects.toBeInstanceOf(EndpointRefused);
    await expect(resolveEndpoint('[::1]', false)).rejects.toThrow('loopback or private address: refused');
    expect(await resolveEndpoint('127.0.0.1', true)).toEqual({ address: '127.0.0.1', family: 4 });
  });
});
