// ListManagementOptions on SendEmail: the one-click unsubscribe headers, the unsubscribe link in the
// body, and no delivery to contacts who opted out.
import { CreateContactCommand, CreateContactListCommand, GetContactCommand, SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import {beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { capturedMessages, sesv2Client, useSesd } from '../support/sesd.js';

describe.each(DIALECTS)('list management (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;

  beforeAll(async () => {
    ses = sesv2Client(sesd.app);
    await ses.send(new CreateContactListCommand({ ContactListName: 'news', Topics: [{ TopicName: 'weekly', DisplayName: 'Weekly', DefaultSubscriptionStatus: 'OPT_IN' }] }));
    await ses.send(new CreateContactCommand({ ContactListName: 'news', EmailAddress: 'reader@example.net' }));
    await ses.send(new CreateContactCommand({ ContactListName: 'news', EmailAddress: 'gone@example.net', TopicPreferences: [{ TopicName: 'weekly', SubscriptionStatus: 'OPT_OUT' }] }));
  });

  it('adds List-Unsubscribe headers and the link, skips opted-out contacts, and the link unsubscribes', async () => {
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'news@example.com',
        Destination: { ToAddresses: ['reader@example.net'], BccAddresses: ['gone@example.net'] },
        Content: { Simple: { Subject: { Data: 'Weekly' }, Body: { Text: { Data: 'Leave: {{amazonSESUnsubscribeUrl}}' } } } },
        ListManagementOptions: { ContactListName: 'news', TopicName: 'weekly' },
      }),
    );
    const [m] = await capturedMessages(sesd.app, `?id=${MessageId}`);
    const header = /^List-Unsubscribe:\s+<(http[^>]+)>/m.exec(m!.RawData.replace(/\r\n\s+/g, ' '))![1]!;
    expect(m!.RawData).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    expect(m!.Body.text_part).toBe(`Leave: ${header}`);

    const rows = await sesd.app.store.messages.recipients(MessageId!);
    expect(rows.find((r) => r.recipient === 'gone@example.net')!.status).toBe('unsubscribed');

    const click = await fetch(header, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(click.status).toBeLessThan(300);
    const contact = await ses.send(new GetContactCommand({ ContactListName: 'news', EmailAddress: 'reader@example.net' }));
    expect(contact.TopicPreferences).toEqual([{ TopicName: 'weekly', SubscriptionStatus: 'OPT_OUT' }]);
  });

  it('refuses an unknown list or topic', async () => {
    const send = (ContactListName: string, TopicName?: string) =>
      ses.send(new SendEmailCommand({ FromEmailAddress: 'news@example.com', Destination: { ToAddresses: ['reader@example.net'] }, Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } }, ListManagementOptions: { ContactListName, TopicName } }));
    await expect(send('nope')).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(send('news', 'monthly')).rejects.toMatchObject({ name: 'BadRequestException', message: "List: news doesn't contain Topic: monthly" });
  });
});
