// SES v2 configuration sets, their options and event destinations through the real SDK client, on
// every database.
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailIdentityCommand,
  DeleteConfigurationSetCommand,
  DeleteConfigurationSetEventDestinationCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  ListConfigurationSetsCommand,
  PutConfigurationSetDeliveryOptionsCommand,
  PutConfigurationSetReputationOptionsCommand,
  PutConfigurationSetSendingOptionsCommand,
  PutConfigurationSetSuppressionOptionsCommand,
  PutConfigurationSetTrackingOptionsCommand,
  PutConfigurationSetVdmOptionsCommand,
  UpdateConfigurationSetEventDestinationCommand,
  type EventDestinationDefinition,
  type HttpsPolicy,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { awsFailure, OTHER_ACCOUNT_KEY, sesv2Client, TEST_KEY, useSesd } from '../support/sesd.js';

const sns = (topic: string): EventDestinationDefinition => ({
  Enabled: true,
  MatchingEventTypes: ['BOUNCE', 'COMPLAINT'],
  SnsDestination: { TopicArn: `arn:aws:sns:us-west-2:000000000000:${topic}` },
});

describe.each(DIALECTS)('SES v2 configuration sets (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;
  beforeAll(async () => {
    ses = sesv2Client(sesd.app);
    // SES refuses an SNS destination whose topic does not exist: make the ones the tests name.
    const sns = new SNSClient({ endpoint: sesd.app.httpUrl, region: 'us-west-2', credentials: TEST_KEY, maxAttempts: 1 });
    for (const name of ['bounces', 'a', 't', ...Array.from({ length: 10 }, (_, i) => `t${i + 1}`)]) await sns.send(new CreateTopicCommand({ Name: name }));
  });

  it('creates a set with its options and tags and reads it back with SES defaults filled in', async () => {
    await ses.send(
      new CreateConfigurationSetCommand({
        ConfigurationSetName: 'transactional',
        DeliveryOptions: { MaxDeliverySeconds: 600 },
        SuppressionOptions: { SuppressedReasons: ['BOUNCE'] },
        VdmOptions: { DashboardOptions: { EngagementMetrics: 'DISABLED' } },
        Tags: [{ Key: 'env', Value: 'prod' }],
      }),
    );
    const set = await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'transactional' }));
    expect(set).toMatchObject({
      ConfigurationSetName: 'transactional',
      DeliveryOptions: { TlsPolicy: 'OPTIONAL', MaxDeliverySeconds: 600 },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE'] },
      VdmOptions: { DashboardOptions: { EngagementMetrics: 'DISABLED' } },
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    expect(set.TrackingOptions).toBeUndefined();
    // What intake applies to a send naming the set.
    const stored = await sesd.app.store.configurationSets.get({ accountId: '000000000000', region: 'us-west-2' }, 'transactional');
    expect(stored?.options.SendingOptions.SendingEnabled).toBe(true);
  });

  it('reads a set made with no options as SES shows it: metrics and sending on, no delivery options', async () => {
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'bare' }));
    const set = await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'bare' }));
    expect(set).toMatchObject({
      ConfigurationSetName: 'bare',
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      Tags: [],
    });
    for (const member of ['DeliveryOptions', 'TrackingOptions', 'SuppressionOptions', 'VdmOptions', 'ArchivingOptions'] as const) expect(set[member]).toBeUndefined();
  });

  it('pauses a set created with SendingOptions that do not say SendingEnabled', async () => {
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'paused-at-birth', SendingOptions: {} }));
    expect((await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'paused-at-birth' }))).SendingOptions).toEqual({ SendingEnabled: false });
  });

  it('refuses options asking for what sesd does not do, and keeps them when they ask for it off', async () => {
    const refused = (member: string, feature: string) => ({ name: 'BadRequestException', message: `sesd does not support ${feature} (${member}).`, status: 400 });
    const vdm = refused('VdmOptions', 'Virtual Deliverability Manager features');
    expect(await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'vdm', VdmOptions: { GuardianOptions: { OptimizedSharedDelivery: 'ENABLED' } } })))).toEqual(vdm);
    expect(
      await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'archived', ArchivingOptions: { ArchiveArn: 'arn:aws:ses:us-west-2:000000000000:mailmanager-archive/a-1' } }))),
    ).toEqual(refused('ArchivingOptions', 'archiving to a Mail Manager archive'));
    expect(
      await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'smime', MessageSecurityOptions: { SigningScheme: { SmimeScheme: { SignatureFormat: 'DETACHED' } } } }))),
    ).toEqual(refused('MessageSecurityOptions', 'S/MIME signing'));
    expect(await awsFailure(ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'vdm' })))).toMatchObject({ name: 'NotFoundException' });

    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'vdm' }));
    expect(
      await awsFailure(ses.send(new PutConfigurationSetVdmOptionsCommand({ ConfigurationSetName: 'vdm', VdmOptions: { DashboardOptions: { EngagementMetrics: 'ENABLED' } } }))),
    ).toEqual(vdm);
    await ses.send(new PutConfigurationSetVdmOptionsCommand({ ConfigurationSetName: 'vdm', VdmOptions: { DashboardOptions: { EngagementMetrics: 'DISABLED' } } }));
    expect((await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'vdm' }))).VdmOptions).toEqual({ DashboardOptions: { EngagementMetrics: 'DISABLED' } });
  });

  it('changes each group of options with its Put operation', async () => {
    const name = 'tuned';
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name }));
    await ses.send(new PutConfigurationSetDeliveryOptionsCommand({ ConfigurationSetName: name, TlsPolicy: 'REQUIRE', MaxDeliverySeconds: 50_400 }));
    await ses.send(new PutConfigurationSetReputationOptionsCommand({ ConfigurationSetName: name, ReputationMetricsEnabled: true }));
    await ses.send(new PutConfigurationSetSendingOptionsCommand({ ConfigurationSetName: name, SendingEnabled: false }));
    await ses.send(new PutConfigurationSetSuppressionOptionsCommand({ ConfigurationSetName: name, SuppressedReasons: [] }));
    await ses.send(new PutConfigurationSetVdmOptionsCommand({ ConfigurationSetName: name, VdmOptions: { GuardianOptions: { OptimizedSharedDelivery: 'DISABLED' } } }));
    expect(await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: name }))).toMatchObject({
      DeliveryOptions: { TlsPolicy: 'REQUIRE', MaxDeliverySeconds: 50_400 },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: false },
      SuppressionOptions: { SuppressedReasons: [] },
      VdmOptions: { GuardianOptions: { OptimizedSharedDelivery: 'DISABLED' } },
    });
  });

  it('accepts a tracking domain only when it is a verified domain identity, and removes tracking when none is given', async () => {
    const name = 'tracked';
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name }));
    expect(await awsFailure(ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: name, CustomRedirectDomain: 'track.example.org' })))).toEqual({
      name: 'BadRequestException',
      message: 'Domain <track.example.org> is not verified under this account.',
      status: 400,
    });
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'track.example.org' }));
    await ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: name, CustomRedirectDomain: 'track.example.org', HttpsPolicy: 'REQUIRE' }));
    expect((await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: name }))).TrackingOptions).toEqual({
      CustomRedirectDomain: 'track.example.org',
      HttpsPolicy: 'REQUIRE',
    });
    await ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: name }));
    expect((await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: name }))).TrackingOptions).toBeUndefined();
  });

  it('answers an unverified tracking domain before an unknown HttpsPolicy, and lists the policies as SES does', async () => {
    const name = 'tracked-policy';
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name }));
    expect(
      await awsFailure(ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: name, CustomRedirectDomain: 'unverified.example.org', HttpsPolicy: 'BOGUS' as HttpsPolicy }))),
    ).toEqual({ name: 'BadRequestException', message: 'Domain <unverified.example.org> is not verified under this account.', status: 400 });
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'policy.example.org' }));
    expect(
      await awsFailure(ses.send(new PutConfigurationSetTrackingOptionsCommand({ ConfigurationSetName: name, CustomRedirectDomain: 'policy.example.org', HttpsPolicy: 'BOGUS' as HttpsPolicy }))),
    ).toEqual({
      name: 'BadRequestException',
      message: "1 validation error detected: Value at 'httpsPolicy' failed to satisfy constraint: Member must satisfy enum value set: [OPTIONAL, REQUIRE, REQUIRE_OPEN_ONLY]",
      status: 400,
    });
  });

  it.each([
    ['below 300 seconds', 299, "1 validation error detected: Value at 'maxDeliverySeconds' failed to satisfy constraint: Member must have value greater than or equal to 300"],
    ['above 50400 seconds', 50_401, "1 validation error detected: Value at 'maxDeliverySeconds' failed to satisfy constraint: Member must have value less than or equal to 50400"],
  ])('refuses MaxDeliverySeconds %s', async (_name, seconds, message) => {
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: `delivery-${seconds}` }));
    expect(
      await awsFailure(ses.send(new PutConfigurationSetDeliveryOptionsCommand({ ConfigurationSetName: `delivery-${seconds}`, MaxDeliverySeconds: seconds }))),
    ).toEqual({ name: 'BadRequestException', message, status: 400 });
  });

  it('refuses a sending pool that does not exist', async () => {
    expect(
      await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'pooled', DeliveryOptions: { SendingPoolName: 'my-pool' } }))),
    ).toEqual({ name: 'BadRequestException', message: "SendingPool <my-pool> doesn't exist", status: 400 });
  });

  it.each([
    ['a name with a dot', 'bad.name', "Invalid configuration set name <bad.name>: only alphanumeric ASCII characters, '_', and '-' are allowed."],
    ['a 65-character name', 'x'.repeat(65), 'Configuration set name cannot exceed 64 characters.'],
  ])('refuses %s', async (_name, name, message) => {
    expect(await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name })))).toEqual({ name: 'BadRequestException', message, status: 400 });
  });

  it('refuses a duplicate set, and answers a missing one with NotFoundException', async () => {
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'twice' }));
    expect(await awsFailure(ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'twice' })))).toEqual({
      name: 'AlreadyExistsException',
      message: 'Configuration set <twice> already exists.',
      status: 400,
    });
    const missing = { name: 'NotFoundException', message: 'Configuration set <ghost> does not exist.', status: 404 };
    expect(await awsFailure(ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'ghost' })))).toEqual(missing);
    expect(await awsFailure(ses.send(new DeleteConfigurationSetCommand({ ConfigurationSetName: 'ghost' })))).toEqual(missing);
    expect(await awsFailure(ses.send(new PutConfigurationSetSendingOptionsCommand({ ConfigurationSetName: 'ghost', SendingEnabled: true })))).toEqual(missing);
    expect(await awsFailure(ses.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'ghost' })))).toEqual(missing);
  });

  it('lists sets by name page by page (the v3 client POSTs to list-configuration-sets), with the name filter', async () => {
    const other = sesv2Client(sesd.app, OTHER_ACCOUNT_KEY);
    for (const name of ['alpha', 'beta', 'gamma-alpha']) await other.send(new CreateConfigurationSetCommand({ ConfigurationSetName: name }));
    const first = await other.send(new ListConfigurationSetsCommand({ PageSize: 2 }));
    expect(first.ConfigurationSets).toEqual(['alpha', 'beta']);
    const second = await other.send(new ListConfigurationSetsCommand({ PageSize: 2, NextToken: first.NextToken }));
    expect(second).toMatchObject({ ConfigurationSets: ['gamma-alpha'] });
    expect(second.NextToken).toBeUndefined();
    const filtered = await other.send(new ListConfigurationSetsCommand({ Filter: { CONFIGURATION_SET_NAME_CONTAINS: 'ALPH' } }));
    expect(filtered.ConfigurationSets).toEqual(['alpha', 'gamma-alpha']);
    expect(await awsFailure(other.send(new ListConfigurationSetsCommand({ Filter: { CONFIGURATION_SET_NAME_CONTAINS: 'al' } })))).toEqual({
      name: 'BadRequestException',
      message: 'CONFIGURATION_SET_NAME_CONTAINS must be between 3 and 64 characters',
      status: 400,
    });
  });

  it('keeps event destinations: create, get, update, delete, at most 10, names unique', async () => {
    const set = 'with-events';
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: set }));
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: 'to-sns', EventDestination: sns('bounces') }));
    expect((await ses.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set }))).EventDestinations).toEqual([
      { Name: 'to-sns', Enabled: true, MatchingEventTypes: ['BOUNCE', 'COMPLAINT'], SnsDestination: { TopicArn: 'arn:aws:sns:us-west-2:000000000000:bounces' } },
    ]);

    await ses.send(
      new UpdateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: set,
        EventDestinationName: 'to-sns',
        EventDestination: { MatchingEventTypes: ['SEND'], EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-west-2:000000000000:event-bus/default' } },
      }),
    );
    expect((await ses.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set }))).EventDestinations).toEqual([
      { Name: 'to-sns', Enabled: false, MatchingEventTypes: ['SEND'], EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-west-2:000000000000:event-bus/default' } },
    ]);

    expect(
      await awsFailure(ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: 'to-sns', EventDestination: sns('x') }))),
    ).toEqual({ name: 'AlreadyExistsException', message: `An event destination with name <to-sns> already exists for configuration set <${set}>.`, status: 400 });

    for (let i = 1; i < 10; i++) {
      await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: `d${i}`, EventDestination: sns(`t${i}`) }));
    }
    expect(
      await awsFailure(ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: 'd10', EventDestination: sns('t10') }))),
    ).toMatchObject({ name: 'LimitExceededException', status: 400 });

    await ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: 'd1' }));
    expect(await awsFailure(ses.send(new DeleteConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: 'd1' })))).toEqual({
      name: 'NotFoundException',
      message: `An event destination with name <d1> does not exist for configuration set <${set}>.`,
      status: 404,
    });
    expect((await ses.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: set }))).EventDestinations).toHaveLength(9);
  });

  it.each([
    ['no destination', { MatchingEventTypes: ['SEND'] }, 'Event destination is not provided.'],
    ['two destinations', { ...sns('a'), EventBridgeDestination: { EventBusArn: 'arn:aws:events:us-west-2:000000000000:event-bus/default' } }, /^Please provide only one destination/],
    ['no event types', { SnsDestination: { TopicArn: 'arn:aws:sns:us-west-2:000000000000:t' } }, 'At least one event type must be specified.'],
    [
      'a CloudWatch dimension name with a space',
      { MatchingEventTypes: ['SEND'], CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'my tag', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'x' }] } },
      /^Invalid dimension name <my tag>/,
    ],
    [
      'a CloudWatch default value with a slash',
      { MatchingEventTypes: ['SEND'], CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'team', DimensionValueSource: 'EMAIL_HEADER', DefaultDimensionValue: 'a/b' }] } },
      /^Invalid default dimension value <a\/b>/,
    ],
    ['a Firehose stream that is no ARN', { MatchingEventTypes: ['SEND'], KinesisFirehoseDestination: { IamRoleArn: 'arn:aws:iam::000000000000:role/r', DeliveryStreamArn: 'bad' } }, /^Delivery stream ARN <bad>/],
    ['a Firehose role that is no role ARN', { MatchingEventTypes: ['SEND'], KinesisFirehoseDestination: { IamRoleArn: 'bad', DeliveryStreamArn: 'arn:aws:firehose:us-west-2:000000000000:deliverystream/s' } }, /^IAM role ARN <bad>/],
    ['an event bus that is no ARN', { MatchingEventTypes: ['SEND'], EventBridgeDestination: { EventBusArn: 'default' } }, /^EventBusArn <default>/],
  ] as [string, EventDestinationDefinition, string | RegExp][])('refuses an event destination with %s', async (_name, def, message) => {
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'strict-events' })).catch(() => undefined);
    const res = await awsFailure(ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'strict-events', EventDestinationName: 'd', EventDestination: def })));
    expect(res).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(res.message).toMatch(message);
  });

  it('deletes a set with its event destinations and tags; a new set of that name starts clean', async () => {
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'reborn', Tags: [{ Key: 'a', Value: '1' }] }));
    await ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: 'reborn', EventDestinationName: 'd', EventDestination: sns('t') }));
    await ses.send(new DeleteConfigurationSetCommand({ ConfigurationSetName: 'reborn' }));
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'reborn' }));
    expect((await ses.send(new GetConfigurationSetCommand({ ConfigurationSetName: 'reborn' }))).Tags).toEqual([]);
    expect((await ses.send(new GetConfigurationSetEventDestinationsCommand({ ConfigurationSetName: 'reborn' }))).EventDestinations).toEqual([]);
  });
});
