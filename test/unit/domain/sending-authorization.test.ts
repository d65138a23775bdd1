import { describe, expect, it } from 'vitest';
import { parseIdentityArn, policiesAllowSending } from '../../../src/domain/identities/sending-authorization.js';

const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

describe('sending authorization', () => {
  it('parses identity ARNs and refuses others', () => {
    expect(parseIdentityArn('arn:aws:ses:us-east-1:123456789012:identity/example.com')).toEqual({ region: 'us-east-1', accountId: '123456789012', identity: 'example.com' });
    expect(() => parseIdentityArn('arn:aws:ses:us-east-1:123456789012:template/t')).toThrow('Invalid identity ARN');
  });

  it.each([
    ['an account id principal and SendEmail', { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'ses:SendEmail' }, true],
    ['a root ARN principal and ses:*', { Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111122223333:root'] }, Action: 'ses:*' }, true],
    ['another account', { Effect: 'Allow', Principal: { AWS: '999999999999' }, Action: 'ses:SendEmail' }, false],
    ['another action', { Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'ses:GetAccount' }, false],
    ['a condition sesd does not evaluate', { Effect: 'Allow', Principal: '*', Action: 'ses:SendRawEmail', Condition: { StringLike: { 'ses:FromAddress': 'x@*' } } }, false],
  ])('with %s: %s', (_name, statement, allowed) => {
    expect(policiesAllowSending([policy(statement)], '111122223333')).toBe(allowed);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const allow = policy({ Effect: 'Allow', Principal: '*', Action: 'ses:*' });
    const deny = policy({ Effect: 'Deny', Principal: { AWS: '111122223333' }, Action: 'ses:SendEmail' });
    expect(policiesAllowSending([allow, deny], '111122223333')).toBe(false);
  });
});
