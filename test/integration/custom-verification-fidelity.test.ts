// Custom verification emails compared with real SES answers, through the real SDK clients (v1 and
// v2) on every database. Each expectation names where the AWS answer comes from.
import {
  CreateCustomVerificationEmailTemplateCommand as V1CreateCommand,
  SendCustomVerificationEmailCommand as V1SendCommand,
  UpdateCustomVerificationEmailTemplateCommand as V1UpdateCommand,
  type SESClient,
} from '@aws-sdk/client-ses';
import {
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateCustomVerificationEmailTemplateCommand,
  SendCustomVerificationEmailCommand,
  UpdateCustomVerificationEmailTemplateCommand,
  type CreateCustomVerificationEmailTemplateCommandInput,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, capturedMessages, sesClient, sesv2Client, useSesd } from '../support/sesd.js';

const template = (name: string): CreateCustomVerificationEmailTemplateCommandInput => ({
  TemplateName: name,
  FromEmailAddress: 'team@fidelity.example',
  TemplateSubject: 'Confirm your address',
  TemplateContent: '<html><body><p>Welcome aboard.</p></body></html>',
  SuccessRedirectionURL: 'https://app.example/ok',
  FailureRedirectionURL: 'https://app.example/failed',
});

describe.each(DIALECTS)('custom verification emails as SES answers them (%s)', (dialect) => {
  // Capture mode: every sender counts as verified, so the rules under test are the only refusals.
  const sesd = useSesd(dialect);
  let v1: SESClient;
  let v2: SESv2Client;
  beforeAll(async () => {
    v1 = sesClient(sesd.app);
    v2 = sesv2Client(sesd.app);
    await v2.send(new CreateCustomVerificationEmailTemplateCommand(template('fidelity')));
  });

  // floci-io/floci#2191 (verified against real AWS, us-east-1): v1 words a missing template as
  // "Template <name> does not exist"; v2 keeps the CRUD wording, as a 404.
  it('answers SendCustomVerificationEmail for a missing template in each API’s own words', async () => {
    expect(await awsFailure(v1.send(new V1SendCommand({ EmailAddress: 'new@example.net', TemplateName: 'ghost' })))).toEqual({
      name: 'CustomVerificationEmailTemplateDoesNotExistException',
      message: 'Template <ghost> does not exist',
      status: 400,
    });
    expect(await awsFailure(v2.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'new@example.net', TemplateName: 'ghost' })))).toEqual({
      name: 'NotFoundException',
      message: 'Custom verification email template <ghost> does not exist',
      status: 404,
    });
  });

  // floci-io/floci#1840 (every error string verified against real AWS, SES v1 + v2).
  it('refuses an invalid redirection URL with SES’s message (create and update, v1 and v2)', async () => {
    expect(await awsFailure(v2.send(new CreateCustomVerificationEmailTemplateCommand({ ...template('bad-success'), SuccessRedirectionURL: 'not-a-url' })))).toEqual({
      name: 'BadRequestException',
      message: 'The success redirection URL is invalid',
      status: 400,
    });
    expect(await awsFailure(v2.send(new UpdateCustomVerificationEmailTemplateCommand({ ...template('fidelity'), FailureRedirectionURL: 'not-a-url' })))).toEqual({
      name: 'BadRequestException',
      message: 'The failure redirection URL is invalid',
      status: 400,
    });
    expect(await awsFailure(v1.send(new V1CreateCommand({ ...template('bad-failure'), FailureRedirectionURL: 'not-a-url' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'The failure redirection URL is invalid',
      status: 400,
    });
    expect(await awsFailure(v1.send(new V1UpdateCommand({ TemplateName: 'fidelity', SuccessRedirectionURL: 'not-a-url' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'The success redirection URL is invalid',
      status: 400,
    });
  });

  // floci-io/floci#2191 (verified against real AWS): the address is checked before the template,
  // "Invalid email address<addr>." (InvalidParameterValue on v1, BadRequestException on v2).
  it('refuses an invalid EmailAddress before it looks for the template', async () => {
    for (const address of ['not-an-email', 'a@@b.com', 'local@', '@example.com']) {
      expect(await awsFailure(v2.send(new SendCustomVerificationEmailCommand({ EmailAddress: address, TemplateName: 'ghost' })))).toEqual({
        name: 'BadRequestException',
        message: `Invalid email address<${address}>.`,
        status: 400,
      });
    }
    expect(await awsFailure(v1.send(new V1SendCommand({ EmailAddress: 'not-an-email', TemplateName: 'fidelity' })))).toEqual({
      name: 'InvalidParameterValue',
      message: 'Invalid email address<not-an-email>.',
      status: 400,
    });
    // Addresses SES lets through to the template check: a quoted local part holding '@', a dotless domain.
    for (const address of ['"a@b"@example.com', 'a@b']) {
      expect(await awsFailure(v2.send(new SendCustomVerificationEmailCommand({ EmailAddress: address, TemplateName: 'ghost' })))).toMatchObject({
        name: 'NotFoundException',
      });
    }
  });

  // AWS SES Developer Guide, "Using custom verification email templates", FAQ Q2 and Q10: the
  // template's content, then the verification link, then a disclaimer that cannot be removed.
  it('sends the template content, then the link, then SES’s fixed disclaimer', async () => {
    const { MessageId } = await v2.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'reader@example.net', TemplateName: 'fidelity' }));
    const [message] = await capturedMessages(sesd.app, `?id=${MessageId}`);
    expect(message).toMatchObject({ Source: 'team@fidelity.example', Subject: 'Confirm your address', Destination: { ToAddresses: ['reader@example.net'] } });
    const html = message!.Body.html_part!;
    const link = html.indexOf('/_sesd/verify-email?token=');
    const disclaimer = html.indexOf('If you did not request to verify this email address, please disregard this message.');
    expect(html.startsWith('<html><body><p>Welcome aboard.</p>')).toBe(true);
    expect(link).toBeGreaterThan(0);
    expect(disclaimer).toBeGreaterThan(link);
    expect(html).toContain('If you have any concerns, please forward this message to the following');
    expect(html.trimEnd().endsWith('</body></html>')).toBe(true);
  });

  // "Custom verification emails don't support open and click tracking" (Developer Guide, custom
  // verification FAQ Q8): a set that tracks other mail leaves this one as written.
  it('does not track the message, whatever its configuration set asks', async () => {
    await v2.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'tracked' }));
    await v2.send(
      new CreateConfigurationSetEventDestinationCommand({
        ConfigurationSetName: 'tracked',
        EventDestinationName: 'opens-and-clicks',
        EventDestination: { Enabled: true, MatchingEventTypes: ['OPEN', 'CLICK'], CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'd', DimensionValueSource: 'MESSAGE_TAG', DefaultDimensionValue: 'x' }] } },
      }),
    );
    const { MessageId } = await v2.send(new SendCustomVerificationEmailCommand({ EmailAddress: 'tracked@example.net', TemplateName: 'fidelity', ConfigurationSetName: 'tracked' }));
    const [message] = await capturedMessages(sesd.app, `?id=${MessageId}`);
    const html = message!.Body.html_part!;
    expect(html).toMatch(/<a href="http[^"]*\/_sesd\/verify-email\?token=/);
    expect(html).not.toMatch(/\/_sesd\/track\/|<img/);
  });
});
