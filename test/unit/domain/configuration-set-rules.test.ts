import { describe, expect, it } from 'vitest';
import { validateConfigurationSetName } from '../../../src/domain/configuration-sets/configuration-set.js';
import { toEventDestination } from '../../../src/domain/configuration-sets/event-destinations.js';
import { validateDeliveryOptions, withDefaults } from '../../../src/domain/configuration-sets/options.js';

describe('configuration set rules', () => {
  it('accepts names of up to 64 letters, digits, - and _', () => {
    expect(() => validateConfigurationSetName('a-Z_09'.padEnd(64, 'x'))).not.toThrow();
    expect(() => validateConfigurationSetName('x'.repeat(65))).toThrow('Configuration set name cannot exceed 64 characters.');
    expect(() => validateConfigurationSetName('sp ace')).toThrow("Invalid configuration set name <sp ace>: only alphanumeric ASCII characters, '_', and '-' are allowed.");
  });

  it('fills in SES defaults: no delivery options, reputation metrics on, sending on', () => {
    expect(withDefaults({})).toEqual({
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
    });
    expect(withDefaults({ DeliveryOptions: {} }).DeliveryOptions).toEqual({ TlsPolicy: 'OPTIONAL' });
    expect(withDefaults({ DeliveryOptions: { TlsPolicy: 'REQUIRE' }, SendingOptions: { SendingEnabled: false } })).toMatchObject({
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      SendingOptions: { SendingEnabled: false },
    });
  });

  it('bounds MaxDeliverySeconds to 300..50400 and knows only the built-in sending pools', () => {
    expect(() => validateDeliveryOptions({ MaxDeliverySeconds: 300 })).not.toThrow();
    expect(() => validateDeliveryOptions({ MaxDeliverySeconds: 50_400 })).not.toThrow();
    expect(() => validateDeliveryOptions({ MaxDeliverySeconds: 299 }, 'deliveryOptions.')).toThrow(
      "Value at 'deliveryOptions.maxDeliverySeconds' failed to satisfy constraint: Member must have value greater than or equal to 300",
    );
    expect(() => validateDeliveryOptions({ SendingPoolName: 'ses-shared-pool' })).not.toThrow();
    expect(() => validateDeliveryOptions({ SendingPoolName: 'mine' })).toThrow("SendingPool <mine> doesn't exist");
  });

  it('stores an event destination disabled unless enabled, with exactly one destination', () => {
    expect(toEventDestination('d', { MatchingEventTypes: ['SEND', 'SEND'], SnsDestination: { TopicArn: 't' } })).toEqual({
      Name: 'd',
      Enabled: false,
      MatchingEventTypes: ['SEND'],
      SnsDestination: { TopicArn: 't' },
    });
    expect(() => toEventDestination('bad name', { MatchingEventTypes: ['SEND'], SnsDestination: { TopicArn: 't' } })).toThrow('Invalid event destination name');
  });
});
