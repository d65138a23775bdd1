// SES v2 email templates and custom verification email templates through the real SDK client, on
// every database.
import {
  CreateCustomVerificationEmailTemplateCommand,
  CreateEmailTemplateCommand,
  DeleteCustomVerificationEmailTemplateCommand,
  DeleteEmailTemplateCommand,
  GetCustomVerificationEmailTemplateCommand,
  GetEmailTemplateCommand,
  ListCustomVerificationEmailTemplatesCommand,
  ListEmailTemplatesCommand,
  TestRenderEmailTemplateCommand,
  UpdateCustomVerificationEmailTemplateCommand,
  UpdateEmailTemplateCommand,
  type CreateCustomVerificationEmailTemplateCommandInput,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, OTHER_ACCOUNT_KEY, sesv2Client, useSesd } from '../support/sesd.js';

const cvTemplate = (name: string): CreateCustomVerificationEmailTemplateCommandInput => ({
  TemplateName: name,
  FromEmailAddress: 'verify@example.com',
  TemplateSubject: 'Please verify',
  TemplateContent: '<p>Click the link to verify.</p>',
  SuccessRedirectionURL: 'https://example.com/ok',
  FailureRedirectionURL: 'https://example.com/failed',
});

describe.each(DIALECTS)('SES v2 templates (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;
  beforeAll(() => {
    ses = sesv2Client(sesd.app);
  });

  it('creates, reads, updates and deletes an email template with its tags', async () => {
    await ses.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'welcome',
        TemplateContent: { Subject: 'Hi {{name}}', Text: 'Hello {{name}}', Html: '<p>Hello {{name}}</p>' },
        Tags: [{ Key: 'team', Value: 'growth' }],
      }),
    );
    expect(await ses.send(new GetEmailTemplateCommand({ TemplateName: 'welcome' }))).toMatchObject({
      TemplateName: 'welcome',
      TemplateContent: { Subject: 'Hi {{name}}', Text: 'Hello {{name}}', Html: '<p>Hello {{name}}</p>' },
      Tags: [{ Key: 'team', Value: 'growth' }],
    });

    await ses.send(new UpdateEmailTemplateCommand({ TemplateName: 'welcome', TemplateContent: { Subject: 'Welcome {{name}}', Text: 'v2' } }));
    const updated = await ses.send(new GetEmailTemplateCommand({ TemplateName: 'welcome' }));
    expect(updated.TemplateContent).toEqual({ Subject: 'Welcome {{name}}', Text: 'v2' });

    await ses.send(new DeleteEmailTemplateCommand({ TemplateName: 'welcome' }));
    expect(await awsFailure(ses.send(new GetEmailTemplateCommand({ TemplateName: 'welcome' })))).toEqual({
      name: 'NotFoundException',
      message: 'Template welcome does not exist.',
      status: 404,
    });
  });

  it('refuses a second template of the same name with AlreadyExistsException', async () => {
    const input = { TemplateName: 'dup', TemplateContent: { Subject: 's' } };
    await ses.send(new CreateEmailTemplateCommand(input));
    expect(await awsFailure(ses.send(new CreateEmailTemplateCommand(input)))).toEqual({
      name: 'AlreadyExistsException',
      message: 'Template dup already exists.',
      status: 400,
    });
  });

  it.each([
    ['an update of a missing template', () => ses.send(new UpdateEmailTemplateCommand({ TemplateName: 'nope', TemplateContent: { Subject: 's' } }))],
    ['a delete of a missing template', () => ses.send(new DeleteEmailTemplateCommand({ TemplateName: 'nope' }))],
    ['a test render of a missing template', () => ses.send(new TestRenderEmailTemplateCommand({ TemplateName: 'nope', TemplateData: '{}' }))],
  ])('answers %s with NotFoundException', async (_name, call) => {
    expect(await awsFailure(call())).toEqual({ name: 'NotFoundException', message: 'Template nope does not exist.', status: 404 });
  });

  it.each([
    ['no subject (SES: "The subject must be specified.")', { Subject: '', Text: 'body' }, 'The subject must be specified.'],
    ['broken Handlebars', { Subject: 'x', Html: '{{#if a}}open' }, /^Invalid html: Parse error on line 1/],
    ['a partial that is not defined', { Subject: 's', Text: 'Hi {{> footer}}' }, 'Invalid text: the partial footer could not be found.'],
  ])('refuses a template with %s', async (_name, content, message) => {
    const res = await awsFailure(ses.send(new CreateEmailTemplateCommand({ TemplateName: 'bad', TemplateContent: content })));
    expect(res).toMatchObject({ name: 'BadRequestException', status: 400 });
    expect(res.message).toMatch(message);
  });

  it('renders with Handlebars as SES does: nested paths, #if, #each, inline partials, no HTML escaping', async () => {
    await ses.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'order',
        TemplateContent: {
          Subject: 'Order {{order.id}} for {{user.name}}',
          Text: '{{#if vip}}VIP! {{/if}}{{#each items}}{{name}} x{{qty}}; {{/each}}',
          Html: '{{#*inline "sig"}}<i>{{team}}</i>{{/inline}}<p>{{user.name}}</p>{{> sig}}',
        },
      }),
    );
    const { RenderedTemplate } = await ses.send(
      new TestRenderEmailTemplateCommand({
        TemplateName: 'order',
        TemplateData: JSON.stringify({
          order: { id: 42 },
          user: { name: 'Ana <ana@example.com>' },
          vip: true,
          items: [{ name: 'tea', qty: 2 }, { name: 'cup', qty: 1 }],
          team: 'Shop & Co',
        }),
      }),
    );
    expect(RenderedTemplate).toMatch(/^Subject: Order 42 for Ana <ana@example.com>\r?$/m);
    expect(RenderedTemplate).toContain('VIP! tea x2; cup x1; ');
    expect(RenderedTemplate).toContain('<p>Ana <ana@example.com></p><i>Shop & Co</i>');
    expect(RenderedTemplate).toMatch(/^Content-Type: multipart\/alternative;/m);
    // A preview has no sender and no message id: no empty From or Message-ID header.
    expect(RenderedTemplate).not.toMatch(/^(From|Message-ID):/im);
  });

  it('does not render the line break that separates an inline partial from the content (SES guide, "Creating inline partials")', async () => {
    await ses.send(
      new CreateEmailTemplateCommand({
        TemplateName: 'inline-partial',
        TemplateContent: { Subject: 'Hi', Text: '{{#* inline "fullName"}}{{firstName}}{{#if lastName}} {{lastName}}{{/if}}{{/inline}}\nHello {{> fullName}}!' },
      }),
    );
    const { RenderedTemplate } = await ses.send(new TestRenderEmailTemplateCommand({ TemplateName: 'inline-partial', TemplateData: '{"firstName":"Anaya","lastName":"Iyengar"}' }));
    expect(RenderedTemplate).toMatch(/\r\n\r\nHello Anaya Iyengar!/);
  });

  it('refuses to render when an attribute is missing, naming it', async () => {
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'needs-city', TemplateContent: { Subject: 'Weather in {{address.city}}' } }));
    expect(await awsFailure(ses.send(new TestRenderEmailTemplateCommand({ TemplateName: 'needs-city', TemplateData: '{"address":{}}' })))).toEqual({
      name: 'BadRequestException',
      message: "Attribute 'address.city' is not present in the rendering data.",
      status: 400,
    });
    expect(await awsFailure(ses.send(new TestRenderEmailTemplateCommand({ TemplateName: 'needs-city', TemplateData: '[1]' })))).toMatchObject({
      name: 'BadRequestException',
      message: 'Invalid TemplateData: the value must be a JSON object.',
    });
  });

  it('lists templates newest first, page by page', async () => {
    const other = sesv2Client(sesd.app, OTHER_ACCOUNT_KEY, 'eu-west-1');
    for (const name of ['p1', 'p2', 'p3']) {
      await other.send(new CreateEmailTemplateCommand({ TemplateName: name, TemplateContent: { Subject: name } }));
      await new Promise((r) => setTimeout(r, 5));
    }
    const first = await other.send(new ListEmailTemplatesCommand({ PageSize: 2 }));
    expect(first.TemplatesMetadata!.map((t) => t.TemplateName)).toEqual(['p3', 'p2']);
    expect(first.TemplatesMetadata![0]!.CreatedTimestamp).toBeInstanceOf(Date);
    expect(first.NextToken).toBeTruthy();
    const second = await other.send(new ListEmailTemplatesCommand({ PageSize: 2, NextToken: first.NextToken }));
    expect(second.TemplatesMetadata!.map((t) => t.TemplateName)).toEqual(['p1']);
    expect(second.NextToken).toBeUndefined();

    // Another region of the same account sees none of them.
    const elsewhere = await sesv2Client(sesd.app, OTHER_ACCOUNT_KEY, 'us-east-2').send(new ListEmailTemplatesCommand({}));
    expect(elsewhere.TemplatesMetadata).toEqual([]);
    expect(await awsFailure(other.send(new ListEmailTemplatesCommand({ NextToken: 'garbage' })))).toMatchObject({ name: 'BadRequestException' });
  });

  it('keeps custom verification email templates: create, get, list, update, delete', async () => {
    await ses.send(new CreateCustomVerificationEmailTemplateCommand(cvTemplate('verify-a')));
    await ses.send(new CreateCustomVerificationEmailTemplateCommand(cvTemplate('verify-b')));
    expect(await ses.send(new GetCustomVerificationEmailTemplateCommand({ TemplateName: 'verify-a' }))).toMatchObject({
      TemplateName: 'verify-a',
      FromEmailAddress: 'verify@example.com',
      TemplateSubject: 'Please verify',
      TemplateContent: '<p>Click the link to verify.</p>',
      SuccessRedirectionURL: 'https://example.com/ok',
      FailureRedirectionURL: 'https://example.com/failed',
    });

    const page = await ses.send(new ListCustomVerificationEmailTemplatesCommand({ PageSize: 1 }));
    expect(page.CustomVerificationEmailTemplates!.map((t) => t.TemplateName)).toEqual(['verify-a']);
    expect(page.CustomVerificationEmailTemplates![0]).not.toHaveProperty('TemplateContent');
    const rest = await ses.send(new ListCustomVerificationEmailTemplatesCommand({ PageSize: 1, NextToken: page.NextToken }));
    expect(rest.CustomVerificationEmailTemplates!.map((t) => t.TemplateName)).toEqual(['verify-b']);

    await ses.send(new UpdateCustomVerificationEmailTemplateCommand({ ...cvTemplate('verify-a'), TemplateSubject: 'Confirm your address' }));
    expect((await ses.send(new GetCustomVerificationEmailTemplateCommand({ TemplateName: 'verify-a' }))).TemplateSubject).toBe('Confirm your address');

    expect(await awsFailure(ses.send(new CreateCustomVerificationEmailTemplateCommand(cvTemplate('verify-a'))))).toEqual({
      name: 'AlreadyExistsException',
      message: 'Custom verification email template <verify-a> already exists',
      status: 400,
    });
    await ses.send(new DeleteCustomVerificationEmailTemplateCommand({ TemplateName: 'verify-a' }));
    expect(await awsFailure(ses.send(new GetCustomVerificationEmailTemplateCommand({ TemplateName: 'verify-a' })))).toEqual({
      name: 'NotFoundException',
      message: 'Custom verification email template <verify-a> does not exist',
      status: 404,
    });
    expect(
      await awsFailure(ses.send(new CreateCustomVerificationEmailTemplateCommand({ ...cvTemplate('bad-url'), SuccessRedirectionURL: 'not a url' }))),
    ).toMatchObject({ name: 'BadRequestException', message: 'The success redirection URL is invalid' });
  });
});
