// Sending authorization: an identity's owner lets other accounts send from it with a policy
// (CreateEmailIdentityPolicy / PutIdentityPolicy); the delegate names the identity by ARN
// (FromEmailAddressIdentityArn, SourceArn, FromArn, ReturnPathArn, X-SES-*-ARN headers).
import { AwsError, invalidParameter } from '../errors.js';

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

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
}

const SEND_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail', 'ses:SendTemplatedEmail', 'ses:SendBulkEmail', 'ses:SendBulkTemplatedEmail'];

/**
 * Whether the identity's policies let `account` send. IAM's rule: an explicit Deny wins, else an
 * Allow is needed. Principals are matched by account id, `arn:aws:iam::ACCOUNT:root` or `*`;
 * conditions are not evaluated (a statement with a Condition is not relied on for Allow).
 */
export function policiesAllowSending(policies: string[], account: string): boolean {
  let allowed = false;
  for (const text of policies) {
    let statements: Statement[];
    try {
      const doc = JSON.parse(text) as { Statement?: Statement | Statement[] };
      statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    } catch {
      continue;
    }
    for (const st of statements) {
      if (!principalMatches(st.Principal, account) || !actionMatches(st.Action)) continue;
      if (st.Effect === 'Deny') return false;
      if (st.Effect === 'Allow' && !(st as { Condition?: unknown }).Condition) allowed = true;
    }
  }
  return allowed;
}

function principalMatches(principal: unknown, account: string): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: string | string[] } | undefined)?.AWS;
  const list = Array.isArray(aws) ? aws : aws ? [aws] : [];
  return list.some((p) => p === '*' || p === account || p === `arn:aws:iam::${account}:root` || p.startsWith(`arn:aws:iam::${account}:`));
}

function actionMatches(action: string | string[] | undefined): boolean {
  const list = Array.isArray(action) ? action : action ? [action] : [];
  return list.some((a) => a === '*' || a === 'ses:*' || SEND_ACTIONS.includes(a));
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
