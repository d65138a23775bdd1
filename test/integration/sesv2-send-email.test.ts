// SES v2 SendEmail end to end: the real SDK client over a real socket, read back through /_aws/ses,
// on every database.
import { CreateDedicatedIpPoolCommand, CreateEmailTemplateCommand, SendBulkEmailCommand, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { capturedMessages, OTHER_ACCOUNT_KEY, sesv2Client, startSesd, TEST_KEY } from '../support/sesd.js';

const MESSAGE_ID = /^01[0-9a-f]{14}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/;

const simple = (overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput => ({
  FromEmailAddress: 'Sender <sender@example.com>',
  Destination: { ToAddresses: ['to@example.net'] },
  Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi there' } } } },
  ...overrides,
});

describe.each(DIALECTS)('SES v2 SendEmail (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  async function send(input: SendEmailCommandInput): Promise<string> {
    const out = await sesv2Client(app).send(new SendEmailCommand(input));
    expect(out.MessageId).toMatch(MESSAGE_ID);
    return out.MessageId!;
  }

  async function rejection(input: SendEmailCommandInput): Promise<{ name: string; message: string; status?: number }> {
    try {
      await sesv2Client(app).send(new SendEmailCommand(input));
    } catch (err) {
      const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
    }
    throw new Error('expected the request to be refused');
  }

  it('accepts a Simple message with Cc, Bcc, ReplyTo, headers, attachments and tags', async () => {
    const id = await send(
      simple({
        Destination: { ToAddresses: ['a@example.net', 'B <b@example.net>'], CcAddresses: ['c@example.net'], BccAddresses: ['hidden@example.net'] },
        ReplyToAddresses: ['reply@example.com'],
        EmailTags: [{ Name: 'campaign', Value: 'launch' }],
        Content: {
          Simple: {
            Subject: { Data: 'Grüße aus sesd' },
            Body: { Text: { Data: 'plain body' }, Html: { Data: '<p>html body</p>' } },
            Headers: [{ Name: 'X-Custom', Value: 'custom-value' }],
            Attachments: [{ FileName: 'note.txt', RawContent: Buffer.from('attached text'), ContentType: 'text/plain' }],
          },
        },
      }),
    );
    const [m] = await capturedMessages(app, `?id=${id}`);
    expect(m).toMatchObject({
      Id: id,
      Region: 'us-west-2',
      Source: 'sender@example.com',
      Subject: 'Grüße aus sesd',
      Body: { text_part: 'plain body', html_part: '<p>html body</p>' },
      Destination: { ToAddresses: ['a@example.net', 'B <b@example.net>'], CcAddresses: ['c@example.net'], BccAddresses: ['hidden@example.net'] },
      Attachments: [{ FileName: 'note.txt', ContentType: 'text/plain', Size: 13 }],
    });
    expect(m!.RawData).toContain('X-Custom: custom-value');
    expect(m!.RawData).toContain('Reply-To: reply@example.com');
    expect(m!.RawData).toMatch(new RegExp(`^Message-ID:\\s+<${id}@sesd\\.test>`, 'm'));
    expect(m!.RawData).not.toMatch(/^Bcc:/im);

    const events = (await (await fetch(`${app.httpUrl}/_sesd/messages/${id}/events`)).json()) as {
      events: { type: string; payload: { mail: { destination: string[]; tags: Record<string, string[]> } } }[];
      recipients: { recipient: string; status: string }[];
    };
    expect(events.recipients.map((r) => r.recipient)).toEqual(['a@example.net', 'b@example.net', 'c@example.net', 'hidden@example.net']);
    // Send is written with the message; delivery events follow once the queue has handled it.
    expect(events.events[0]!.type).toBe('Send');
    expect(events.events[0]!.payload.mail.tags).toMatchObject({
      campaign: ['launch'],
      'ses:from-domain': ['example.com'],
      'ses:caller-identity': [TEST_KEY.accessKeyId],
    });
  });

  it('accepts a Raw MIME message, replacing its Message-ID and reading recipients from its headers', async () => {
    const raw = [
      'From: Raw Sender <raw@example.com>',
      'To: r1@example.net, r2@example.net',
      'Subject: Raw subject',
      'Message-ID: <callers-own@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'raw text part',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<b>raw html part</b>',
      '--b1--',
      '',
    ].join('\r\n');
    const id = await send({ Content: { Raw: { Data: Buffer.from(raw) } } });
    const [m] = await capturedMessages(app, `?id=${id}`);
    expect(m).toMatchObject({
      Source: 'raw@example.com',
      Subject: 'Raw subject',
      Body: { text_part: 'raw text part', html_part: '<b>raw html part</b>' },
      Destination: { ToAddresses: ['r1@example.net', 'r2@example.net'] },
    });
    expect(m!.RawData).toContain(`Message-ID: <${id}@sesd.test>`);
    expect(m!.RawData).not.toContain('callers-own');
    expect(m!.RawData).toMatch(/^Date: /m);
  });

  it('renders inline template content by simple substitution', async () => {
    const id = await send({
      FromEmailAddress: 'tmpl@example.com',
      Destination: { ToAddresses: ['t@example.net'] },
      Content: {
        Template: {
          TemplateContent: { Subject: 'Hi {{name}}', Text: 'Your code is {{ code.value }}.', Html: '<p>{{name}}</p>' },
          TemplateData: JSON.stringify({ name: 'Ana', code: { value: 42 } }),
        },
      },
    });
    const [m] = await capturedMessages(app, `?id=${id}`);
    expect(m).toMatchObject({ Subject: 'Hi Ana', Body: { text_part: 'Your code is 42.', html_part: '<p>Ana</p>' } });
  });

  it('renders a stored template with Handlebars, and turns a render failure into a Rendering Failure event', async () => {
    const ses = sesv2Client(app);
    await ses.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'welcome',
        TemplateContent: { Subject: 'Welcome {{user.name}}', Text: '{{#each items}}[{{this}}]{{/each}}{{#if vip}} VIP{{/if}}', Html: '<b>{{user.name}}</b>' },
      }),
    );
    const id = await send({
      FromEmailAddress: 'tmpl@example.com',
      Destination: { ToAddresses: ['t@example.net'] },
      Content: { Template: { TemplateName: 'welcome', TemplateData: JSON.stringify({ user: { name: 'Ana & Bo' }, items: [1, 2], vip: true }) } },
    });
    const [m] = await capturedMessages(app, `?id=${id}`);
    // No HTML escaping, as in SES.
    expect(m).toMatchObject({ Subject: 'Welcome Ana & Bo', Body: { text_part: '[1][2] VIP', html_part: '<b>Ana & Bo</b>' } });

    const failed = await send({ FromEmailAddress: 'tmpl@example.com', Destination: { ToAddresses: ['t@example.net'] }, Content: { Template: { TemplateName: 'welcome', TemplateData: '{}' } } });
    const events = (await (await fetch(`${app.httpUrl}/_sesd/messages/${failed}/events`)).json()) as { events: { type: string; payload: { failure: unknown } }[]; recipients: unknown[] };
    expect(events.recipients).toEqual([]);
    expect(events.events).toEqual([
      expect.objectContaining({ type: 'Rendering Failure', payload: expect.objectContaining({ failure: { templateName: 'welcome', errorMessage: expect.stringContaining('user') } }) }),
    ]);
    // As SES's: the mail object of a message that was never made has no headers.
    expect(Object.keys((events.events[0]!.payload as unknown as { mail: object }).mail)).toEqual(['timestamp', 'source', 'sourceArn', 'sendingAccountId', 'messageId', 'destination', 'headersTruncated', 'tags']);

    expect(await rejection({ FromEmailAddress: 'tmpl@example.com', Destination: { ToAddresses: ['t@example.net'] }, Content: { Template: { TemplateName: 'nope', TemplateData: '{}' } } })).toMatchObject({
      name: 'NotFoundException',
      status: 404,
    });
  });

  it('sends a template with its attachments (Template.Attachments), to every recipient of a bulk send too', async () => {
    await sesv2Client(app).send(new CreateEmailTemplateCommand({ TemplateName: 'invoice', TemplateContent: { Subject: 'Invoice {{n}}', Text: 'Attached: invoice {{n}}.' } }));
    const Attachments = [{ FileName: 'invoice.pdf', RawContent: Buffer.from('%PDF-1.4 invoice'), ContentType: 'application/pdf' }];
    const id = await send({
      FromEmailAddress: 'tmpl@example.com',
      Destination: { ToAddresses: ['t@example.net'] },
      Content: { Template: { TemplateName: 'invoice', TemplateData: '{"n":"7"}', Attachments } },
    });
    const [m] = await capturedMessages(app, `?id=${id}`);
    expect(m).toMatchObject({ Subject: 'Invoice 7', Body: { text_part: 'Attached: invoice 7.' }, Attachments: [{ FileName: 'invoice.pdf', ContentType: 'application/pdf', Size: 16 }] });

    const bulk = await sesv2Client(app).send(
      new SendBulkEmailCommand({
        FromEmailAddress: 'tmpl@example.com',
        DefaultContent: { Template: { TemplateName: 'invoice', TemplateData: '{"n":"0"}', Attachments } },
        BulkEmailEntries: [1, 2].map((n) => ({ Destination: { ToAddresses: [`b${n}@example.net`] }, ReplacementEmailContent: { ReplacementTemplate: { ReplacementTemplateData: `{"n":"${n}"}` } } })),
      }),
    );
    for (const [i, entry] of bulk.BulkEmailEntryResults!.entries()) {
      const [sent] = await capturedMessages(app, `?id=${entry.MessageId}`);
      expect(sent).toMatchObject({ Subject: `Invoice ${i + 1}`, Attachments: [{ FileName: 'invoice.pdf', Size: 16 }] });
    }
  });

  it('refuses a send naming a configuration set that does not exist', async () => {
    expect(await rejection(simple({ ConfigurationSetName: 'missing-set' }))).toEqual({ name: 'NotFoundException', message: 'Configuration set <missing-set> does not exist.', status: 404 });
  });

  it('filters captured mail by sender with ?email=', async () => {
    await send(simple({ FromEmailAddress: 'filter-me@example.org' }));
    const list = await capturedMessages(app, '?email=filter-me@example.org');
    expect(list).toHaveLength(1);
    expect(list[0]!.Source).toBe('filter-me@example.org');
  });

  it.each([
    ['no recipients', simple({ Destination: {} }), 'Recipient count must be greater than 0.'],
    ['51 recipients', simple({ Destination: { ToAddresses: Array.from({ length: 51 }, (_, i) => `r${i}@example.net`) } }), 'Recipient count exceeds 50.'],
    ['an address without a domain', simple({ Destination: { ToAddresses: ['nobody'] } }), "Missing final '@domain'"],
    ['a non-ASCII local part', simple({ Destination: { ToAddresses: ['jörg@example.net'] } }), 'Illegal address'],
    ['no Text and no Html', simple({ Content: { Simple: { Subject: { Data: 's' }, Body: {} } } }), 'Message body must have at least one of Text or Html.'],
    ['a template with invalid TemplateData', { ...simple(), Content: { Template: { TemplateContent: { Subject: 'x', Text: 'y' }, TemplateData: 'nope' } } }, 'Unable to parse template data (invalid JSON).'],
    // SES v1's text (recorded in LocalStack's test_ses.snapshot.json); v2 is taken to word it alike.
    ['a tag with a space in its value', simple({ EmailTags: [{ Name: 'campaign', Value: 'two words' }] }), "Invalid tag value <two words>: only alphanumeric ASCII characters, '_',  '-' , '.', '@' are allowed."],
  ])('refuses %s with BadRequestException', async (_name, input, message) => {
    expect(await rejection(input)).toEqual({ name: 'BadRequestException', message, status: 400 });
  });

  it('refuses a message over 40 MB', async () => {
    const big = Buffer.alloc(40 * 1024 * 1024 + 1, 'a');
    const raw = Buffer.concat([Buffer.from('From: a@example.com\r\nTo: b@example.net\r\nSubject: big\r\n\r\n'), big]);
    const res = await rejection({ Content: { Raw: { Data: raw } } });
    expect(res.name).toBe('BadRequestException');
    expect(res.message).toMatch(/^Message length is more than 41943040 bytes long: '\d+'\.$/);
  }, 60_000);

  it('refuses a request signed with an unknown key or a wrong secret', async () => {
    const unknown = await sesv2Client(app, { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' }).send(new SendEmailCommand(simple())).catch((e: Error) => e);
    expect(unknown).toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    const wrong = await sesv2Client(app, { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: 'wrong' }).send(new SendEmailCommand(simple())).catch((e: Error) => e);
    expect(wrong).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
  });

  it('refuses an unsigned request with the missing-token error', async () => {
    const res = await fetch(`${app.httpUrl}/v2/email/outbound-emails`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationTokenException/);
  });

  it('answers an operation it does not implement with a clear error, not a fake success', async () => {
    const err = await sesv2Client(app).send(new CreateDedicatedIpPoolCommand({ PoolName: 'pool' })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
    expect((err as Error).message).toContain('CreateDedicatedIpPool');
  });

  it('records the account of the key that sent', async () => {
    const out = await sesv2Client(app, OTHER_ACCOUNT_KEY).send(new SendEmailCommand(simple()));
    const [row] = await app.store.messages.list({ id: out.MessageId });
    expect(row!.accountId).toBe(OTHER_ACCOUNT_KEY.accountId);
  });

  it('keeps captured mail across a restart, and DELETE /_aws/ses clears it', async () => {
    const id = await send(simple({ Content: { Simple: { Subject: { Data: 'Survivor' }, Body: { Text: { Data: 'still here' } } } } }));
    await app.close();
    app = await startSesd(db);
    const [m] = await capturedMessages(app, `?id=${id}`);
    expect(m).toMatchObject({ Subject: 'Survivor', Body: { text_part: 'still here' } });

    const del = await fetch(`${app.httpUrl}/_aws/ses`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await capturedMessages(app)).toEqual([]);
  });
});
