// SES event publishing through configuration-set event destinations, end to end: SDK sends,
// delivery (capture, simulator, a relay that defers), the dispatcher in the delivery thread, and a
// real HTTP receiver acting as EventBridge and Firehose that checks every SigV4 signature.
import {
  CreateConfigurationSetCommand,
  CreateContactListCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  PutEmailIdentityConfigurationSetAttributesCommand,
  SendEmailCommand,
  type EventDestinationDefinition,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { eventBridgeEntries, firehoseRecords, RECEIVER_KEY, startAwsReceiver, type AwsReceiver } from '../support/aws-receiver.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startDeliverySesd } from '../support/delivery-sesd.js';
import { capturedMessages, sesv2Client } from '../support/sesd.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';

const SIM = 'simulator.amazonses.com';
const REGION = 'us-west-2';
const ACCOUNT = '000000000000';
const BUS = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
const STREAM = `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/ses-events`;
const ALL_TYPES = ['SEND', 'REJECT', 'BOUNCE', 'COMPLAINT', 'DELIVERY', 'OPEN', 'CLICK', 'RENDERING_FAILURE', 'DELIVERY_DELAY', 'SUBSCRIPTION'] as const;

interface Publications {
  messageId: string;
  pendingEvents: number;
  publications: { eventType: string; destination: string; kind: string; target: string; attempt: number; status: string; statusCode?: number; error?: string; remoteId?: string }[];
}

describe.each(DIALECTS)('SES event publishing (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let receiver: AwsReceiver;
  let relay: SmtpSink;

  beforeAll(async () => {
    receiver = await startAwsReceiver();
    // Mail to defer@ is deferred (451) by the relay: DeliveryDelay events.
    relay = await startSmtpSink({ noTls: true, onRcpt: (r) => (r.startsWith('defer') ? { code: 451, message: '4.2.0 try again later' } : undefined) });
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db, {
      SESD_DELIVERY_MODE: 'relay',
      SESD_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      SESD_RETRY_SCHEDULE: '1h',
      SESD_EVENTBRIDGE_URL: receiver.url,
      SESD_FIREHOSE_URL: `${receiver.url}/firehose`,
      SESD_EVENTS_AWS_ACCESS_KEY_ID: RECEIVER_KEY.accessKeyId,
      SESD_EVENTS_AWS_SECRET_ACCESS_KEY: RECEIVER_KEY.secretAccessKey,
      SESD_EVENTS_RETRY_SCHEDULE: '100ms,200ms,300ms',
    });
    const ses = sesv2Client(app);
    const destination = async (set: string, name: string, def: EventDestinationDefinition) =>
      ses.send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: set, EventDestinationName: name, EventDestination: def }));
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'app' }));
    await destination('app', 'bus', { Enabled: true, MatchingEventTypes: [...ALL_TYPES], EventBridgeDestination: { EventBusArn: BUS } });
    await destination('app', 'stream', { Enabled: true, MatchingEventTypes: ['DELIVERY'], KinesisFirehoseDestination: { DeliveryStreamArn: STREAM, IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/firehose` } });
    await destination('app', 'off', { Enabled: false, MatchingEventTypes: [...ALL_TYPES], KinesisFirehoseDestination: { DeliveryStreamArn: `${STREAM}-off`, IamRoleArn: `arn:aws:iam::${ACCOUNT}:role/firehose` } });
    await destination('app', 'metrics', {
      Enabled: true,
      MatchingEventTypes: ['SEND', 'DELIVERY'],
      CloudWatchDestination: {
        DimensionConfigurations: [
          { DimensionName: 'campaign', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'none' },
          { DimensionName: 'X-Team', DimensionValueSource: 'EMAIL_HEADER', DefaultDimensionValue: 'nobody' },
        ],
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await relay?.close();
    await receiver?.close();
    await db?.drop();
  });

  async function send(to: string, overrides: Partial<SendEmailCommandInput> = {}): Promise<string> {
    const out = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.com',
        Destination: { ToAddresses: [to] },
        Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } },
        ConfigurationSetName: 'app',
        ...overrides,
      }),
    );
    return out.MessageId!;
  }

  const entriesOf = (id: string) => eventBridgeEntries(receiver.calls).filter((e) => e.Detail.mail?.messageId === id);
  const waitForEntries = (id: string, types: string[]) =>
    receiver.waitFor(() => types.every((t) => entriesOf(id).some((e) => e.Detail.eventType === t)), 30_000);

  async function publications(id: string, until: (p: Publications) => boolean = (p) => p.pendingEvents === 0): Promise<Publications> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${app.httpUrl}/_sesd/messages/${id}/publications`);
      const p = (await res.json()) as Publications;
      if (until(p)) return p;
      if (Date.now() > deadline) throw new Error(`publications of ${id}: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('publishes Send and Delivery to EventBridge with source aws.ses, SES detail-types and the ses:* tags, signed with SigV4', async () => {
    const id = await send(`success@${SIM}`, { EmailTags: [{ Name: 'campaign', Value: 'spring' }] });
    await waitForEntries(id, ['Send', 'Delivery']);
    const [sent, delivered] = ['Send', 'Delivery'].map((t) => entriesOf(id).find((e) => e.Detail.eventType === t)!);
    expect(sent).toMatchObject({ Source: 'aws.ses', DetailType: 'Email Sent', EventBusName: BUS, Resources: [`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/app`] });
    expect(sent!.Detail).toMatchObject({ eventType: 'Send', send: {}, mail: { messageId: id, source: 'sender@example.com', destination: [`success@${SIM}`], sendingAccountId: ACCOUNT } });
    expect(sent!.Detail.mail.tags).toMatchObject({
      'ses:operation': ['SendEmail'],
      'ses:configuration-set': ['app'],
      'ses:from-domain': ['example.com'],
      'ses:source-ip': [expect.any(String)],
      'ses:caller-identity': [expect.any(String)],
      campaign: ['spring'],
    });
    expect(delivered).toMatchObject({ DetailType: 'Email Delivered' });
    expect(delivered!.Detail.delivery).toMatchObject({ recipients: [`success@${SIM}`], reportingMTA: 'sesd.test' });
    // Event publishing records carry no identity-notification fields.
    expect(delivered!.Detail.delivery).not.toHaveProperty('remoteMtaIp');
    // The simulator's delivery made no connection: no outgoing address.
    expect(delivered!.Detail.mail.tags).not.toHaveProperty('ses:outgoing-ip');
    expect(receiver.badSignatures).toEqual([]);
    expect(receiver.calls.every((c) => c.region === REGION && ['events', 'firehose'].includes(c.service))).toBe(true);
  });

  it("tags a relayed Delivery with ses:outgoing-ip, sesd's address on the connection, after the other ses:* tags", async () => {
    const id = await send('carol@example.net', { EmailTags: [{ Name: 'campaign', Value: 'spring' }] });
    await waitForEntries(id, ['Send', 'Delivery']);
    const [sent, delivered] = ['Send', 'Delivery'].map((t) => entriesOf(id).find((e) => e.Detail.eventType === t)!);
    expect(Object.keys(delivered!.Detail.mail.tags).slice(-2)).toEqual(['ses:outgoing-ip', 'campaign']);
    expect(delivered!.Detail.mail.tags['ses:outgoing-ip']).toEqual(['127.0.0.1']);
    expect(delivered!.Detail.delivery).not.toHaveProperty('outgoingIp');
    expect(sent!.Detail.mail.tags).not.toHaveProperty('ses:outgoing-ip');
  });

  it('honours MatchingEventTypes and Enabled: Firehose gets only Delivery, the disabled destination nothing', async () => {
    const id = await send(`success@${SIM}`);
    await receiver.waitFor(() => firehoseRecords(receiver.calls).some((r) => r.record.mail.messageId === id), 30_000);
    const p = await publications(id);
    const records = firehoseRecords(receiver.calls).filter((r) => r.record.mail.messageId === id);
    expect(records.map((r) => [r.stream, r.record.eventType])).toEqual([['ses-events', 'Delivery']]);
    expect(p.publications.filter((x) => x.destination === 'configuration-set/app/off')).toEqual([]);
    expect(p.publications.filter((x) => x.kind === 'firehose').map((x) => x.eventType)).toEqual(['Delivery']);
    expect(p.publications.find((x) => x.kind === 'firehose')).toMatchObject({ status: 'published', statusCode: 200, target: STREAM, remoteId: expect.stringMatching(/^id-/) });
  });

  it('publishes Bounce, Complaint, DeliveryDelay and Rendering Failure with their SES shapes', async () => {
    const bounced = await send(`bounce@${SIM}`);
    const complained = await send(`complaint@${SIM}`);
    const delayed = await send('defer@example.net');
    const ses = sesv2Client(app);
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'needs-name', TemplateContent: { Subject: 'Hi {{name.first}}', Text: 'Hello {{#each name}}{{/each}}' } }));
    const failed = await send(`success@${SIM}`, { Content: { Template: { TemplateName: 'needs-name', TemplateData: '{"name": 5}' } } });
    await waitForEntries(bounced, ['Bounce']);
    await waitForEntries(complained, ['Complaint']);
    await waitForEntries(delayed, ['DeliveryDelay']);
    const bounce = entriesOf(bounced).find((e) => e.Detail.eventType === 'Bounce')!;
    expect(bounce.DetailType).toBe('Email Bounced');
    expect(bounce.Detail.bounce).toMatchObject({ bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: `bounce@${SIM}`, action: 'failed' }] });
    const complaint = entriesOf(complained).find((e) => e.Detail.eventType === 'Complaint')!;
    expect(complaint.DetailType).toBe('Email Complaint Received');
    expect(complaint.Detail.complaint).toMatchObject({ complainedRecipients: [{ emailAddress: `complaint@${SIM}` }], complaintFeedbackType: 'abuse' });
    const delay = entriesOf(delayed).find((e) => e.Detail.eventType === 'DeliveryDelay')!;
    expect(delay.DetailType).toBe('Email Delivery Delayed');
    expect(delay.Detail.deliveryDelay).toMatchObject({ delayedRecipients: [{ emailAddress: 'defer@example.net', status: '4.2.0' }], delayType: expect.any(String), expirationTime: expect.any(String) });
    const rendering = await publications(failed);
    expect(rendering.publications.map((p) => [p.eventType, p.kind])).toContainEqual(['Rendering Failure', 'eventbridge']);
    const failure = entriesOf(failed).find((e) => e.Detail.eventType === 'Rendering Failure');
    expect(failure?.DetailType).toBe('Email Rendering Failed');
    expect(failure?.Detail.failure).toMatchObject({ templateName: 'needs-name' });
  });

  it('tries a failing destination again on the retry schedule and records every attempt', async () => {
    receiver.failNext('Email Sent', 500, 500);
    const id = await send(`success@${SIM}`, { Destination: { ToAddresses: [`success@${SIM}`] }, ConfigurationSetName: 'app' });
    const p = await publications(id);
    const send_ = p.publications.filter((x) => x.eventType === 'Send' && x.kind === 'eventbridge');
    expect(send_.map((x) => [x.attempt, x.status, x.statusCode])).toEqual([
      [1, 'failed', 500],
      [2, 'failed', 500],
      [3, 'published', 200],
    ]);
    expect(send_[0]!.error).toMatch(/HTTP 500 InternalFailure: scripted failure/);
    // The CloudWatch destination was settled at the first attempt and not counted again.
    expect(p.publications.filter((x) => x.eventType === 'Send' && x.kind === 'cloudwatch')).toHaveLength(1);
    expect(entriesOf(id).filter((e) => e.Detail.eventType === 'Send')).toHaveLength(1);
  });

  it('publishes a Subscription event when a recipient uses the list-management unsubscribe link', async () => {
    await sesv2Client(app).send(new CreateContactListCommand({ ContactListName: 'news', Topics: [{ TopicName: 'weekly', DisplayName: 'Weekly', DefaultSubscriptionStatus: 'OPT_IN' }] }));
    const id = await send(`success@${SIM}`, { ListManagementOptions: { ContactListName: 'news', TopicName: 'weekly' } });
    const [m] = await capturedMessages(app, `?id=${id}`);
    const link = /^List-Unsubscribe:\s+<(http[^>]+)>/m.exec(m!.RawData.replace(/\r\n\s+/g, ' '))![1]!;
    const click = await fetch(link, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(click.status).toBe(200);
    await waitForEntries(id, ['Subscription']);
    const entry = entriesOf(id).find((e) => e.Detail.eventType === 'Subscription')!;
    expect(entry.DetailType).toBe('Email Subscribed');
    expect(entry.Detail.mail).toMatchObject({ messageId: id, tags: { 'ses:configuration-set': ['app'] } });
    expect(entry.Detail.subscription).toEqual({
      contactList: 'news',
      timestamp: expect.any(String),
      source: 'UnsubscribeHeader',
      newTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [{ topicName: 'weekly', subscriptionStatus: 'OptOut' }] },
      oldTopicPreferences: { unsubscribeAll: false, topicSubscriptionStatus: [] },
    });
  });

  it("applies the sending identity's default configuration set when a send names none", async () => {
    const ses = sesv2Client(app);
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'defaults.example' }));
    await ses.send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: 'defaults.example', ConfigurationSetName: 'app' }));
    const id = await send(`success@${SIM}`, { FromEmailAddress: 'news@defaults.example', ConfigurationSetName: undefined });
    await waitForEntries(id, ['Send']);
    expect(entriesOf(id)[0]!.Detail.mail.tags['ses:configuration-set']).toEqual(['app']);
  });

  it('counts CloudWatch destination events on /metrics with the dimensions as labels, beside sesd\'s own figures', async () => {
    const id = await send(`success@${SIM}`, { EmailTags: [{ Name: 'campaign', Value: 'autumn' }], Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'y' } }, Headers: [{ Name: 'X-Team', Value: 'growth' }] } } });
    await publications(id);
    const text = await (await fetch(`${app.httpUrl}/metrics`)).text();
    expect(text).toContain('# TYPE ses_send_total counter');
    // Labels come in name order; a header named X-Team becomes the label X_Team.
    expect(text).toMatch(/^ses_send_total\{X_Team="growth",campaign="autumn",configuration_set="app",event_destination="metrics"\} 1$/m);
    expect(text).toMatch(/^ses_delivery_total\{X_Team="growth",campaign="autumn",configuration_set="app",event_destination="metrics"\} 1$/m);
    expect(text).toMatch(/^ses_send_total\{X_Team="nobody",campaign="none",configuration_set="app",event_destination="metrics"\} \d+$/m);
    expect(text).toMatch(/^sesd_messages_accepted_total\{door="sesv2"\} \d+$/m);
    expect(text).toMatch(/^sesd_delivery_outcomes_total\{outcome="delivered"\} \d+$/m);
    expect(text).toContain('# TYPE sesd_delivery_latency_seconds histogram');
    expect(text).toMatch(/^sesd_delivery_latency_seconds_bucket\{le="\+Inf"\} \d+$/m);
    expect(text).toMatch(/^sesd_event_dispatch_lag_seconds_count \d+$/m);
    expect(text).toMatch(/^sesd_queue_depth\{status="deferred"\} \d+$/m);
    expect(text).toMatch(/^sesd_events_pending \d+$/m);
  });
});

describe.each(DIALECTS)('event destinations without an endpoint (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('records each event as undeliverable with the reason, once, and settles it', async () => {
    const ses = sesv2Client(app);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'nowhere' }));
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'nowhere',
        EventDestinationName: 'bus',
        EventDestination: { Enabled: true, MatchingEventTypes: ['SEND'], EventBridgeDestination: { EventBusArn: BUS } },
      }),
    );
    const { MessageId: id } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'a@example.com',
        Destination: { ToAddresses: [`success@${SIM}`] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
        ConfigurationSetName: 'nowhere',
      }),
    );
    const deadline = Date.now() + 30_000;
    let p: Publications;
    for (;;) {
      p = (await (await fetch(`${app.httpUrl}/_sesd/messages/${id}/publications`)).json()) as Publications;
      if (p.pendingEvents === 0 && p.publications.length > 0) break;
      if (Date.now() > deadline) throw new Error(JSON.stringify(p));
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(p.publications).toEqual([
      expect.objectContaining({ eventType: 'Send', kind: 'eventbridge', attempt: 1, status: 'undeliverable', error: expect.stringContaining('SESD_EVENTBRIDGE_URL') }),
    ]);
  });
});
