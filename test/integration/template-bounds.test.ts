// Templates cannot stall sesd: a template nested too deep is refused at CreateTemplate (both APIs),
// one whose output explodes fails TestRenderEmailTemplate as an invalid template and a send with it
// becomes a Rendering Failure event, and while it renders other mail is still accepted.
import { CreateTemplateCommand } from '@aws-sdk/client-ses';
import { CreateEmailTemplateCommand, SendEmailCommand, TestRenderEmailTemplateCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesClient, sesv2Client, useSesd } from '../support/sesd.js';

const nestedIfs = (depth: number) => '{{#if a}}'.repeat(depth) + 'x' + '{{/if}}'.repeat(depth);

/** Inline partials that double 20 times: 80 bytes of template text become 84 MB. */
function doubling(): string {
  let source = `{{#*inline "p0"}}${'x'.repeat(80)}{{/inline}}`;
  for (let i = 1; i <= 20; i++) source += `{{#*inline "p${i}"}}{{> p${i - 1}}}{{> p${i - 1}}}{{/inline}}`;
  return `${source}{{> p20}}`;
}

describe.each(DIALECTS)('template bounds (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  it('refuses a template nested 10,000 deep at CreateEmailTemplate and CreateTemplate', async () => {
    expect(await awsFailure(sesv2Client(sesd.app).send(new CreateEmailTemplateCommand({ TemplateName: 'deep', TemplateContent: { Subject: 's', Html: nestedIfs(10_000) } })))).toEqual({
      name: 'BadRequestException',
      message: 'Invalid html: blocks nest deeper than 100 levels.',
      status: 400,
    });
    expect(await awsFailure(sesClient(sesd.app).send(new CreateTemplateCommand({ Template: { TemplateName: 'deep-v1', SubjectPart: 's', TextPart: nestedIfs(10_000) } })))).toMatchObject({
      name: 'InvalidTemplateException',
      message: 'Invalid text: blocks nest deeper than 100 levels.',
    });
  });

  it('fails TestRenderEmailTemplate of an exploding template as invalid, accepting other mail meanwhile, and a send of it becomes a Rendering Failure', { timeout: 60_000 }, async () => {
    const ses = sesv2Client(sesd.app);
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'boom', TemplateContent: { Subject: 'boom', Text: doubling() } }));

    let rendered = false;
    const render = awsFailure(ses.send(new TestRenderEmailTemplateCommand({ TemplateName: 'boom', TemplateData: '{}' }))).finally(() => {
      rendered = true;
    });
    const sent = await ses.send(
      new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['b@example.net'] }, Content: { Simple: { Subject: { Data: 'meanwhile' }, Body: { Text: { Data: 'hi' } } } } }),
    );
    expect(sent.MessageId).toBeDefined();
    expect(rendered).toBe(false);
    expect(await render).toEqual({
      name: 'BadRequestException',
      message: expect.stringMatching(/^Rendered template is larger than the maximum message size of 41943040 bytes\.$|^Template could not be rendered: it (took longer than 3 s|needed more memory than allowed)\.$/),
      status: 400,
    });

    const { MessageId } = await ses.send(
      new SendEmailCommand({ FromEmailAddress: 'a@example.com', Destination: { ToAddresses: ['b@example.net'] }, Content: { Template: { TemplateName: 'boom', TemplateData: '{}' } } }),
    );
    const events = (await (await fetch(`${sesd.app.httpUrl}/_sesd/messages/${MessageId}/events`)).json()) as { events: { type: string; payload: { failure: unknown } }[]; recipients: unknown[] };
    expect(events.recipients).toEqual([]);
    expect(events.events).toEqual([
      expect.objectContaining({ type: 'Rendering Failure', payload: expect.objectContaining({ failure: { templateName: 'boom', errorMessage: expect.stringMatching(/maximum message size|could not be rendered/) } }) }),
    ]);
  });
});
