// SNS's HTTP/S delivery policy: how many times and how far apart a failed delivery is retried, how
// many deliveries a second a subscription receives at most (throttle.ts), and the Content-Type of
// the request. A subscription's DeliveryPolicy overrides its topic's unless the
// topic sets disableSubscriptionOverrides. See AWS's "Amazon SNS message delivery retries" page:
// the phases are no-delay retries, min-delay retries, a backoff phase from min to max delay, then
// max-delay retries; numRetries counts them all.
import { AwsError } from '../domain/errors.js';

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  numMaxDelayRetries: number;
  backoffFunction: 'linear' | 'arithmetic' | 'geometric' | 'exponential';
}

export interface EffectivePolicy {
  retry: RetryPolicy;
  contentType: string;
  /** throttlePolicy.maxReceivesPerSecond; absent: no limit. */
  maxReceivesPerSecond?: number;
}

export const DEFAULT_CONTENT_TYPE = 'text/plain; charset=UTF-8';

/** SNS's default for HTTP/S: 3 retries, `delaySeconds` apart (20 on AWS). */
export function defaultRetryPolicy(delaySeconds: number): RetryPolicy {
  return {
    minDelayTarget: delaySeconds,
    maxDelayTarget: delaySeconds,
    numRetries: 3,
    numNoDelayRetries: 0,
    numMinDelayRetries: 0,
    numMaxDelayRetries: 0,
    backoffFunction: 'linear',
  };
}

interface PolicyDocument {
  healthyRetryPolicy?: Partial<RetryPolicy>;
  defaultHealthyRetryPolicy?: Partial<RetryPolicy>;
  sicklyRetryPolicy?: unknown;
  defaultSicklyRetryPolicy?: unknown;
  throttlePolicy?: ThrottlePolicy | null;
  defaultThrottlePolicy?: ThrottlePolicy | null;
  guaranteed?: boolean;
  disableSubscriptionOverrides?: boolean;
  requestPolicy?: { headerContentType?: string };
  defaultRequestPolicy?: { headerContentType?: string };
  http?: PolicyDocument;
}

interface ThrottlePolicy {
  maxReceivesPerSecond?: unknown;
}

const BACKOFF = new Set(['linear', 'arithmetic', 'geometric', 'exponential']);

/** Checks a DeliveryPolicy attribute value (topic: `{http: {...}}`; subscription: `{healthyRetryPolicy...}`). */
export function validateDeliveryPolicy(text: string): void {
  const bad = (why: string) => new AwsError('InvalidParameter', `Invalid parameter: DeliveryPolicy: ${why}`);
  let doc: PolicyDocument;
  try {
    doc = JSON.parse(text) as PolicyDocument;
  } catch {
    throw bad('the policy is not valid JSON');
  }
  if (!doc || typeof doc !== 'object') throw bad('the policy must be a JSON object');
  const throttle = doc.http?.defaultThrottlePolicy ?? doc.throttlePolicy;
  if (throttle != null) {
    const perSecond = typeof throttle === 'object' ? throttle.maxReceivesPerSecond : undefined;
    if (!Number.isInteger(perSecond) || (perSecond as number) < 1) throw bad('maxReceivesPerSecond must be a whole number of at least 1');
  }
  const retry = doc.http?.defaultHealthyRetryPolicy ?? doc.healthyRetryPolicy;
  if (!retry) return;
  const p = withDefaults(retry, defaultRetryPolicy(20));
  for (const k of ['minDelayTarget', 'maxDelayTarget', 'numRetries', 'numNoDelayRetries', 'numMinDelayRetries', 'numMaxDelayRetries'] as const) {
    if (!Number.isInteger(p[k]) || p[k] < 0) throw bad(`${k} must be a whole number of at least 0`);
  }
  if (p.numRetries > 100) throw bad('numRetries must be at most 100');
  if (p.minDelayTarget > p.maxDelayTarget) throw bad('minDelayTarget must not be greater than maxDelayTarget');
  if (p.maxDelayTarget > 3600) throw bad('maxDelayTarget must be at most 3600');
  if (p.numNoDelayRetries + p.numMinDelayRetries + p.numMaxDelayRetries > p.numRetries) throw bad('the phases add up to more than numRetries');
  if (!BACKOFF.has(p.backoffFunction)) throw bad(`backoffFunction must be one of linear, arithmetic, geometric, exponential`);
}

