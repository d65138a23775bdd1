// Pinpoint applications, the email channel, email templates with versions and endpoints, through the
// real Pinpoint client over a real socket, on every database.
import {
  CreateAppCommand,
  CreateEmailTemplateCommand,
  DeleteAppCommand,
  DeleteEmailChannelCommand,
  DeleteEmailTemplateCommand,
  DeleteEndpointCommand,
  DeleteUserEndpointsCommand,
  GetApplicationSettingsCommand,
  GetAppCommand,
  GetAppsCommand,
  GetEmailChannelCommand,
  GetEmailTemplateCommand,
  GetEndpointCommand,
  GetSmsChannelCommand,
  GetUserEndpointsCommand,
  ListTemplatesCommand,
  ListTemplateVersionsCommand,
  UpdateApplicationSettingsCommand,
  UpdateEmailChannelCommand,
  UpdateEmailTemplateCommand,
  UpdateEndpointCommand,
  UpdateEndpointsBatchCommand,
  UpdateTemplateActiveVersionCommand,
  type PinpointClient,
} from '@aws-sdk/client-pinpoint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../support/databases.js';
import { OTHER_ACCOUNT_KEY, pinpointClient, startSesd } from '../support/sesd.js';

const IDENTITY = 'arn:aws:ses:us-west-2:000000000000:identity/example.com';

interface Refusal {
  name: string;
  message: string;
  $metadata: { httpStatusCode?: number };
}

const refusal = (promise: Promise<unknown>): Promise<Refusal> =>
  promise.then(
    () => {
      throw new Error('expected the request to be refused');
    },
    (err: unknown) => err as Refusal,
  );

