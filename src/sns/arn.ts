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
  if (!m) throw new AwsError('InvalidParameter', `Invalid parameter: ${what}`);
  return { region: m[1]!, accountId: m[2]!, name: m[3]! };
}

/** The topic ARN a subscription ARN belongs to, or undefined when it is not one. */
export function topicOfSubscription(arn: string): string | undefined {
  const i = arn.lastIndexOf(':');
  if (i < 0) return undefined;
  const topic = arn.slice(0, i);
  return TOPIC_ARN.test(topic) && /^[0-9a-f-]{36}$/.test(arn.slice(i + 1)) ? topic : undefined;
}