/** The policy a subscription's deliveries follow, from the topic's and the subscription's attribute. */
export function effectivePolicy(topicPolicy: string | undefined, subscriptionPolicy: string | undefined, defaultDelaySeconds: number): EffectivePolicy {
  const topic = parse(topicPolicy)?.http;
  const sub = topic?.disableSubscriptionOverrides ? undefined : parse(subscriptionPolicy);
  const base = defaultRetryPolicy(defaultDelaySeconds);
  const retry = sub?.healthyRetryPolicy ?? topic?.defaultHealthyRetryPolicy;
  const perSecond = (sub?.throttlePolicy ?? topic?.defaultThrottlePolicy)?.maxReceivesPerSecond;
  return {
    retry: retry ? withDefaults(retry, base) : base,
    contentType: sub?.requestPolicy?.headerContentType ?? topic?.defaultRequestPolicy?.headerContentType ?? DEFAULT_CONTENT_TYPE,
    ...(typeof perSecond === 'number' && perSecond >= 1 ? { maxReceivesPerSecond: perSecond } : {}),
  };
}

/** Seconds to wait before retry number `retry` (1-based), or undefined when the policy is exhausted. */
export function retryDelaySeconds(p: RetryPolicy, retry: number): number | undefined {
  if (retry > p.numRetries) return undefined;
  if (retry <= p.numNoDelayRetries) return 0;
  if (retry <= p.numNoDelayRetries + p.numMinDelayRetries) return p.minDelayTarget;
  const backoffCount = p.numRetries - p.numNoDelayRetries - p.numMinDelayRetries - p.numMaxDelayRetries;
  const i = retry - p.numNoDelayRetries - p.numMinDelayRetries; // 1-based within the backoff phase
  if (i > backoffCount) return p.maxDelayTarget;
  if (backoffCount <= 1 || p.minDelayTarget === p.maxDelayTarget) return p.minDelayTarget;
  const fraction = (i - 1) / (backoffCount - 1);
  const min = Math.max(p.minDelayTarget, 0);
  switch (p.backoffFunction) {
    case 'linear':
    case 'arithmetic':
      return min + (p.maxDelayTarget - min) * fraction;
    case 'geometric':
    case 'exponential': {
      const start = Math.max(min, 1);
      return Math.min(p.maxDelayTarget, start * Math.pow(p.maxDelayTarget / start, fraction));
    }
  }
}

function parse(text: string | undefined): PolicyDocument | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch {
    return undefined;
  }
}

function withDefaults(given: Partial<RetryPolicy>, base: RetryPolicy): RetryPolicy {
  const minDelayTarget = given.minDelayTarget ?? base.minDelayTarget;
  return {
    minDelayTarget,
    maxDelayTarget: given.maxDelayTarget ?? Math.max(base.maxDelayTarget, minDelayTarget),
    numRetries: given.numRetries ?? base.numRetries,
    numNoDelayRetries: given.numNoDelayRetries ?? 0,
    numMinDelayRetries: given.numMinDelayRetries ?? 0,
    numMaxDelayRetries: given.numMaxDelayRetries ?? 0,
    backoffFunction: given.backoffFunction ?? 'linear',
  };
}

