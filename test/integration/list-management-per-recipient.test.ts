// List-managed mail to several recipients: each recipient gets their own copy, whose unsubscribe
// link (header and {{amazonSESUnsubscribeUrl}}) names them alone, and each has their own opt-out
// check, on every door (SES v2, and v1 SendRawEmail without Destinations). Delivered through a real
// SMTP relay on 127.0.0.1, on every database.
import { CreateContactCommand, CreateContactListCommand, GetContactCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import PostalMime from 'postal-mime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { messageEvents, settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { sesClient, sesv2Client } from '../support/sesd.js';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from '../support/smtp-sink.js';

/** The unsubscribe URL of a delivered message's List-Unsubscribe header. */
const headerLink = (m: ReceivedMessage) => /^List-Unsubscribe:\s+<(http[^>]+)>/m.exec(m.raw.toString('latin1').replace(/\r\n\s+/g, ' '))![1]!;
/** Who a link unsubscribes: the address in its signed payload. */
const linkNames = (url: string) => (JSON.parse(Buffer.from(url.split('/').at(-1)!.split('.')[0]!, 'base64url').toString('utf8')) as string[])[3];

describe.each(DIALECTS)('list management per recipient (%s)', (dialect) => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    sink = await startSmtpSink({ noTls: true });
    app = await startDeliverySesd(db, { SESD_DELIVERY_MODE: 'relay', SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}` });
    const ses = sesv2Client(app);
    await ses.send(new CreateContactListCommand({ ContactListName: 'news', Topics: [{ TopicName: 'weekly', DisplayName: 'Weekly', DefaultSubscriptionStatus: 'OPT_IN' }] }));
    for (const EmailAddress of ['a@example.net', 'b@example.net', 'c@example.org']) await ses.send(new CreateContactCommand({ ContactListName: 'news', EmailAddress }));
    await ses.send(new CreateContactCommand({ ContactListName: 'news', EmailAddress: 'gone@example.org', TopicPreferences: [{ TopicName: 'weekly', SubscriptionStatus: 'OPT_OUT' }] }));
  });
  afterAll(async () => {
    await app?.close();
    await sink?.close();
    await db?.drop();
  });

  it("sends each recipient a copy with their own link, and B's click unsubscribes B, not A", async () => {
    sink.messages.length = 0;
    const { MessageId } = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: 'news@example.com',
        Destination: { ToAddresses: ['a@example.net', 'b@example.net'] },
        Content: { Simple: { Subject: { Data: 'Weekly' }, Body: { Text: { Data: 'Leave: {{amazonSESUnsubscribeUrl}}' } } } },
        ListManagementOptions: { ContactListName: 'news', TopicName: 'weekly' },
      }),
    );
    await settled(app, MessageId!, 30_000);
    const received = await sink.waitFor(2, 30_000);
    const byRecipient = new Map(received.map((m) => [m.rcptTo.join(','), m]));
    expect([...byRecipient.keys()].sort()).toEqual(['a@example.net', 'b@example.net']);
    for (const [recipient, m] of byRecipient) {
      const link = headerLink(m);
      expect(linkNames(link)).toBe(recipient);
      expect((await PostalMime.parse(m.raw)).text?.trim()).toBe(`Leave: ${link}`);
    }

    const click = await fetch(headerLink(byRecipient.get('b@example.net')!), {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(click.status).toBeLessThan(300);
    const ses = sesv2Client(app);
    expect((await ses.send(new GetContactCommand({ ContactListName: 'news', EmailAddress: 'b@example.net' }))).TopicPreferences).toEqual([
      { TopicName: 'weekly', SubscriptionStatus: 'OPT_OUT' },
    ]);
    expect((await ses.send(new GetContactCommand({ ContactListName: 'news', EmailAddress: 'a@example.net' }))).TopicPreferences ?? []).toEqual([]);
  });

  it('checks opt-outs and builds links for raw mail without Destinations (v1 SendRawEmail)', async () => {
    sink.messages.length = 0;
    const raw = [
      'From: news@example.com',
      'To: c@example.org, gone@example.org',
      'Subject: raw weekly',
      'X-SES-LIST-MANAGEMENT-OPTIONS: news; topic=weekly',
      '',
      'hello',
      '',
    ].join('\r\n');
    const { MessageId } = await sesClient(app).send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    const [m] = await sink.waitFor(1, 30_000);
    const { recipients } = await messageEvents(app, MessageId!);
    expect(Object.fromEntries(recipients.map((r) => [r.recipient, r.status]))).toMatchObject({ 'gone@example.org': 'unsubscribed' });
    expect(m!.rcptTo).toEqual(['c@example.org']);
    expect(linkNames(headerLink(m!))).toBe('c@example.org');
    expect(m!.raw.toString('latin1')).not.toMatch(/^X-SES-/im);
  });
});
