// Pinpoint SendMessages and SendUsersMessages for email, end to end: the real Pinpoint client over a
// real socket, mail read back through /_aws/ses, on every database.
import {
  CreateAppCommand,
  CreateEmailTemplateCommand,
  SendMessagesCommand,
  SendUsersMessagesCommand,
  UpdateEmailChannelCommand,
  UpdateEndpointCommand,
  type MessageRequest,
  type PinpointClient,
} from '@aws-sdk/client-pinpoint';
import { CreateConfigurationSetCommand, PutAccountSendingAttributesCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { capturedMessages, pinpointClient, sesv2Client, startSesd } from '../support/sesd.js';

const MESSAGE_ID = /^01[0-9a-f]{14}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/;
const IDENTITY = 'arn:aws:ses:us-west-2:000000000000:identity/example.com';

describe.each(DIALECTS)('Pinpoint SendMessages (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let pinpoint: PinpointClient;
  let appId: string;

  async function newApp(channel?: { enabled?: boolean; from?: string; configurationSet?: string }): Promise<string> {
    const created = await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: 'shop' } }));
    const id = created.ApplicationResponse!.Id!;
    if (channel) {
      await pinpoint.send(
        new UpdateEmailChannelCommand({
          ApplicationId: id,
          EmailChannelRequest: { FromAddress: channel.from ?? 'Shop <shop@example.com>', Identity: IDENTITY, Enabled: channel.enabled ?? true, ConfigurationSet: channel.configurationSet },
        }),
      );
    }
    return id;
  }

  const sendMessages = async (request: MessageRequest, applicationId = appId) =>
    (await pinpoint.send(new SendMessagesCommand({ ApplicationId: applicationId, MessageRequest: request }))).MessageResponse!;

  const simpleEmail = (subject: string, text: string, html?: string) => ({
    EmailMessage: { SimpleEmail: { Subject: { Data: subject }, TextPart: { Data: text }, HtmlPart: html === undefined ? undefined : { Data: html } } },
  });

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db);
    pinpoint = pinpointClient(app);
    appId = await newApp({});
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('sends a simple email to each address through the channel and reports one result per address', async () => {
    const out = await sendMessages({
      Addresses: { 'ana@example.net': { ChannelType: 'EMAIL' }, 'bo@example.net': { ChannelType: 'EMAIL' } },
      MessageConfiguration: simpleEmail('Your order', 'It has shipped.', '<p>It has shipped.</p>'),
      // Free text, which SES message tags could not carry: it must not cost the send.
      Context: { 'order.id': 'A 17' },
      TraceId: 'trace-1',
    });
    expect(out.ApplicationId).toBe(appId);
    expect(out.RequestId).toEqual(expect.any(String));
    const ana = out.Result!['ana@example.net']!;
    expect(ana).toEqual({ DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, StatusMessage: ana.MessageId, MessageId: expect.stringMatching(MESSAGE_ID) });
    expect(out.Result!['bo@example.net']!.DeliveryStatus).toBe('SUCCESSFUL');

    const [mail] = await capturedMessages(app, `?id=${ana.MessageId}`);
    expect(mail).toMatchObject({
      Source: 'shop@example.com',
      Destination: { ToAddresses: ['ana@example.net'] },
      Subject: 'Your order',
      Body: { text_part: 'It has shipped.', html_part: '<p>It has shipped.</p>' },
      Region: 'us-west-2',
    });
    expect(mail!.RawData).toContain('From: Shop <shop@example.com>');
    const [stored] = await app.store.messages.list({ id: ana.MessageId });
    expect(stored!.sourceApi).toBe('pinpoint');
  });

  it("uses the message's FromAddress and reply-to addresses over the channel's sender", async () => {
    const out = await sendMessages({
      Addresses: { 'cy@example.net': { ChannelType: 'EMAIL' } },
      MessageConfiguration: {
        EmailMessage: {
          FromAddress: 'news@example.com',
          ReplyToAddresses: ['help@example.com'],
          SimpleEmail: { Subject: { Data: 'News' }, TextPart: { Data: 'Fresh news.' } },
        },
      },
    });
    const [mail] = await capturedMessages(app, `?id=${out.Result!['cy@example.net']!.MessageId}`);
    expect(mail).toMatchObject({ Source: 'news@example.com', Subject: 'News' });
    expect(mail!.RawData).toContain('Reply-To: help@example.com');
  });

  it("applies the channel's configuration set to every message", async () => {
    await sesv2Client(app).send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'pinpoint-set' }));
    const withSet = await newApp({ configurationSet: 'pinpoint-set' });
    const out = await sendMessages({ Addresses: { 'cy@example.net': { ChannelType: 'EMAIL' } }, MessageConfiguration: simpleEmail('Set', 'set') }, withSet);
    const [stored] = await app.store.messages.list({ id: out.Result!['cy@example.net']!.MessageId });
    expect(stored!.configurationSet).toBe('pinpoint-set');
  });

  it("fails each address as SES does when the channel's configuration set does not exist", async () => {
    const withSet = await newApp({ configurationSet: 'no-such-set' });
    const out = await sendMessages({ Addresses: { 'cy@example.net': { ChannelType: 'EMAIL' } }, MessageConfiguration: simpleEmail('Set', 'set') }, withSet);
    expect(out.Result!['cy@example.net']).toEqual({
      DeliveryStatus: 'PERMANENT_FAILURE',
      StatusCode: 404,
      StatusMessage: expect.stringMatching(/^Configuration set <no-such-set> does not exist\. \(Service: AmazonSimpleEmailServiceV2; Status Code: 404; Error Code: NotFoundException;/),
    });
  });

  it('sends a raw MIME message as given to each address', async () => {
    const raw = ['From: shop@example.com', 'To: someone@example.net', 'Subject: Raw hello', 'Content-Type: text/plain', '', 'raw body', ''].join('\r\n');
    const out = await sendMessages({
      Addresses: { 'dee@example.net': { ChannelType: 'EMAIL' } },
      MessageConfiguration: { EmailMessage: { RawEmail: { Data: Buffer.from(raw) } } },
    });
    const result = out.Result!['dee@example.net']!;
    expect(result.DeliveryStatus).toBe('SUCCESSFUL');
    const [mail] = await capturedMessages(app, `?id=${result.MessageId}`);
    expect(mail).toMatchObject({ Subject: 'Raw hello', Body: { text_part: 'raw body' }, Destination: { ToAddresses: ['dee@example.net'] } });
  });

  it('renders a stored template with its defaults, message substitutions and per-address substitutions', async () => {
    await pinpoint.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'Welcome',
        EmailTemplateRequest: {
          Subject: 'Welcome, {{User.UserAttributes.FirstName}}!',
          TextPart: 'Hi {{User.UserAttributes.FirstName}}, your plan is {{Attributes.Plan}}. {{#each Attributes.Perks}}[{{this}}]{{/each}}',
          HtmlPart: '<p>Hi {{User.UserAttributes.FirstName}} & {{Attributes.Plan}}{{Missing}}</p>',
          DefaultSubstitutions: JSON.stringify({ 'User.UserAttributes.FirstName': 'friend', 'Attributes.Plan': 'free' }),
        },
      }),
    );
    const out = await sendMessages({
      Addresses: {
        'eve@example.net': { ChannelType: 'EMAIL', Substitutions: { 'User.UserAttributes.FirstName': ['Eve', 'ignored'], 'Attributes.Perks': ['fast', '<b>big</b>'] } },
        'fay@example.net': { ChannelType: 'EMAIL' },
      },
      MessageConfiguration: { EmailMessage: { Substitutions: { 'Attributes.Plan': ['pro'] } } },
      TemplateConfiguration: { EmailTemplate: { Name: 'Welcome' } },
    });
    const [eve] = await capturedMessages(app, `?id=${out.Result!['eve@example.net']!.MessageId}`);
    expect(eve).toMatchObject({
      Subject: 'Welcome, Eve!',
      Body: { text_part: 'Hi Eve, your plan is pro. [fast][<b>big</b>]', html_part: '<p>Hi Eve & pro</p>' },
    });
    const [fay] = await capturedMessages(app, `?id=${out.Result!['fay@example.net']!.MessageId}`);
    expect(fay).toMatchObject({ Subject: 'Welcome, friend!', Body: { text_part: 'Hi friend, your plan is pro. ' } });
  });

  it('substitutes variables in a simple message and applies title and body overrides', async () => {
    const out = await sendMessages({
      Addresses: {
        'gus@example.net': { ChannelType: 'EMAIL', Substitutions: { name: ['Gus'] } },
        'hal@example.net': { ChannelType: 'EMAIL', Substitutions: { name: ['Hal'] }, TitleOverride: 'Just for {{name}}', BodyOverride: 'Custom body' },
      },
      MessageConfiguration: simpleEmail('Hello {{name}}', 'Dear {{name}}'),
    });
    const [gus] = await capturedMessages(app, `?id=${out.Result!['gus@example.net']!.MessageId}`);
    expect(gus).toMatchObject({ Subject: 'Hello Gus', Body: { text_part: 'Dear Gus' } });
    const [hal] = await capturedMessages(app, `?id=${out.Result!['hal@example.net']!.MessageId}`);
    expect(hal).toMatchObject({ Subject: 'Just for Hal', Body: { text_part: 'Custom body' } });
  });

  it('reports good and bad addresses of one request each on its own', async () => {
    const out = await sendMessages({
      Addresses: {
        'ok@example.net': { ChannelType: 'EMAIL' },
        'not-an-address': { ChannelType: 'EMAIL' },
        '+12065550100': { ChannelType: 'SMS' },
        'raw@example.net': { ChannelType: 'EMAIL', RawContent: '{"x":1}' },
      },
      MessageConfiguration: simpleEmail('Mixed', 'mixed'),
    });
    expect(out.Result!['ok@example.net']!.DeliveryStatus).toBe('SUCCESSFUL');
    expect(out.Result!['not-an-address']).toEqual({
      DeliveryStatus: 'PERMANENT_FAILURE',
      StatusCode: 400,
      StatusMessage: expect.stringMatching(/^Missing final '@domain' \(Service: AmazonSimpleEmailServiceV2; Status Code: 400; Error Code: BadRequestException; Request ID: .+; Proxy: null\)$/),
    });
    expect(out.Result!['+12065550100']).toEqual({
      DeliveryStatus: 'PERMANENT_FAILURE',
      StatusCode: 400,
      StatusMessage: 'sesd does not support the SMS channel; only EMAIL messages can be sent.',
    });
    expect(out.Result!['raw@example.net']).toMatchObject({ DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 400 });
    const sent = await capturedMessages(app);
    expect(sent.filter((m) => m.Subject === 'Mixed').map((m) => m.Destination.ToAddresses)).toEqual([['ok@example.net']]);
  });

  it('fails every address of an application whose channel is disabled or missing', async () => {
    const disabled = await newApp({ enabled: false });
    const out = await sendMessages({ Addresses: { 'ivy@example.net': { ChannelType: 'EMAIL' } }, MessageConfiguration: simpleEmail('Off', 'off') }, disabled);
    expect(out.Result!['ivy@example.net']).toEqual({ DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 400, StatusMessage: 'The EMAIL channel is disabled for this application.' });

    const bare = await newApp();
    const none = await sendMessages({ Addresses: { 'ivy@example.net': { ChannelType: 'EMAIL' } }, MessageConfiguration: simpleEmail('Off', 'off') }, bare);
    expect(none.Result!['ivy@example.net']!.StatusMessage).toBe('The EMAIL channel is not configured for this application.');
    expect((await capturedMessages(app)).some((m) => m.Subject === 'Off')).toBe(false);
  });

  it('sends to endpoints with their attributes, gives opted-out endpoints OPT_OUT and reports unknown ones', async () => {
    const endpoint = (id: string, address: string, extra: Record<string, unknown> = {}) =>
      pinpoint.send(
        new UpdateEndpointCommand({
          ApplicationId: appId,
          EndpointId: id,
          EndpointRequest: { ChannelType: 'EMAIL', Address: address, User: { UserId: 'user-1', UserAttributes: { FirstName: [id] } }, ...extra },
        }),
      );
    await endpoint('ep-jo', 'jo@example.net', { Attributes: { Plan: ['gold'] } });
    await endpoint('ep-out', 'out@example.net', { OptOut: 'ALL' });
    const out = await sendMessages({
      Endpoints: { 'ep-jo': {}, 'ep-out': {}, 'ep-none': {} },
      MessageConfiguration: simpleEmail('Hi {{User.UserAttributes.FirstName}}', 'Plan {{Attributes.Plan}} for {{Address}}'),
    });
    const jo = out.EndpointResult!['ep-jo']!;
    expect(jo).toMatchObject({ Address: 'jo@example.net', DeliveryStatus: 'SUCCESSFUL', StatusCode: 200 });
    const [mail] = await capturedMessages(app, `?id=${jo.MessageId}`);
    expect(mail).toMatchObject({ Subject: 'Hi ep-jo', Body: { text_part: 'Plan gold for jo@example.net' }, Destination: { ToAddresses: ['jo@example.net'] } });
    expect(out.EndpointResult!['ep-out']).toMatchObject({ Address: 'out@example.net', DeliveryStatus: 'OPT_OUT' });
    expect(out.EndpointResult!['ep-out']!.MessageId).toBeUndefined();
    expect(out.EndpointResult!['ep-none']).toMatchObject({ DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 404 });
    expect(out.Result).toBeUndefined();
  });

  it('sends to every endpoint of each user with SendUsersMessages', async () => {
    const users = await newApp({});
    for (const [id, address, userId] of [
      ['k1', 'kim@example.net', 'kim'],
      ['k2', 'kim.work@example.net', 'kim'],
      ['l1', 'lee@example.net', 'lee'],
    ] as const) {
      await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: users, EndpointId: id, EndpointRequest: { ChannelType: 'EMAIL', Address: address, User: { UserId: userId } } }));
    }
    const out = await pinpoint.send(
      new SendUsersMessagesCommand({
        ApplicationId: users,
        SendUsersMessageRequest: {
          Users: { kim: { Substitutions: { who: ['Kim'] } }, lee: {}, nobody: {} },
          MessageConfiguration: simpleEmail('For {{who}}', 'text'),
        },
      }),
    );
    const result = out.SendUsersMessageResponse!.Result!;
    expect(Object.keys(result.kim!)).toEqual(['k1', 'k2']);
    expect(result.kim!.k2).toMatchObject({ Address: 'kim.work@example.net', DeliveryStatus: 'SUCCESSFUL' });
    expect(result.lee!.l1!.DeliveryStatus).toBe('SUCCESSFUL');
    expect(result.nobody).toEqual({});
    const [mail] = await capturedMessages(app, `?id=${result.kim!.k1!.MessageId}`);
    expect(mail!.Subject).toBe('For Kim');
  });

  async function appIn(region: string): Promise<{ client: PinpointClient; id: string }> {
    const client = pinpointClient(app, undefined, region);
    const created = await client.send(new CreateAppCommand({ CreateApplicationRequest: { Name: region } }));
    const id = created.ApplicationResponse!.Id!;
    const identity = `arn:aws:ses:${region}:000000000000:identity/example.com`;
    await client.send(new UpdateEmailChannelCommand({ ApplicationId: id, EmailChannelRequest: { FromAddress: 'shop@example.com', Identity: identity } }));
    return { client, id };
  }

  const sendIn = async ({ client, id }: { client: PinpointClient; id: string }, addresses: string[]) =>
    (
      await client.send(
        new SendMessagesCommand({
          ApplicationId: id,
          MessageRequest: { Addresses: Object.fromEntries(addresses.map((a) => [a, { ChannelType: 'EMAIL' }])), MessageConfiguration: simpleEmail('Rules', 'r') },
        }),
      )
    ).MessageResponse!.Result!;

  it("gives the address past the account's daily quota THROTTLED with SES's 429", async () => {
    await app.store.accountSettings.put({ accountId: '000000000000', region: 'ap-south-1' }, { ...DEFAULT_ACCOUNT_SETTINGS, max24HourSend: 1 });
    const result = await sendIn(await appIn('ap-south-1'), ['first@example.net', 'second@example.net']);
    expect(result['first@example.net']!.DeliveryStatus).toBe('SUCCESSFUL');
    expect(result['second@example.net']).toEqual({
      DeliveryStatus: 'THROTTLED',
      StatusCode: 429,
      StatusMessage: expect.stringMatching(/^Daily message quota exceeded\. \(Service: AmazonSimpleEmailServiceV2; Status Code: 429; Error Code: TooManyRequestsException;/),
    });
  });

  it('fails each address while sending is paused for the account', async () => {
    const target = await appIn('eu-west-1');
    await sesv2Client(app, undefined, 'eu-west-1').send(new PutAccountSendingAttributesCommand({ SendingEnabled: false }));
    const result = await sendIn(target, ['max@example.net']);
    expect(result['max@example.net']).toMatchObject({
      DeliveryStatus: 'PERMANENT_FAILURE',
      StatusCode: 400,
      StatusMessage: expect.stringMatching(/ \(Service: AmazonSimpleEmailServiceV2; Status Code: 400; Error Code: SendingPausedException; Request ID: .+; Proxy: null\)$/),
    });
  });

  it('answers NotFoundException for an unknown application or template', async () => {
    const err = await pinpoint
      .send(new SendMessagesCommand({ ApplicationId: '0'.repeat(32), MessageRequest: { Addresses: {}, MessageConfiguration: {} } }))
      .catch((e: unknown) => e as { name: string; message: string; $metadata: { httpStatusCode: number } });
    expect(err).toMatchObject({ name: 'NotFoundException', message: 'Resource not found', $metadata: { httpStatusCode: 404 } });
    const noTemplate = await sendMessages({
      Addresses: { 'x@example.net': { ChannelType: 'EMAIL' } },
      MessageConfiguration: {},
      TemplateConfiguration: { EmailTemplate: { Name: 'NoSuchTemplate' } },
    }).catch((e: unknown) => e as { name: string });
    expect(noTemplate).toMatchObject({ name: 'NotFoundException' });
  });
});

