// Raw mail on every door goes one path: the X-SES-* headers are honoured and removed for SES v2 Raw
// as for v1 SendRawEmail and SMTP, and address lists are read with a real RFC 5322 parser (groups,
// empty groups). Through the real SDK clients, on every database.
import { CreateConfigurationSetCommand, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, capturedMessages, sesv2Client, useSesd } from '../support/sesd.js';

const raw = (lines: string[]) => Buffer.from([...lines, '', 'body', ''].join('\r\n'));

describe.each(DIALECTS)('raw mail on every door (%s)', (dialect) => {
  const sesd = useSesd(dialect);

  const sendRaw = (data: Buffer, destination?: string[]) =>
    sesv2Client(sesd.app).send(new SendEmailCommand({ Content: { Raw: { Data: data } }, Destination: destination && { ToAddresses: destination } }));

  it('SES v2 Raw honours and removes the X-SES headers (configuration set, tags)', async () => {
    await sesv2Client(sesd.app).send(new CreateConfigurationSetCommand({ ConfigurationSetName: 'raw-set' }));
    const { MessageId } = await sendRaw(
      raw(['From: a@example.com', 'To: b@example.net', 'Subject: s', 'X-SES-CONFIGURATION-SET: raw-set', 'X-SES-MESSAGE-TAGS: campaign=spring, kind=raw']),
    );
    const [message] = await capturedMessages(sesd.app, `?id=${MessageId}`);
    expect(message!.RawData).not.toMatch(/^X-SES-/im);
    const [stored] = await sesd.app.store.messages.list({ id: MessageId });
    expect(stored).toMatchObject({ configurationSet: 'raw-set', tags: [{ Name: 'campaign', Value: 'spring' }, { Name: 'kind', Value: 'raw' }] });
  });

  it('SES v2 Raw refuses a configuration set named in X-SES-CONFIGURATION-SET that does not exist', async () => {
    const failure = await awsFailure(sendRaw(raw(['From: a@example.com', 'To: b@example.net', 'Subject: s', 'X-SES-CONFIGURATION-SET: missing-set'])));
    expect(failure).toMatchObject({ name: 'NotFoundException', status: 404 });
  });

  it('accepts an empty group (To: undisclosed-recipients:;) with Destinations', async () => {
    const { MessageId } = await sendRaw(raw(['From: a@example.com', 'To: undisclosed-recipients:;', 'Subject: s']), ['hidden@example.net']);
    // Capture mode delivers at acceptance.
    expect(await sesd.app.store.messages.recipients(MessageId!)).toEqual([{ recipient: 'hidden@example.net', status: 'delivered' }]);
  });

  it('sends to the members of a group in the To header when there are no Destinations', async () => {
    const { MessageId } = await sendRaw(raw(['From: a@example.com', 'To: Team: x@example.net, "Y, Jr" <y@example.net>;, z@example.org', 'Subject: s']));
    const recipients = (await sesd.app.store.messages.recipients(MessageId!)).map((r) => r.recipient);
    expect(recipients).toEqual(['x@example.net', 'y@example.net', 'z@example.org']);
  });

  // SES's header-fields page lists the fields a message may name once; a second one, or a field
  // without a name, is refused (recorded answers: "Duplicate header 'DKIM-Signature'.", "Empty header names are illegal.").
  it.each([
    ['two From headers', ['From: a@example.com', 'From: c@example.com', 'To: b@example.net', 'Subject: s'], "Duplicate header 'From'."],
    ['two DKIM signatures', ['DKIM-Signature: v=1; a', 'dkim-signature: v=1; b', 'From: a@example.com', 'To: b@example.net'], "Duplicate header 'dkim-signature'."],
    ['a nameless field', ['From: a@example.com', 'To: b@example.net', ': no name'], 'Empty header names are illegal.'],
  ])('refuses a raw message with %s, as SES does', async (_what, lines, message) => {
    expect(await awsFailure(sendRaw(raw(lines)))).toMatchObject({ name: 'BadRequestException', status: 400, message });
  });

  it('takes fields that may repeat (Received, X-*) more than once', async () => {
    const { MessageId } = await sendRaw(raw(['Received: by a', 'Received: by b', 'X-Note: 1', 'X-Note: 2', 'From: a@example.com', 'To: b@example.net', 'Subject: s']));
    expect(MessageId).toBeTruthy();
  });
});
