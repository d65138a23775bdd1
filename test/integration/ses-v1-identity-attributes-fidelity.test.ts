// SES v1 identity verification, DKIM and MAIL FROM answers held to what real SES answers, through
// @aws-sdk/client-ses, on every database. Each expectation cites the recorded AWS answer it follows.
import { GetIdentityMailFromDomainAttributesCommand, SetIdentityMailFromDomainCommand, VerifyDomainIdentityCommand, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesClient, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('SES v1 identity attribute fidelity (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  // Live AWS, as Terraform users quote it from aws_ses_domain_mail_from (SetIdentityMailFromDomain):
  // "InvalidParameterValue: Provided MAIL-FROM domain <…> is not subdomain of the domain of the
  // identity <…>." A sibling of the identity is refused alike (a CDK deployment's notes, measured).
  it('refuses a MAIL FROM domain outside the identity in SES words', async () => {
    const ses = sesClient(sesd.app);
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'ses.mailfrom-fidelity.example' }));
    for (const MailFromDomain of ['mail.other.example', 'mail.mailfrom-fidelity.example']) {
      expect(await awsFailure(ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'ses.mailfrom-fidelity.example', MailFromDomain })))).toEqual({
        name: 'InvalidParameterValue',
        message: `Provided MAIL-FROM domain <${MailFromDomain}> is not subdomain of the domain of the identity <ses.mailfrom-fidelity.example>.`,
        status: 400,
      });
    }
  });

  // The same refusal for the identity's own domain ("the same text", measured: a public CDK preflight
  // rule's notes on the MAIL FROM attributes call).
  it("refuses the identity's own domain as its MAIL FROM domain in SES words", async () => {
    const ses = sesClient(sesd.app);
    await ses.send(new VerifyDomainIdentityCommand({ Domain: 'own.mailfrom-fidelity.example' }));
    expect(await awsFailure(ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'own.mailfrom-fidelity.example', MailFromDomain: 'own.mailfrom-fidelity.example' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Provided MAIL-FROM domain <own.mailfrom-fidelity.example> is not subdomain of the domain of the identity <own.mailfrom-fidelity.example>.',
      status: 400,
    });
  });

  // An address's MAIL FROM domain must be under the address's domain; a proper subdomain is taken
  // (SetIdentityMailFromDomain accepts an email identity: API reference "a verified identity (an
  // email address or a domain)").
  it('refuses an address a MAIL FROM domain outside its domain and takes one under it', async () => {
    const ses = sesClient(sesd.app);
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'sender@addr.mailfrom-fidelity.example' }));
    expect(await awsFailure(ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'sender@addr.mailfrom-fidelity.example', MailFromDomain: 'bounce.other.example' })))).toMatchObject({
      name: 'InvalidParameterValue',
      message: 'Provided MAIL-FROM domain <bounce.other.example> is not subdomain of the domain of the identity <sender@addr.mailfrom-fidelity.example>.',
    });
    await ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'sender@addr.mailfrom-fidelity.example', MailFromDomain: 'bounce.addr.mailfrom-fidelity.example' }));
    const attributes = (await ses.send(new GetIdentityMailFromDomainAttributesCommand({ Identities: ['sender@addr.mailfrom-fidelity.example'] }))).MailFromDomainAttributes!;
    expect(attributes['sender@addr.mailfrom-fidelity.example']).toMatchObject({ MailFromDomain: 'bounce.addr.mailfrom-fidelity.example' });
  });

  // floci-io/floci bd3a33326 (#716, checked with aws-cli against live AWS): an unknown identity is
  // refused in this operation's own words (kept now that the handler looks the identity up itself).
  it('refuses an unknown identity in the words of SetIdentityMailFromDomain', async () => {
    const ses = sesClient(sesd.app);
    expect(await awsFailure(ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'ghost.mailfrom-fidelity.example', MailFromDomain: 'mail.ghost.mailfrom-fidelity.example' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Identity <ghost.mailfrom-fidelity.example> does not exist.',
      status: 400,
    });
  });
});
