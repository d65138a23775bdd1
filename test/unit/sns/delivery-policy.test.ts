import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, effectivePolicy, retryDelaySeconds, validateDeliveryPolicy } from '../../../src/sns/delivery-policy.js';

describe('SNS delivery policy', () => {
  it('retries 3 times, 20 s apart, by default', () => {
    const p = defaultRetryPolicy(20);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(p, n))).toEqual([20, 20, 20, undefined]);
  });

  it('runs the phases in order: no delay, min delay, backoff from min to max, then max delay', () => {
    const p = { minDelayTarget: 2, maxDelayTarget: 10, numRetries: 8, numNoDelayRetries: 1, numMinDelayRetries: 1, numMaxDelayRetries: 2, backoffFunction: 'linear' as const };
    expect(Array.from({ length: 9 }, (_, i) => retryDelaySeconds(p, i + 1))).toEqual([0, 2, 2, 4.666666666666666, 7.333333333333333, 10, 10, 10, undefined]);
    const exp = { ...p, backoffFunction: 'exponential' as const, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, numRetries: 3, minDelayTarget: 1, maxDelayTarget: 16 };
    expect([1, 2, 3].map((n) => retryDelaySeconds(exp, n))).toEqual([1, 4, 16]);
  });

  it("lets a subscription's policy override its topic's unless the topic disables overrides", () => {
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 1 }, defaultRequestPolicy: { headerContentType: 'application/json' } } });
    const sub = JSON.stringify({ healthyRetryPolicy: { numRetries: 1, minDelayTarget: 3, maxDelayTarget: 3 } });
    expect(effectivePolicy(topic, sub, 20)).toMatchObject({ retry: { numRetries: 1, minDelayTarget: 3 }, contentType: 'application/json' });
    const locked = JSON.stringify({ http: { ...JSON.parse(topic).http, disableSubscriptionOverrides: true } });
    expect(effectivePolicy(locked, sub, 20).retry.numRetries).toBe(5);
    expect(effectivePolicy(undefined, undefined, 0.2)).toMatchObject({ retry: { numRetries: 3, minDelayTarget: 0.2 }, contentType: 'text/plain; charset=UTF-8' });
  });

  it("takes the throttle from the subscription's policy, else the topic's default (unless overrides are disabled)", () => {
    // The topic policy Terraform's aws_sns_topic documentation shows, copied into many projects.
    const topic = JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 3 }, disableSubscriptionOverrides: false, defaultThrottlePolicy: { maxReceivesPerSecond: 1 } } });
    expect(effectivePolicy(topic, undefined, 20).maxReceivesPerSecond).toBe(1);
    const sub = JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 10 } });
    expect(effectivePolicy(topic, sub, 20).maxReceivesPerSecond).toBe(10);
    const locked = JSON.stringify({ http: { ...JSON.parse(topic).http, disableSubscriptionOverrides: true } });
    expect(effectivePolicy(locked, sub, 20).maxReceivesPerSecond).toBe(1);
    expect(effectivePolicy(undefined, JSON.stringify({ throttlePolicy: null }), 20).maxReceivesPerSecond).toBeUndefined();
  });

  it('refuses policies SNS refuses', () => {
    expect(() => validateDeliveryPolicy('{')).toThrow('Invalid parameter: DeliveryPolicy: the policy is not valid JSON');
    expect(() => validateDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { numRetries: 101 } }))).toThrow('numRetries must be at most 100');
    expect(() => validateDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 30, maxDelayTarget: 10 } }))).toThrow('minDelayTarget');
    expect(() => validateDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { backoffFunction: 'random' } }))).toThrow('backoffFunction');
    for (const perSecond of [0, 1.5, '2', -1]) {
      expect(() => validateDeliveryPolicy(JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: perSecond } }))).toThrow('maxReceivesPerSecond must be a whole number of at least 1');
      expect(() => validateDeliveryPolicy(JSON.stringify({ http: { defaultThrottlePolicy: { maxReceivesPerSecond: perSecond } } }))).toThrow('maxReceivesPerSecond');
    }
    expect(() => validateDeliveryPolicy(JSON.stringify({ throttlePolicy: {} }))).toThrow('maxReceivesPerSecond');
    expect(() => validateDeliveryPolicy(JSON.stringify({ throttlePolicy: null, http: { defaultThrottlePolicy: { maxReceivesPerSecond: 5 } } }))).not.toThrow();
    expect(() => validateDeliveryPolicy(JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 3 } } }))).not.toThrow();
  });
});