// What GetTopicAttributes and GetSubscriptionAttributes show, as recorded against AWS in
// localstack/localstack tests/aws/services/sns/test_sns.snapshot.json: test_topic_delivery_policy_crud
// (a topic's DeliveryPolicy gains disableSubscriptionOverrides and loses null members) and
// test_subscribe_external_http_endpoint_content_type[True]/[False] "sub-attrs" (a subscription's
// DeliveryPolicy and EffectiveDeliveryPolicy have the subscription's shape, with null for what is unset).

/** A retry policy in AWS's member order. */
function retryDocument(p: RetryPolicy) {
  return {
    minDelayTarget: p.minDelayTarget,
    maxDelayTarget: p.maxDelayTarget,
    numRetries: p.numRetries,
    numMaxDelayRetries: p.numMaxDelayRetries,
    numNoDelayRetries: p.numNoDelayRetries,
    numMinDelayRetries: p.numMinDelayRetries,
    backoffFunction: p.backoffFunction,
  };
}

/** What GetTopicAttributes shows as EffectiveDeliveryPolicy. */
export function effectivePolicyDocument(p: EffectivePolicy): string {
  return JSON.stringify({
    http: {
      defaultHealthyRetryPolicy: retryDocument(p.retry),
      disableSubscriptionOverrides: false,
      defaultRequestPolicy: { headerContentType: p.contentType },
    },
  });
}

/** What GetSubscriptionAttributes shows as an HTTP/S subscription's EffectiveDeliveryPolicy. */
export function effectiveSubscriptionPolicyDocument(p: EffectivePolicy, topicPolicy: string | undefined, subscriptionPolicy: string | undefined): string {
  const topic = parse(topicPolicy)?.http;
  const sub = topic?.disableSubscriptionOverrides ? undefined : parse(subscriptionPolicy);
  return JSON.stringify({
    healthyRetryPolicy: retryDocument(p.retry),
    // Shown as given (the subscription's, else the topic's default); sesd does not act on sicklyRetryPolicy
    // and guaranteed, and applies throttlePolicy through EffectivePolicy.maxReceivesPerSecond.
    sicklyRetryPolicy: sub?.sicklyRetryPolicy ?? topic?.defaultSicklyRetryPolicy ?? null,
    throttlePolicy: sub?.throttlePolicy ?? topic?.defaultThrottlePolicy ?? null,
    requestPolicy: { headerContentType: p.contentType },
    guaranteed: sub?.guaranteed ?? false,
  });
}

/** A topic's DeliveryPolicy as GetTopicAttributes shows it (the stored text when it is not a policy object). */
export function topicPolicyDocument(text: string): string {
  const doc = parse(text);
  if (!doc || typeof doc !== 'object' || !doc.http || typeof doc.http !== 'object') return text;
  const h = doc.http;
  const http = {
    ...(h.defaultHealthyRetryPolicy != null ? { defaultHealthyRetryPolicy: h.defaultHealthyRetryPolicy } : {}),
    ...(h.defaultSicklyRetryPolicy != null ? { defaultSicklyRetryPolicy: h.defaultSicklyRetryPolicy } : {}),
    ...(h.defaultThrottlePolicy != null ? { defaultThrottlePolicy: h.defaultThrottlePolicy } : {}),
    disableSubscriptionOverrides: h.disableSubscriptionOverrides ?? false,
    ...(h.defaultRequestPolicy != null ? { defaultRequestPolicy: h.defaultRequestPolicy } : {}),
  };
  return JSON.stringify({ ...doc, http });
}

/** A subscription's DeliveryPolicy as GetSubscriptionAttributes shows it (the stored text when it is not a policy object). */
export function subscriptionPolicyDocument(text: string): string {
  const doc = parse(text);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return text;
  return JSON.stringify({
    healthyRetryPolicy: doc.healthyRetryPolicy ?? null,
    sicklyRetryPolicy: doc.sicklyRetryPolicy ?? null,
    throttlePolicy: doc.throttlePolicy ?? null,
    requestPolicy: doc.requestPolicy ?? null,
    guaranteed: doc.guaranteed ?? false,
  });
}
