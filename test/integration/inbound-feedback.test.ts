// Asynchronous bounces and complaints: sesd relays a message to the test's receiving server, which
// accepts it; the test then sends a DSN or an ARF report to sesd's inbound listener, addressed as a
// receiving MTA would (the envelope sender sesd used, or the feedback address), and reads the
// events and the suppression list back through the real APIs. On every database.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { CreateEmailIdentityCommand, GetSuppressedDestinationCommand, PutEmailIdentityMailFromAttributesCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { deliverySesdEnv, messageEvents, settled } from '../support/delivery-sesd.js';
import { RawSmtpClient, type SmtpReply } from '../support/smtp-client.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import { awsFailure, sesClient, sesv2Client } from '../support/sesd.js';

// Relaying through the delivery thread takes seconds on a loaded machine.
vi.setConfig({ testTimeout: 60_000 });

const RECIPIENT = 'someone@example.net';
const OTHER = 'other@example.net';

/** The report with its top Date header set to `date` (the fixtures' dates precede the test's messages). */
function datedNow(report: string, date: Date): string {
  return report.replace(/^Date: .*$/m, `Date: ${date.toUTCString()}`);
}

function sample(name: string, messageId: string, recipient = RECIPIENT): string {
  const text = readFileSync(new URL(`../fixtures/inbound/${name}`, import.meta.url), 'utf8');
  return text.replaceAll('{{MESSAGE_ID}}', messageId).replaceAll('{{RECIPIENT}}', recipient).replace(/\r?\n/g, '\r\n');
}

