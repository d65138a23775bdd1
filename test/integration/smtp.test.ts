// The SMTP interface end to end: Nodemailer's SMTP transport and a raw socket client, over
// STARTTLS and implicit TLS, read back through /_aws/ses, on every database.
import { CreateConfigurationSetCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from '../../src/domain/account/account-settings.js';
import { smtpPassword } from '../../src/smtp/smtp-password.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { capturedMessages, OTHER_ACCOUNT_KEY, sesv2Client, startSesd, TEST_KEY } from '../support/sesd.js';
import { authenticatedSession, RawSmtpClient, smtpUrls } from '../support/smtp-client.js';

const MESSAGE_ID = '01[0-9a-f]{14}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000';
const OK_REPLY = new RegExp(`^Ok (${MESSAGE_ID})$`);
const REGION = 'us-east-1';

function transport(url: string, key = TEST_KEY, extra: Record<string, unknown> = {}) {
  const { hostname, port, protocol } = new URL(url);
  return nodemailer.createTransport({
    host: hostname,
    port: Number(port),
    secure: protocol === 'smtps:',
    requireTLS: protocol === 'smtp:',
    auth: { user: key.accessKeyId, pass: smtpPassword(key.secretAccessKey, REGION) },
    tls: { rejectUnauthorized: false },
    ...extra,
  });
}

/** A whole transaction on an authenticated raw session; returns the reply to the end of DATA. */
async function sendRaw(client: RawSmtpClient, opts: { from: string; to: string[]; data: string | Buffer }) {
  expect(await client.command(`MAIL FROM:<${opts.from}>`)).toMatchObject({ code: 250 });
  for (const to of opts.to) expect(await client.command(`RCPT TO:<${to}>`)).toMatchObject({ code: 250 });
  expect(await client.command('DATA')).toMatchObject({ code: 354 });
  client.write(opts.data);
  client.write('\r\n.\r\n');
  return client.reply(60_000);
}

const simpleMessage = (from: string, subject: string, body = 'Hello over SMTP') =>
  [`From: ${from}`, 'To: someone@example.net', `Subject: ${subject}`, '', body].join('\r\n');

describe.each(DIALECTS)('SMTP interface (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let url: { smtp: string; smtps: string };

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db);
    url = smtpUrls(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('accepting mail', () => {
    it('accepts a message from Nodemailer over STARTTLS, honours and strips the X-SES headers, and answers 250 Ok MessageId after commit', async () => {
      const info = await transport(url.smtp).sendMail({
        from: 'SMTP Sender <smtp-sender@example.com>',
        to: ['a@example.net', 'B <b@example.net>'],
        cc: 'c@example.net',
        bcc: 'hidden@example.net',
        subject: 'Grüße über SMTP',
        text: 'plain body',
        html: '<p>html body</p>',
        attachments: [{ filename: 'note.txt', content: 'attached text', contentType: 'text/plain' }],
        headers: {
          'X-SES-MESSAGE-TAGS': 'campaign=launch, team=mail',
          'X-SES-SOURCE-ARN': 'arn:aws:ses:us-east-1:000000000000:identity/example.com',
          'X-Custom': 'kept',
        },
      });
      const [, id] = OK_REPLY.exec(info.response.replace(/^250 /, '')) ?? [];
      expect(id, info.response).toBeDefined();
      // Readable at once: the reply came after the commit.
      const [m] = await capturedMessages(app, `?id=${id}`);
      expect(m).toMatchObject({
        Id: id,
        Region: REGION,
        Source: 'smtp-sender@example.com',
        Subject: 'Grüße über SMTP',
        Body: { text_part: 'plain body', html_part: '<p>html body</p>' },
        Attachments: [{ FileName: 'note.txt', ContentType: 'text/plain', Size: 13 }],
      });
      expect(m!.RawData).toContain('X-Custom: kept');
      expect(m!.RawData).not.toMatch(/^X-SES-/im);
      expect(m!.RawData).not.toMatch(/^Bcc:/im);
      expect(m!.RawData).toMatch(new RegExp(`^Message-ID: <${id}@sesd\\.test>`, 'm'));

      const [row] = await app.store.messages.list({ id });
      expect(row).toMatchObject({ accountId: '000000000000', sourceApi: 'smtp', configurationSet: null });
      expect(row!.tags).toEqual([{ Name: 'campaign', Value: 'launch' }, { Name: 'team', Value: 'mail' }]);
      const events = (await (await fetch(`${app.httpUrl}/_sesd/messages/${id}/events`)).json()) as {
        events: { type: string; payload: { mail: { tags: Record<string, string[]> } } }[];
        recipients: { recipient: string }[];
      };
      expect(events.recipients.map((r) => r.recipient).sort()).toEqual(['a@example.net', 'b@example.net', 'c@example.net', 'hidden@example.net']);
      expect(events.events[0]!.payload.mail.tags).toMatchObject({
        'ses:operation': ['SendSmtpEmail'],
        'ses:caller-identity': [TEST_KEY.accessKeyId],
        campaign: ['launch'],
      });
    });

    it('applies X-SES-CONFIGURATION-SET: an unknown set is refused as the API refuses it', async () => {
      const client = await authenticatedSession(url.smtp);
      const data = ['From: cs@example.com', 'X-SES-CONFIGURATION-SET: no-such-set', 'Subject: cs', '', 'body'].join('\r\n');
      const reply = await sendRaw(client, { from: 'cs@example.com', to: ['t@example.net'], data });
      expect(reply).toEqual({ code: 554, text: 'Transaction failed: Configuration set <no-such-set> does not exist.' });
      client.destroy();
    });

    it('applies X-SES-CONFIGURATION-SET as the API applies ConfigurationSetName', async () => {
      const ses = sesv2Client(app, TEST_KEY, REGION);
      await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'smtp-set' })).catch(() => undefined);
      const api = await ses
        .send(new SendEmailCommand({ FromEmailAddress: 'cs@example.com', Destination: { ToAddresses: ['t@example.net'] }, ConfigurationSetName: 'smtp-set', Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }))
        .catch((err: Error) => err);
      const client = await authenticatedSession(url.smtp);
      const data = ['From: cs@example.com', 'X-SES-CONFIGURATION-SET: smtp-set', 'Subject: cs', '', 'body'].join('\r\n');
      const reply = await sendRaw(client, { from: 'cs@example.com', to: ['t@example.net'], data });
      client.destroy();
      if (api instanceof Error) {
        expect(reply).toEqual({ code: 554, text: `Transaction failed: ${api.message}` });
        return;
      }
      expect(reply.text).toMatch(OK_REPLY);
      const [row] = await app.store.messages.list({ id: OK_REPLY.exec(reply.text)![1]! });
      expect(row).toMatchObject({ configurationSet: 'smtp-set' });
      expect(row!.raw.toString()).not.toMatch(/^X-SES-/im);
    });

    it('applies X-SES-LIST-MANAGEMENT-OPTIONS as the API applies ListManagementOptions', async () => {
      const ses = sesv2Client(app, TEST_KEY, REGION);
      const api = await ses
        .send(
          new SendEmailCommand({
            FromEmailAddress: 'lm@example.com',
            Destination: { ToAddresses: ['t@example.net'] },
            ListManagementOptions: { ContactListName: 'no-such-list', TopicName: 'weekly' },
            Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
          }),
        )
        .catch((err: Error) => err);
      const client = await authenticatedSession(url.smtp);
      const data = ['From: lm@example.com', 'X-SES-LIST-MANAGEMENT-OPTIONS: no-such-list; topic=weekly', 'Subject: lm', '', 'body'].join('\r\n');
      const reply = await sendRaw(client, { from: 'lm@example.com', to: ['t@example.net'], data });
      client.destroy();
      if (api instanceof Error) {
        expect(reply).toMatchObject({ code: 554, text: `Transaction failed: ${api.message}` });
      } else {
        expect(reply.text).toMatch(OK_REPLY);
      }
    });

    it('accepts a message from Nodemailer over implicit TLS and files it under the key’s account; the certificate can be pinned', async () => {
      const cert = app.smtpTls!.cert;
      const info = await transport(url.smtps, OTHER_ACCOUNT_KEY, { tls: { ca: [cert], servername: 'localhost' } }).sendMail({
        from: 'other@example.org',
        to: 'x@example.net',
        subject: 'Implicit TLS',
        text: 'over port 2465',
      });
      const id = OK_REPLY.exec(info.response.replace(/^250 /, ''))![1]!;
      const [row] = await app.store.messages.list({ id });
      expect(row).toMatchObject({ accountId: OTHER_ACCOUNT_KEY.accountId, envelopeFrom: 'other@example.org', subject: 'Implicit TLS' });
    });

    it.each(['smtp', 'smtps'] as const)('accepts a message from a raw client (%s), with the envelope deciding the recipients', async (kind) => {
      const client = await authenticatedSession(url[kind]);
      const reply = await sendRaw(client, {
        from: `raw-${kind}@example.com`,
        to: ['env1@example.net', 'env2@example.net'],
        data: [`From: Raw <raw-${kind}@example.com>`, 'To: header-only@example.net', `Subject: raw ${kind}`, '', '..leading dot kept', 'line two'].join('\r\n'),
      });
      expect(reply.code).toBe(250);
      const id = OK_REPLY.exec(reply.text)![1]!;
      expect(await client.command('QUIT')).toMatchObject({ code: 221 });
      const [m] = await capturedMessages(app, `?id=${id}`);
      expect(m).toMatchObject({ Source: `raw-${kind}@example.com`, Subject: `raw ${kind}`, Body: { text_part: '.leading dot kept\nline two' } });
      expect((await app.store.messages.recipients(id)).map((r) => r.recipient)).toEqual(['env1@example.net', 'env2@example.net']);
    });

    it('takes AUTH LOGIN and several messages on one connection', async () => {
      const client = await RawSmtpClient.connect(url.smtps);
      await client.command('EHLO client.test');
      expect(await client.command('AUTH LOGIN')).toMatchObject({ code: 334 });
      expect(await client.command(Buffer.from(TEST_KEY.accessKeyId).toString('base64'))).toMatchObject({ code: 334 });
      expect(await client.command(Buffer.from(smtpPassword(TEST_KEY.secretAccessKey, REGION)).toString('base64'))).toEqual({ code: 235, text: 'Authentication successful.' });
      for (const n of [1, 2, 3]) {
        const reply = await sendRaw(client, { from: 'loop@example.com', to: [`n${n}@example.net`], data: simpleMessage('loop@example.com', `n${n}`) });
        expect(reply.text).toMatch(OK_REPLY);
      }
      client.destroy();
    });

    it('takes addresses without angle brackets, as AWS’s command-line example sends them, and answers 250 Ok', async () => {
      const client = await authenticatedSession(url.smtp);
      expect(await client.command('MAIL FROM: bare@example.com')).toEqual({ code: 250, text: 'Ok' });
      expect(await client.command('RCPT TO: bare1@example.net')).toEqual({ code: 250, text: 'Ok' });
      expect(await client.command('RCPT TO:bare2@example.net')).toEqual({ code: 250, text: 'Ok' });
      expect(await client.command('DATA')).toMatchObject({ code: 354 });
      client.write(`${simpleMessage('bare@example.com', 'bare')}\r\n.\r\n`);
      const reply = await client.reply();
      expect(reply.text).toMatch(OK_REPLY);
      const id = OK_REPLY.exec(reply.text)![1]!;
      const [row] = await app.store.messages.list({ id });
      expect(row).toMatchObject({ envelopeFrom: 'bare@example.com' });
      expect((await app.store.messages.recipients(id)).map((r) => r.recipient)).toEqual(['bare1@example.net', 'bare2@example.net']);
      // Without the space too; parameters only after a bracketed address, as in RFC 5321.
      expect(await client.command('MAIL FROM:bare@example.com SIZE=100')).toEqual({ code: 501, text: 'Invalid MAIL FROM address provided' });
      expect(await client.command('MAIL FROM:bare@example.com')).toEqual({ code: 250, text: 'Ok' });
      expect(await client.command('RCPT TO: bare1@example.net NOTIFY=NEVER')).toEqual({ code: 501, text: 'Invalid RCPT TO address provided' });
      expect(await client.command('RCPT TO:<bare1@example.net> NOTIFY=NEVER')).toEqual({ code: 250, text: 'Ok' });
      client.destroy();
    });

    it.each(['smtp', 'smtps'] as const)('answers a client that writes before the greeting (%s) after the greeting, instead of 421', async (kind) => {
      const client = await RawSmtpClient.talkingEarly(url[kind], 'EHLO client.test\r\nNOOP\r\nQUIT\r\n');
      const replies = await client.repliesUntilClosed();
      expect(replies.map((r) => r.code)).toEqual([220, 250, 250, 221]);
      expect(replies[0]!.text).toMatch(/ESMTP sesd$/);
    });

    it('takes a whole session piped in before the greeting over implicit TLS, as AWS’s openssl s_client recipe sends it', async () => {
      const b64 = (text: string) => Buffer.from(text).toString('base64');
      const commands = [
        'EHLO example.com',
        'AUTH LOGIN',
        b64(TEST_KEY.accessKeyId),
        b64(smtpPassword(TEST_KEY.secretAccessKey, REGION)),
        'MAIL FROM: piped@example.com',
        'RCPT TO: recipient@example.net',
        'DATA',
        'From: Sender Name <piped@example.com>',
        'To: recipient@example.net',
        'Subject: Amazon SES SMTP Test',
        '',
        'This message was sent using the Amazon SES SMTP interface.',
        '.',
        'QUIT',
        '',
      ].join('\r\n');
      const client = await RawSmtpClient.talkingEarly(url.smtps, commands);
      const replies = await client.repliesUntilClosed();
      expect(replies.map((r) => r.code)).toEqual([220, 250, 334, 334, 235, 250, 250, 354, 250, 221]);
      expect(replies[8]!.text).toMatch(OK_REPLY);
      const [m] = await capturedMessages(app, `?id=${OK_REPLY.exec(replies[8]!.text)![1]!}`);
      expect(m).toMatchObject({ Source: 'piped@example.com', Subject: 'Amazon SES SMTP Test' });
    });

    it('accepts an international domain given in Unicode by the client library, stored in Punycode', async () => {
      const client = await authenticatedSession(url.smtp);
      const reply = await sendRaw(client, { from: 'idn@example.com', to: ['user@xn--bcher-kva.example'], data: simpleMessage('idn@example.com', 'idn') });
      expect(reply.text).toMatch(OK_REPLY);
      const id = OK_REPLY.exec(reply.text)![1]!;
      expect((await app.store.messages.recipients(id)).map((r) => r.recipient)).toEqual(['user@xn--bcher-kva.example']);
      client.destroy();
    });
  });

  describe('the sending policy, as the API applies it', () => {
    const scope = { accountId: OTHER_ACCOUNT_KEY.accountId, region: REGION };
    const sendAsOther = async (from: string, to = 't@example.net') => {
      const client = await authenticatedSession(url.smtps, OTHER_ACCOUNT_KEY);
      const reply = await sendRaw(client, { from, to: [to], data: simpleMessage(from, 'policy') });
      client.destroy();
      return reply;
    };
    const withSettings = async (change: Partial<AccountSettings>, run: () => Promise<void>) => {
      await app.store.accountSettings.put(scope, { ...DEFAULT_ACCOUNT_SETTINGS, ...change });
      try {
        await run();
      } finally {
        await app.store.accountSettings.put(scope, DEFAULT_ACCOUNT_SETTINGS);
      }
    };

    it('answers an exceeded sending rate with 454 Throttling failure', () =>
      withSettings({ maxSendRate: 0 }, async () => {
        expect(await sendAsOther('rate@example.com')).toEqual({ code: 454, text: 'Throttling failure: Maximum sending rate exceeded.' });
      }));

    it('answers an exceeded daily quota with 454 Throttling failure', () =>
      withSettings({ max24HourSend: 0 }, async () => {
        expect(await sendAsOther('quota@example.com')).toEqual({ code: 454, text: 'Throttling failure: Daily message quota exceeded.' });
      }));

    it('answers paused sending with 554 Message rejected', () =>
      withSettings({ sendingEnabled: false }, async () => {
        const reply = await sendAsOther('paused@example.com');
        expect(reply.code).toBe(554);
        expect(reply.text).toMatch(/^Message rejected: /);
      }));

    it('accepts mail to a suppressed address and bounces it without delivery', async () => {
      await app.store.suppression.put(scope, { emailAddress: 'suppressed@example.net', reason: 'BOUNCE', lastUpdate: Date.now(), messageId: null, feedbackId: null });
      const reply = await sendAsOther('supp@example.com', 'suppressed@example.net');
      expect(reply.text).toMatch(OK_REPLY);
      const [recipient] = await app.store.messages.recipients(OK_REPLY.exec(reply.text)![1]!);
      expect(recipient).toMatchObject({ recipient: 'suppressed@example.net', status: 'suppressed' });
    });

    it('refuses an unverified sender with 554 Message rejected when identities must be verified', async () => {
      const strictDb = await createTestDatabase(dialect);
      const strict = await startSesd(strictDb, { SESD_AUTO_VERIFY: 'false' });
      try {
        const client = await authenticatedSession(strict.smtpUrl!);
        const reply = await sendRaw(client, { from: 'unverified@example.com', to: ['t@example.net'], data: simpleMessage('unverified@example.com', 'unverified') });
        client.destroy();
        expect(reply).toEqual({ code: 554, text: 'Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: unverified@example.com' });
      } finally {
        await strict.close();
        await strictDb.drop();
      }
    });
  });

  describe('refusals', () => {
    it('offers AUTH only after STARTTLS (SES offers it before), and performs it only over TLS', async () => {
      const client = await RawSmtpClient.connect(url.smtp);
      const plain = (await client.command('EHLO client.test')).text.split('\n');
      expect(plain).toContain('STARTTLS');
      expect(plain).not.toContain('AUTH PLAIN LOGIN');
      const startTlsFirst = { code: 530, text: 'Must issue a STARTTLS command first' };
      // Valid credentials included: they are not checked, and the session stays logged out.
      expect(await client.login(TEST_KEY.accessKeyId, smtpPassword(TEST_KEY.secretAccessKey, REGION))).toEqual(startTlsFirst);
      // No 334: AUTH LOGIN asks for no credentials in clear text.
      expect(await client.command('AUTH LOGIN')).toEqual(startTlsFirst);
      expect(await client.command('MAIL FROM:<a@example.com>')).toEqual({ code: 530, text: 'Authentication required' });
      expect(await client.startTls()).toMatchObject({ code: 220 });
      const secure = (await client.command('EHLO client.test')).text.split('\n');
      expect(secure).toContain('AUTH PLAIN LOGIN');
      expect(secure).not.toContain('STARTTLS');
      expect(await client.login(TEST_KEY.accessKeyId, smtpPassword(TEST_KEY.secretAccessKey, REGION))).toEqual({ code: 235, text: 'Authentication successful.' });
      client.destroy();
      // Implicit TLS offers AUTH at once.
      const tlsClient = await RawSmtpClient.connect(url.smtps);
      expect((await tlsClient.command('EHLO client.test')).text.split('\n')).toContain('AUTH PLAIN LOGIN');
      tlsClient.destroy();
    });

    it('leaves Nodemailer told to skip STARTTLS no AUTH to send its password to in clear text', async () => {
      const err = await transport(url.smtp, TEST_KEY, { requireTLS: false, ignoreTLS: true })
        .sendMail({ from: 'plain@example.com', to: 't@example.net', subject: 'plain', text: 'plain' })
        .catch((e: Error) => e);
      expect(err).toMatchObject({ command: 'MAIL FROM', response: '530 Authentication required' });
      expect(await capturedMessages(app, '?email=plain@example.com')).toHaveLength(0);
    });

    it('ignores commands pipelined in plain text behind STARTTLS', async () => {
      const client = await RawSmtpClient.connect(url.smtp);
      await client.command('EHLO client.test');
      expect(await client.startTls('NOOP\r\nRSET\r\n')).toMatchObject({ code: 220 });
      expect(await client.command('HELP')).toMatchObject({ code: 214 });
      client.destroy();
    });

    it('requires AUTH before MAIL once TLS is up', async () => {
      const client = await RawSmtpClient.connect(url.smtps);
      await client.command('EHLO client.test');
      expect(await client.command('MAIL FROM:<a@example.com>')).toEqual({ code: 530, text: 'Authentication required' });
      client.destroy();
    });

    it.each([
      ['a wrong password', TEST_KEY.accessKeyId, 'BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['an unknown access key', 'AKIDUNKNOWN000000000', smtpPassword(TEST_KEY.secretAccessKey, REGION)],
      ['the password of another region', TEST_KEY.accessKeyId, smtpPassword(TEST_KEY.secretAccessKey, 'eu-west-1')],
      ['the secret key itself', TEST_KEY.accessKeyId, TEST_KEY.secretAccessKey],
    ])('refuses %s with 535', async (_name, user, password) => {
      const client = await RawSmtpClient.connect(url.smtps);
      await client.command('EHLO client.test');
      expect(await client.login(user, password)).toEqual({ code: 535, text: 'Authentication Credentials Invalid' });
      client.destroy();
    });

    it('refuses more than 50 recipients at the end of DATA, as SES does', async () => {
      const client = await authenticatedSession(url.smtp);
      const to = Array.from({ length: 51 }, (_, i) => `r${i}@example.net`);
      const reply = await sendRaw(client, { from: 'many@example.com', to, data: simpleMessage('many@example.com', 'too many') });
      expect(reply).toEqual({ code: 554, text: 'Transaction failed: Recipient count exceeds 50.' });
      expect(await capturedMessages(app, '?email=many@example.com')).toHaveLength(0);
      client.destroy();
    });

    it('refuses a malformed address at RCPT TO with SES’s 501 Invalid RCPT TO address provided, and the session goes on', async () => {
      const client = await authenticatedSession(url.smtp);
      expect(await client.command('MAIL FROM:<bad@example.com>')).toMatchObject({ code: 250 });
      expect(await client.command('RCPT TO:<j\xf6rg@example.net>')).toEqual({ code: 501, text: 'Invalid RCPT TO address provided' });
      expect(await client.command('RCPT TO:<>')).toEqual({ code: 501, text: 'Invalid RCPT TO address provided' });
      expect(await client.command('RCPT TO:<ok@example.net>')).toEqual({ code: 250, text: 'Ok' });
      client.destroy();
    });

    it('refuses the null sender and any refused sender with SES’s 501 Invalid MAIL FROM address provided', async () => {
      const client = await authenticatedSession(url.smtps);
      const invalid = { code: 501, text: 'Invalid MAIL FROM address provided' };
      expect(await client.command('MAIL FROM:<>')).toEqual(invalid);
      // Refused by intake's rules, and by the library's own syntax check.
      expect(await client.command('MAIL FROM:<j\xf6rg@example.com>')).toEqual(invalid);
      expect(await client.command('MAIL FROM:<no-domain>')).toEqual(invalid);
      expect(await client.command('MAIL FROM:')).toEqual(invalid);
      expect(await client.command('MAIL FROM:<ok@example.com>')).toEqual({ code: 250, text: 'Ok' });
      client.destroy();
    });

    it('refuses the null sender from Nodemailer', async () => {
      const err = await transport(url.smtps)
        .sendMail({ envelope: { from: '', to: ['t@example.net'] }, from: 'header@example.com', subject: 'null sender', text: 'b' })
        .catch((e: Error) => e);
      expect(err).toMatchObject({ command: 'MAIL FROM', response: '501 Invalid MAIL FROM address provided' });
    });

    it('refuses a SIZE parameter over 40 MB at MAIL FROM', async () => {
      const client = await authenticatedSession(url.smtp);
      expect((await client.command('EHLO client.test')).text).toContain('SIZE 41943040');
      expect(await client.command('MAIL FROM:<big@example.com> SIZE=41943041')).toEqual({ code: 552, text: 'Message is too long.' });
      client.destroy();
    });

    it('refuses a message over 40 MB while streaming, and the session goes on', async () => {
      const client = await authenticatedSession(url.smtp);
      const line = 'x'.repeat(998) + '\r\n';
      const data = Buffer.from('From: big@example.com\r\nTo: b@example.net\r\nSubject: big\r\n\r\n' + line.repeat(Math.ceil((40 * 1024 * 1024) / line.length) + 10));
      const reply = await sendRaw(client, { from: 'big@example.com', to: ['b@example.net'], data });
      expect(reply).toEqual({ code: 552, text: 'Message is too long.' });
      expect(await client.command('NOOP')).toMatchObject({ code: 250 });
      expect(await capturedMessages(app, '?email=big@example.com')).toHaveLength(0);
      client.destroy();
    }, 120_000);

    it.each([
      ['<LF>.<LF>', '\n.\n'],
      ['<CR>.<CR>', '\r.\r'],
      ['<CR><LF>.<LF>', '\r\n.\n'],
      ['<LF>.<CR><LF>', '\n.\r\n'],
    ])('refuses a message with the smuggling sequence %s and runs none of the smuggled commands', async (_name, sequence) => {
      const client = await authenticatedSession(url.smtp);
      const smuggled = 'MAIL FROM:<smuggled@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\nFrom: smuggled@example.com\r\nSubject: smuggled\r\n\r\nspoofed\r\n';
      const reply = await sendRaw(client, { from: 'smuggler@example.com', to: ['t@example.net'], data: `${simpleMessage('smuggler@example.com', 'cover')}${sequence}${smuggled}` });
      expect(reply).toEqual({ code: 554, text: 'Transaction failed: Message contains a bare <CR> or <LF>; lines must end with <CR><LF>.' });
      // Exactly one reply for the whole DATA: the next command is answered as itself.
      expect(await client.command('NOOP')).toMatchObject({ code: 250 });
      expect(await capturedMessages(app, '?email=smuggler@example.com')).toHaveLength(0);
      expect(await capturedMessages(app, '?email=smuggled@example.com')).toHaveLength(0);
      client.destroy();
    });

    it('refuses a bare LF in the headers', async () => {
      const client = await authenticatedSession(url.smtp);
      const reply = await sendRaw(client, { from: 'lf@example.com', to: ['t@example.net'], data: 'From: lf@example.com\nSubject: bare\r\n\r\nbody' });
      expect(reply.code).toBe(554);
      expect(await capturedMessages(app, '?email=lf@example.com')).toHaveLength(0);
      client.destroy();
    });

    it('leaves nothing behind when the client disconnects in the middle of DATA', async () => {
      const client = await authenticatedSession(url.smtp);
      await client.command('MAIL FROM:<aborted@example.com>');
      await client.command('RCPT TO:<t@example.net>');
      expect(await client.command('DATA')).toMatchObject({ code: 354 });
      client.write('From: aborted@example.com\r\nSubject: aborted\r\n\r\nhalf a mess');
      await new Promise((r) => setTimeout(r, 100));
      client.destroy();
      await new Promise((r) => setTimeout(r, 300));
      expect(await capturedMessages(app, '?email=aborted@example.com')).toHaveLength(0);
      // The server is fine: the next session works.
      const next = await authenticatedSession(url.smtp);
      expect((await sendRaw(next, { from: 'after@example.com', to: ['t@example.net'], data: simpleMessage('after@example.com', 'after') })).code).toBe(250);
      next.destroy();
    });

    it('disconnects a client after too many unrecognized commands', async () => {
      const client = await RawSmtpClient.connect(url.smtps);
      let reply = await client.command('BOGUS');
      for (let i = 0; i < 20 && reply.code === 500; i++) reply = await client.command('BOGUS');
      expect(reply.code).toBe(421);
      await client.closed();
    });

    it('disconnects a client after too many commands without authenticating', async () => {
      const client = await RawSmtpClient.connect(url.smtps);
      let reply = await client.command('NOOP');
      for (let i = 0; i < 20 && reply.code === 250; i++) reply = await client.command('NOOP');
      expect(reply).toMatchObject({ code: 421 });
      await client.closed();
    });

    it('holds a flood written before the greeting to the limits of any session', async () => {
      // 1.2 MB of NOOPs before the greeting: the parser reads one command at a time, the socket
      // stops being read while it waits, and the unauthenticated-command limit ends the session.
      const client = await RawSmtpClient.talkingEarly(url.smtps, 'NOOP\r\n'.repeat(200_000));
      const replies = await client.repliesUntilClosed();
      expect(replies.map((r) => r.code)).toEqual([220, ...Array<number>(9).fill(250), 421]);
      expect(replies.at(-1)!.text).toBe('Error: too many unauthenticated commands');
      (await authenticatedSession(url.smtps)).destroy();
    });

    it('disconnects a client that sends a command line over the limit', async () => {
      const client = await RawSmtpClient.connect(url.smtps);
      const reply = await client.command(`EHLO ${'x'.repeat(5000)}`);
      expect(reply.code).toBe(421);
      await client.closed();
    });
  });
});

