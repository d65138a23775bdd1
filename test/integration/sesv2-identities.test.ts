// SES v2 identities, verification, DKIM, policies, suppression, account and the send policy,
// through the real SDK client on every database.
import {
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  DeleteConfigurationSetCommand,
  PutEmailIdentityConfigurationSetAttributesCommand,
  CreateEmailIdentityPolicyCommand,
  DeleteEmailIdentityCommand,
  DeleteEmailIdentityPolicyCommand,
  DeleteSuppressedDestinationCommand,
  GetAccountCommand,
  GetEmailIdentityCommand,
  GetEmailIdentityPoliciesCommand,
  GetMessageInsightsCommand,
  GetSuppressedDestinationCommand,
  ListEmailIdentitiesCommand,
  ListSuppressedDestinationsCommand,
  PutAccountSendingAttributesCommand,
  PutAccountSuppressionAttributesCommand,
  PutEmailIdentityDkimAttributesCommand,
  PutEmailIdentityDkimSigningAttributesCommand,
  PutEmailIdentityFeedbackAttributesCommand,
  PutEmailIdentityMailFromAttributesCommand,
  PutSuppressedDestinationCommand,
  SendEmailCommand,
  UpdateEmailIdentityPolicyCommand,
  type SendEmailCommandInput,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { capturedMessages, OTHER_ACCOUNT_KEY, sesv2Client, startSesd, awsFailure } from '../support/sesd.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';

const send = (from: string, to: string[] = ['someone@example.net']): SendEmailCommandInput => ({
  FromEmailAddress: from,
  Destination: { ToAddresses: to },
  Content: { Simple: { Subject: { Data: 'policy' }, Body: { Text: { Data: 'body' } } } },
});

describe.each(DIALECTS)('SES v2 identities and sending policy (%s)', (dialect) => {
  let db: TestDatabase;
  let dns: DnsServer;
  let app: RunningApp;
  let ses: SESv2Client;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    dns = await startDnsServer();
    // Real verification, as in production: auto-verify off.
    app = await startSesd(db, { SESD_AUTO_VERIFY: 'false', SESD_DNS_SERVERS: dns.address, SESD_IDENTITY_RECHECK_SECONDS: '3600' });
    ses = sesv2Client(app);
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
    await db?.drop();
  });

  it('refuses mail from an unverified sender with MessageRejected naming it', async () => {
    expect(await awsFailure(ses.send(new SendEmailCommand(send('nobody@unverified.example'))))).toEqual({
      name: 'MessageRejected',
      message: 'Email address is not verified. The following identities failed the check in region US-WEST-2: nobody@unverified.example',
      status: 400,
    });
  });

  it('verifies an email identity through the link in the captured verification message', async () => {
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'owner@mail.example' }));
    expect(created).toMatchObject({ IdentityType: 'EMAIL_ADDRESS', VerifiedForSendingStatus: false });
    expect((await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'owner@mail.example' }))).VerificationStatus).toBe('PENDING');

    const [message] = (await capturedMessages(app)).filter((m) => m.Destination.ToAddresses?.includes('owner@mail.example'));
    expect(message!.Subject).toBe('Email Address Verification Request in region us-west-2');
    const link = /(http:\/\/\S+\/_sesd\/verify-email\?token=\S+)/.exec(message!.Body.text_part!)![1]!;
    const page = await fetch(link);
    expect(page.status).toBe(200);

    const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'owner@mail.example' }));
    expect(identity).toMatchObject({ VerificationStatus: 'SUCCESS', VerifiedForSendingStatus: true });
    expect((await ses.send(new SendEmailCommand(send('owner@mail.example')))).MessageId).toBeTruthy();
    expect((await fetch(`${app.httpUrl}/_sesd/verify-email?token=forged`)).status).toBe(404);
  });

  it('verifies a domain once its Easy DKIM CNAME records resolve, and then its addresses may send', async () => {
    const created = await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'Example.ORG' }));
    expect(created.IdentityType).toBe('DOMAIN');
    const tokens = created.DkimAttributes!.Tokens!;
    expect(tokens).toHaveLength(3);
    expect(created.DkimAttributes).toMatchObject({ Status: 'PENDING', SigningAttributesOrigin: 'AWS_SES', SigningEnabled: true });

    await app.identities.recheckPending(Date.now());
    expect((await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'example.org' }))).VerificationStatus).toBe('PENDING');

    for (const token of tokens) dns.zone[`${token}._domainkey.example.org`] = { CNAME: [`${token}.dkim.sesd.local`] };
    await app.identities.recheckPending(Date.now());
    const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'example.org' }));
    expect(identity).toMatchObject({ VerificationStatus: 'SUCCESS', VerifiedForSendingStatus: true, DkimAttributes: { Status: 'SUCCESS' } });
    expect((await ses.send(new SendEmailCommand(send('anyone@example.org')))).MessageId).toBeTruthy();
    expect((await ses.send(new SendEmailCommand(send('news@sub.example.org')))).MessageId).toBeTruthy();
  });

  it('verifies a BYODKIM domain by the TXT record at the owner selector', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'byo.example' }));
    const put = await ses.send(
      new PutEmailIdentityDkimSigningAttributesCommand({
        EmailIdentity: 'byo.example',
        SigningAttributesOrigin: 'EXTERNAL',
        SigningAttributes: { DomainSigningSelector: 'sel1', DomainSigningPrivateKey: privateKey.export({ type: 'pkcs1', format: 'der' }).toString('base64') },
      }),
    );
    expect(put).toMatchObject({ DkimStatus: 'PENDING', DkimTokens: ['sel1'] });
    dns.zone['sel1._domainkey.byo.example'] = { TXT: [`v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`] };
    await app.identities.recheckPending(Date.now());
    expect((await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'byo.example' }))).DkimAttributes).toMatchObject({ Status: 'SUCCESS', SigningAttributesOrigin: 'EXTERNAL' });
    expect(await awsFailure(ses.send(new PutEmailIdentityDkimSigningAttributesCommand({ EmailIdentity: 'byo.example', SigningAttributesOrigin: 'EXTERNAL', SigningAttributes: { DomainSigningSelector: 's', DomainSigningPrivateKey: 'bm90IGEga2V5' } })))).toMatchObject({ name: 'BadRequestException' });
  });

  it('lists, pages, updates and deletes identities; refuses duplicates and unknown ones', async () => {
    // SES's text as AWS answered it (quoted in anomalyco/sst#4556 and namuh-eng/opensend#259).
    expect(await awsFailure(ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.org' })))).toEqual({
      name: 'AlreadyExistsException',
      message: 'Email identity example.org already exist.',
      status: 400,
    });
    expect(await awsFailure(ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'not a domain' })))).toMatchObject({ name: 'BadRequestException' });
    expect(await awsFailure(ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'missing.example' })))).toMatchObject({ name: 'NotFoundException', status: 404 });
    // PutEmailIdentityDkimAttributes words it its own way, naming the domain even for an address
    // (as reported from live AWS in floci-io/floci#723).
    for (const [EmailIdentity, domain] of [['missing.example', 'missing.example'], ['someone@missing.example', 'missing.example']]) {
      expect(await awsFailure(ses.send(new PutEmailIdentityDkimAttributesCommand({ EmailIdentity, SigningEnabled: true })))).toEqual({
        name: 'BadRequestException',
        message: `Domain ${domain} is not verified for DKIM signing.`,
        status: 400,
      });
    }
    // So does PutEmailIdentityMailFromAttributes (as reported from live AWS in floci-io/floci#716).
    expect(await awsFailure(ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'missing.example', MailFromDomain: 'mail.missing.example' })))).toEqual({
      name: 'BadRequestException',
      message: 'Identity <missing.example> does not exist.',
      status: 400,
    });

    const first = await ses.send(new ListEmailIdentitiesCommand({ PageSize: 2 }));
    expect(first.EmailIdentities).toHaveLength(2);
    const rest = await ses.send(new ListEmailIdentitiesCommand({ PageSize: 10, NextToken: first.NextToken }));
    const names = [...first.EmailIdentities!, ...rest.EmailIdentities!].map((i) => i.IdentityName);
    expect(names).toEqual(['byo.example', 'example.org', 'owner@mail.example']);

    // Without Bounce and Complaint topics, SES keeps feedback forwarding on (events-feedback.test.ts).
    expect(await awsFailure(ses.send(new PutEmailIdentityFeedbackAttributesCommand({ EmailIdentity: 'example.org', EmailForwardingEnabled: false })))).toMatchObject({ name: 'BadRequestException' });
    await ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'example.org', MailFromDomain: 'bounce.example.org', BehaviorOnMxFailure: 'REJECT_MESSAGE' }));
    expect(await awsFailure(ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'example.org', MailFromDomain: 'other.example' })))).toMatchObject({ name: 'BadRequestException' });
    const identity = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'example.org' }));
    expect(identity).toMatchObject({ FeedbackForwardingStatus: true, MailFromAttributes: { MailFromDomain: 'bounce.example.org', MailFromDomainStatus: 'PENDING', BehaviorOnMxFailure: 'REJECT_MESSAGE' } });
    // No MX for it: with REJECT_MESSAGE, example.org may not send until it is removed (mail-from-domain.test.ts).
    await ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'example.org' }));

    await ses.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'byo.example' }));
    expect(await awsFailure(ses.send(new DeleteEmailIdentityCommand({ EmailIdentity: 'byo.example' })))).toMatchObject({ name: 'NotFoundException' });
  });

  it('keeps sending-authorization policies per identity', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    await ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'p1', Policy: policy }));
    // The policy operations' own texts (as reported from live AWS in floci-io/floci#1750).
    expect(await awsFailure(ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'p1', Policy: policy })))).toEqual({
      name: 'AlreadyExistsException',
      message: 'Policy <p1> already exists',
      status: 400,
    });
    expect(await awsFailure(ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'ghost.example', PolicyName: 'p1', Policy: policy })))).toEqual({
      name: 'NotFoundException',
      message: 'Email identity <ghost.example> does not exist.',
      status: 404,
    });
    await ses.send(new UpdateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'p1', Policy: '{"Version":"2012-10-17"}' }));
    expect((await ses.send(new GetEmailIdentityPoliciesCommand({ EmailIdentity: 'example.org' }))).Policies).toEqual({ p1: '{"Version":"2012-10-17"}' });
    await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'p1' }));
    // As in SES, deleting a policy that is not there succeeds.
    await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'p1' }));
    expect(await awsFailure(ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'p2', Policy: 'not json' })))).toMatchObject({ name: 'BadRequestException' });
  });

  it("lets another account send from an identity only when the identity's policy authorizes it", async () => {
    const delegate = sesv2Client(app, OTHER_ACCOUNT_KEY);
    const input = { ...send('ops@example.org'), FromEmailAddressIdentityArn: 'arn:aws:ses:us-west-2:000000000000:identity/example.org' };
    expect(await awsFailure(delegate.send(new SendEmailCommand(input)))).toMatchObject({
      name: 'MessageRejected',
      message: 'User arn:aws:iam::111122223333:root is not authorized to send from identity arn:aws:ses:us-west-2:000000000000:identity/example.org.',
    });
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ses:SendEmail', 'ses:SendRawEmail'], Resource: '*' }] };
    await ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'delegate', Policy: JSON.stringify(policy) }));
    const { MessageId } = await delegate.send(new SendEmailCommand(input));
    const [stored] = await app.store.messages.list({ id: MessageId });
    expect(stored!.accountId).toBe(OTHER_ACCOUNT_KEY.accountId);
    // Without the ARN the delegate's own account has no such identity.
    expect(await awsFailure(delegate.send(new SendEmailCommand(send('ops@example.org'))))).toMatchObject({ name: 'MessageRejected' });
    await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'delegate' }));
  });

  it('keeps at most 20 policies on an identity (LimitExceededException for a 21st, as v1 refuses it)', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const names = Array.from({ length: 20 }, (_, i) => `limit-${i}`);
    for (const PolicyName of names) await ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName, Policy: policy }));
    try {
      expect(await awsFailure(ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'limit-20', Policy: policy })))).toEqual({
        name: 'LimitExceededException',
        message: 'Number of policies for <example.org> exceeds max allowed number of policies per resource',
        status: 400,
      });
      await ses.send(new UpdateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'limit-0', Policy: policy }));
    } finally {
      for (const PolicyName of names) await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName }));
    }
  });

  it('holds FeedbackForwardingEmailAddressIdentityArn to sending authorization, as FromEmailAddressIdentityArn', async () => {
    const delegate = sesv2Client(app, OTHER_ACCOUNT_KEY);
    const arn = 'arn:aws:ses:us-west-2:000000000000:identity/example.org';
    const input = { ...send('ops@example.org'), FromEmailAddressIdentityArn: arn, FeedbackForwardingEmailAddress: 'feedback@example.org', FeedbackForwardingEmailAddressIdentityArn: arn };
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: ['ses:SendEmail'], Resource: '*' }] };
    await ses.send(new CreateEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'delegate', Policy: JSON.stringify(policy) }));
    try {
      expect((await delegate.send(new SendEmailCommand(input))).MessageId).toBeDefined();
      // An ARN whose identity does not cover the feedback address is refused, naming both.
      expect(await awsFailure(delegate.send(new SendEmailCommand({ ...input, FeedbackForwardingEmailAddress: 'feedback@elsewhere.example' })))).toMatchObject({
        name: 'MessageRejected',
        message: `Email address is not verified. The following identities failed the check in region US-WEST-2: feedback@elsewhere.example, ${arn}`,
      });
      // Another identity of the owner, whose policies do not allow the delegate: refused, naming it.
      const other = 'arn:aws:ses:us-west-2:000000000000:identity/owner@mail.example';
      expect(await awsFailure(delegate.send(new SendEmailCommand({ ...input, FeedbackForwardingEmailAddress: 'owner@mail.example', FeedbackForwardingEmailAddressIdentityArn: other })))).toMatchObject({
        name: 'MessageRejected',
        message: expect.stringContaining(other),
      });
    } finally {
      await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'example.org', PolicyName: 'delegate' }));
    }
  });

  it('bounces a send to a suppressed address (OnAccountSuppressionList) without a delivery', async () => {
    await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'gone@Example.net', Reason: 'BOUNCE' }));
    expect((await ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'gone@example.net' }))).SuppressedDestination).toMatchObject({ EmailAddress: 'gone@example.net', Reason: 'BOUNCE' });
    const sent = await ses.send(new SendEmailCommand(send('anyone@example.org', ['gone@example.net', 'fine@example.net'])));
    const events = (await (await fetch(`${app.httpUrl}/_sesd/messages/${sent.MessageId}/events`)).json()) as {
      events: { type: string; payload: { bounce?: { bounceType: string; bounceSubType: string; bouncedRecipients: { emailAddress: string }[] } } }[];
      recipients: { recipient: string; status: string }[];
    };
    expect(events.recipients).toEqual([
      { recipient: 'gone@example.net', status: 'suppressed' },
      { recipient: 'fine@example.net', status: expect.any(String) },
    ]);
    const bounce = events.events.find((e) => e.type === 'Bounce')!.payload.bounce!;
    expect(bounce).toMatchObject({ bounceType: 'Permanent', bounceSubType: 'OnAccountSuppressionList', bouncedRecipients: [{ emailAddress: 'gone@example.net' }] });

    const insights = await ses.send(new GetMessageInsightsCommand({ MessageId: sent.MessageId }));
    // Mail to two recipients: GetMessageInsights leaves its bounces out (SES's API reference, InsightsEvent).
    expect(insights.Insights!.find((i) => i.Destination === 'gone@example.net')!.Events!.map((e) => e.Type)).toEqual(['SEND']);

    const listed = await ses.send(new ListSuppressedDestinationsCommand({ Reasons: ['BOUNCE'] }));
    expect(listed.SuppressedDestinationSummaries!.map((s) => s.EmailAddress)).toEqual(['gone@example.net']);
    await ses.send(new DeleteSuppressedDestinationCommand({ EmailAddress: 'gone@example.net' }));
    expect(await awsFailure(ses.send(new GetSuppressedDestinationCommand({ EmailAddress: 'gone@example.net' })))).toMatchObject({ name: 'NotFoundException', status: 404 });
  });

  it('keeps a default configuration set only when it exists, and refuses a send through one deleted since', async () => {
    expect(await awsFailure(ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'defaults.example', ConfigurationSetName: 'nope' })))).toEqual({
      name: 'NotFoundException',
      message: 'Configuration set <nope> does not exist.',
      status: 404,
    });
    expect(await awsFailure(ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'defaults.example' })))).toMatchObject({ name: 'NotFoundException' });
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'defaults' }));
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'defaults@example.org', ConfigurationSetName: 'defaults' }));
    expect(await awsFailure(ses.send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: 'defaults@example.org', ConfigurationSetName: 'gone' })))).toMatchObject({
      name: 'NotFoundException',
      status: 404,
    });
    await ses.send(new DeleteConfigurationSetCommand({ ConfigurationSetName: 'defaults' }));
    // SES's guide: such a send "fails with a 'bad request' error".
    expect(await awsFailure(ses.send(new SendEmailCommand(send('defaults@example.org'))))).toMatchObject({
      name: 'BadRequestException',
      message: expect.stringContaining('Configuration set <defaults> does not exist'),
      status: 400,
    });
  });

  it('shows SendingEnabled only for verified identities, and MailFromAttributes without a MAIL FROM domain', async () => {
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'pending.example' }));
    const listed = (await ses.send(new ListEmailIdentitiesCommand({}))).EmailIdentities!;
    expect(listed.find((i) => i.IdentityName === 'pending.example')).toMatchObject({ SendingEnabled: false, VerificationStatus: 'PENDING' });
    expect(listed.find((i) => i.IdentityName === 'example.org')).toMatchObject({ SendingEnabled: true, VerificationStatus: 'SUCCESS' });
    expect((await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'pending.example' }))).MailFromAttributes).toEqual({ BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' });

    // A new Easy DKIM key length is a new key behind the same tokens: DKIM and the domain stay verified.
    const rotated = await ses.send(new PutEmailIdentityDkimSigningAttributesCommand({ EmailIdentity: 'example.org', SigningAttributesOrigin: 'AWS_SES', SigningAttributes: { NextSigningKeyLength: 'RSA_1024_BIT' } }));
    expect(rotated.DkimStatus).toBe('SUCCESS');
    expect(await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'example.org' }))).toMatchObject({ VerifiedForSendingStatus: true, VerificationStatus: 'SUCCESS' });

    // An address shows its domain's DKIM; setting it on the address changes nothing; keys are for domains.
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'dkim-reader@example.org' }));
    expect((await ses.send(new GetEmailIdentityCommand({ EmailIdentity: 'dkim-reader@example.org' }))).DkimAttributes).toMatchObject({ Tokens: rotated.DkimTokens, Status: 'SUCCESS' });
    await ses.send(new PutEmailIdentityDkimAttributesCommand({ EmailIdentity: 'dkim-reader@example.org', SigningEnabled: false }));
    expect(await awsFailure(ses.send(new PutEmailIdentityDkimSigningAttributesCommand({ EmailIdentity: 'dkim-reader@example.org', SigningAttributesOrigin: 'AWS_SES' })))).toEqual({
      name: 'BadRequestException',
      message: 'The EmailIdentity value must be a valid domain.',
      status: 400,
    });
  });

  it('refuses what names a feature sesd does not have (tenants, address validation) rather than acting on the account', async () => {
    const refused = async (request: Promise<unknown>) => awsFailure(request);
    expect(await refused(ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'x@example.net', Reason: 'BOUNCE', TenantName: 'shop' })))).toEqual({
      name: 'BadRequestException',
      message: 'sesd does not support tenants (TenantName).',
      status: 400,
    });
    expect((await ses.send(new ListSuppressedDestinationsCommand({}))).SuppressedDestinationSummaries).toEqual([]);
    const enabled = { ConditionThreshold: { ConditionThresholdEnabled: 'ENABLED' as const } };
    expect((await refused(ses.send(new PutAccountSuppressionAttributesCommand({ SuppressedReasons: ['BOUNCE'], ValidationAttributes: enabled })))).message).toBe(
      'sesd does not support automatic email address validation (ValidationAttributes).',
    );
    expect((await refused(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'validating', SuppressionOptions: { ValidationOptions: enabled } })))).message).toBe(
      'sesd does not support automatic email address validation (ValidationOptions).',
    );
    // Asking for validation to stay off is asking for what sesd does.
    await ses.send(new PutAccountSuppressionAttributesCommand({ SuppressedReasons: ['BOUNCE', 'COMPLAINT'], ValidationAttributes: { ConditionThreshold: { ConditionThresholdEnabled: 'DISABLED' } } }));
  });

  it('answers a NextToken it did not give with InvalidNextTokenException (ListSuppressedDestinations)', async () => {
    expect(await awsFailure(ses.send(new ListSuppressedDestinationsCommand({ NextToken: 'garbage' })))).toEqual({
      name: 'InvalidNextTokenException',
      message: 'The specified request includes an invalid or expired token.',
      status: 400,
    });
  });

  it('counts real sends in GetAccount and pauses sending when the account says so', async () => {
    const account = await ses.send(new GetAccountCommand({}));
    expect(account).toMatchObject({ SendingEnabled: true, ProductionAccessEnabled: true, SendQuota: { Max24HourSend: -1, MaxSendRate: -1 } });
    expect(account.SendQuota!.SentLast24Hours).toBeGreaterThanOrEqual(5);

    await ses.send(new PutAccountSendingAttributesCommand({ SendingEnabled: false }));
    expect(await awsFailure(ses.send(new SendEmailCommand(send('anyone@example.org'))))).toMatchObject({ name: 'SendingPausedException', status: 400 });
    await ses.send(new PutAccountSendingAttributesCommand({ SendingEnabled: true }));
  });

  it('throttles over the per-second and daily quotas, and keeps sandbox accounts to verified recipients', async () => {
    const scope = { accountId: '000000000000', region: 'us-west-2' };
    const settings = (await app.store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
    await app.store.accountSettings.put(scope, { ...settings, max24HourSend: 1 });
    expect(await awsFailure(ses.send(new SendEmailCommand(send('anyone@example.org'))))).toEqual({ name: 'TooManyRequestsException', message: 'Daily message quota exceeded.', status: 429 });
    await app.store.accountSettings.put(scope, { ...settings, maxSendRate: 0 });
    expect(await awsFailure(ses.send(new SendEmailCommand(send('anyone@example.org'))))).toMatchObject({ name: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' });

    await app.store.accountSettings.put(scope, { ...settings, productionAccess: false });
    expect(await awsFailure(ses.send(new SendEmailCommand(send('anyone@example.org', ['stranger@example.net']))))).toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('stranger@example.net'),
    });
    expect((await ses.send(new SendEmailCommand(send('anyone@example.org', ['owner@mail.example', 'success@simulator.amazonses.com'])))).MessageId).toBeTruthy();
    await app.store.accountSettings.put(scope, settings);
  });
});