describe.each(DIALECTS)('inbound bounces and complaints (%s)', (dialect) => {
  let db: TestDatabase | undefined;
  let app: RunningApp | undefined;
  let sink: SmtpSink | undefined;
  let logLines: Record<string, unknown>[] = [];

  afterEach(async () => {
    await app?.close();
    await sink?.close();
    await db?.drop();
    app = sink = db = undefined;
  });

  async function start(): Promise<RunningApp> {
    sink = await startSmtpSink({ noTls: true, onRcpt: (rcpt) => (rcpt.startsWith('rejected@') ? { code: 550, message: '5.1.1 No such user' } : undefined) });
    db = await createTestDatabase(dialect);
    const config = loadConfig({
      env: deliverySesdEnv(db, {
        SESD_DELIVERY_MODE: 'relay',
        SESD_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
        SESD_INBOUND_PORT: '0',
        SESD_INBOUND_FEEDBACK_ADDRESS: 'fbl@sesd.test',
      }),
    });
    logLines = [];
    const capture = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    app = await startApp(config, pino({ level: 'info' }, capture));
    return app;
  }

  /** Sends one message through SES v2 and waits until the receiving server has it and sesd counts it delivered. */
  async function sendAndDeliver(to: string[]): Promise<{ id: string; envelopeFrom: string }> {
    const out = await sesv2Client(app!).send(
      new SendEmailCommand({ FromEmailAddress: 'sender@example.com', Destination: { ToAddresses: to }, Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } } }),
    );
    const id = out.MessageId!;
    await settled(app!, id, 30_000);
    const received = sink!.messages.find((m) => m.raw.toString().includes(id))!;
    return { id, envelopeFrom: received.mailFrom };
  }

  async function inbound(): Promise<RawSmtpClient> {
    const client = await RawSmtpClient.connect(app!.inboundUrl!);
    expect((await client.command('EHLO mx1.example.net')).code).toBe(250);
    return client;
  }

  /** One SMTP transaction from a null sender, as a receiving MTA sends a DSN. */
  async function deliverReport(rcptTo: string, message: string): Promise<SmtpReply> {
    const client = await inbound();
    try {
      expect((await client.command('MAIL FROM:<>')).code).toBe(250);
      expect((await client.command(`RCPT TO:<${rcptTo}>`)).code).toBe(250);
      expect((await client.command('DATA')).code).toBe(354);
      client.write(`${message.replace(/^\./gm, '..')}${message.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
      return await client.reply();
    } finally {
      client.destroy();
    }
  }

  const ofType = async (id: string, type: string) => (await messageEvents(app!, id)).events.filter((e) => e.type === type);

  it('turns a DSN sent to the envelope sender into a Permanent Bounce with its fields, and suppresses the address', async () => {
    await start();
    const { id, envelopeFrom } = await sendAndDeliver([RECIPIENT, OTHER]);
    expect(envelopeFrom).toBe(`${id}@sesd.test`);
    const reply = await deliverReport(envelopeFrom, sample('postfix-user-unknown.eml', id));
    expect(reply.code).toBe(250);

    const bounces = await ofType(id, 'Bounce');
    expect(bounces).toHaveLength(1);
    expect(bounces[0]!.payload.bounce).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'NoEmail',
      reportingMTA: 'dns; mx1.example.net',
      bouncedRecipients: [
        { emailAddress: RECIPIENT, action: 'failed', status: '5.1.1', diagnosticCode: `smtp; 550 5.1.1 <${RECIPIENT}>: Recipient address rejected: User unknown in virtual mailbox table` },
      ],
    });
    expect(bounces[0]!.payload.mail).toMatchObject({ messageId: id, destination: [RECIPIENT, OTHER] });
    const { recipients } = await messageEvents(app!, id);
    expect(recipients).toEqual([
      { recipient: RECIPIENT, status: 'bounced' },
      { recipient: OTHER, status: 'delivered' },
    ].map((r) => expect.objectContaining(r)));

    const entry = await sesv2Client(app!).send(new GetSuppressedDestinationCommand({ EmailAddress: RECIPIENT }));
    expect(entry.SuppressedDestination).toMatchObject({ EmailAddress: RECIPIENT, Reason: 'BOUNCE', Attributes: { MessageId: id } });
    expect((await awsFailure(sesv2Client(app!).send(new GetSuppressedDestinationCommand({ EmailAddress: OTHER })))).name).toBe('NotFoundException');

    // Feedback forwarding (on unless the identity turns it off): the sender gets the bounce by mail.
    const [, notification] = await sink!.waitFor(2, 30_000);
    expect(notification).toMatchObject({ mailFrom: '', rcptTo: ['sender@example.com'] });
    expect(notification!.raw.toString()).toMatch(new RegExp(`^Final-Recipient: rfc822; ${RECIPIENT}\r\nAction: failed\r\nStatus: 5\.1\.1\r$`, 'm'));
  });

  it("forwards a late bounce to the message's FeedbackForwardingEmailAddress, as a bounce during delivery", async () => {
    await start();
    const out = await sesv2Client(app!).send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.com',
        FeedbackForwardingEmailAddress: 'bounces@example.com',
        Destination: { ToAddresses: [RECIPIENT] },
        Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } },
      }),
    );
    const id = out.MessageId!;
    await settled(app!, id, 30_000);
    expect((await deliverReport(`${id}@sesd.test`, sample('postfix-user-unknown.eml', id))).code).toBe(250);
    const [, notification] = await sink!.waitFor(2, 30_000);
    expect(notification).toMatchObject({ mailFrom: '', rcptTo: ['bounces@example.com'] });
  });

  it("forwards the bounce of raw mail sent without a Source to its Return-Path header (SendRawEmail's reference)", async () => {
    await start();
    const raw = 'Return-Path: <bounces@example.com>\r\nFrom: sender@example.com\r\nTo: rejected@example.net\r\nSubject: Hi\r\n\r\nHi\r\n';
    const { MessageId } = await sesClient(app!).send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(raw) } }));
    await settled(app!, MessageId!, 30_000);
    const [notification] = await sink!.waitFor(1, 30_000);
    expect(notification).toMatchObject({ mailFrom: '', rcptTo: ['bounces@example.com'] });
    // With a Source, the Source gets it: it "takes precedence over any Return-Path header".
    // (Another rejected address: the first is on the suppression list now.)
    const other = raw.replace('rejected@example.net', 'rejected@example.org');
    const withSource = await sesClient(app!).send(new SendRawEmailCommand({ Source: 'sender@example.com', RawMessage: { Data: Buffer.from(other) } }));
    await settled(app!, withSource.MessageId!, 30_000);
    const [, second] = await sink!.waitFor(2, 30_000);
    expect(second).toMatchObject({ mailFrom: '', rcptTo: ['sender@example.com'] });
  });

  it('records the same DSN sent twice once', async () => {
    await start();
    const { id, envelopeFrom } = await sendAndDeliver([RECIPIENT]);
    expect((await deliverReport(envelopeFrom, sample('exchange-mailbox-full.eml', id))).code).toBe(250);
    expect((await deliverReport(envelopeFrom, sample('exchange-mailbox-full.eml', id))).code).toBe(250);
    const bounces = await ofType(id, 'Bounce');
    expect(bounces).toHaveLength(1);
    expect(bounces[0]!.payload.bounce).toMatchObject({ bounceType: 'Transient', bounceSubType: 'MailboxFull' });
    // A soft bounce does not put the address on the suppression list.
    expect((await awsFailure(sesv2Client(app!).send(new GetSuppressedDestinationCommand({ EmailAddress: RECIPIENT })))).name).toBe('NotFoundException');
  });

  it('gives no second bounce to a recipient that already bounced during the SMTP transaction', async () => {
    await start();
    const out = await sesv2Client(app!).send(
      new SendEmailCommand({ FromEmailAddress: 'sender@example.com', Destination: { ToAddresses: ['rejected@example.net', RECIPIENT] }, Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hi' } } } } }),
    );
    const id = out.MessageId!;
    await settled(app!, id, 30_000);
    expect(await ofType(id, 'Bounce')).toHaveLength(1);
    expect((await deliverReport(`${id}@sesd.test`, sample('postfix-user-unknown.eml', id, 'rejected@example.net'))).code).toBe(250);
    expect(await ofType(id, 'Bounce')).toHaveLength(1);
  });

  it('matches a DSN whose envelope recipient was rewritten by the Message-ID it quotes', async () => {
    await start();
    const { id } = await sendAndDeliver([RECIPIENT]);
    expect((await deliverReport('fbl@sesd.test', sample('gmail-multiline-diagnostic.eml', id))).code).toBe(250);
    const bounces = await ofType(id, 'Bounce');
    expect(bounces.map((b) => b.payload.bounce!.bouncedRecipients)).toEqual([[expect.objectContaining({ emailAddress: RECIPIENT, status: '5.1.1' })]]);
  });

  it('turns an ARF report into a Complaint event with its feedback type, user agent and arrival date, once, and suppresses the address', async () => {
    await start();
    const { id } = await sendAndDeliver([RECIPIENT, OTHER]);
    expect((await deliverReport('fbl@sesd.test', sample('arf-abuse.eml', id))).code).toBe(250);
    expect((await deliverReport('fbl@sesd.test', sample('arf-abuse.eml', id))).code).toBe(250);
    const complaints = await ofType(id, 'Complaint');
    expect(complaints).toHaveLength(1);
    expect(complaints[0]!.payload.complaint).toMatchObject({
      complainedRecipients: [{ emailAddress: RECIPIENT }],
      complaintFeedbackType: 'abuse',
      userAgent: 'ExampleFBL/1.0',
      arrivalDate: '2026-11-28T20:58:00.000Z',
      complaintSubType: null,
    });
    expect(complaints[0]!.payload.complaint!.feedbackId).toEqual(expect.any(String));
    const entry = await sesv2Client(app!).send(new GetSuppressedDestinationCommand({ EmailAddress: RECIPIENT }));
    expect(entry.SuppressedDestination).toMatchObject({ Reason: 'COMPLAINT' });
  });

  it('blames a redacted complaint on the recipients at the issuing provider only (SES), at the time the report was sent', async () => {
    await start();
    const atProvider = 'reader@example.com'; // the report comes from fbl.example.com
    const { id } = await sendAndDeliver([RECIPIENT, atProvider]);
    const sent = new Date(Math.floor(Date.now() / 1000) * 1000);
    expect((await deliverReport('fbl@sesd.test', datedNow(sample('arf-redacted.eml', id), sent))).code).toBe(250);
    const complaints = await ofType(id, 'Complaint');
    expect(complaints.map((c) => c.payload.complaint!.complainedRecipients)).toEqual([[{ emailAddress: atProvider }]]);
    expect(complaints[0]!.payload.complaint!.timestamp).toBe(sent.toISOString());
    expect((await awsFailure(sesv2Client(app!).send(new GetSuppressedDestinationCommand({ EmailAddress: RECIPIENT })))).name).toBe('NotFoundException');
  });

  it('gives a bounce without a DSN no DSN fields (action, status, reportingMTA), as SES', async () => {
    await start();
    const { id, envelopeFrom } = await sendAndDeliver([RECIPIENT]);
    // A report dated before the message was sent (the fixture's own Date) is not believed: the bounce is timed at its arrival.
    const before = Date.now();
    expect((await deliverReport(envelopeFrom, sample('qmail-plain.eml', id))).code).toBe(250);
    const [bounce] = await ofType(id, 'Bounce');
    expect(bounce!.payload.bounce).toMatchObject({ bounceType: 'Permanent', bounceSubType: 'NoEmail', bouncedRecipients: [{ emailAddress: RECIPIENT }] });
    expect(bounce!.payload.bounce!.bouncedRecipients).toEqual([{ emailAddress: RECIPIENT }]);
    expect(bounce!.payload.bounce).not.toHaveProperty('reportingMTA');
    expect(Date.parse(bounce!.payload.bounce!.timestamp as string)).toBeGreaterThanOrEqual(before);
  });

  it('refuses at RCPT every address that is not a bounce or feedback address (no open relay)', async () => {
    await start();
    const client = await inbound();
    try {
      expect((await client.command('MAIL FROM:<>')).code).toBe(250);
      for (const rcpt of ['victim@example.org', 'someone@sesd.test.example.org', 'other@fbl.sesd.test']) {
        const reply = await client.command(`RCPT TO:<${rcpt}>`);
        expect(reply.code, rcpt).toBe(550);
        expect(reply.text).toMatch(/^5\.7\.1 /);
      }
      expect((await client.command('RCPT TO:<anything@SESD.test>')).code).toBe(250);
    } finally {
      client.destroy();
    }
  });

  it('receives at the custom MAIL FROM domain of a verified identity, and sesd relays with that domain', async () => {
    await start();
    const ses = sesv2Client(app!);
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.com' }));
    await ses.send(new PutEmailIdentityMailFromAttributesCommand({ EmailIdentity: 'example.com', MailFromDomain: 'Bounce.Example.com' }));
    const { id, envelopeFrom } = await sendAndDeliver([RECIPIENT]);
    expect(envelopeFrom.toLowerCase()).toBe(`${id}@bounce.example.com`);
    expect((await deliverReport(envelopeFrom, sample('postfix-user-unknown.eml', id))).code).toBe(250);
    expect(await ofType(id, 'Bounce')).toHaveLength(1);
    const client = await inbound();
    try {
      await client.command('MAIL FROM:<>');
      expect((await client.command('RCPT TO:<x@unrelated.example.com>')).code).toBe(550);
    } finally {
      client.destroy();
    }
  });

  it('accepts and drops mail that is no report or matches no message, and refuses bare line ends', async () => {
    await start();
    const { id, envelopeFrom } = await sendAndDeliver([RECIPIENT]);
    expect((await deliverReport(envelopeFrom, sample('auto-reply.eml', id))).code).toBe(250);
    expect((await deliverReport('unknown-id@sesd.test', sample('postfix-user-unknown.eml', '0100019ad1e2f3a4-1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809-000000'))).code).toBe(250);
    expect(await ofType(id, 'Bounce')).toHaveLength(0);
    expect(logLines).toContainEqual(expect.objectContaining({ msg: 'inbound report matches no message; dropped' }));

    const client = await inbound();
    try {
      await client.command('MAIL FROM:<>');
      await client.command(`RCPT TO:<${envelopeFrom}>`);
      await client.command('DATA');
      client.write('Subject: x\nbare\r\n.\r\n');
      expect((await client.reply()).code).toBe(554);
    } finally {
      client.destroy();
    }
  });

  it('logs a malformed report and keeps listening', async () => {
    await start();
    const { id, envelopeFrom } = await sendAndDeliver([RECIPIENT]);
    const malformed = [
      'From: MAILER-DAEMON@mx.example.net',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822',
      'Action: failed',
      'Status: garbage',
      '--b',
      `Content-Type: text/rfc822-headers; ${'x'.repeat(3000)}=`,
      '',
      '--b',
    ].join('\r\n');
    expect((await deliverReport(envelopeFrom, malformed)).code).toBe(250);
    expect((await deliverReport(envelopeFrom, 'garbage without headers\r\n\0\u00ff')).code).toBe(250);
    // Past the parser's header limit: postal-mime throws, the report is logged and dropped.
    const oversized = `From: MAILER-DAEMON@mx.example.net\r\n${`X-Filler: ${'a'.repeat(998)}\r\n`.repeat(300)}\r\nbody\r\n`;
    expect((await deliverReport(envelopeFrom, oversized)).code).toBe(250);
    expect(logLines).toContainEqual(expect.objectContaining({ listener: 'inbound', level: 40, msg: 'inbound report could not be parsed; dropped' }));
    expect(logLines.filter((l) => l.msg === 'inbound message').map((l) => l.result)).toEqual(['no-new-event', 'ignored', 'malformed']);
    // The listener still works: a real DSN afterwards is recorded.
    expect((await deliverReport(envelopeFrom, sample('postfix-user-unknown.eml', id))).code).toBe(250);
    expect(await ofType(id, 'Bounce')).toHaveLength(1);
  });
});
