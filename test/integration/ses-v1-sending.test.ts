// SES v1 sending actions answered as SES answers them, through @aws-sdk/client-ses, on every
// database: what SendEmail, SendTemplatedEmail and SendRawEmail say of a message without a recipient.
import { CreateTemplateCommand, SendEmailCommand, SendRawEmailCommand, SendTemplatedEmailCommand } from '@aws-sdk/client-ses';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, sesClient, useSesd } from '../support/sesd.js';

const message = { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } };

describe.each(DIALECTS)('SES v1 sending (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  it("refuses a Destination without an address with InvalidParameterValue \"Missing required header 'To'.\"", async () => {
    const ses = sesClient(sesd.app);
    const refused = { name: 'InvalidParameterValue', message: "Missing required header 'To'.", status: 400 };
    expect(await awsFailure(ses.send(new SendEmailCommand({ Source: 'a@example.com', Destination: { ToAddresses: [], CcAddresses: [], BccAddresses: [] }, Message: message })))).toEqual(refused);
    await ses.send(new CreateTemplateCommand({ Template: { TemplateName: 'no-recipient', SubjectPart: 'Hi', TextPart: 'Hi' } }));
    const templated = new SendTemplatedEmailCommand({ Source: 'a@example.com', Destination: { ToAddresses: [], CcAddresses: [] }, Template: 'no-recipient', TemplateData: '{}' });
    expect(await awsFailure(ses.send(templated))).toEqual(refused);
    const raw = new SendRawEmailCommand({ RawMessage: { Data: Buffer.from('From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n') } });
    expect(await awsFailure(ses.send(raw))).toEqual(refused);
  });

  it('sends to a Destination that has only a Cc or a Bcc address', async () => {
    const ses = sesClient(sesd.app);
    const { MessageId } = await ses.send(new SendEmailCommand({ Source: 'a@example.com', Destination: { BccAddresses: ['b@example.net'] }, Message: message }));
    expect(await sesd.app.store.messages.recipients(MessageId!)).toEqual([{ recipient: 'b@example.net', status: 'delivered' }]);
  });
});
