// SES events through sesd's own SNS service to a real HTTP subscriber: configuration-set SNS
// destinations (validation message, Subject, event records) and SES v1 identity notifications
// (notificationType records, with and without headers), driven by the SES v1, SES v2 and SNS SDKs.
import { SendEmailCommand as V1SendEmail, SetIdentityHeadersInNotificationsEnabledCommand, SetIdentityNotificationTopicCommand, VerifyDomainIdentityCommand } from '@aws-sdk/client-ses';
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startDeliverySesd } from '../support/delivery-sesd.js';
import { awsFailure, sesClient, sesv2Client, TEST_KEY } from '../support/sesd.js';

const SIM = 'simulator.amazonses.com';
const REGION = 'us-west-2';

interface SnsPost {
  type: string;
  body: { Type: string; MessageId: string; TopicArn: string; Subject?: string; Message: string; SubscribeURL?: string };
}

/** An application's SNS endpoint: confirms subscriptions by GETting the SubscribeURL, keeps notifications. */
async function startSubscriber(): Promise<{ url: string; posts: SnsPost[]; close(): Promise<void> }> {
  const posts: SnsPost[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as SnsPost['body'];
      posts.push({ type: String(req.headers['x-amz-sns-message-type']), body });
      if (body.Type === 'SubscriptionConfirmation' && body.SubscribeURL) void fetch(body.SubscribeURL);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/ses`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(DIALECTS)('SES events through sesd SNS (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let subscriber: Awaited<ReturnType<typeof startSubscriber>>;
  let sns: SNSClient;
  const topics: Record<string, string> = {};

  beforeAll(async () => {
    subscriber = await startSubscriber();
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db, { SESD_SNS_RETRY_DELAY: '100ms' });
    sns = new SNSClient({ endpoint: app.httpUrl, region: REGION, credentials: TEST_KEY, maxAttempts: 1 });
    for (const name of ['ses-events', 'bounces', 'complaints']) {
      topics[name] = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
      await sns.send(new SubscribeCommand({ TopicArn: topics[name], Protocol: 'http', Endpoint: `${subscriber.url}?topic=${name}` }));
    }
    await waitFor(() => subscriber.posts.filter((p) => p.type === 'SubscriptionConfirmation').length === 3);
    // The subscriber confirms by fetching the SubscribeURL; give sesd the moment it takes.
    await new Promise((r) => setTimeout(r, 300));
  });
  afterAll(async () => {
    await app?.close();
    await subscriber?.close();
    await db?.drop();
  });

  async function waitFor(done: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(subscriber.posts.map((p) => [p.type, p.body.TopicArn, p.body.Message.slice(0, 80)]))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const notifications = (topic: string) => subscriber.posts.filter((p) => p.type === 'Notification' && p.body.TopicArn === topics[topic]);
  const records = (topic: string, messageId: string) =>
    notifications(topic)
      .map((p) => ({ subject: p.body.Subject, record: (() => { try { return JSON.parse(p.body.Message); } catch { return undefined; } })() }))
      .filter((r) => r.record?.mail?.messageId === messageId);

  it('greets the topic when an SNS event destination is created, and refuses a topic that does not exist', async () => {
    const ses = sesv2Client(app);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'app' }));
    await ses.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'app',
        EventDestinationName: 'sns',
        EventDestination: { Enabled: true, MatchingEventTypes: ['SEND', 'DELIVERY', 'BOUNCE', 'COMPLAINT'], SnsDestination: { TopicArn: topics['ses-events'] } },
      }),
    );
    await waitFor(() => notifications('ses-events').some((p) => p.body.Message === 'Successfully validated SNS topic for Amazon SES event publishing.'));
    const missing = await awsFailure(
      ses.send(
        new CreateConfigurationSetEventDestinationCommand({
          ConfigurationSetName: 'app',
          EventDestinationName: 'nowhere',
          EventDestination: { Enabled: true, MatchingEventTypes: ['SEND'], SnsDestination: { TopicArn: `arn:aws:sns:${REGION}:000000000000:no-such-topic` } },
        }),
      ),
    );
    expect(missing).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(missing.message).toContain('no-such-topic');
  });

  it('publishes each event as SES does: Subject "Amazon SES Email Event Notification", the eventType record as the Message', async () => {
    const { MessageId: id } = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: 'app@example.com',
        Destination: { ToAddresses: [`bounce@${SIM}`] },
        Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } },
        ConfigurationSetName: 'app',
      }),
    );
    await waitFor(() => ['Send', 'Bounce'].every((t) => records('ses-events', id!).some((r) => r.record.eventType === t)));
    const bounce = records('ses-events', id!).find((r) => r.record.eventType === 'Bounce')!;
    expect(bounce.subject).toBe('Amazon SES Email Event Notification');
    expect(bounce.record).toMatchObject({ bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: `bounce@${SIM}` }] }, mail: { tags: { 'ses:configuration-set': ['app'] } } });
    const pubs = (await (await fetch(`${app.httpUrl}/_sesd/messages/${id}/publications`)).json()) as { publications: { kind: string; status: string; remoteId?: string; target: string }[] };
    expect(pubs.publications.filter((p) => p.kind === 'sns').every((p) => p.status === 'published' && p.remoteId && p.target === topics['ses-events'])).toBe(true);
  });

  it('sends identity notifications (notificationType) to the identity\'s topics, with headers only where turned on', async () => {
    const v1 = sesClient(app);
    await v1.send(new VerifyDomainIdentityCommand({ Domain: 'notify.example' }));
    await v1.send(new SetIdentityNotificationTopicCommand({ Identity: 'notify.example', NotificationType: 'Bounce', SnsTopic: topics.bounces }));
    await v1.send(new SetIdentityNotificationTopicCommand({ Identity: 'notify.example', NotificationType: 'Complaint', SnsTopic: topics.complaints }));
    await v1.send(new SetIdentityHeadersInNotificationsEnabledCommand({ Identity: 'notify.example', NotificationType: 'Bounce', Enabled: true }));
    const send = async (to: string) =>
      (await v1.send(new V1SendEmail({ Source: 'sender@notify.example', Destination: { ToAddresses: [to] }, Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'x' } } } }))).MessageId!;
    const bounced = await send(`bounce@${SIM}`);
    const complained = await send(`complaint@${SIM}`);
    await waitFor(() => records('bounces', bounced).length === 1 && records('complaints', complained).length === 1);

    const bounce = records('bounces', bounced)[0]!;
    expect(bounce.subject).toBeUndefined();
    expect(bounce.record.notificationType).toBe('Bounce');
    expect(bounce.record).not.toHaveProperty('eventType');
    expect(bounce.record.mail).toMatchObject({ source: 'sender@notify.example', sourceIp: expect.any(String), callerIdentity: expect.any(String), headersTruncated: false, commonHeaders: { subject: 'Hi' } });
    expect(bounce.record.mail).not.toHaveProperty('tags');

    const complaint = records('complaints', complained)[0]!;
    expect(complaint.record).toMatchObject({ notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: `complaint@${SIM}` }] } });
    expect(complaint.record.mail).not.toHaveProperty('headers');
    expect(complaint.record.mail).not.toHaveProperty('commonHeaders');
    // Delivery has no topic: the Delivery events of these messages went nowhere.
    expect(subscriber.posts.filter((p) => p.body.Message.includes('"notificationType":"Delivery"'))).toEqual([]);
  });

  it("publishes the Delivery notification of mail capture mode delivers at acceptance to the identity's Delivery topic", async () => {
    topics.deliveries = (await sns.send(new CreateTopicCommand({ Name: 'deliveries' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topics.deliveries, Protocol: 'http', Endpoint: `${subscriber.url}?topic=deliveries` }));
    await waitFor(() => subscriber.posts.some((p) => p.type === 'SubscriptionConfirmation' && p.body.TopicArn === topics.deliveries));
    await new Promise((r) => setTimeout(r, 300));
    const v1 = sesClient(app);
    await v1.send(new VerifyDomainIdentityCommand({ Domain: 'delivered.example' }));
    await v1.send(new SetIdentityNotificationTopicCommand({ Identity: 'delivered.example', NotificationType: 'Delivery', SnsTopic: topics.deliveries }));
    // Not a simulator address: delivered by being stored, in the acceptance transaction.
    const { MessageId } = await v1.send(new V1SendEmail({ Source: 'sender@delivered.example', Destination: { ToAddresses: ['reader@example.net'] }, Message: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'x' } } } }));
    await waitFor(() => records('deliveries', MessageId!).length === 1);
    expect(records('deliveries', MessageId!)[0]!.record).toMatchObject({
      notificationType: 'Delivery',
      delivery: { recipients: ['reader@example.net'], smtpResponse: '250 captured', processingTimeMillis: 0 },
    });
  });
});
