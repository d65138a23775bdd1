// The records sesd publishes, checked field by field against records real SES published (recorded
// publicly; each expectation names its source), through sesd's SNS to a real HTTP subscriber.
import { SendEmailCommand as V1SendEmail, SendRawEmailCommand, SetIdentityHeadersInNotificationsEnabledCommand, SetIdentityNotificationTopicCommand, VerifyDomainIdentityCommand } from '@aws-sdk/client-ses';
import { CreateConfigurationSetCommand, CreateConfigurationSetEventDestinationCommand, CreateEmailTemplateCommand, SendEmailCommand as V2SendEmail } from '@aws-sdk/client-sesv2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { startDeliverySesd } from '../support/delivery-sesd.js';
import { sesClient, sesv2Client, TEST_KEY } from '../support/sesd.js';

const SIM = 'simulator.amazonses.com';
const REGION = 'us-west-2';

type Record_ = { eventType?: string; notificationType?: string; mail: { messageId: string; commonHeaders?: Record<string, unknown>; headers?: { name: string; value: string }[] } };
interface Post { topic: string; body: { Type: string; TopicArn: string; Subject?: string; Message: string; SubscribeURL?: string } }

describe.each(DIALECTS)('SES record shapes against real SES records (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let server: Server;
  const posts: Post[] = [];
  const topics: Record<string, string> = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString('utf8')));
      req.on('end', () => {
        const body = JSON.parse(text) as Post['body'];
        posts.push({ topic: req.url ?? '', body });
        if (body.Type === 'SubscriptionConfirmation' && body.SubscribeURL) void fetch(body.SubscribeURL);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db, { SESD_SNS_RETRY_DELAY: '100ms' });
    const sns = new SNSClient({ endpoint: app.httpUrl, region: REGION, credentials: TEST_KEY, maxAttempts: 1 });
    for (const name of ['events', 'deliveries']) {
      topics[name] = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
      await sns.send(new SubscribeCommand({ TopicArn: topics[name], Protocol: 'http', Endpoint: `${url}/${name}` }));
    }
    await waitFor(() => posts.filter((p) => p.body.Type === 'SubscriptionConfirmation').length === 2);
    await new Promise((r) => setTimeout(r, 300));

    const v2 = sesv2Client(app);
    await v2.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'app' }));
    await v2.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'app',
        EventDestinationName: 'sns',
        EventDestination: { Enabled: true, MatchingEventTypes: ['DELIVERY'], SnsDestination: { TopicArn: topics.events } },
      }),
    );
    const v1 = sesClient(app);
    await v1.send(new VerifyDomainIdentityCommand({ Domain: 'shapes.example' }));
    await v1.send(new SetIdentityNotificationTopicCommand({ Identity: 'shapes.example', NotificationType: 'Delivery', SnsTopic: topics.deliveries }));
    await v1.send(new SetIdentityHeadersInNotificationsEnabledCommand({ Identity: 'shapes.example', NotificationType: 'Delivery', Enabled: true }));
  });
  afterAll(async () => {
    await app?.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await db?.drop();
  });

  async function waitFor(done: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(posts.map((p) => [p.topic, p.body.Message.slice(0, 80)]))}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  const recordOf = (topic: string, messageId: string): Record_ | undefined =>
    posts
      .filter((p) => p.topic === `/${topic}` && p.body.Type === 'Notification' && p.body.Message.startsWith('{'))
      .map((p) => JSON.parse(p.body.Message) as Record_)
      .find((r) => r.mail.messageId === messageId);

  async function deliveredRecords(messageId: string) {
    await waitFor(() => Boolean(recordOf('events', messageId) && recordOf('deliveries', messageId)));
    return { event: recordOf('events', messageId)!, notification: recordOf('deliveries', messageId)! };
  }

  it('gives SES\'s message ID as commonHeaders.messageId in event publishing only, when the sender\'s message had no Message-ID', async () => {
    const { MessageId: id } = await sesClient(app).send(
      new V1SendEmail({ Source: 'app@shapes.example', ConfigurationSetName: 'app', Destination: { ToAddresses: [`success@${SIM}`] }, Message: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } }),
    );
    const { event, notification } = await deliveredRecords(id!);
    // Event publishing: AWS's own recordings of a SendEmail's Send and Delivery events
    // (localstack/localstack tests/aws/services/ses/test_ses.snapshot.json, 2023) have
    // commonHeaders {from, to, messageId: <SES's message ID>, subject}.
    expect(event.eventType).toBe('Delivery');
    expect(event.mail.commonHeaders).toMatchObject({ from: ['app@shapes.example'], to: [`success@${SIM}`], messageId: id, subject: 'Hello' });
    // Identity notifications with headers: SES's Delivery notification for a SendEmail to the
    // simulator (alphagov/notifications-api app/celery/research_mode_tasks.py, recorded 2017) has
    // commonHeaders {from, subject, to}, no messageId.
    expect(notification.notificationType).toBe('Delivery');
    expect(notification.mail.commonHeaders).toMatchObject({ from: ['app@shapes.example'], to: [`success@${SIM}`], subject: 'Hello' });
    expect(notification.mail.commonHeaders).not.toHaveProperty('messageId');
  });

  // AWS's recordings of a SendEmail's and a SendTemplatedEmail's events (localstack/localstack
  // tests/aws/services/ses/test_ses.snapshot.json, 2023; the developer guide's examples agree): the
  // headers are the message's as it was passed to SES, without the Message-ID and Date SES adds to
  // it; a template's later events list the rendered message's Date (its Send event was published
  // before rendering), never SES's Message-ID.
  const names = (r: Record_) => r.mail.headers!.map((h) => h.name);

  it('lists a SendEmail\'s headers without sesd\'s own Message-ID and Date', async () => {
    const { MessageId: id } = await sesClient(app).send(
      new V1SendEmail({ Source: 'app@shapes.example', ConfigurationSetName: 'app', Destination: { ToAddresses: [`success@${SIM}`] }, Message: { Subject: { Data: 'Listed' }, Body: { Text: { Data: 'Hi' }, Html: { Data: '<p>Hi</p>' } } } }),
    );
    const { event, notification } = await deliveredRecords(id!);
    // SES's: From, To, Subject, MIME-Version, Content-Type (multipart/alternative).
    expect(names(event)).toEqual(['From', 'To', 'Subject', 'MIME-Version', 'Content-Type']);
    expect(event.mail.commonHeaders).not.toHaveProperty('date');
    expect(names(notification)).toEqual(names(event));
    // The message itself goes out with both.
    const [message] = await app.store.messages.list({ id: id! });
    const sent = message!.raw.toString('latin1');
    expect(sent).toMatch(/^Message-ID:/m);
    expect(sent).toMatch(/^Date: /m);
  });

  it('lists a raw message\'s own headers, its Date included, and none sesd added', async () => {
    const send = async (headers: string[]) => {
      const raw = [...headers, '', 'Hi', ''].join('\r\n');
      const { MessageId } = await sesClient(app).send(new SendRawEmailCommand({ ConfigurationSetName: 'app', RawMessage: { Data: Buffer.from(raw) } }));
      return (await deliveredRecords(MessageId!)).event;
    };
    const bare = await send(['From: app@shapes.example', `To: success@${SIM}`, 'Subject: Bare']);
    expect(names(bare)).toEqual(['From', 'To', 'Subject']);
    expect(bare.mail.commonHeaders).not.toHaveProperty('date');
    const dated = await send(['From: app@shapes.example', `To: success@${SIM}`, 'Subject: Dated', 'Date: Tue, 1 Dec 2026 10:00:00 +0000']);
    expect(names(dated)).toEqual(['From', 'To', 'Subject', 'Date']);
    expect(dated.mail.commonHeaders).toMatchObject({ date: 'Tue, 1 Dec 2026 10:00:00 +0000' });
  });

  it('lists a template\'s rendered Date but not sesd\'s Message-ID', async () => {
    const v2 = sesv2Client(app);
    await v2.send(new CreateEmailTemplateCommand({ TemplateName: 'shapes', TemplateContent: { Subject: 'Hi {{name}}', Text: 'Hello {{name}}' } }));
    const { MessageId: id } = await v2.send(
      new V2SendEmail({
        FromEmailAddress: 'app@shapes.example',
        Destination: { ToAddresses: [`success@${SIM}`] },
        ConfigurationSetName: 'app',
        Content: { Template: { TemplateName: 'shapes', TemplateData: '{"name":"Ann"}' } },
      }),
    );
    const { event } = await deliveredRecords(id!);
    expect(names(event)).toContain('Date');
    expect(names(event)).not.toContain('Message-ID');
    expect(event.mail.commonHeaders).toMatchObject({ subject: 'Hi Ann', messageId: id });
  });

  it('gives the sender\'s own Message-ID as commonHeaders.messageId in both', async () => {
    const raw = `From: app@shapes.example\r\nTo: success@${SIM}\r\nSubject: Own id\r\nMessage-ID: <own-1@shapes.example>\r\n\r\nHi\r\n`;
    const { MessageId: id } = await sesClient(app).send(new SendRawEmailCommand({ ConfigurationSetName: 'app', RawMessage: { Data: Buffer.from(raw) } }));
    const { event, notification } = await deliveredRecords(id!);
    // SES's notifications keep the sender's Message-ID there (notification-contents: "Any message
    // ID within the commonHeaders object is from the original message that you passed to SES").
    expect(event.mail.commonHeaders).toMatchObject({ messageId: '<own-1@shapes.example>' });
    expect(notification.mail.commonHeaders).toMatchObject({ messageId: '<own-1@shapes.example>', subject: 'Own id' });
  });
});
