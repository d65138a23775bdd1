// SNS topic and subscription ARNs: `arn:aws:sns:REGION:ACCOUNT:NAME` and `...:NAME:UUID`.
import { AwsError } from '../domain/errors.js';

export interface TopicArn {
  region: string;
  accountId: string;
  name: string;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(?:\.fifo)?)$/;

export const topicArn = (region: string, accountId: string, name: string): string => `arn:aws:sns:${region}:${accountId}:${name}`;

/** Parses a topic ARN; `what` names the parameter in AWS's "Invalid parameter: X" message. */
export function parseTopicArn(arn: string, what = 'TopicArn'): TopicArn {
  const m = TOPIC_ARN.exec(arn);
  if (!m) throw new AwsError('InvalidParameter', `Invalid parameter: ${what}${what.endsWith('Arn') ? tooFewElements(arn) : ''}`);
  return { region: m[1]!, accountId: m[2]!, name: m[3]! };
}

/**
 * AWS's reason for a TopicArn or SubscriptionArn parameter that is not even ARN-shaped, e.g. "randomstring"
 * answers "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1". Recorded against
 * AWS in localstack/localstack tests/aws/services/sns/test_sns.snapshot.json (test_publish_wrong_arn_format,
 * test_subscribe_with_invalid_topic, test_create_topic_with_attributes "get-attrs-malformed-topic",
 * test_unsubscribe_wrong_arn_format). ConfirmSubscription's "Topic" parameter answers without it.
 */
export function tooFewElements(arn: string): string {
  const elements = arn.split(':').length;
  return elements < 6 ? ` Reason: An ARN must have at least 6 elements, not ${elements}` : '';
}

/** The topic ARN a subscription ARN belongs to, or undefined when it is not one. */
export function topicOfSubscription(arn: string): string | undefined {
  const i = arn.lastIndexOf(':');
  if (i < 0) return undefined;
  const topic = arn.slice(0, i);
  return TOPIC_ARN.test(topic) && /^[0-9a-f-]{36}$/.test(arn.slice(i + 1)) ? topic : undefined;
}
