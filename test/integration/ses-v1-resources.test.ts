// The SES v1 template, custom verification and configuration set actions through
// @aws-sdk/client-ses over a real socket, on every database: the v1 shapes and error codes on the
// same domain rules (and the same stored resources) as SES v2.
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateConfigurationSetTrackingOptionsCommand,
  CreateCustomVerificationEmailTemplateCommand,
  CreateTemplateCommand,
  DeleteConfigurationSetCommand,
  DeleteConfigurationSetEventDestinationCommand,
  DeleteConfigurationSetTrackingOptionsCommand,
  DeleteCustomVerificationEmailTemplateCommand,
  DeleteIdentityCommand,
  DeleteTemplateCommand,
  DescribeConfigurationSetCommand,
  GetCustomVerificationEmailTemplateCommand,
  GetIdentityVerificationAttributesCommand,
  GetTemplateCommand,
  ListConfigurationSetsCommand,
  ListCustomVerificationEmailTemplatesCommand,
  ListTemplatesCommand,
  PutConfigurationSetDeliveryOptionsCommand,
  SendBounceCommand,
  SendCustomVerificationEmailCommand,
  SendEmailCommand,
  TestRenderTemplateCommand,
  UpdateConfigurationSetEventDestinationCommand,
  UpdateConfigurationSetReputationMetricsEnabledCommand,
  UpdateConfigurationSetSendingEnabledCommand,
  UpdateConfigurationSetTrackingOptionsCommand,
  UpdateCustomVerificationEmailTemplateCommand,
  UpdateTemplateCommand,
  VerifyDomainIdentityCommand,
  VerifyEmailIdentityCommand,
  type SESClient,
} from '@aws-sdk/client-ses';
import {
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailTemplateCommand,
  PutConfigurationSetDeliveryOptionsCommand as V2PutDeliveryOptionsCommand,
  CreateCustomVerificationEmailTemplateCommand as V2CreateCustomVerificationEmailTemplateCommand,
  SendCustomVerificationEmailCommand as V2SendCustomVerificationEmailCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { DEFAULT_ACCOUNT_ID } from '../../src/domain/access-keys.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { awsFailure, capturedMessages, sesClient, sesv2Client, startSesd, TEST_KEY } from '../support/sesd.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';

const LINK = /http:\/\/[^\s"<]+\/_sesd\/verify-email\?token=[\w-]+/;

describe.each(DIALECTS)('SES v1 templates, custom verification and configuration sets (%s)', (dialect) => {
  let db: TestDatabase;
  let dns: DnsServer;
  let app: RunningApp;
  let ses: SESClient;
  let sesv2: SESv2Client;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    dns = await startDnsServer();
    app = await startSesd(db, { SESD_AUTO_VERIFY: 'false', SESD_DNS_SERVERS: dns.address, SESD_IDENTITY_RECHECK_SECONDS: '3600' });
    ses = sesClient(app);
    sesv2 = sesv2Client(app);
    // SES refuses an SNS destination whose topic does not exist.
    await new SNSClient({ endpoint: app.httpUrl, region: 'us-west-2', credentials: TEST_KEY, maxAttempts: 1 }).send(new CreateTopicCommand({ Name: 't' }));
  });
  afterAll(async () => {
    await app?.close();
    await dns?.close();
    await db?.drop();
  });

  /** Follows the verification link of the last message captured for `address`. */
  async function followVerificationLink(address: string): Promise<{ status: number; html: string }> {
    const mine = (await capturedMessages(app)).filter((m) => m.Destination.ToAddresses?.includes(address));
    const body = mine.at(-1)?.Body;
    const link = LINK.exec(body?.html_part ?? body?.text_part ?? '')?.[0];
    if (!link) throw new Error(`no verification link captured for ${address}`);
    const res = await fetch(link);
    return { status: res.status, html: await res.text() };
  }

  const status = async (address: string) =>
    (await ses.send(new GetIdentityVerificationAttributesCommand({ Identities: [address] }))).VerificationAttributes?.[address]?.VerificationStatus;

  describe('email templates', () => {
    it('creates, reads, lists, updates, renders and deletes a template in v1 shapes', async () => {
      await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'welcome', SubjectPart: 'Hi {{name}}', TextPart: 'Hello {{name}}', HtmlPart: '<b>{{name}}</b>' } }));
      await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'second', SubjectPart: 'Two' } }));
      expect((await ses.send(new GetTemplateCommand({ TemplateName: 'welcome' }))).Template).toEqual({
        TemplateName: 'welcome',
        SubjectPart: 'Hi {{name}}',
        TextPart: 'Hello {{name}}',
        HtmlPart: '<b>{{name}}</b>',
      });
      // The same template through SES v2.
      expect((await sesv2.send(new GetEmailTemplateCommand({ TemplateName: 'welcome' }))).TemplateContent).toEqual({ Subject: 'Hi {{name}}', Text: 'Hello {{name}}', Html: '<b>{{name}}</b>' });

      // Newest first, one a page.
      const first = await ses.send(new ListTemplatesCommand({ MaxItems: 1 }));
      expect(first.TemplatesMetadata).toEqual([{ Name: 'second', CreatedTimestamp: expect.any(Date) }]);
      const next = await ses.send(new ListTemplatesCommand({ MaxItems: 1, NextToken: first.NextToken }));
      expect(next.TemplatesMetadata!.map((t) => t.Name)).toEqual(['welcome']);
      expect(next.NextToken).toBeUndefined();

      await ses.send(new UpdateTemplateCommand({ Template: { TemplateName: 'welcome', SubjectPart: 'Welcome {{user.name}}', TextPart: 'Dear {{user.name}}' } }));
      const { RenderedTemplate } = await ses.send(new TestRenderTemplateCommand({ TemplateName: 'welcome', TemplateData: '{"user":{"name":"Ana"}}' }));
      expect(RenderedTemplate).toMatch(/^Subject: Welcome Ana\r?$/m);
      expect(RenderedTemplate).toMatch(/Dear Ana/);
      expect(RenderedTemplate).toMatch(/^MIME-Version: 1\.0\r?$/m);

      await ses.send(new DeleteTemplateCommand({ TemplateName: 'second' }));
      expect(await awsFailure(ses.send(new GetTemplateCommand({ TemplateName: 'second' })))).toEqual({ name: 'TemplateDoesNotExistException', message: 'Template second does not exist.', status: 400 });
    });

    it('refuses a duplicate, a missing template, invalid names and templates, and bad rendering data with v1 codes', async () => {
      await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'refusals', SubjectPart: 'Hi {{name}}' } }));
      expect(await awsFailure(ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'refusals', SubjectPart: 'x' } })))).toEqual({
        name: 'AlreadyExistsException',
        message: 'Template refusals already exists.',
        status: 400,
      });
      for (const command of [
        new UpdateTemplateCommand({ Template: { TemplateName: 'nope', SubjectPart: 'x' } }),
        new DeleteTemplateCommand({ TemplateName: 'nope' }),
        new TestRenderTemplateCommand({ TemplateName: 'nope', TemplateData: '{}' }),
      ]) {
        expect(await awsFailure(ses.send(command as never))).toMatchObject({ name: 'TemplateDoesNotExistException', message: 'Template nope does not exist.', status: 400 });
      }
      expect(await awsFailure(ses.send(new CreateTemplateCommand({ Template: { TemplateName: ' padded ', SubjectPart: 'x' } })))).toMatchObject({
        name: 'InvalidParameterValue',
        message: 'Template name must not begin or end with whitespace.',
      });
      expect(await awsFailure(ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'empty' } })))).toMatchObject({ name: 'InvalidParameterValue' });
      expect(await awsFailure(ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'broken', SubjectPart: 'Hi {{#if a}}' } })))).toMatchObject({
        name: 'InvalidTemplateException',
        status: 400,
      });
      expect(await awsFailure(ses.send(new TestRenderTemplateCommand({ TemplateName: 'refusals', TemplateData: '{}' })))).toEqual({
        name: 'MissingRenderingAttributeException',
        message: "Attribute 'name' is not present in the rendering data.",
        status: 400,
      });
      expect(await awsFailure(ses.send(new TestRenderTemplateCommand({ TemplateName: 'refusals', TemplateData: '[1]' })))).toEqual({
        name: 'InvalidRenderingParameterException',
        message: 'Invalid TemplateData: the value must be a JSON object.',
        status: 400,
      });
    });
  });

  describe('custom verification emails', () => {
    const template = {
      TemplateName: 'custom',
      FromEmailAddress: 'Team <team@cv.example>',
      TemplateSubject: 'Please confirm your address',
      TemplateContent: '<html><body><h1>Confirm</h1><p>Click below.</p></body></html>',
      SuccessRedirectionURL: 'https://app.example/ok',
      FailureRedirectionURL: 'https://app.example/failed',
    };

    /** Verifies team@cv.example, the templates' sender, by its verification link. */
    async function verifySender(): Promise<void> {
      await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'team@cv.example' }));
      expect(await status('team@cv.example')).toBe('Pending');
      expect((await followVerificationLink('team@cv.example')).status).toBe(200);
      expect(await status('team@cv.example')).toBe('Success');
    }

    it('manages custom verification templates in v1 (the v2 members)', async () => {
      // The sender must be verified to make a template with it (floci-io/floci#1840, verified
      // against AWS: v1 FromEmailAddressNotVerified, v2 NotFoundException).
      expect(await awsFailure(ses.send(new CreateCustomVerificationEmailTemplateCommand(template)))).toEqual({
        name: 'FromEmailAddressNotVerifiedException',
        message: 'The from email address <Team <team@cv.example>> is not verified',
        status: 400,
      });
      expect(await awsFailure(sesv2.send(new V2CreateCustomVerificationEmailTemplateCommand(template)))).toMatchObject({ name: 'NotFoundException', status: 404 });
      await verifySender();
      await ses.send(new CreateCustomVerificationEmailTemplateCommand(template));
      await ses.send(new CreateCustomVerificationEmailTemplateCommand({ ...template, TemplateName: 'other' }));
      expect(await ses.send(new GetCustomVerificationEmailTemplateCommand({ TemplateName: 'custom' }))).toMatchObject(template);
      const first = await ses.send(new ListCustomVerificationEmailTemplatesCommand({ MaxResults: 1 }));
      expect(first.CustomVerificationEmailTemplates).toHaveLength(1);
      const rest = await ses.send(new ListCustomVerificationEmailTemplatesCommand({ MaxResults: 1, NextToken: first.NextToken }));
      const listed = [...first.CustomVerificationEmailTemplates!, ...rest.CustomVerificationEmailTemplates!];
      expect(listed.map((t) => t.TemplateName).sort()).toEqual(['custom', 'other']);
      const { TemplateContent: _content, ...metadata } = template;
      expect(listed.find((t) => t.TemplateName === 'custom')).toEqual(metadata);

      // v1's update may leave members out: the template keeps them.
      await ses.send(new UpdateCustomVerificationEmailTemplateCommand({ TemplateName: 'other', TemplateSubject: 'Changed' }));
      expect(await ses.send(new GetCustomVerificationEmailTemplateCommand({ TemplateName: 'other' }))).toMatchObject({ ...template, TemplateName: 'other', TemplateSubject: 'Changed' });
      expect(await awsFailure(ses.send(new UpdateCustomVerificationEmailTemplateCommand({ TemplateName: 'nope', TemplateSubject: 'x' })))).toMatchObject({
        name: 'CustomVerificationEmailTemplateDoesNotExistException',
        status: 400,
      });
      expect(await awsFailure(ses.send(new CreateCustomVerificationEmailTemplateCommand(template)))).toEqual({
        name: 'CustomVerificationEmailTemplateAlreadyExistsException',
        message: 'Custom verification email template <custom> already exists',
        status: 400,
      });
      await ses.send(new DeleteCustomVerificationEmailTemplateCommand({ TemplateName: 'other' }));
      expect(await awsFailure(ses.send(new GetCustomVerificationEmailTemplateCommand({ TemplateName: 'other' })))).toEqual({
        name: 'CustomVerificationEmailTemplateDoesNotExistException',
        message: 'Custom verification email template <other> does not exist',
        status: 400,
      });
      expect(await awsFailure(ses.send(new DeleteCustomVerificationEmailTemplateCommand({ TemplateName: 'other' })))).toMatchObject({
        name: 'CustomVerificationEmailTemplateDoesNotExistException',
      });
    });

    it('refuses to send from an unverified FromEmailAddress, with a missing template or configuration set', async () => {
      // A sender that was verified when the template was made, and is no longer.
      await ses.send(new DeleteIdentityCommand({ Identity: 'team@cv.example' }));
      expect(await awsFailure(ses.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'custom' })))).toEqual({
        name: 'FromEmailAddressNotVerifiedException',
        message: 'The custom verification email sender team@cv.example is not a verified identity in region US-WEST-2.',
        status: 400,
      });
      expect(await awsFailure(sesv2.send(new V2SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'custom' })))).toMatchObject({
        name: 'MessageRejected',
        status: 400,
      });
      expect(await awsFailure(ses.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'nope' })))).toMatchObject({
        name: 'CustomVerificationEmailTemplateDoesNotExistException',
        status: 400,
      });
      expect(await awsFailure(sesv2.send(new V2SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'nope' })))).toMatchObject({
        name: 'NotFoundException',
        status: 404,
      });
      expect(
        await awsFailure(ses.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'custom', ConfigurationSetName: 'missing-set' }))),
      ).toEqual({ name: 'ConfigurationSetDoesNotExistException', message: 'Configuration set <missing-set> does not exist.', status: 400 });
      // Nothing was created by the refusals.
      expect(await status('new@example.net')).toBeUndefined();
    });

    it('sends the custom template from the verified sender with a link that verifies the address (v1 and v2)', async () => {
      await verifySender();

      const { MessageId } = await ses.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'custom' }));
      expect(MessageId).toMatch(/^[0-9a-f]{16}-[0-9a-f-]{36}-000000$/);
      const [m] = await capturedMessages(app, `?id=${MessageId}`);
      expect(m).toMatchObject({ Source: 'team@cv.example', Subject: 'Please confirm your address', Destination: { ToAddresses: ['new@example.net'] } });
      // The link, then SES's fixed disclaimer (SES Developer Guide, custom verification FAQ Q2, Q10), sit at the end of the template's body.
      expect(m!.Body.html_part).toMatch(
        new RegExp(
          `^<html><body><h1>Confirm</h1><p>Click below.</p><p><a href="(${LINK.source})">\\1</a></p>\\n` +
            '<p>If you did not request to verify this email address, please disregard this message. If you have any concerns, please forward this message to the ' +
            'following <a href="mailto:team@cv.example">email address</a> along with your questions or comments.</p>\\n</body></html>$',
        ),
      );
      expect(await status('new@example.net')).toBe('Pending');
      expect((await followVerificationLink('new@example.net')).status).toBe(200);
      expect(await status('new@example.net')).toBe('Success');

      // SES v2, with a configuration set: the message carries it like any other.
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'cv-set' } }));
      const v2 = await sesv2.send(new V2SendCustomVerificationEmailCommand({ EmailAddress: 'Other@Example.NET', TemplateName: 'custom', ConfigurationSetName: 'cv-set' }));
      const [stored] = await app.store.messages.list({ id: v2.MessageId });
      expect(stored).toMatchObject({ sourceApi: 'sesv2', configurationSet: 'cv-set', envelopeFrom: 'team@cv.example' });
      expect(await status('Other@example.net')).toBe('Pending');
    });

    it('refuses accounts in the sandbox with ProductionAccessNotGranted', async () => {
      const scope = { accountId: DEFAULT_ACCOUNT_ID, region: 'us-west-2' };
      await app.store.accountSettings.put(scope, { ...DEFAULT_ACCOUNT_SETTINGS, productionAccess: false });
      try {
        expect(await awsFailure(ses.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'sandboxed@example.net', TemplateName: 'custom' })))).toMatchObject({
          name: 'ProductionAccessNotGrantedException',
          status: 400,
        });
      } finally {
        await app.store.accountSettings.put(scope, { ...DEFAULT_ACCOUNT_SETTINGS });
      }
    });
  });

  it('answers SendBounce with MessageRejected: sesd receives no mail to bounce', async () => {
    expect(
      await awsFailure(
        ses.send(
          new SendBounceCommand({
            OriginalMessageId: 'received-1',
            BounceSender: 'team@cv.example',
            BouncedRecipientInfoList: [{ Recipient: 'someone@cv.example', BounceType: 'DoesNotExist' }],
          }),
        ),
      ),
    ).toEqual({
      name: 'MessageRejected',
      message: 'Could not find the original message received-1 to bounce: sesd receives no mail (no receipt rules), so SendBounce has no message to answer.',
      status: 400,
    });
  });

  describe('configuration sets', () => {
    it('creates, describes, lists and deletes sets, refusing duplicates, bad names and missing sets', async () => {
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'alpha' } }));
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'beta' } }));
      expect(await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'alpha' }))).toMatchObject({ ConfigurationSet: { Name: 'alpha' } });
      const described = await ses.send(
        new DescribeConfigurationSetCommand({ ConfigurationSetName: 'alpha', ConfigurationSetAttributeNames: ['eventDestinations', 'trackingOptions', 'deliveryOptions', 'reputationOptions'] }),
      );
      // As SES v1 makes a set: no delivery options until a TLS policy is put, reputation metrics off.
      expect(described).toMatchObject({
        ConfigurationSet: { Name: 'alpha' },
        EventDestinations: [],
        ReputationOptions: { SendingEnabled: true, ReputationMetricsEnabled: false },
      });
      expect(described.TrackingOptions).toBeUndefined();
      expect(described.DeliveryOptions).toBeUndefined();
      expect(described.ReputationOptions?.LastFreshStart).toBeUndefined();
      expect((await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'alpha' }))).ReputationOptions).toEqual({ ReputationMetricsEnabled: false });

      const first = await ses.send(new ListConfigurationSetsCommand({ MaxItems: 1 }));
      const rest = await ses.send(new ListConfigurationSetsCommand({ NextToken: first.NextToken }));
      expect([...first.ConfigurationSets!, ...rest.ConfigurationSets!].map((s) => s.Name)).toEqual(expect.arrayContaining(['alpha', 'beta']));
      expect(first.ConfigurationSets).toHaveLength(1);

      expect(await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'alpha' } })))).toEqual({
        name: 'ConfigurationSetAlreadyExistsException',
        message: 'Configuration set <alpha> already exists.',
        status: 400,
      });
      expect(await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'has space' } })))).toEqual({
        name: 'InvalidConfigurationSetException',
        message: "Invalid configuration set name <has space>: only alphanumeric ASCII characters, '_', and '-' are allowed.",
        status: 400,
      });
      await ses.send(new DeleteConfigurationSetCommand({ ConfigurationSetName: 'beta' }));
      for (const command of [new DescribeConfigurationSetCommand({ ConfigurationSetName: 'beta' }), new DeleteConfigurationSetCommand({ ConfigurationSetName: 'beta' })]) {
        expect(await awsFailure(ses.send(command as never))).toEqual({
          name: 'ConfigurationSetDoesNotExistException',
          message: 'Configuration set <beta> does not exist.',
          status: 400,
        });
      }
    });

    it('maps v1 event destinations onto the stored v2 ones, both ways', async () => {
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'events' } }));
      await ses.send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: 'events',
          EventDestination: {
            Name: 'metrics',
            Enabled: true,
            MatchingEventTypes: ['send', 'bounce', 'renderingFailure'],
            CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'campaign', DimensionValueSource: 'messageTag', DefaultDimensionValue: 'none' }] },
          },
        }),
      );
      expect((await sesv2.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'events' }))).EventDestinations).toEqual([
        {
          Name: 'metrics',
          Enabled: true,
          MatchingEventTypes: ['SEND', 'BOUNCE', 'RENDERING_FAILURE'],
          CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'campaign', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' }] },
        },
      ]);

      await ses.send(
        new UpdateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: 'events',
          EventDestination: { Name: 'metrics', MatchingEventTypes: ['delivery', 'complaint'], SNSDestination: { TopicARN: 'arn:aws:sns:us-west-2:000000000000:t' } },
        }),
      );
      await ses.send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: 'events',
          EventDestination: {
            Name: 'stream',
            Enabled: true,
            MatchingEventTypes: ['open', 'click'],
            KinesisFirehoseDestination: { IAMRoleARN: 'arn:aws:iam::000000000000:role/r', DeliveryStreamARN: 'arn:aws:firehose:us-west-2:000000000000:deliverystream/s' },
          },
        }),
      );
      const { EventDestinations } = await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'events', ConfigurationSetAttributeNames: ['eventDestinations'] }));
      expect(EventDestinations).toEqual([
        { Name: 'metrics', Enabled: false, MatchingEventTypes: ['delivery', 'complaint'], SNSDestination: { TopicARN: 'arn:aws:sns:us-west-2:000000000000:t' } },
        {
          Name: 'stream',
          Enabled: true,
          MatchingEventTypes: ['open', 'click'],
          KinesisFirehoseDestination: { IAMRoleARN: 'arn:aws:iam::000000000000:role/r', DeliveryStreamARN: 'arn:aws:firehose:us-west-2:000000000000:deliverystream/s' },
        },
      ]);

      // An event type outside the enum: the list is named, not its element, and no value is echoed,
      // as SES v1 answers (marckohlbrugge/sessy#190; the enum in the model's order here).
      const badType = await awsFailure(
        ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'events', EventDestination: { Name: 'typo', MatchingEventTypes: ['send', 'deliveryDelay'] as never, SNSDestination: { TopicARN: 'arn:aws:sns:us-west-2:000000000000:t' } } })),
      );
      expect(badType).toMatchObject({ name: 'ValidationError', status: 400 });
      expect(badType.message).toMatch(/^1 validation error detected: Value at 'eventDestination\.matchingEventTypes' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[send, [a-zA-Z, ]+\]\]$/);

      // SES v1's own codes for destinations it cannot use (the texts are sesd's).
      const refused = (EventDestination: Record<string, unknown>) =>
        awsFailure(ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'events', EventDestination: { Name: 'bad', MatchingEventTypes: ['send'], ...EventDestination } })));
      expect(await refused({ KinesisFirehoseDestination: { IAMRoleARN: 'bad', DeliveryStreamARN: 'arn:aws:firehose:us-west-2:000000000000:deliverystream/s' } })).toMatchObject({
        name: 'InvalidFirehoseDestinationException',
        status: 400,
      });
      expect(await refused({ CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'a b', DimensionValueSource: 'messageTag', DefaultDimensionValue: 'x' }] } })).toMatchObject({
        name: 'InvalidCloudWatchDestinationException',
        status: 400,
      });
      expect(await refused({ SNSDestination: { TopicARN: 'not-an-arn' } })).toMatchObject({ name: 'InvalidSNSDestinationException', status: 400 });

      expect(
        await awsFailure(
          ses.send(
            new CreateConfigurationSetEventDestinationCommand({
              ConfigurationSetName: 'events',
              EventDestination: { Name: 'stream', MatchingEventTypes: ['send'], SNSDestination: { TopicARN: 'arn:aws:sns:us-west-2:000000000000:t' } },
            }),
          ),
        ),
      ).toEqual({ name: 'EventDestinationAlreadyExistsException', message: 'An event destination with name <stream> already exists for configuration set <events>.', status: 400 });
      await ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'events', EventDestinationName: 'stream' }));
      // SES v1's wording, recorded in LocalStack's test_ses.snapshot.json
      // (test_deleting_non_existent_configuration_set_event_destination).
      expect(await awsFailure(ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'events', EventDestinationName: 'stream' })))).toEqual({
        name: 'EventDestinationDoesNotExistException',
        message: 'No EventDestination found for events',
        status: 400,
      });
      expect(
        await awsFailure(
          ses.send(
            new UpdateConfigurationSetEventDestinationCommand({
              ConfigurationSetName: 'nope',
              EventDestination: { Name: 'x', MatchingEventTypes: ['send'], SNSDestination: { TopicARN: 'arn:aws:sns:us-west-2:000000000000:t' } },
            }),
          ),
        ),
      ).toMatchObject({ name: 'ConfigurationSetDoesNotExistException' });
      // Recorded in LocalStack's test_ses.snapshot.json (test_creating_event_destination_without_configuration_set,
      // test_trying_to_delete_event_destination_from_non_existent_configuration_set).
      const missingSet = { name: 'ConfigurationSetDoesNotExistException', message: 'Configuration set <nope> does not exist.', status: 400 };
      expect(
        await awsFailure(
          ses.send(
            new CreateConfigurationSetEventDestinationCommand({
              ConfigurationSetName: 'nope',
              EventDestination: { Name: 'x', MatchingEventTypes: ['send'], SNSDestination: { TopicARN: 'arn:aws:sns:us-west-2:000000000000:t' } },
            }),
          ),
        ),
      ).toEqual(missingSet);
      expect(await awsFailure(ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'nope', EventDestinationName: 'x' })))).toEqual(missingSet);
      // Recorded in LocalStack's test_ses.snapshot.json (test_cannot_create_event_for_no_topic).
      const noTopic = 'arn:aws:sns:us-west-2:000000000000:no-such-topic';
      expect(
        await awsFailure(
          ses.send(
            new CreateConfigurationSetEventDestinationCommand({
              ConfigurationSetName: 'events',
              EventDestination: { Name: 'lost', MatchingEventTypes: ['send'], SNSDestination: { TopicARN: noTopic } },
            }),
          ),
        ),
      ).toEqual({ name: 'InvalidSNSDestinationException', message: `SNS topic <${noTopic}> not found.`, status: 400 });
    });

    it('creates, updates and deletes tracking options on a verified domain only', async () => {
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'tracked' } }));
      expect(
        await awsFailure(ses.send(new CreateConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', TrackingOptions: { CustomRedirectDomain: 'click.example' } }))),
      ).toEqual({ name: 'InvalidTrackingOptionsException', message: 'Domain <click.example> is not verified under this account.', status: 400 });
      for (const domain of ['click.example', 'links.example']) {
        const { VerificationToken } = await ses.send(new VerifyDomainIdentityCommand({ Domain: domain }));
        dns.zone[`_amazonses.${domain}`] = { TXT: [VerificationToken!] };
      }
      await app.identities.recheckPending(Date.now());

      expect(
        await awsFailure(ses.send(new UpdateConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', TrackingOptions: { CustomRedirectDomain: 'click.example' } }))),
      ).toEqual({ name: 'TrackingOptionsDoesNotExistException', message: 'Tracking options do not exist for configuration set <tracked>.', status: 400 });
      await ses.send(new CreateConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', TrackingOptions: { CustomRedirectDomain: 'click.example' } }));
      expect(
        await awsFailure(ses.send(new CreateConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', TrackingOptions: { CustomRedirectDomain: 'click.example' } }))),
      ).toEqual({ name: 'TrackingOptionsAlreadyExistsException', message: 'Tracking options already exist for configuration set <tracked>.', status: 400 });
      await ses.send(new UpdateConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked', TrackingOptions: { CustomRedirectDomain: 'links.example' } }));
      expect(
        (await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'tracked', ConfigurationSetAttributeNames: ['trackingOptions'] }))).TrackingOptions,
      ).toEqual({ CustomRedirectDomain: 'links.example' });
      expect((await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'tracked' }))).TrackingOptions).toEqual({ CustomRedirectDomain: 'links.example' });

      await ses.send(new DeleteConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked' }));
      expect((await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'tracked' }))).TrackingOptions).toBeUndefined();
      expect(await awsFailure(ses.send(new DeleteConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'tracked' })))).toMatchObject({
        name: 'TrackingOptionsDoesNotExistException',
        status: 400,
      });
      expect(await awsFailure(ses.send(new DeleteConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: 'nope' })))).toMatchObject({
        name: 'ConfigurationSetDoesNotExistException',
      });
    });

    it('checks the tracking domain before it looks for the set', async () => {
      const input = { ConfigurationSetName: 'nope', TrackingOptions: { CustomRedirectDomain: 'unverified.example' } };
      for (const command of [new CreateConfigurationSetTrackingOptionsCommand(input), new UpdateConfigurationSetTrackingOptionsCommand(input)]) {
        expect(await awsFailure(ses.send(command as never))).toEqual({
          name: 'InvalidTrackingOptionsException',
          message: 'Domain <unverified.example> is not verified under this account.',
          status: 400,
        });
      }
    });

    it('sets TLS, reputation metrics and the sending switch, keeping the v2-only delivery options', async () => {
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSet: { Name: 'options' } }));
      await sesv2.send(new V2PutDeliveryOptionsCommand({ ConfigurationSetName: 'options', MaxDeliverySeconds: 600 }));
      await ses.send(new PutConfigurationSetDeliveryOptionsCommand({ ConfigurationSetName: 'options', DeliveryOptions: { TlsPolicy: 'Require' } }));
      await ses.send(new UpdateConfigurationSetReputationMetricsEnabledCommand({ ConfigurationSetName: 'options', Enabled: true }));
      await ses.send(new UpdateConfigurationSetSendingEnabledCommand({ ConfigurationSetName: 'options', Enabled: false }));

      expect(
        await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'options', ConfigurationSetAttributeNames: ['deliveryOptions', 'reputationOptions'] })),
      ).toMatchObject({ DeliveryOptions: { TlsPolicy: 'Require' }, ReputationOptions: { SendingEnabled: false, ReputationMetricsEnabled: true } });
      expect(await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'options' }))).toMatchObject({
        DeliveryOptions: { TlsPolicy: 'REQUIRE', MaxDeliverySeconds: 600 },
        ReputationOptions: { ReputationMetricsEnabled: true },
        SendingOptions: { SendingEnabled: false },
      });

      // A paused set refuses mail (team@cv.example was verified above).
      const send = new SendEmailCommand({
        Source: 'team@cv.example',
        Destination: { ToAddresses: ['r@example.net'] },
        Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        ConfigurationSetName: 'options',
      });
      expect(await awsFailure(ses.send(send))).toMatchObject({ name: 'ConfigurationSetSendingPausedException', message: 'Sending is paused for configuration set options.' });
      await ses.send(new UpdateConfigurationSetSendingEnabledCommand({ ConfigurationSetName: 'options', Enabled: true }));
      expect((await ses.send(send)).MessageId).toBeDefined();

      // Sending turned back on: the set's reputation metrics start afresh.
      const { ReputationOptions } = await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'options', ConfigurationSetAttributeNames: ['reputationOptions'] }));
      expect(ReputationOptions).toMatchObject({ SendingEnabled: true, ReputationMetricsEnabled: true, LastFreshStart: expect.any(Date) });
      expect(Math.abs(ReputationOptions!.LastFreshStart!.getTime() - Date.now())).toBeLessThan(60_000);
      expect((await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'options' }))).ReputationOptions?.LastFreshStart).toEqual(ReputationOptions!.LastFreshStart);

      // No DeliveryOptions: the TLS policy goes (v1 shows no delivery options), v2's time limit stays.
      await ses.send(new PutConfigurationSetDeliveryOptionsCommand({ ConfigurationSetName: 'options' }));
      expect((await ses.send(new DescribeConfigurationSetCommand({ ConfigurationSetName: 'options', ConfigurationSetAttributeNames: ['deliveryOptions'] }))).DeliveryOptions).toBeUndefined();
      expect((await sesv2.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'options' }))).DeliveryOptions).toEqual({ MaxDeliverySeconds: 600 });
      for (const command of [
        new PutConfigurationSetDeliveryOptionsCommand({ ConfigurationSetName: 'nope' }),
        new UpdateConfigurationSetReputationMetricsEnabledCommand({ ConfigurationSetName: 'nope', Enabled: true }),
        new UpdateConfigurationSetSendingEnabledCommand({ ConfigurationSetName: 'nope', Enabled: true }),
      ]) {
        expect(await awsFailure(ses.send(command as never))).toMatchObject({ name: 'ConfigurationSetDoesNotExistException', status: 400 });
      }
    });
  });
});
