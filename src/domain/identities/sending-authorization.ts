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

/** A policy as CreateEmailIdentityPolicy / PutIdentityPolicy take it: a name and a JSON document. */
export function validatePolicy(name: string, policy: string): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw invalidParameter('Policy name must be 1 to 64 characters: letters, digits, dashes and underscores.');
  try {
    JSON.parse(policy);
  } catch {
    throw new AwsError('BadRequestException', 'Policy is not valid JSON.', 400, true, 'InvalidPolicy');
  }
}