describe('SMTP limits', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
  });
  afterAll(async () => db?.drop());

  it('refuses connections over the per-address limit with 421 Too many concurrent SMTP connections', async () => {
    const app = await startSesd(db, { SESD_SMTP_MAX_CONNECTIONS_PER_IP: '2' });
    const open: RawSmtpClient[] = [];
    try {
      open.push(await RawSmtpClient.connect(app.smtpsUrl!), await RawSmtpClient.connect(app.smtpUrl!));
      const third = await RawSmtpClient.connect(app.smtpsUrl!);
      expect(third.greeting).toEqual({ code: 421, text: 'Too many concurrent SMTP connections' });
      await third.closed();
      open[0]!.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const again = await RawSmtpClient.connect(app.smtpsUrl!);
      expect(again.greeting.code).toBe(220);
      open.push(again);
    } finally {
      open.forEach((c) => c.destroy());
      await app.close();
    }
  });

  it('answers an idle connection 451 4.4.2 Timeout waiting for data from client. and closes it, as SES does', async () => {
    const app = await startSesd(db, { SESD_SMTP_IDLE_TIMEOUT: '0.5' });
    try {
      const client = await RawSmtpClient.connect(app.smtpUrl!);
      const started = Date.now();
      expect(await client.reply(5_000)).toEqual({ code: 451, text: '4.4.2 Timeout waiting for data from client.' });
      await client.closed();
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await app.close();
    }
  });

  it('times out a logged-in session that idles after a message the same way', async () => {
    const app = await startSesd(db, { SESD_SMTP_IDLE_TIMEOUT: '1' });
    try {
      const client = await authenticatedSession(app.smtpsUrl!);
      expect(await sendRaw(client, { from: 'idle@example.com', to: ['someone@example.net'], data: simpleMessage('idle@example.com', 'before idling') })).toMatchObject({ code: 250 });
      // A pooled client that comes back later reads this reply to its next command, on a closed connection.
      await client.closed();
      expect(await client.reply()).toEqual({ code: 451, text: '4.4.2 Timeout waiting for data from client.' });
    } finally {
      await app.close();
    }
  });

  it('lets a pooled Nodemailer transport send again after the server timed out its idle connection', async () => {
    const app = await startSesd(db, { SESD_SMTP_IDLE_TIMEOUT: '0.5' });
    const pool = transport(app.smtpUrl!, TEST_KEY, { pool: true, maxConnections: 1 });
    try {
      const mail = (subject: string) => ({ from: 'pooled@example.com', to: 'someone@example.net', subject, text: 'pooled' });
      expect((await pool.sendMail(mail('first'))).response).toMatch(/^250 Ok /);
      await new Promise((r) => setTimeout(r, 1_500));
      expect((await pool.sendMail(mail('after the timeout'))).response).toMatch(/^250 Ok /);
    } finally {
      pool.close();
      await app.close();
    }
  });

  it('rate-limits failed authentication per client address, valid credentials included, and says when it lifts', async () => {
    // Loopback is exempt by default; this test runs on loopback.
    const app = await startSesd(db, { SESD_SMTP_AUTH_LOCKOUT_EXEMPT_LOOPBACK: 'false' });
    try {
      const client = await RawSmtpClient.connect(app.smtpsUrl!);
      await client.command('EHLO client.test');
      for (let i = 0; i < 10; i++) expect((await client.login(TEST_KEY.accessKeyId, `wrong-${i}`)).code).toBe(535);
      const blocked = await client.login(TEST_KEY.accessKeyId, smtpPassword(TEST_KEY.secretAccessKey, REGION));
      expect(blocked).toMatchObject({ code: 421 });
      expect(blocked.text).toMatch(/^Too many failed authentication attempts from your address; try again in 15 minutes \(after \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\)$/);
      await client.closed();
      const next = await RawSmtpClient.connect(app.smtpsUrl!);
      await next.command('EHLO client.test');
      expect((await next.login(TEST_KEY.accessKeyId, smtpPassword(TEST_KEY.secretAccessKey, REGION))).code).toBe(421);
      next.destroy();
    } finally {
      await app.close();
    }
  });

  it('never locks out loopback by default, where every local application shares one address', async () => {
    const app = await startSesd(db);
    try {
      const client = await RawSmtpClient.connect(app.smtpsUrl!);
      await client.command('EHLO client.test');
      for (let i = 0; i < 12; i++) expect((await client.login(TEST_KEY.accessKeyId, `wrong-${i}`)).code).toBe(535);
      client.destroy();
      (await authenticatedSession(app.smtpsUrl!)).destroy();
    } finally {
      await app.close();
    }
  });

  it('can turn either listener off', async () => {
    const app = await startSesd(db, { SESD_SMTP_PORT: 'off' });
    try {
      expect(app.smtpUrl).toBeUndefined();
      expect(app.smtpsUrl).toMatch(/^smtps:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await app.close();
    }
  });
});
