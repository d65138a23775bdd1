// The Send event's `mail` object is stored as what its message does not hold (the address lists,
// and of destination and tags what the message row does not give back); readers rebuild the rest
// from the message (src/store/mail-from-message.ts). Through the doors whose headers take different paths (composed, raw with folded, spaced, 8-bit and mixed-case
// headers, a header block SES truncates, SES v1 raw, list-managed copies), the row must keep the
// short form and every answer must carry the whole object: headers as the stored message has them
// (read here by the test's own parser) less the Message-ID and Date sesd wrote where the sender gave
// none (SES's events list neither), commonHeaders, the message's own fields, and the same
// object in the Delivery events and GetMessageInsights. On every database.
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { CreateContactCommand, CreateContactListCommand, CreateEmailIdentityCommand, GetMessageInsightsCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { openDatabase, type OpenedDatabase } from '../../src/store/database.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { settled, startDeliverySesd } from '../support/delivery-sesd.js';
import { sesClient, sesv2Client, TEST_KEY } from '../support/sesd.js';
import { keysOf } from '../../src/store/message-keys.js';

/** The header block of a stored message, unfolded: the test's own reading of RFC 5322 headers. */
function headersOf(raw: Buffer): { name: string; value: string }[] {
  const text = raw.toString('latin1');
  const headers: { name: string; value: string }[] = [];
  for (const line of text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n')) {
    // A value that starts on the next line (a long Message-ID) has no space before it.
    if (line.startsWith(' ') || line.startsWith('\t')) headers.at(-1)!.value = [headers.at(-1)!.value, line.trim()].filter(Boolean).join(' ');
    else headers.push({ name: line.slice(0, line.indexOf(':')).trim(), value: line.slice(line.indexOf(':') + 1).trim() });
  }
  return headers;
}

const rawMessage = (lines: (string | Buffer)[]) => Buffer.concat([...lines, '', 'body', ''].map((l) => Buffer.concat([Buffer.from(l), Buffer.from('\r\n')])));

describe.each(DIALECTS)("the Send event's mail rebuilt from its message (%s)", (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let opened: OpenedDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startDeliverySesd(db);
    opened = await openDatabase(db);
  });
  afterAll(async () => {
    await opened?.close();
    await app?.close();
    await db?.drop();
  });

  /**
   * Checks the stored row and every answer for message `id`; returns its Send `mail`. `own`: the
   * header fields sesd wrote into the message, which must be there and not in the event.
   */
  async function expectRebuilt(id: string, own = ['Message-ID', 'Date']): Promise<Record<string, unknown>> {
    const e = await settled(app, id);
    const [stored] = await app.store.messages.list({ id });
    const row = await opened.db.selectFrom('events').select('payload').where('message_seq', '=', keysOf(opened.db, id)).where('type', '=', 'Send').executeTakeFirstOrThrow();
    // Intake's tags and a plain Destination come back from the message row (mark 2).
    expect(row.payload).toContain('"mail":{"@message":2,');
    expect(row.payload).not.toContain('"tags"');
    expect(row.payload).not.toContain('"headers"');

    const mail = e.events[0]!.payload.mail as Record<string, unknown>;
    expect(Object.keys(mail)).toEqual(['timestamp', 'source', 'sourceArn', 'sendingAccountId', 'messageId', 'destination', 'headersTruncated', 'headers', 'commonHeaders', 'tags']);
    expect(mail).toMatchObject({
      timestamp: new Date(stored!.createdAt).toISOString(),
      source: stored!.envelopeFrom,
      sendingAccountId: '000000000000',
      messageId: id,
      destination: (await app.store.messages.recipients(id)).map((r) => r.recipient),
      tags: { 'ses:caller-identity': [TEST_KEY.accessKeyId] },
    });
    const sent = headersOf(stored!.raw);
    for (const name of own) expect(sent.filter((h) => h.name === name)).toHaveLength(1);
    const all = sent.filter((h) => !own.includes(h.name));
    expect(mail.headers).toEqual(mail.headersTruncated ? all.slice(0, (mail.headers as unknown[]).length) : all);
    if (own.includes('Date')) expect(mail.commonHeaders).not.toHaveProperty('date');
    expect(mail.commonHeaders).toMatchObject({ messageId: id });
    // Every Delivery event carries the same object.
    const deliveries = e.events.filter((x) => x.type === 'Delivery');
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) expect(JSON.stringify(d.payload.mail)).toBe(JSON.stringify(mail));

    const insights = await sesv2Client(app).send(new GetMessageInsightsCommand({ MessageId: id }));
    // GetMessageInsights shows deliveries of mail to one recipient only (SES's API reference, InsightsEvent).
    const shown = insights.Insights!.length === 1 ? ['SEND', 'DELIVERY'] : ['SEND'];
    for (const i of insights.Insights!) expect(i.Events!.map((x) => x.Type)).toEqual(shown);
    return mail;
  }

  it('composed mail (SES v2 Simple)', async () => {
    const { MessageId } = await sesv2Client(app).send(
      new SendEmailCommand({
        FromEmailAddress: '"Sender, Jr" <sender@example.com>',
        Destination: { ToAddresses: ['a@example.net', 'B <b@example.net>'], CcAddresses: ['c@example.net'] },
        ReplyToAddresses: ['reply@example.com'],
        Content: { Simple: { Subject: { Data: 'Grüße aus sesd ✉' }, Body: { Text: { Data: 'text' }, Html: { Data: '<p>html</p>' } } } },
        EmailTags: [{ Name: 'campaign', Value: 'spring' }],
      }),
    );
    const mail = await expectRebuilt(MessageId!);
    expect(mail.commonHeaders).toMatchObject({ from: ['"Sender, Jr" <sender@example.com>'], cc: ['c@example.net'], replyTo: ['reply@example.com'] });
    expect(mail.tags).toMatchObject({ 'ses:operation': ['SendEmail'] });
  });

  it('raw mail with folded, spaced, 8-bit and mixed-case headers', async () => {
    const { MessageId } = await sesv2Client(app).send(
      new SendEmailCommand({
        Content: {
          Raw: {
            Data: rawMessage([
              'From: Raw Sender <Raw@Example.COM>',
              'to: r1@example.net,',
              '\tr2@example.net',
              'Subject:   a subject   ',
              '  folded over two lines',
              'X-Tight:no-space',
              Buffer.concat([Buffer.from('X-Eight-Bit: '), Buffer.from('Grüße', 'utf8')]),
              'Date: Tue, 1 Dec 2026 10:00:00 +0100',
            ]),
          },
        },
      }),
    );
    // The sender gave a Date: the event lists it.
    const mail = await expectRebuilt(MessageId!, ['Message-ID']);
    expect(mail.sourceArn).toBe('arn:aws:ses:us-west-2:000000000000:identity/example.com');
    expect(mail.commonHeaders).toMatchObject({ to: ['r1@example.net', 'r2@example.net'], subject: 'a subject folded over two lines', date: 'Tue, 1 Dec 2026 10:00:00 +0100' });
  });

  it("raw mail with its own Message-ID: the events show the sender's, the message goes out with sesd's", async () => {
    const { MessageId } = await sesv2Client(app).send(
      new SendEmailCommand({ Content: { Raw: { Data: rawMessage(['From: own@example.com', 'To: t@example.net', 'Message-ID: <custom-123@app.example>', 'Subject: own id']) } } }),
    );
    const id = MessageId!;
    const e = await settled(app, id);
    const [stored] = await app.store.messages.list({ id });
    // SES: "If you provide a Message-ID header, Amazon SES overrides the header with its own value."
    expect(headersOf(stored!.raw).filter((h) => h.name === 'Message-ID')).toEqual([{ name: 'Message-ID', value: expect.stringMatching(new RegExp(`^<${id}@`)) }]);
    // ...while its events report the headers "from the original message that you passed to Amazon SES".
    const mail = e.events[0]!.payload.mail as { headers: { name: string; value: string }[]; commonHeaders: Record<string, unknown> };
    expect(mail.headers.filter((h) => h.name === 'Message-ID')).toEqual([{ name: 'Message-ID', value: '<custom-123@app.example>' }]);
    expect(mail.commonHeaders.messageId).toBe('<custom-123@app.example>');
    const row = await opened.db.selectFrom('events').select('payload').where('message_seq', '=', keysOf(opened.db, id)).where('type', '=', 'Send').executeTakeFirstOrThrow();
    expect(row.payload).toContain('"mail":{"@message":2,');
    for (const d of e.events.filter((x) => x.type === 'Delivery')) expect(JSON.stringify(d.payload.mail)).toBe(JSON.stringify(mail));
  });

  it('names the verified identity sent as in sourceArn: the address when it is one, the ARN a send names', async () => {
    const ses = sesv2Client(app);
    // Identities are created verified here (SESD_AUTO_VERIFY=true).
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'only@address-identity.example' }));
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'address-identity.example' }));
    const simple = (FromEmailAddress: string, FromEmailAddressIdentityArn?: string) =>
      ses.send(new SendEmailCommand({ FromEmailAddress, FromEmailAddressIdentityArn, Destination: { ToAddresses: ['t@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } } }));
    const arn = (identity: string) => `arn:aws:ses:us-west-2:000000000000:identity/${identity}`;

    // The address identity is the most specific of the two that cover it; another address has only the domain.
    const byAddress = await simple('only@address-identity.example');
    expect((await expectRebuilt(byAddress.MessageId!)).sourceArn).toBe(arn('only@address-identity.example'));
    const byDomain = await simple('someone@address-identity.example');
    expect((await expectRebuilt(byDomain.MessageId!)).sourceArn).toBe(arn('address-identity.example'));
    const named = await simple('other@address-identity.example', arn('address-identity.example'));
    expect((await expectRebuilt(named.MessageId!)).sourceArn).toBe(arn('address-identity.example'));
  });

  it('raw mail whose headers SES truncates in its events', async () => {
    const filler = Array.from({ length: 30 }, (_, i) => `X-Filler-${i}: ${'x'.repeat(500)}`);
    const { MessageId } = await sesv2Client(app).send(new SendEmailCommand({ Content: { Raw: { Data: rawMessage(['From: a@example.com', 'To: t@example.net', 'Subject: big', ...filler]) } } }));
    const mail = await expectRebuilt(MessageId!);
    expect(mail.headersTruncated).toBe(true);
  });

  it('SES v1 SendRawEmail', async () => {
    const { MessageId } = await sesClient(app).send(new SendRawEmailCommand({ RawMessage: { Data: rawMessage(['From: v1@example.com', 'To: t@example.net', 'Subject: v1']) } }));
    const mail = await expectRebuilt(MessageId!);
    // SES names the action (real SendRawEmail events say so); kept with the row as it is not the door's SendEmail.
    expect(mail.tags).toMatchObject({ 'ses:operation': ['SendRawEmail'] });
  });

  it('list-managed mail (each recipient has their own copy; the message row holds the first one)', async () => {
    const ses = sesv2Client(app);
    await ses.send(new CreateContactListCommand({ ContactListName: 'news', Topics: [{ TopicName: 'weekly', DisplayName: 'Weekly', DefaultSubscriptionStatus: 'OPT_IN' }] }));
    for (const EmailAddress of ['l1@example.net', 'l2@example.net']) await ses.send(new CreateContactCommand({ ContactListName: 'news', EmailAddress }));
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'news@example.com',
        Destination: { ToAddresses: ['l1@example.net', 'l2@example.net'] },
        Content: { Simple: { Subject: { Data: 'news' }, Body: { Text: { Data: 'unsubscribe: {{amazonSESUnsubscribeUrl}}' } } } },
        ListManagementOptions: { ContactListName: 'news', TopicName: 'weekly' },
      }),
    );
    const mail = await expectRebuilt(MessageId!);
    expect((mail.headers as { name: string }[]).map((h) => h.name)).toContain('List-Unsubscribe');
  });
});