describe.each(DIALECTS)('Pinpoint SendMessages with verification (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db, { SESD_AUTO_VERIFY: 'false' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('fails an address with PERMANENT_FAILURE when the sender is not a verified identity', async () => {
    const pinpoint = pinpointClient(app);
    const created = await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: 'unverified' } }));
    const id = created.ApplicationResponse!.Id!;
    await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: id, EmailChannelRequest: { FromAddress: 'shop@example.com', Identity: IDENTITY } }));
    const out = await pinpoint.send(
      new SendMessagesCommand({
        ApplicationId: id,
        MessageRequest: { Addresses: { 'nia@example.net': { ChannelType: 'EMAIL' } }, MessageConfiguration: { EmailMessage: { SimpleEmail: { Subject: { Data: 's' }, TextPart: { Data: 't' } } } } },
      }),
    );
    expect(out.MessageResponse!.Result!['nia@example.net']).toEqual({
      DeliveryStatus: 'PERMANENT_FAILURE',
      StatusCode: 400,
      StatusMessage: expect.stringMatching(
        /^Email address is not verified\. The following identities failed the check in region US-WEST-2: shop@example\.com \(Service: AmazonSimpleEmailServiceV2; Status Code: 400; Error Code: MessageRejected;/,
      ),
    });
    expect(await capturedMessages(app)).toEqual([]);
  });
});
