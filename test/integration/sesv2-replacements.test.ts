// SES semantics that differ from what one might guess, through the real SDK client on every
// database: UpdateContactList replaces the whole list, identity-policy updates and deletes of a
// policy that is not there succeed, and a template needs a subject but no body part.
import {
  CreateContactListCommand,
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  DeleteEmailIdentityPolicyCommand,
  GetContactListCommand,
  GetEmailIdentityPoliciesCommand,
  SendEmailCommand,
  UpdateContactListCommand,
  UpdateEmailIdentityPolicyCommand,
} from '@aws-sdk/client-sesv2';
import { CreateTemplateCommand, SESClient } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, capturedMessages, sesClient, sesv2Client, useSesd } from '../support/sesd.js';

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: ['ses:SendEmail'], Resource: '*' }],
});

describe.each(DIALECTS)('SES v2 replacements and idempotent deletes (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  it('UpdateContactList replaces the list: omitted topics and description are cleared', async () => {
    const ses = sesv2Client(sesd.app);
    await ses.send(
      new CreateContactListCommand({
        ContactListName: 'replaced',
        Description: 'before',
        Topics: [{ TopicName: 'news', DisplayName: 'News', DefaultSubscriptionStatus: 'OPT_IN' }],
      }),
    );
    await ses.send(new UpdateContactListCommand({ ContactListName: 'replaced' }));
    const list = await ses.send(new GetContactListCommand({ ContactListName: 'replaced' }));
    expect(list.Topics ?? []).toEqual([]);
    expect(list.Description).toBeUndefined();
  });

  it('UpdateEmailIdentityPolicy of a policy the identity does not have stores it; DeleteEmailIdentityPolicy of a missing one succeeds', async () => {
    const ses = sesv2Client(sesd.app);
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'policies.example' }));
    await ses.send(new UpdateEmailIdentityPolicyCommand({ EmailIdentity: 'policies.example', PolicyName: 'fresh', Policy: POLICY }));
    expect((await ses.send(new GetEmailIdentityPoliciesCommand({ EmailIdentity: 'policies.example' }))).Policies).toEqual({ fresh: POLICY });
    await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'policies.example', PolicyName: 'never-there' }));
    await ses.send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'policies.example', PolicyName: 'fresh' }));
    expect((await ses.send(new GetEmailIdentityPoliciesCommand({ EmailIdentity: 'policies.example' }))).Policies).toEqual({});
  });

  it('still answers NotFoundException for a policy of an identity that does not exist', async () => {
    const failure = await awsFailure(sesv2Client(sesd.app).send(new DeleteEmailIdentityPolicyCommand({ EmailIdentity: 'nobody.example', PolicyName: 'p' })));
    expect(failure).toMatchObject({ name: 'NotFoundException', status: 404 });
  });

  it('refuses a template without a subject, as SES does, in both APIs', async () => {
    expect(await awsFailure(sesv2Client(sesd.app).send(new CreateEmailTemplateCommand({ TemplateName: 'nosubject', TemplateContent: { Text: 'x' } })))).toEqual({
      name: 'BadRequestException',
      message: 'The subject must be specified.',
      status: 400,
    });
    const v1: SESClient = sesClient(sesd.app);
    expect(await awsFailure(v1.send(new CreateTemplateCommand({ Template: { TemplateName: 'empty', SubjectPart: '', TextPart: '', HtmlPart: '' } })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'The subject must be specified.',
      status: 400,
    });
  });

  it('sends a template that has a subject and no body part, with an empty body', async () => {
    const ses = sesv2Client(sesd.app);
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'subject-only', TemplateContent: { Subject: 'Just {{what}}' } }));
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'sender@example.com',
        Destination: { ToAddresses: ['to@example.net'] },
        Content: { Template: { TemplateName: 'subject-only', TemplateData: '{"what":"a subject"}' } },
      }),
    );
    const [message] = await capturedMessages(sesd.app, `?id=${MessageId}`);
    expect(message).toMatchObject({ Subject: 'Just a subject' });
    expect(message!.Body.text_part ?? '').toBe('');
  });
});
