// The SES v1 Query API through @aws-sdk/client-ses, a hand-signed GET like the seed's example and
// the legacy AWS3-HTTPS header, on every database. Same domain and intake as SES v2.
import {
  CreateReceiptRuleSetCommand,
  CreateTemplateCommand,
  DeleteIdentityCommand,
  DeleteIdentityPolicyCommand,
  GetAccountSendingEnabledCommand,
  GetIdentityDkimAttributesCommand,
  GetIdentityMailFromDomainAttributesCommand,
  GetIdentityNotificationAttributesCommand,
  GetIdentityPoliciesCommand,
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  GetSendStatisticsCommand,
  ListIdentitiesCommand,
  ListIdentityPoliciesCommand,
  ListVerifiedEmailAddressesCommand,
  PutIdentityPolicyCommand,
  SendBulkTemplatedEmailCommand,
  SendTemplatedEmailCommand,
  SendEmailCommand,
  SendRawEmailCommand,
  SetIdentityDkimEnabledCommand,
  SetIdentityFeedbackForwardingEnabledCommand,
  SetIdentityHeadersInNotificationsEnabledCommand,
  SetIdentityMailFromDomainCommand,
  SetIdentityNotificationTopicCommand,
  UpdateAccountSendingEnabledCommand,
  VerifyDomainDkimCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailAddressCommand,
  VerifyEmailIdentityCommand,
  type SESClient,
} from '@aws-sdk/client-ses';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { NodeSha256 } from '../support/node-sha256.js';
import { capturedMessages, sesClient, startSesd, TEST_KEY, awsFailure } from '../support/sesd.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';