describe.each(DIALECTS)('Pinpoint resources (%s)', (dialect) => {
  let db: TestDatabase;
  let app: RunningApp;
  let pinpoint: PinpointClient;

  const createApp = async (name: string, tags?: Record<string, string>) =>
    (await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: name, tags } }))).ApplicationResponse!;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    app = await startSesd(db);
    pinpoint = pinpointClient(app);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('applications', () => {
    it('creates, reads, lists page by page and deletes applications', async () => {
      const created = await createApp('first', { team: 'growth' });
      expect(created).toEqual({
        Id: expect.stringMatching(/^[0-9a-f]{32}$/),
        Arn: `arn:aws:mobiletargeting:us-west-2:000000000000:apps/${created.Id}`,
        Name: 'first',
        tags: { team: 'growth' },
        CreationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect((await pinpoint.send(new GetAppCommand({ ApplicationId: created.Id }))).ApplicationResponse).toEqual(created);

      const second = await createApp('second');
      const third = await createApp('third');
      const page1 = (await pinpoint.send(new GetAppsCommand({ PageSize: '2' }))).ApplicationsResponse!;
      expect(page1.Item!.map((a) => a.Id)).toEqual([created.Id, second.Id]);
      const page2 = (await pinpoint.send(new GetAppsCommand({ PageSize: '2', Token: page1.NextToken }))).ApplicationsResponse!;
      expect(page2.Item!.map((a) => a.Id)).toEqual([third.Id]);
      expect(page2.NextToken).toBeUndefined();

      const deleted = await pinpoint.send(new DeleteAppCommand({ ApplicationId: second.Id }));
      expect(deleted.ApplicationResponse!.Name).toBe('second');
      const gone = await refusal(pinpoint.send(new GetAppCommand({ ApplicationId: second.Id })));
      expect(gone).toMatchObject({ name: 'NotFoundException', message: 'Resource not found', $metadata: { httpStatusCode: 404 } });
    });

    it("keeps an account's applications from another account", async () => {
      const mine = await createApp('private');
      const other = pinpointClient(app, OTHER_ACCOUNT_KEY);
      expect(await refusal(other.send(new GetAppCommand({ ApplicationId: mine.Id })))).toMatchObject({ name: 'NotFoundException' });
      expect((await other.send(new GetAppsCommand({}))).ApplicationsResponse!.Item).toEqual([]);
    });

    it('stores and answers application settings', async () => {
      const { Id } = await createApp('settings');
      await pinpoint.send(
        new UpdateApplicationSettingsCommand({ ApplicationId: Id, WriteApplicationSettingsRequest: { QuietTime: { Start: '22:00', End: '07:00' } } }),
      );
      const settings = (await pinpoint.send(new GetApplicationSettingsCommand({ ApplicationId: Id }))).ApplicationSettingsResource!;
      expect(settings).toMatchObject({ ApplicationId: Id, QuietTime: { Start: '22:00', End: '07:00' }, LastModifiedDate: expect.any(String) });
    });
  });

  it('answers an operation sesd does not implement (other channels, campaigns) as not supported', async () => {
    const { Id } = await createApp('sms');
    expect(await refusal(pinpoint.send(new GetSmsChannelCommand({ ApplicationId: Id })))).toMatchObject({
      name: 'NotImplemented',
      message: 'sesd does not support the Pinpoint operation GetSmsChannel yet.',
      $metadata: { httpStatusCode: 501 },
    });
  });

  describe('email channel', () => {
    it('updates, reads and deletes the email channel of an application', async () => {
      const { Id } = await createApp('channel');
      expect(await refusal(pinpoint.send(new GetEmailChannelCommand({ ApplicationId: Id })))).toMatchObject({ name: 'NotFoundException' });

      const request = { FromAddress: 'Shop <shop@mail.example.com>', Identity: IDENTITY, ConfigurationSet: 'transactional' };
      const updated = (await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: Id, EmailChannelRequest: request }))).EmailChannelResponse!;
      expect(updated).toMatchObject({ ...request, ApplicationId: Id, Enabled: true, Platform: 'EMAIL', Version: 1, IsArchived: false });

      await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: Id, EmailChannelRequest: { ...request, Enabled: false } }));
      const read = (await pinpoint.send(new GetEmailChannelCommand({ ApplicationId: Id }))).EmailChannelResponse!;
      expect(read).toMatchObject({ Enabled: false, Version: 2, CreationDate: updated.CreationDate });

      const deleted = (await pinpoint.send(new DeleteEmailChannelCommand({ ApplicationId: Id }))).EmailChannelResponse!;
      expect(deleted.FromAddress).toBe(request.FromAddress);
      expect(await refusal(pinpoint.send(new GetEmailChannelCommand({ ApplicationId: Id })))).toMatchObject({ name: 'NotFoundException' });
    });

    it('refuses a FromAddress the identity does not cover and an identity that is not an SES identity ARN', async () => {
      const { Id } = await createApp('bad-channel');
      const update = (FromAddress: string, Identity: string) =>
        refusal(pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: Id, EmailChannelRequest: { FromAddress, Identity } })));
      expect(await update('shop@other.example', IDENTITY)).toMatchObject({
        name: 'BadRequestException',
        message: `FromAddress shop@other.example does not belong to the identity ${IDENTITY}.`,
        $metadata: { httpStatusCode: 400 },
      });
      expect(await update('shop@example.com', 'example.com')).toMatchObject({ name: 'BadRequestException', message: 'Invalid ARN: example.com' });
      expect(await update('not-an-address', IDENTITY)).toMatchObject({ name: 'BadRequestException', message: "Missing final '@domain'" });
    });
  });

  describe('email templates', () => {
    const content = { Subject: 'Hi {{User.UserAttributes.FirstName}}', TextPart: 'v1 text', DefaultSubstitutions: '{"User.UserAttributes.FirstName":"there"}' };

    it('creates a template and keeps versions: overwrite the latest, add one, choose the active one', async () => {
      const created = await pinpoint.send(new CreateEmailTemplateCommand({ TemplateName: 'Receipt', EmailTemplateRequest: { ...content, TemplateDescription: 'receipts' } }));
      expect(created.CreateTemplateMessageBody).toMatchObject({ Arn: 'arn:aws:mobiletargeting:us-west-2:000000000000:templates/Receipt/EMAIL', Message: 'Created' });
      const again = await refusal(pinpoint.send(new CreateEmailTemplateCommand({ TemplateName: 'Receipt', EmailTemplateRequest: content })));
      expect(again).toMatchObject({ name: 'BadRequestException', message: 'Template already exists' });

      const get = async (Version?: string) => (await pinpoint.send(new GetEmailTemplateCommand({ TemplateName: 'Receipt', Version }))).EmailTemplateResponse!;
      expect(await get()).toMatchObject({ TemplateName: 'Receipt', TemplateType: 'EMAIL', Version: '1', TextPart: 'v1 text', TemplateDescription: 'receipts', DefaultSubstitutions: content.DefaultSubstitutions });

      await pinpoint.send(new UpdateEmailTemplateCommand({ TemplateName: 'Receipt', EmailTemplateRequest: { ...content, TextPart: 'v1 edited' } }));
      expect(await get()).toMatchObject({ Version: '1', TextPart: 'v1 edited' });

      await pinpoint.send(new UpdateEmailTemplateCommand({ TemplateName: 'Receipt', CreateNewVersion: true, EmailTemplateRequest: { ...content, TextPart: 'v2 text' } }));
      expect(await get()).toMatchObject({ Version: '1', TextPart: 'v1 edited' });
      expect(await get('2')).toMatchObject({ Version: '2', TextPart: 'v2 text' });
      const versions = (await pinpoint.send(new ListTemplateVersionsCommand({ TemplateName: 'Receipt', TemplateType: 'EMAIL' }))).TemplateVersionsResponse!;
      expect(versions.Item!.map((v) => v.Version)).toEqual(['1', '2']);

      const stale = await refusal(pinpoint.send(new UpdateEmailTemplateCommand({ TemplateName: 'Receipt', Version: '1', EmailTemplateRequest: content })));
      expect(stale).toMatchObject({ name: 'BadRequestException' });

      await pinpoint.send(new UpdateTemplateActiveVersionCommand({ TemplateName: 'Receipt', TemplateType: 'EMAIL', TemplateActiveVersionRequest: { Version: 'latest' } }));
      expect(await get()).toMatchObject({ Version: '2' });

      await pinpoint.send(new DeleteEmailTemplateCommand({ TemplateName: 'Receipt', Version: '2' }));
      expect(await get()).toMatchObject({ Version: '1' });
      await pinpoint.send(new DeleteEmailTemplateCommand({ TemplateName: 'Receipt' }));
      expect(await refusal(get())).toMatchObject({ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } });
    });

    it('lists templates by prefix, page by page', async () => {
      for (const name of ['list-a', 'list-b', 'list-c', 'other']) {
        await pinpoint.send(new CreateEmailTemplateCommand({ TemplateName: name, EmailTemplateRequest: content }));
      }
      const page1 = (await pinpoint.send(new ListTemplatesCommand({ Prefix: 'list-', PageSize: '2' }))).TemplatesResponse!;
      expect(page1.Item!.map((t) => t.TemplateName)).toEqual(['list-a', 'list-b']);
      expect(page1.Item![0]).toMatchObject({ TemplateType: 'EMAIL', Version: '1', Arn: expect.stringContaining('templates/list-a/EMAIL') });
      const page2 = (await pinpoint.send(new ListTemplatesCommand({ Prefix: 'list-', PageSize: '2', NextToken: page1.NextToken }))).TemplatesResponse!;
      expect(page2.Item!.map((t) => t.TemplateName)).toEqual(['list-c']);
      expect((await pinpoint.send(new ListTemplatesCommand({ TemplateType: 'SMS' }))).TemplatesResponse!.Item).toEqual([]);
    });

    it('refuses invalid names, DefaultSubstitutions that are not a JSON object and broken Handlebars', async () => {
      const create = (TemplateName: string, req: Record<string, string>) => refusal(pinpoint.send(new CreateEmailTemplateCommand({ TemplateName, EmailTemplateRequest: req })));
      expect(await create('-bad', content)).toMatchObject({ name: 'BadRequestException' });
      expect(await create('defaults', { ...content, DefaultSubstitutions: '[1]' })).toMatchObject({ name: 'BadRequestException' });
      expect(await create('syntax', { TextPart: '{{#if x}}unclosed' })).toMatchObject({ name: 'BadRequestException' });
    });
  });

  describe('endpoints', () => {
    it('creates, merges, reads and deletes an email endpoint', async () => {
      const { Id } = await createApp('endpoints');
      await pinpoint.send(
        new UpdateEndpointCommand({
          ApplicationId: Id,
          EndpointId: 'e1',
          EndpointRequest: { ChannelType: 'EMAIL', Address: 'ann@example.net', Attributes: { Interests: ['music', 'travel'], Tier: ['gold'] }, User: { UserId: 'ann' } },
        }),
      );
      await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: Id, EndpointId: 'e1', EndpointRequest: { Attributes: { Tier: [] }, OptOut: 'ALL' } }));
      const endpoint = (await pinpoint.send(new GetEndpointCommand({ ApplicationId: Id, EndpointId: 'e1' }))).EndpointResponse!;
      expect(endpoint).toMatchObject({
        Id: 'e1',
        ApplicationId: Id,
        ChannelType: 'EMAIL',
        Address: 'ann@example.net',
        Attributes: { Interests: ['music', 'travel'] },
        EndpointStatus: 'ACTIVE',
        OptOut: 'ALL',
        User: { UserId: 'ann' },
        CohortId: expect.stringMatching(/^\d{1,2}$/),
      });
      expect(endpoint.Attributes!.Tier).toBeUndefined();

      const deleted = (await pinpoint.send(new DeleteEndpointCommand({ ApplicationId: Id, EndpointId: 'e1' }))).EndpointResponse!;
      expect(deleted.Address).toBe('ann@example.net');
      expect(await refusal(pinpoint.send(new GetEndpointCommand({ ApplicationId: Id, EndpointId: 'e1' })))).toMatchObject({ name: 'NotFoundException' });
    });

    it('refuses an endpoint without an address or with an invalid email address', async () => {
      const { Id } = await createApp('bad-endpoints');
      const update = (EndpointRequest: Record<string, string>) => refusal(pinpoint.send(new UpdateEndpointCommand({ ApplicationId: Id, EndpointId: 'x', EndpointRequest })));
      expect(await update({ ChannelType: 'EMAIL' })).toMatchObject({ name: 'BadRequestException', message: 'Missing Address' });
      expect(await update({ ChannelType: 'EMAIL', Address: 'nobody' })).toMatchObject({ name: 'BadRequestException' });
    });

    it("finds a user's endpoints, deactivates endpoints that share an address and deletes a user's endpoints", async () => {
      const { Id } = await createApp('users');
      await pinpoint.send(
        new UpdateEndpointsBatchCommand({
          ApplicationId: Id,
          EndpointBatchRequest: {
            Item: [
              { Id: 'old', ChannelType: 'EMAIL', Address: 'bob@example.net', User: { UserId: 'bob' } },
              { Id: 'new', ChannelType: 'EMAIL', Address: 'bob@example.net', User: { UserId: 'bob' } },
            ],
          },
        }),
      );
      const endpoints = (await pinpoint.send(new GetUserEndpointsCommand({ ApplicationId: Id, UserId: 'bob' }))).EndpointsResponse!.Item!;
      // Both endpoints may be created in the same millisecond; their order is not what is tested.
      expect(endpoints.map((e) => [e.Id, e.EndpointStatus]).sort()).toEqual([
        ['new', 'ACTIVE'],
        ['old', 'INACTIVE'],
      ]);
      await pinpoint.send(new DeleteUserEndpointsCommand({ ApplicationId: Id, UserId: 'bob' }));
      expect((await pinpoint.send(new GetUserEndpointsCommand({ ApplicationId: Id, UserId: 'bob' }))).EndpointsResponse!.Item).toEqual([]);
    });

    it('deletes the endpoints and channel of a deleted application', async () => {
      const { Id } = await createApp('doomed');
      await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: Id, EmailChannelRequest: { FromAddress: 'a@example.com', Identity: IDENTITY } }));
      await pinpoint.send(new UpdateEndpointCommand({ ApplicationId: Id, EndpointId: 'e', EndpointRequest: { ChannelType: 'EMAIL', Address: 'c@example.net' } }));
      await pinpoint.send(new DeleteAppCommand({ ApplicationId: Id }));
      expect(await app.store.pinpointEndpoints.get({ accountId: '000000000000', region: 'us-west-2' }, Id!, 'e')).toBeUndefined();
      expect(await app.store.pinpointApps.emailChannel({ accountId: '000000000000', region: 'us-west-2' }, Id!)).toBeUndefined();
    });
  });
});
