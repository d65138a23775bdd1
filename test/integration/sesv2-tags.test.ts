// SES v2 TagResource, UntagResource and ListTagsForResource on every taggable resource sesd has,
// through the real SDK client, on every database.
import {
  CreateConfigurationSetCommand,
  CreateContactListCommand,
  CreateCustomVerificationEmailTemplateCommand,
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import {beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, OTHER_ACCOUNT_KEY, sesv2Client, useSesd } from '../support/sesd.js';

const arn = (resource: string) => `arn:aws:ses:us-west-2:000000000000:${resource}`;

describe.each(DIALECTS)('SES v2 resource tags (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;

  beforeAll(async () => {
    ses = sesv2Client(sesd.app);
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'cs', Tags: [{ Key: 'created', Value: 'yes' }] }));
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'tpl', TemplateContent: { Subject: 's' } }));
    await ses.send(new CreateContactListCommand({ ContactListName: 'list' }));
    await ses.send(
      new CreateCustomVerificationEmailTemplateCommand({
        TemplateName: 'cvt',
        FromEmailAddress: 'v@example.com',
        TemplateSubject: 's',
        TemplateContent: 'c',
        SuccessRedirectionURL: 'https://example.com/s',
        FailureRedirectionURL: 'https://example.com/f',
      }),
    );
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'tagged.example.com' }));
  });

  it.each([
    ['a configuration set', 'configuration-set/cs'],
    ['an email template', 'template/tpl'],
    ['a contact list', 'contact-list/list'],
    ['a custom verification email template', 'custom-verification-email-template/cvt'],
    ['an email identity', 'identity/tagged.example.com'],
  ])('tags, retags and untags %s', async (_name, resource) => {
    const ResourceArn = arn(resource);
    const before = (await ses.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!;
    await ses.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'team', Value: 'mail' }, { Key: 'cost', Value: '1' }] }));
    await ses.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'team', Value: 'platform' }] }));
    expect((await ses.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags).toEqual([
      ...before,
      { Key: 'team', Value: 'platform' },
      { Key: 'cost', Value: '1' },
    ]);
    await ses.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['team', 'absent'] }));
    expect((await ses.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags).toEqual([...before, { Key: 'cost', Value: '1' }]);
  });

  it('keeps the tags given at creation', async () => {
    expect((await ses.send(new ListTagsForResourceCommand({ ResourceArn: arn('configuration-set/cs') }))).Tags![0]).toEqual({ Key: 'created', Value: 'yes' });
  });

  it('answers a missing resource with NotFoundException naming its kind', async () => {
    expect(await awsFailure(ses.send(new ListTagsForResourceCommand({ ResourceArn: arn('configuration-set/nope') })))).toEqual({
      name: 'NotFoundException',
      message: 'No ConfigurationSet present with name: nope',
      status: 404,
    });
    expect(await awsFailure(ses.send(new TagResourceCommand({ ResourceArn: arn('template/nope'), Tags: [{ Key: 'a', Value: 'b' }] })))).toEqual({
      name: 'NotFoundException',
      message: 'No Template present with name: nope',
      status: 404,
    });
  });

  it("does not let another account read or change a resource's tags", async () => {
    const other = sesv2Client(sesd.app, OTHER_ACCOUNT_KEY);
    expect(await awsFailure(other.send(new ListTagsForResourceCommand({ ResourceArn: arn('configuration-set/cs') })))).toMatchObject({
      name: 'NotFoundException',
      status: 404,
    });
  });

  it.each([
    ['a malformed ARN', { ResourceArn: 'not-an-arn', Tags: [{ Key: 'a', Value: 'b' }] }, 'Invalid ARN: not-an-arn'],
    ['a reserved key', { ResourceArn: arn('configuration-set/cs'), Tags: [{ Key: 'aws:owner', Value: 'x' }] }, "Tag keys can't start with the reserved prefix 'aws:'."],
    ['a key over 128 characters', { ResourceArn: arn('configuration-set/cs'), Tags: [{ Key: 'k'.repeat(129), Value: 'x' }] }, 'Tag keys must be between 1 and 128 characters long.'],
    ['no tags', { ResourceArn: arn('configuration-set/cs'), Tags: [] }, 'The request must contain at least one tag.'],
  ])('refuses %s', async (_name, input, message) => {
    expect(await awsFailure(ses.send(new TagResourceCommand(input)))).toEqual({ name: 'BadRequestException', message, status: 400 });
  });

  it('allows at most 50 tags on a resource', async () => {
    const ResourceArn = arn('template/tpl');
    const existing = (await ses.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags!.length;
    const fill = Array.from({ length: 50 - existing }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await ses.send(new TagResourceCommand({ ResourceArn, Tags: fill }));
    expect(await awsFailure(ses.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'one-more', Value: 'v' }] })))).toEqual({
      name: 'BadRequestException',
      message: 'A resource can have at most 50 tags.',
      status: 400,
    });
    // Overwriting an existing key stays within the limit.
    await ses.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'k0', Value: 'changed' }] }));
  });
});
