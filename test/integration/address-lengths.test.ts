// RFC 5321's address sizes (local part 64, label 63, domain 255, path 256) on every door: SES v2,
// SES v1, SendRawEmail's headers, Pinpoint and SMTP's MAIL FROM / RCPT TO.
import { SendEmailCommand as SendEmailV1Command, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { CreateAppCommand, SendMessagesCommand, UpdateEmailChannelCommand } from '@aws-sdk/client-pinpoint';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, pinpointClient, sesClient, sesv2Client, useSesd } from '../support/sesd.js';
import { authenticatedSession, smtpUrls } from '../support/smtp-client.js';

const LONG_LOCAL = `${'x'.repeat(100_000)}@example.net`;
const LONG_LABEL = `to@${'d'.repeat(64)}.example.net`;
const LOCAL_MESSAGE = 'Local address is longer than 64 characters';

describe.each(DIALECTS)('address sizes (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  it('SES v2 refuses a 100,000-character local part and a 64-character label with BadRequestException', async () => {
    const send = (to: string, from = 'sender@example.com') =>
      sesv2Client(sesd.app).send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
        }),
      );
    expect(await awsFailure(send(LONG_LOCAL))).toEqual({ name: 'BadRequestException', message: LOCAL_MESSAGE, status: 400 });
    expect(await awsFailure(send(LONG_LABEL))).toEqual({ name: 'BadRequestException', message: 'Domain label is longer than 63 characters', status: 400 });
    expect(await awsFailure(send('to@example.net', `Sender <${'s'.repeat(65)}@example.com>`))).toMatchObject({ name: 'BadRequestException', message: LOCAL_MESSAGE });
    expect((await send(`${'x'.repeat(64)}@example.net`)).MessageId).toBeDefined();
  });

  it('SES v1 refuses them with InvalidParameterValue, in SendEmail and in SendRawEmail\'s headers', async () => {
    const ses = sesClient(sesd.app);
    const simple = ses.send(
      new SendEmailV1Command({
        Source: 'sender@example.com',
        Destination: { ToAddresses: [LONG_LOCAL] },
        Message: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } },
      }),
    );
    expect(await awsFailure(simple)).toEqual({ name: 'InvalidParameterValue', message: LOCAL_MESSAGE, status: 400 });
    const raw = ses.send(new SendRawEmailCommand({ RawMessage: { Data: Buffer.from(`From: sender@example.com\r\nTo: ${LONG_LABEL}\r\nSubject: s\r\n\r\nb\r\n`) } }));
    expect(await awsFailure(raw)).toEqual({ name: 'InvalidParameterValue', message: 'Domain label is longer than 63 characters', status: 400 });
  });

  it('Pinpoint reports a too-long address as a permanent failure of that address only', async () => {
    const pinpoint = pinpointClient(sesd.app);
    const created = await pinpoint.send(new CreateAppCommand({ CreateApplicationRequest: { Name: 'sizes' } }));
    const applicationId = created.ApplicationResponse!.Id!;
    await pinpoint.send(new UpdateEmailChannelCommand({ ApplicationId: applicationId, EmailChannelRequest: { FromAddress: 'shop@example.com', Identity: 'arn:aws:ses:us-west-2:000000000000:identity/example.com', Enabled: true } }));
    const out = await pinpoint.send(
      new SendMessagesCommand({
        ApplicationId: applicationId,
        MessageRequest: {
          Addresses: { [LONG_LOCAL]: { ChannelType: 'EMAIL' }, 'fine@example.net': { ChannelType: 'EMAIL' } },
          MessageConfiguration: { EmailMessage: { SimpleEmail: { Subject: { Data: 's' }, TextPart: { Data: 'b' } } } },
        },
      }),
    );
    expect(out.MessageResponse!.Result![LONG_LOCAL]).toMatchObject({ DeliveryStatus: 'PERMANENT_FAILURE', StatusCode: 400, StatusMessage: expect.stringContaining(LOCAL_MESSAGE) });
    expect(out.MessageResponse!.Result!['fine@example.net']).toMatchObject({ DeliveryStatus: 'SUCCESSFUL' });
  });

  it('SMTP answers SES’s 501 to MAIL FROM and RCPT TO with a too-long address, and the session goes on', async () => {
    const client = await authenticatedSession(smtpUrls(sesd.app).smtps);
    const invalidMailFrom = { code: 501, text: 'Invalid MAIL FROM address provided' };
    const invalidRcptTo = { code: 501, text: 'Invalid RCPT TO address provided' };
    // smtp-server itself refuses a path over 253 characters; below that, intake's rules apply. Both answer as SES.
    expect(await client.command(`MAIL FROM:<${'x'.repeat(1000)}@example.com>`)).toEqual(invalidMailFrom);
    const local = 'x'.repeat(65);
    expect(await client.command(`MAIL FROM:<${local}@example.com>`)).toEqual(invalidMailFrom);
    expect(await client.command('MAIL FROM:<sender@example.com>')).toMatchObject({ code: 250 });
    expect(await client.command(`RCPT TO:<${local}@example.net>`)).toEqual(invalidRcptTo);
    expect(await client.command(`RCPT TO:<${LONG_LABEL}>`)).toEqual(invalidRcptTo);
    expect(await client.command('RCPT TO:<fine@example.net>')).toMatchObject({ code: 250 });
    client.destroy();
  });
});