describe.each(DIALECTS)('SES v1 Query API (%s)', (dialect) => {
  let db: TestDatabase;
  let dns: DnsServer;
  let app: RunningApp;
  let ses: SESClient;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    dns = await startDnsServer();
    app = await startSesd(db, { SESD_AUTO_VERIFY: 'false', SESD_DNS_SERVERS: dns.address, SESD_IDENTITY_RECHECK_SECONDS: '3600' });
    ses = sesClient(app);
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
    await db?.drop();
  });

  it('verifies a domain by its _amazonses TXT token, then sends SendEmail from it', async () => {
    expect(await awsFailure(ses.send(new SendEmailCommand({ Source: 'a@v1.example', Destination: { ToAddresses: ['b@example.net'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })))).toEqual({
      name: 'MessageRejected',
      message: 'Email address is not verified. The following identities failed the check in region US-WEST-2: a@v1.example',
      status: 400,
    });
    const { VerificationToken } = await ses.send(new VerifyDomainIdentityCommand({ Domain: 'v1.example' }));
    expect((await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['v1.example', 'unknown.example'] }))).VerificationAttributes).toEqual({
      'v1.example': { VerificationStatus: 'Pending', VerificationToken },
    });
    dns.zone['_amazonses.v1.example'] = { TXT: [VerificationToken!] };
    await app.identities.recheckPending(Date.now());
    expect((await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['v1.example'] }))).VerificationAttributes!['v1.example']!.VerificationStatus).toBe('Success');

    const sent = await ses.send(
      new SendEmailCommand({
        Source: 'Team <team@v1.example>',
        Destination: { ToAddresses: ['b@example.net'], CcAddresses: ['c@example.net'] },
        Message: { Subject: { Data: 'v1 subject' }, Body: { Text: { Data: 'v1 text' }, Html: { Data: '<i>v1</i>' } } },
        Tags: [{ Name: 'source', Value: 'v1' }],
      }),
    );
    const [m] = await capturedMessages(app, `?id=${sent.MessageId}`);
    expect(m).toMatchObject({ Source: 'team@v1.example', Subject: 'v1 subject', Body: { text_part: 'v1 text', html_part: '<i>v1</i>' }, Destination: { ToAddresses: ['b@example.net'], CcAddresses: ['c@example.net'] } });
  });

  it('honours and strips the X-SES-* headers of SendRawEmail, API tags winning over header tags', async () => {
    const raw = ['From: team@v1.example', 'To: r@example.net', 'Subject: raw v1', 'X-SES-MESSAGE-TAGS: campaign=spring, tier=gold', 'X-SES-CONFIGURATION-SET: nope', '', 'raw body', ''].join('\r\n');
    // The configuration set named in the header does not exist: SES refuses the message.
    expect(await awsFailure(ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } })))).toMatchObject({ name: 'ConfigurationSetDoesNotExistException', status: 400 });

    const withoutSet = raw.replace('X-SES-CONFIGURATION-SET: nope\r\n', '');
    const fromHeaders = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(withoutSet) } }));
    const [stored] = await app.store.messages.list({ id: fromHeaders.MessageId });
    expect(stored!.tags).toEqual([{ Name: 'campaign', Value: 'spring' }, { Name: 'tier', Value: 'gold' }]);
    expect(stored!.raw.toString()).not.toMatch(/X-SES-/i);

    const apiTags = await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(withoutSet) }, Destinations: ['other@example.net'], Tags: [{ Name: 'api', Value: 'yes' }] }));
    const [second] = await app.store.messages.list({ id: apiTags.MessageId });
    expect(second!.tags).toEqual([{ Name: 'api', Value: 'yes' }]);
    expect(await app.store.messages.recipients(apiTags.MessageId!)).toEqual([{ recipient: 'other@example.net', status: expect.any(String) }]);
  });

  it('verifies the From header of a raw message too, not only Source', async () => {
    const spoof = ['From: ceo@bank.example', 'To: r@example.net', 'Subject: trust me', '', 'body', ''].join('\r\n');
    expect(await awsFailure(ses.send(new SendRawEmailCommand({ Source: 'team@v1.example', RawMessage: { Data: Buffer.from(spoof) } })))).toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('ceo@bank.example'),
    });
  });

  it("verifies a raw message's Sender header too (From, Source, Sender and Return-Path must be verified identities)", async () => {
    const onBehalf = ['From: team@v1.example', 'Sender: agent@unverified.example', 'To: r@example.net', 'Subject: s', '', 'body', ''].join('\r\n');
    expect(await awsFailure(ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(onBehalf) } })))).toMatchObject({
      name: 'MessageRejected',
      message: 'Email address is not verified. The following identities failed the check in region US-WEST-2: agent@unverified.example',
    });
    const verifiedSender = onBehalf.replace('agent@unverified.example', 'Agent <other@v1.example>');
    expect((await ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(verifiedSender) } }))).MessageId).toBeDefined();
  });

  it('refuses a raw message over 10 MB with InvalidParameterValue', async () => {
    const big = Buffer.concat([Buffer.from('From: team@v1.example\r\nTo: r@example.net\r\nSubject: big\r\n\r\n'), Buffer.alloc(10 * 1024 * 1024, 'a')]);
    const res = await awsFailure(ses.send(new SendRawEmailCommand({ RawMessage: { Data: big } })));
    expect(res.name).toBe('InvalidParameterValue');
    expect(res.message).toMatch(/^Message length is more than 10485760 bytes long/);
  }, 60_000);

  it('reports per-destination status from SendBulkTemplatedEmail, and a missing template as an error of the call', async () => {
    await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'bulk-v1', SubjectPart: 'Hi {{name}}', TextPart: 'Hello {{name}}' } }));
    const out = await ses.send(
      new SendBulkTemplatedEmailCommand({
        Source: 'team@v1.example',
        Template: 'bulk-v1',
        DefaultTemplateData: '{"name":"all"}',
        Destinations: [
          { Destination: { ToAddresses: ['x@example.net'] } },
          { Destination: { ToAddresses: ['y@example.net'] }, ReplacementTemplateData: '{"name":"Y"}' },
        ],
      }),
    );
    expect(out.Status?.map((s) => s.Status)).toEqual(['Success', 'Success']);
    expect(new Set(out.Status?.map((s) => s.MessageId)).size).toBe(2);
    // Each event names the action that sent it, as SES's do (ses:operation).
    const [send] = await app.store.messages.events(out.Status![0]!.MessageId!);
    expect((send!.payload as { mail: { tags: Record<string, string[]> } }).mail.tags['ses:operation']).toEqual(['SendBulkTemplatedEmail']);
    const single = await ses.send(new SendTemplatedEmailCommand({ Source: 'team@v1.example', Template: 'bulk-v1', TemplateData: '{"name":"one"}', Destination: { ToAddresses: ['z@example.net'] } }));
    const [singleSend] = await app.store.messages.events(single.MessageId!);
    expect((singleSend!.payload as { mail: { tags: Record<string, string[]> } }).mail.tags['ses:operation']).toEqual(['SendTemplatedEmail']);
    const missing = await awsFailure(
      ses.send(new SendBulkTemplatedEmailCommand({ Source: 'team@v1.example', Template: 'missing-template', DefaultTemplateData: '{}', Destinations: [{ Destination: { ToAddresses: ['x@example.net'] } }] })),
    );
    expect(missing.name).toBe('TemplateDoesNotExistException');
  });

  it('manages email identities, DKIM, MAIL FROM, notifications and policies', async () => {
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'me@mail.example' }));
    const [verification] = (await capturedMessages(app)).filter((m) => m.Destination.ToAddresses?.includes('me@mail.example'));
    expect(verification!.Subject).toContain('Verification');
    await fetch(/(http:\/\/\S+verify-email\?token=\S+)/.exec(verification!.Body.text_part!)![1]!);
    expect((await ses.send(new ListVerifiedEmailAddressesCommand({}))).VerifiedEmailAddresses).toEqual(['me@mail.example']);
    expect((await ses.send(new ListIdentitiesCommand({ IdentityType: 'EmailAddress' }))).Identities).toEqual(['me@mail.example']);
    expect((await ses.send(new ListIdentitiesCommand({}))).Identities).toEqual(['me@mail.example', 'v1.example']);

    const { DkimTokens } = await ses.send(new VerifyDomainDkimCommand({ Domain: 'v1.example' }));
    expect(DkimTokens).toHaveLength(3);
    expect((await ses.send(new GetIdentityDkimAttributesCommand({ Identities: ['v1.example'] }))).DkimAttributes!['v1.example']).toEqual({
      DkimEnabled: true,
      DkimVerificationStatus: 'Pending',
      DkimTokens,
    });
    await ses.send(new SetIdentityDkimEnabledCommand({ Identity: 'v1.example', DkimEnabled: false }));
    expect((await ses.send(new GetIdentityDkimAttributesCommand({ Identities: ['v1.example'] }))).DkimAttributes!['v1.example']!.DkimEnabled).toBe(false);

    await ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'v1.example', MailFromDomain: 'mail.v1.example', BehaviorOnMXFailure: 'RejectMessage' }));
    expect((await ses.send(new GetIdentityMailFromDomainAttributesCommand({ Identities: ['v1.example'] }))).MailFromDomainAttributes!['v1.example']).toMatchObject({
      MailFromDomain: 'mail.v1.example',
      MailFromDomainStatus: 'Pending',
      BehaviorOnMXFailure: 'RejectMessage',
    });
    // No MX for it: with RejectMessage, v1.example may not send until it is removed (mail-from-domain.test.ts).
    await ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'v1.example' }));

    await new SNSClient({ endpoint: app.httpUrl, region: 'us-west-2', credentials: TEST_KEY, maxAttempts: 1 }).send(new CreateTopicCommand({ Name: 'bounces' }));
    await ses.send(new SetIdentityNotificationTopicCommand({ Identity: 'v1.example', NotificationType: 'Bounce', SnsTopic: 'arn:aws:sns:us-west-2:000000000000:bounces' }));
    await ses.send(new SetIdentityHeadersInNotificationsEnabledCommand({ Identity: 'v1.example', NotificationType: 'Bounce', Enabled: true }));
    expect((await ses.send(new GetIdentityNotificationAttributesCommand({ Identities: ['v1.example'] }))).NotificationAttributes!['v1.example']).toMatchObject({
      BounceTopic: 'arn:aws:sns:us-west-2:000000000000:bounces',
      ForwardingEnabled: true,
      HeadersInBounceNotificationsEnabled: true,
    });
    // Unknown identities, worded per action (as reported from live AWS in floci-io/floci#716).
    expect(await awsFailure(ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'unknown.example', MailFromDomain: 'mail.unknown.example' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Identity <unknown.example> does not exist.',
      status: 400,
    });
    expect(await awsFailure(ses.send(new SetIdentityFeedbackForwardingEnabledCommand({ Identity: 'unknown.example', ForwardingEnabled: true })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Identity unknown.example is invalid. Must be a verified email address or domain.',
      status: 400,
    });

    await ses.send(new PutIdentityPolicyCommand({ Identity: 'v1.example', PolicyName: 'p', Policy: '{"Version":"2012-10-17"}' }));
    expect((await ses.send(new ListIdentityPoliciesCommand({ Identity: 'v1.example' }))).PolicyNames).toEqual(['p']);
    expect((await ses.send(new GetIdentityPoliciesCommand({ Identity: 'v1.example', PolicyNames: ['p'] }))).Policies).toEqual({ p: '{"Version":"2012-10-17"}' });
    expect(await awsFailure(ses.send(new PutIdentityPolicyCommand({ Identity: 'v1.example', PolicyName: 'q', Policy: 'nope' })))).toMatchObject({ name: 'InvalidPolicyException', status: 400 });
    await ses.send(new DeleteIdentityPolicyCommand({ Identity: 'v1.example', PolicyName: 'p' }));

    // An identity's ARN names it wherever the model takes `Identity` (Terraform passes ARNs); a topic sesd cannot publish to is refused.
    const arn = 'arn:aws:ses:us-west-2:000000000000:identity/v1.example';
    await ses.send(new PutIdentityPolicyCommand({ Identity: arn, PolicyName: 'by-arn', Policy: '{"Version":"2012-10-17"}' }));
    expect((await ses.send(new ListIdentityPoliciesCommand({ Identity: 'v1.example' }))).PolicyNames).toEqual(['by-arn']);
    await ses.send(new DeleteIdentityPolicyCommand({ Identity: arn, PolicyName: 'by-arn' }));
    await ses.send(new SetIdentityNotificationTopicCommand({ Identity: arn, NotificationType: 'Complaint', SnsTopic: 'arn:aws:sns:us-west-2:000000000000:bounces' }));
    expect((await ses.send(new GetIdentityNotificationAttributesCommand({ Identities: [arn] }))).NotificationAttributes![arn]).toMatchObject({
      ComplaintTopic: 'arn:aws:sns:us-west-2:000000000000:bounces',
    });
    expect(await awsFailure(ses.send(new SetIdentityNotificationTopicCommand({ Identity: 'v1.example', NotificationType: 'Delivery', SnsTopic: 'arn:aws:sns:us-west-2:000000000000:nope' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'SNS topic arn:aws:sns:us-west-2:000000000000:nope not found.',
      status: 400,
    });
    // SES's text for an identity it does not have, the ARN as given (boto/boto3#2645).
    const unknownArn = 'arn:aws:ses:us-west-2:000000000000:identity/unknown.example';
    expect(await awsFailure(ses.send(new SetIdentityNotificationTopicCommand({ Identity: unknownArn, NotificationType: 'Bounce', SnsTopic: 'arn:aws:sns:us-west-2:000000000000:bounces' })))).toEqual({
      name: 'InvalidParameterValue',
      message: `Identity ${unknownArn} is invalid. Must be a verified email address or domain.`,
      status: 400,
    });

    await ses.send(new DeleteIdentityCommand({ Identity: 'me@mail.example' }));
    await ses.send(new DeleteIdentityCommand({ Identity: 'me@mail.example' })); // deleting twice is fine in v1
    expect((await ses.send(new ListIdentitiesCommand({}))).Identities).toEqual(['v1.example']);
  });

  it('verifies addresses only with VerifyEmailIdentity, and starts a failed verification over when asked again', async () => {
    expect(await awsFailure(ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'whole-domain.example' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Invalid email address<whole-domain.example>.',
      status: 400,
    });
    expect((await ses.send(new ListIdentitiesCommand({}))).Identities).not.toContain('whole-domain.example');
    // A display name is not part of the identity.
    await ses.send(new VerifyEmailAddressCommand({ EmailAddress: 'Named Person <named@mail.example>' }));
    expect((await ses.send(new ListIdentitiesCommand({ IdentityType: 'EmailAddress' }))).Identities).toContain('named@mail.example');
    // Asked again while pending, SES sends the verification message again.
    const sent = async () => (await capturedMessages(app)).filter((m) => m.Destination.ToAddresses?.includes('named@mail.example')).length;
    const before = await sent();
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'named@mail.example' }));
    expect(await sent()).toBe(before + 1);

    // A domain whose 72 hours ran out is Failed; VerifyDomainIdentity and VerifyDomainDkim start it over.
    const { VerificationToken } = await ses.send(new VerifyDomainIdentityCommand({ Domain: 'late.example' }));
    await ses.send(new VerifyDomainDkimCommand({ Domain: 'late.example' }));
    const scope = { accountId: '000000000000', region: 'us-west-2' };
    const late = (await app.store.identities.get(scope, 'late.example'))!;
    await app.store.identities.update({ ...late, verificationStatus: 'FAILED', dkim: { ...late.dkim, status: 'FAILED' } });
    const status = async () => (await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: ['late.example'] }))).VerificationAttributes!['late.example']!;
    expect(await status()).toMatchObject({ VerificationStatus: 'Failed' });
    expect((await ses.send(new VerifyDomainIdentityCommand({ Domain: 'late.example' }))).VerificationToken).toBe(VerificationToken);
    expect(await status()).toMatchObject({ VerificationStatus: 'Pending' });
    const dkim = async () => (await ses.send(new GetIdentityDkimAttributesCommand({ Identities: ['late.example'] }))).DkimAttributes!['late.example']!;
    const failedTokens = (await dkim()).DkimTokens;
    const { DkimTokens } = await ses.send(new VerifyDomainDkimCommand({ Domain: 'late.example' }));
    expect(DkimTokens).not.toEqual(failedTokens);
    expect(await dkim()).toMatchObject({ DkimVerificationStatus: 'Pending', DkimTokens });
  });

  it('lets an address sign with DKIM once its domain has DKIM, and keeps MAIL FROM to a proper subdomain', async () => {
    await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'signer@dkim.example' }));
    expect((await awsFailure(ses.send(new SetIdentityDkimEnabledCommand({ Identity: 'signer@dkim.example', DkimEnabled: true })))).message).toMatch(/verify its domain for DKIM first/);
    await ses.send(new VerifyDomainDkimCommand({ Domain: 'dkim.example' }));
    await ses.send(new SetIdentityDkimEnabledCommand({ Identity: 'signer@dkim.example', DkimEnabled: true }));
    expect((await ses.send(new GetIdentityDkimAttributesCommand({ Identities: ['signer@dkim.example'] }))).DkimAttributes!['signer@dkim.example']!.DkimEnabled).toBe(true);

    const mailFrom = (Identity: string, MailFromDomain: string) => awsFailure(ses.send(new SetIdentityMailFromDomainCommand({ Identity, MailFromDomain })));
    // SES's words (see ses-v1-identity-attributes-fidelity.test.ts for the evidence).
    expect((await mailFrom('signer@dkim.example', 'mail.other.example')).message).toBe(
      'Provided MAIL-FROM domain <mail.other.example> is not subdomain of the domain of the identity <signer@dkim.example>.',
    );
    expect((await mailFrom('dkim.example', 'dkim.example')).message).toBe('Provided MAIL-FROM domain <dkim.example> is not subdomain of the domain of the identity <dkim.example>.');
    expect((await mailFrom('dkim.example', 'bad..dkim.example')).message).toBe('Invalid MAIL FROM domain bad..dkim.example.');
    await ses.send(new SetIdentityMailFromDomainCommand({ Identity: 'signer@dkim.example', MailFromDomain: 'bounce.dkim.example' }));
  });

  // SES's answers recorded in LocalStack's test_ses.snapshot.json (test_invalid_tags_send_email):
  // the name is checked before the value, and the texts keep SES's doubled space.
  it.each([
    ['a colon in the name', 'test_invalid_name:123', 'test', "Invalid tag name <test_invalid_name:123>: only alphanumeric ASCII characters, '_',  '-' are allowed."],
    ['a colon in the value', 'test', 'test_invalid_value:123', "Invalid tag value <test_invalid_value:123>: only alphanumeric ASCII characters, '_',  '-' , '.', '@' are allowed."],
    ['a colon in both', 'test_invalid_name:123', 'test_invalid_value:123', "Invalid tag name <test_invalid_name:123>: only alphanumeric ASCII characters, '_',  '-' are allowed."],
    ['a long name', 'test_invalid_name_len'.repeat(100), 'test', 'Tag name cannot exceed 255 characters.'],
    ['a long value', 'test', 'test_invalid_value_len'.repeat(100), 'Tag value cannot exceed 255 characters.'],
    ['a bad name and a long value', 'test_invalid_name@123', 'test_invalid_value_len'.repeat(100), "Invalid tag name <test_invalid_name@123>: only alphanumeric ASCII characters, '_',  '-' are allowed."],
    ['an empty name and value', '', '', 'The tag name must be specified.'],
    ['an empty name', '', 'test', 'The tag name must be specified.'],
    ['an empty value', 'test', '', 'The tag value must be specified.'],
  ])('refuses a message tag with %s as SES does', async (_case, Name, Value, message) => {
    const send = new SendEmailCommand({ Source: 'tagger@example.com', Destination: { ToAddresses: ['success@example.com'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } }, Tags: [{ Name, Value }] });
    expect(await awsFailure(ses.send(send))).toEqual({ name: 'InvalidParameterValue', message, status: 400 });
  });

  it("accepts SES's feedback-id tags and a value with '.' and '@' (the unverified sender is what is refused)", async () => {
    for (const tag of [{ Name: 'ses:feedback-id-a', Value: 'this-marketing-campaign' }, { Name: 'ses:feedback-id-b', Value: 'that-campaign' }, { Name: 'to', Value: 'jane.doe@example.net' }]) {
      const send = new SendEmailCommand({ Source: 'tagger@example.com', Destination: { ToAddresses: ['success@example.com'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } }, Tags: [tag] });
      expect(await awsFailure(ses.send(send))).toMatchObject({ name: 'MessageRejected', status: 400 });
    }
  });

  it('reports quota and statistics from real sends and switches sending off and on', async () => {
    const quota = await ses.send(new GetSendQuotaCommand({}));
    expect(quota).toMatchObject({ Max24HourSend: -1, MaxSendRate: -1 });
    expect(quota.SentLast24Hours).toBeGreaterThanOrEqual(4);
    const stats = await ses.send(new GetSendStatisticsCommand({}));
    expect(stats.SendDataPoints!.reduce((n, p) => n + (p.DeliveryAttempts ?? 0), 0)).toBe(quota.SentLast24Hours);

    await ses.send(new UpdateAccountSendingEnabledCommand({ Enabled: false }));
    expect((await ses.send(new GetAccountSendingEnabledCommand({}))).Enabled).toBe(false);
    expect(await awsFailure(ses.send(new SendEmailCommand({ Source: 'team@v1.example', Destination: { ToAddresses: ['b@example.net'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })))).toMatchObject({
      name: 'AccountSendingPausedException',
      // SES's words (a recorded answer says "paused", not "suspended").
      message: expect.stringMatching(/^Sending paused for this account\. /),
      status: 400,
    });
    await ses.send(new UpdateAccountSendingEnabledCommand({ Enabled: true }));
  });

  it('throttles with the v1 Throttling error (HTTP 400)', async () => {
    const scope = { accountId: '000000000000', region: 'us-west-2' };
    const settings = (await app.store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
    await app.store.accountSettings.put(scope, { ...settings, max24HourSend: 1 });
    expect(await awsFailure(ses.send(new SendEmailCommand({ Source: 'team@v1.example', Destination: { ToAddresses: ['b@example.net'] }, Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } })))).toEqual({
      name: 'Throttling',
      message: 'Daily message quota exceeded.',
      status: 400,
    });
    await app.store.accountSettings.put(scope, settings);
  });

  it('answers receipt-rule actions as not supported, in the v1 error shape', async () => {
    expect(await awsFailure(ses.send(new CreateReceiptRuleSetCommand({ RuleSetName: 'inbound' })))).toMatchObject({ name: 'NotImplemented', status: 501 });
  });

  it("accepts a hand-signed GET exactly like the seed's example", async () => {
    const url = new URL(app.httpUrl);
    const query = {
      Action: 'SendEmail',
      Source: 'user@v1.example',
      'Destination.ToAddresses.member.1': 'allan@example.com',
      'Message.Subject.Data': 'This is the subject line.',
      'Message.Body.Text.Data': 'Hello. I hope you are having a good day.',
    };
    // The seed's identity must be verified: the domain above is.
    const signer = new SignatureV4({ service: 'ses', region: 'us-west-2', credentials: TEST_KEY, sha256: NodeSha256 });
    const signed = await signer.presign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query, headers: { host: url.host } });
    const qs = Object.entries(signed.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const res = await fetch(`${app.httpUrl}/?${qs}`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toMatch(/^<SendEmailResponse xmlns="http:\/\/ses\.amazonaws\.com\/doc\/2010-12-01\/"><SendEmailResult><MessageId>[^<]+<\/MessageId><\/SendEmailResult><ResponseMetadata><RequestId>[^<]+<\/RequestId><\/ResponseMetadata><\/SendEmailResponse>$/);
    const id = /<MessageId>([^<]+)</.exec(body)![1]!;
    expect((await capturedMessages(app, `?id=${id}`))[0]).toMatchObject({ Subject: 'This is the subject line.', Body: { text_part: 'Hello. I hope you are having a good day.' } });
  });

  it('accepts the legacy X-Amzn-Authorization AWS3-HTTPS header and refuses a wrong one', async () => {
    const date = new Date().toUTCString();
    const body = 'Action=GetSendQuota&Version=2010-12-01';
    const sign = (secret: string) => createHmac('sha256', secret).update(date).digest('base64');
    const request = (signature: string) =>
      fetch(`${app.httpUrl}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          date,
          'x-amzn-authorization': `AWS3-HTTPS AWSAccessKeyId=${TEST_KEY.accessKeyId}, Algorithm=HmacSHA256, Signature=${signature}`,
        },
        body,
      });
    const ok = await request(sign(TEST_KEY.secretAccessKey));
    expect(ok.status).toBe(200);
    // Doubles as SES writes them (the API reference's GetSendQuota example: `<Max24HourSend>200.0</Max24HourSend>`).
    const xml = await ok.text();
    expect(xml).toContain('<Max24HourSend>-1.0</Max24HourSend>');
    expect(xml).toContain('<MaxSendRate>-1.0</MaxSendRate>');
    expect(xml).toMatch(/<SentLast24Hours>\d+\.0<\/SentLast24Hours>/);
    const bad = await request(sign('wrong'));
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
