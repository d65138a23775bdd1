// SendBulkEmail, GetMessageInsights and the tag operations answering as AWS does, where a public
// record of AWS's answer shows it (each test names its source), through the real SDK client, on
// every database.
import {
  CreateConfigurationSetCommand,
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  GetMessageInsightsCommand,
  ListTagsForResourceCommand,
  PutSuppressedDestinationCommand,
  SendBulkEmailCommand,
  SendEmailCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { messageEvents, settled } from '../support/delivery-sesd.js';
import { awsFailure, capturedMessages, sesv2Client, TEST_KEY, useSesd } from '../support/sesd.js';

// The clients sign for us-west-2; these ARNs name the same account's resources in another region.
const here = (resource: string) => `arn:aws:ses:us-west-2:000000000000:${resource}`;
const elsewhere = (resource: string) => `arn:aws:ses:eu-west-1:000000000000:${resource}`;

describe.each(DIALECTS)('SES v2 bulk sending, message insights and tags as AWS answers them (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;
  let euSes: SESv2Client;

  beforeAll(async () => {
    ses = sesv2Client(sesd.app);
    euSes = sesv2Client(sesd.app, TEST_KEY, 'eu-west-1');
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'cs', Tags: [{ Key: 'where', Value: 'us' }] }));
    await euSes.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'cs', Tags: [{ Key: 'where', Value: 'eu' }] }));
    await ses.send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'us-only' }));
    await ses.send(new CreateEmailTemplateCommand({ TemplateName: 'tpl', TemplateContent: { Subject: 's' }, Tags: [{ Key: 'owner', Value: 'alice' }] }));
    await ses.send(new CreateEmailIdentityCommand({ EmailIdentity: 'tagged.example.com', Tags: [{ Key: 'owner', Value: 'bob' }] }));
  });

  describe('tags on an ARN of another region (floci-io/floci#749, #759, #760: recorded from AWS with `aws sesv2`)', () => {
    it.each(['configuration-set/cs', 'template/tpl', 'identity/tagged.example.com'])('TagResource refuses %s with "Failed to tag resource"', async (resource) => {
      expect(await awsFailure(ses.send(new TagResourceCommand({ ResourceArn: elsewhere(resource), Tags: [{ Key: 'k', Value: 'v' }] })))).toEqual({
        name: 'BadRequestException',
        message: 'Failed to tag resource',
        status: 400,
      });
    });

    it.each(['template/tpl', 'identity/tagged.example.com'])('UntagResource refuses %s with "Failed to untag resource"', async (resource) => {
      expect(await awsFailure(ses.send(new UntagResourceCommand({ ResourceArn: elsewhere(resource), TagKeys: ['owner'] })))).toEqual({
        name: 'BadRequestException',
        message: 'Failed to untag resource',
        status: 400,
      });
    });

    it.each([
      ['template/tpl', 'alice'],
      ['identity/tagged.example.com', 'bob'],
    ])("ListTagsForResource reads %s of the signing region, whatever the ARN's region", async (resource, owner) => {
      expect((await ses.send(new ListTagsForResourceCommand({ ResourceArn: elsewhere(resource) }))).Tags).toEqual([{ Key: 'owner', Value: owner }]);
    });

    it("ListTagsForResource and UntagResource look a configuration set up in the ARN's region", async () => {
      expect((await ses.send(new ListTagsForResourceCommand({ ResourceArn: elsewhere('configuration-set/cs') }))).Tags).toEqual([{ Key: 'where', Value: 'eu' }]);
      await ses.send(new UntagResourceCommand({ ResourceArn: elsewhere('configuration-set/cs'), TagKeys: ['where'] }));
      expect((await euSes.send(new ListTagsForResourceCommand({ ResourceArn: elsewhere('configuration-set/cs') }))).Tags).toEqual([]);
      expect((await ses.send(new ListTagsForResourceCommand({ ResourceArn: here('configuration-set/cs') }))).Tags).toEqual([{ Key: 'where', Value: 'us' }]);
    });

    it("answers a configuration set missing from the ARN's region with NotFoundException naming it", async () => {
      const notFound = { name: 'NotFoundException', message: 'No ConfigurationSet present with name: us-only', status: 404 };
      expect(await awsFailure(ses.send(new UntagResourceCommand({ ResourceArn: elsewhere('configuration-set/us-only'), TagKeys: ['k'] })))).toEqual(notFound);
      expect(await awsFailure(ses.send(new ListTagsForResourceCommand({ ResourceArn: elsewhere('configuration-set/us-only') })))).toEqual(notFound);
    });
  });

  describe('GetMessageInsights', () => {
    // SES's API reference (InsightsEvent, EventDetails, Bounce): BOUNCE and COMPLAINT events carry
    // Details; BounceType is UNDETERMINED, TRANSIENT or PERMANENT; other events have no Details.
    it("gives a bounce's type, subtype and diagnostic code in its Details", async () => {
      await ses.send(new PutSuppressedDestinationCommand({ EmailAddress: 'gone@example.net', Reason: 'BOUNCE' }));
      const { MessageId } = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'sender@example.com',
          Destination: { ToAddresses: ['gone@example.net'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
        }),
      );
      const [insight] = (await ses.send(new GetMessageInsightsCommand({ MessageId }))).Insights!;
      const [send, bounce] = insight!.Events!;
      expect(send).toEqual({ Type: 'SEND', Timestamp: expect.any(Date) });
      expect(bounce).toEqual({
        Type: 'BOUNCE',
        Timestamp: expect.any(Date),
        Details: { Bounce: { BounceType: 'PERMANENT', BounceSubType: 'OnAccountSuppressionList', DiagnosticCode: expect.stringContaining('suppression list') } },
      });
    });

    // SES's API reference (InsightsEvent Type): deliveries, bounces and complaints exclude the mailbox
    // simulator's and those of mail addressed to more than one recipient.
    it("leaves out the mailbox simulator's deliveries and bounces, and those of mail to several recipients", async () => {
      const send = async (to: string[]) =>
        (
          await ses.send(
            new SendEmailCommand({ FromEmailAddress: 'sender@example.com', Destination: { ToAddresses: to }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } } }),
          )
        ).MessageId!;
      const simulated = await send(['success@simulator.amazonses.com']);
      const several = await send(['gone@example.net', 'also@example.net']);
      await settled(sesd.app, simulated);
      await settled(sesd.app, several);
      const typesOf = async (id: string) =>
        Object.fromEntries((await ses.send(new GetMessageInsightsCommand({ MessageId: id }))).Insights!.map((i) => [i.Destination, i.Events!.map((e) => e.Type)]));
      expect(await typesOf(simulated)).toEqual({ 'success@simulator.amazonses.com': ['SEND'] });
      // gone@ is on the suppression list (above): its bounce, like also@'s delivery, is left out.
      expect(await typesOf(several)).toEqual({ 'gone@example.net': ['SEND'], 'also@example.net': ['SEND'] });
      const { events } = await messageEvents(sesd.app, several);
      expect(events.map((e) => e.type).sort()).toEqual(['Bounce', 'Delivery', 'Send']);
    });
  });

  describe('SendBulkEmail', () => {
    // SES's API reference (BulkEmailEntry.ReplacementHeaders): a header the entry names "takes
    // precedence over any header of the same name specified in Template": its value replaces the
    // template's; the template's other headers are kept.
    it("replaces a template header with the entry's header of the same name", async () => {
      const out = await ses.send(
        new SendBulkEmailCommand({
          FromEmailAddress: 'bulk@example.com',
          DefaultContent: {
            Template: {
              TemplateContent: { Subject: 'Hi', Text: 'body' },
              Headers: [
                { Name: 'X-Campaign', Value: 'spring' },
                { Name: 'X-Kept', Value: 'kept' },
              ],
            },
          },
          BulkEmailEntries: [{ Destination: { ToAddresses: ['ana@example.net'] }, ReplacementHeaders: [{ Name: 'x-campaign', Value: 'vip' }] }],
        }),
      );
      const [m] = await capturedMessages(sesd.app, `?id=${out.BulkEmailEntryResults![0]!.MessageId}`);
      const headers = m!.RawData.slice(0, m!.RawData.search(/\r?\n\r?\n/));
      expect(headers.match(/^x-campaign:.*$/gim)?.map((h) => h.toLowerCase())).toEqual(['x-campaign: vip']);
      expect(headers).toMatch(/^X-Kept: kept$/m);
    });

    // AWS answered an inline template with `{{#if var}}{{var}}{{/if}}` so (the SDK's error pasted in
    // aws/aws-sdk-js-v3#6657): inline templates do substitution only, and the call fails as a whole.
    it('refuses an inline template that asks for more than substitution, the whole call, as SendEmail does', async () => {
      const inline = { Subject: 'Hi {{name}}', Text: '{{#if name}}Dear {{name}}{{/if}}' };
      const refused = { name: 'BadRequestException', message: 'Template contains unsupported operations.', status: 400 };
      const bulk = ses.send(
        new SendBulkEmailCommand({
          FromEmailAddress: 'sender@example.com',
          DefaultContent: { Template: { TemplateContent: inline, TemplateData: '{"name":"Ann"}' } },
          BulkEmailEntries: [{ Destination: { ToAddresses: ['a@example.net'] } }],
        }),
      );
      expect(await awsFailure(bulk)).toEqual(refused);
      const single = ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'sender@example.com',
          Destination: { ToAddresses: ['a@example.net'] },
          Content: { Template: { TemplateContent: { ...inline, Text: '{{> partial}}' }, TemplateData: '{}' } },
        }),
      );
      expect(await awsFailure(single)).toEqual(refused);
      // Substitution, dotted paths included, is what inline templates do.
      const { MessageId } = await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'sender@example.com',
          Destination: { ToAddresses: ['a@example.net'] },
          Content: { Template: { TemplateContent: { Subject: 'Hi {{ name }}', Text: 'From {{team.name}}', Html: '<p>{{name}}</p>{{ses:openTracker}}' }, TemplateData: '{"name":"Ann","team":{"name":"Ops"}}' } },
        }),
      );
      const [message] = await capturedMessages(sesd.app, `?id=${MessageId}`);
      expect(message).toMatchObject({ Subject: 'Hi Ann', Body: { text_part: 'From Ops' } });
    });
  });
});
