// Sending authorization: an identity's owner lets other accounts send from it with a policy
// (CreateEmailIdentityPolicy / PutIdentityPolicy); the delegate names the identity by ARN
// (FromEmailAddressIdentityArn, SourceArn, FromArn, ReturnPathArn, X-SES-*-ARN headers).
import { AwsError, invalidParameter } from '../errors.js';
import { policiesAllow } from '../resource-policy.js';

export interface IdentityArn {
  region: string;
  accountId: string;
  identity: string;
}

export function parseIdentityArn(arn: string): IdentityArn {
  const m = /^arn:aws[a-z-]*:ses:([a-z0-9-]+):(\d{12}):identity\/(.+)$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid identity ARN: ${arn}`);
  return { region: m[1]!, accountId: m[2]!, identity: m[3]! };
}

const SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail', 'ses:SendTemplatedEmail', 'ses:SendBulkEmail', 'ses:SendBulkTemplatedEmail'];

/** Whether the identity's policies let `account` send (see domain/resource-policy.ts). */
export function policiesAllowSending(policies: string[], account: string): boolean {
  return policiesAllow(policies, account, (a) => a === 'ses:*' || SEND_ACTIONS.includes(a));
}

/** SES keeps at most 20 sending-authorization policies on one identity; replacing one of them is fine. */
const MAX_POLICIES_PER_IDENTITY = 20;

/** The text SES answers a 21st policy with (floci-io/floci#1750, checked against real AWS), or undefined. */
export function policyLimitExceeded(existing: Record<string, string>, name: string, identity: string): string | undefined {
  if (Object.hasOwn(existing, name) || Object.keys(existing).length < MAX_POLICIES_PER_IDENTITY) return undefined;
  return `Number of policies for <${identity}> exceeds max allowed number of policies per resource`;
}

/** A policy as CreateEmailIdentityPolicy / PutIdentityPolicy take it: a name and a JSON document. */
export function validatePolicy(name: string, policy: string): void {
  // SES's wording (floci-io/floci#1750, checked against real AWS; the same text in v1 and v2). A name
  // over 64 characters is refused before this by the model's length constraint.
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw invalidParameter('PolicyName is invalid. Policy names must only include alpha-numeric characters, dashes, and underscores.');
  try {
    JSON.parse(policy);
  } catch {
    throw new AwsError('BadRequestException', 'Policy is not valid JSON.', 400, true, 'InvalidPolicy');
  }
}
