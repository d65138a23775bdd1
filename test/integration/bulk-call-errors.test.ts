// SendBulkEmail (v2) and SendBulkTemplatedEmail (v1): what concerns the whole call is an error of
// the call, as SES answers it, not 200 with every entry failed; entries are committed together.
// Through the real SDK clients, on every database.
import { SendBulkEmailCommand, type SendBulkEmailCommandInput } from '@aws-sdk/client-sesv2';
import { CreateTemplateCommand, SendBulkTemplatedEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SETTINGS } from '../../src/domain/account/account-settings.js';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesClient, sesv2Client, useSesd } from '../support/sesd.js';

const to = (i: number) => ({ Destination: { ToAddresses: [`r${i}@example.net`] } });

const v2 = (overrides: Partial<SendBulkEmailCommandInput>): SendBulkEmailCommandInput => ({
  FromEmailAddress: 'bulk@example.com',
  DefaultContent: { Template: { TemplateName: 'bulk', TemplateData: '{}' } },
  BulkEmailEntries: [to(1), to(2)],
  ...overrides,
});

describe.each(DIALECTS)('bulk sends: errors of the call (%s)', (dialect) => {
  describe('capture defaults', () => {
    const sesd = useSesd(dialect);

    it('v2: a stored template that does not exist is NotFoundException for the call', async () => {
      expect(await awsFailure(sesv2Client(sesd.app).send(new SendBulkEmailCommand(v2({ DefaultContent: { Template: { TemplateName: 'nope', TemplateData: '{}' } } }))))).toEqual({
        name: 'NotFoundException',
        message: 'Template nope does not exist.',
        status: 404,
      });
    });

    it('v1: a template that does not exist is TemplateDoesNotExist (TemplateDoesNotExistException in the SDK), more than 50 destinations InvalidParameterValue', async () => {
      const ses = sesClient(sesd.app);
      const call = { Source: 'bulk@example.com', Template: 'nope', DefaultTemplateData: '{}', Destinations: [to(1)] };
      expect(await awsFailure(ses.send(new SendBulkTemplatedEmailCommand(call)))).toEqual({ name: 'TemplateDoesNotExistException', message: 'Template nope does not exist.', status: 400 });
      await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'v1bulk', SubjectPart: 'Hi', TextPart: 'Hi' } }));
      const many = { ...call, Template: 'v1bulk', Destinations: Array.from({ length: 51 }, (_, i) => to(i)) };
      expect(await awsFailure(ses.send(new SendBulkTemplatedEmailCommand(many)))).toMatchObject({ name: 'InvalidParameterValue', status: 400 });
    });

    it('commits the entries together: over the quota, none is stored', async () => {
      const ses = sesv2Client(sesd.app, undefined, 'eu-west-3');
      await sesd.app.store.accountSettings.put({ accountId: '000000000000', region: 'eu-west-3' }, { ...DEFAULT_ACCOUNT_SETTINGS, max24HourSend: 2 });
      const out = await ses.send(
        new SendBulkEmailCommand(v2({ DefaultContent: { Template: { TemplateContent: { Subject: 's', Text: 't' }, TemplateData: '{}' } }, BulkEmailEntries: [to(1), to(2), to(3)] })),
      );
      expect(out.BulkEmailEntryResults!.map((r) => r.Status)).toEqual(['ACCOUNT_DAILY_QUOTA_EXCEEDED', 'ACCOUNT_DAILY_QUOTA_EXCEEDED', 'ACCOUNT_DAILY_QUOTA_EXCEEDED']);
      expect(await sesd.app.store.accountSettings.recipientsSince({ accountId: '000000000000', region: 'eu-west-3' }, 0)).toBe(0);
    });
  });

  describe('identities must be verified', () => {
    const sesd = useSesd(dialect, { SESD_AUTO_VERIFY: 'off' });

    it('an unverified sender is MessageRejected for the call, in v2 and v1', async () => {
      const message = 'Email address is not verified. The following identities failed the check in region US-WEST-2: bulk@example.com';
      const inline = { Template: { TemplateContent: { Subject: 's', Text: 't' }, TemplateData: '{}' } };
      expect(await awsFailure(sesv2Client(sesd.app).send(new SendBulkEmailCommand(v2({ DefaultContent: inline }))))).toEqual({ name: 'MessageRejected', message, status: 400 });
      await sesClient(sesd.app).send(new CreateTemplateCommand({ Template: { TemplateName: 'strict', SubjectPart: 'Hi', TextPart: 'Hi' } }));
      const v1 = new SendBulkTemplatedEmailCommand({ Source: 'bulk@example.com', Template: 'strict', DefaultTemplateData: '{}', Destinations: [to(1)] });
      expect(await awsFailure(sesClient(sesd.app).send(v1))).toEqual({ name: 'MessageRejected', message, status: 400 });
    });
  });
});
