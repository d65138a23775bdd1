// SES v2 list management (contact lists, topics, contacts) through the real SDK client, and the
// List-Unsubscribe endpoint, on every database.
import {
  CreateContactCommand,
  CreateContactListCommand,
  DeleteContactCommand,
  DeleteContactListCommand,
  GetContactCommand,
  GetContactListCommand,
  ListContactListsCommand,
  ListContactsCommand,
  UpdateContactCommand,
  UpdateContactListCommand,
  type SESv2Client,
  type Topic,
} from '@aws-sdk/client-sesv2';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listUnsubscribeHeaders } from '../../src/domain/contacts/unsubscribe-link.js';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, OTHER_ACCOUNT_KEY, sesv2Client, useSesd } from '../support/sesd.js';

const TOPICS: Topic[] = [
  { TopicName: 'news', DisplayName: 'Newsletter', Description: 'Monthly news', DefaultSubscriptionStatus: 'OPT_IN' },
  { TopicName: 'offers', DisplayName: 'Special offers', DefaultSubscriptionStatus: 'OPT_OUT' },
];
const LIST = 'customers';
const DEFAULT_ACCOUNT = { accountId: '000000000000', region: 'us-west-2' };

describe.each(DIALECTS)('SES v2 contact lists and contacts (%s)', (dialect) => {
  const sesd = useSesd(dialect);
  let ses: SESv2Client;
  beforeAll(() => {
    ses = sesv2Client(sesd.app);
  });
  beforeEach(async () => {
    await ses.send(new DeleteContactListCommand({ ContactListName: LIST })).catch(() => undefined);
    await ses.send(new CreateContactListCommand({ ContactListName: LIST, Topics: TOPICS, Description: 'All customers', Tags: [{ Key: 'k', Value: 'v' }] }));
  });

  it('creates a list with topics and reads it back', async () => {
    const list = await ses.send(new GetContactListCommand({ ContactListName: LIST }));
    expect(list).toMatchObject({ ContactListName: LIST, Topics: TOPICS, Description: 'All customers', Tags: [{ Key: 'k', Value: 'v' }] });
    expect(list.CreatedTimestamp).toBeInstanceOf(Date);
    expect((await ses.send(new ListContactListsCommand({}))).ContactLists).toEqual([{ ContactListName: LIST, LastUpdatedTimestamp: list.LastUpdatedTimestamp }]);
  });

  it('allows one contact list per account and region, as SES does (BadRequestException, not the model\'s LimitExceededException)', async () => {
    expect(await awsFailure(ses.send(new CreateContactListCommand({ ContactListName: 'second' })))).toEqual({
      name: 'BadRequestException',
      message: 'A maximum of 1 Lists allowed per account.',
      status: 400,
    });
    // Another account has its own quota.
    await sesv2Client(sesd.app, OTHER_ACCOUNT_KEY).send(new CreateContactListCommand({ ContactListName: 'second' }));
  });

  it('updates topics and description', async () => {
    await ses.send(new UpdateContactListCommand({ ContactListName: LIST, Topics: [TOPICS[0]!], Description: 'Fewer topics' }));
    expect(await ses.send(new GetContactListCommand({ ContactListName: LIST }))).toMatchObject({ Topics: [TOPICS[0]], Description: 'Fewer topics' });
  });

  it.each([
    ['an invalid name', { ContactListName: 'bad name' }, 'ContactListName can contain up to 64 characters. Only alphanumeric characters, underscores(_) and hyphens(-) are allowed.'],
    ['21 topics', { Topics: Array.from({ length: 21 }, (_, i) => ({ TopicName: `t${i}`, DisplayName: `T${i}`, DefaultSubscriptionStatus: 'OPT_IN' as const })) }, 'Maximum of <20> topics allowed per ContactList'],
    ['duplicate topics', { Topics: [TOPICS[0]!, TOPICS[0]!] }, 'Duplicate topic names are not allowed within a List.'],
  ])('refuses a list with %s', async (_name, input, message) => {
    await ses.send(new DeleteContactListCommand({ ContactListName: LIST }));
    expect(await awsFailure(ses.send(new CreateContactListCommand({ ContactListName: 'other', ...input })))).toEqual({ name: 'BadRequestException', message, status: 400 });
  });

  it('answers a missing list with NotFoundException', async () => {
    const missing = { name: 'NotFoundException', message: "List with name: nolist doesn't exist.", status: 404 };
    expect(await awsFailure(ses.send(new GetContactListCommand({ ContactListName: 'nolist' })))).toEqual(missing);
    expect(await awsFailure(ses.send(new CreateContactCommand({ ContactListName: 'nolist', EmailAddress: 'a@example.com' })))).toEqual(missing);
    expect(await awsFailure(ses.send(new ListContactsCommand({ ContactListName: 'nolist' })))).toEqual(missing);
  });

  it('keeps contacts with topic preferences and derives the topic defaults', async () => {
    await ses.send(
      new CreateContactCommand({
        ContactListName: LIST,
        EmailAddress: 'ana@example.com',
        TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }],
        AttributesData: '{"tier":"gold"}',
      }),
    );
    const contact = await ses.send(new GetContactCommand({ ContactListName: LIST, EmailAddress: 'ana@example.com' }));
    expect(contact).toMatchObject({
      ContactListName: LIST,
      EmailAddress: 'ana@example.com',
      TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }],
      TopicDefaultPreferences: [{ TopicName: 'news', SubscriptionStatus: 'OPT_IN' }],
      UnsubscribeAll: false,
      AttributesData: '{"tier":"gold"}',
    });
    expect(contact.CreatedTimestamp).toBeInstanceOf(Date);

    // Preferences merge by topic; UnsubscribeAll and AttributesData are replaced.
    await ses.send(new UpdateContactCommand({ ContactListName: LIST, EmailAddress: 'ana@example.com', TopicPreferences: [{ TopicName: 'news', SubscriptionStatus: 'OPT_OUT' }] }));
    const updated = await ses.send(new GetContactCommand({ ContactListName: LIST, EmailAddress: 'ana@example.com' }));
    expect(updated.TopicPreferences).toEqual([
      { TopicName: 'offers', SubscriptionStatus: 'OPT_IN' },
      { TopicName: 'news', SubscriptionStatus: 'OPT_OUT' },
    ]);
    expect(updated.TopicDefaultPreferences).toEqual([]);
    expect(updated.AttributesData).toBeUndefined();

    await ses.send(new DeleteContactCommand({ ContactListName: LIST, EmailAddress: 'ana@example.com' }));
    expect(await awsFailure(ses.send(new GetContactCommand({ ContactListName: LIST, EmailAddress: 'ana@example.com' })))).toEqual({
      name: 'NotFoundException',
      message: "ana@example.com doesn't exist in List.",
      status: 404,
    });
  });

  it('refuses duplicate contacts, unknown topics and malformed addresses', async () => {
    await ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'bo@example.com' }));
    expect(await awsFailure(ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'bo@example.com' })))).toEqual({
      name: 'AlreadyExistsException',
      message: 'bo@example.com already exists in List.',
      status: 400,
    });
    expect(
      await awsFailure(
        ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'cy@example.com', TopicPreferences: [{ TopicName: 'sports', SubscriptionStatus: 'OPT_IN' }] })),
      ),
    ).toEqual({ name: 'BadRequestException', message: `List: ${LIST} doesn't contain Topic: sports`, status: 400 });
    expect(await awsFailure(ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'not-an-address' })))).toEqual({
      name: 'BadRequestException',
      message: 'EmailAddress <not-an-address> is invalid',
      status: 400,
    });
  });

  it('lists contacts page by page and filters them by topic status', async () => {
    await ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'a@example.com', TopicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }] }));
    await ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'b@example.com' }));
    await ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'c@example.com', UnsubscribeAll: true }));

    const first = await ses.send(new ListContactsCommand({ ContactListName: LIST, PageSize: 2 }));
    expect(first.Contacts!.map((c) => c.EmailAddress)).toEqual(['a@example.com', 'b@example.com']);
    const second = await ses.send(new ListContactsCommand({ ContactListName: LIST, PageSize: 2, NextToken: first.NextToken }));
    expect(second.Contacts!.map((c) => c.EmailAddress)).toEqual(['c@example.com']);
    expect(second.NextToken).toBeUndefined();

    const offers = async (useDefault: boolean, status: 'OPT_IN' | 'OPT_OUT') =>
      (
        await ses.send(
          new ListContactsCommand({
            ContactListName: LIST,
            Filter: { FilteredStatus: status, TopicFilter: { TopicName: 'offers', UseDefaultIfPreferenceUnavailable: useDefault } },
          }),
        )
      ).Contacts!.map((c) => c.EmailAddress);
    expect(await offers(false, 'OPT_IN')).toEqual(['a@example.com']);
    expect(await offers(true, 'OPT_OUT')).toEqual(['b@example.com', 'c@example.com']);
    const unsubscribed = await ses.send(new ListContactsCommand({ ContactListName: LIST, Filter: { FilteredStatus: 'OPT_OUT' } }));
    expect(unsubscribed.Contacts!.map((c) => c.EmailAddress)).toEqual(['c@example.com']);
  });

  it('deletes a list with its contacts', async () => {
    await ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'gone@example.com' }));
    await ses.send(new DeleteContactListCommand({ ContactListName: LIST }));
    await ses.send(new CreateContactListCommand({ ContactListName: LIST }));
    expect((await ses.send(new ListContactsCommand({ ContactListName: LIST }))).Contacts).toEqual([]);
    expect((await ses.send(new GetContactListCommand({ ContactListName: LIST }))).Tags).toEqual([]);
  });

  describe('List-Unsubscribe links', () => {
    const link = async (emailAddress: string, topicName?: string) => {
      const [header, post] = listUnsubscribeHeaders({
        ...DEFAULT_ACCOUNT,
        contactListName: LIST,
        emailAddress,
        topicName,
        baseUrl: sesd.app.httpUrl,
        secret: await sesd.app.store.contacts.unsubscribeSecret(),
      });
      expect(post).toEqual({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
      return header!.value.slice(1, -1);
    };
    const oneClick = (url: string) =>
      fetch(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });

    it('opts a contact out of one topic with an RFC 8058 one-click POST', async () => {
      await ses.send(new CreateContactCommand({ ContactListName: LIST, EmailAddress: 'reader@example.com' }));
      const res = await oneClick(await link('reader@example.com', 'news'));
      expect(res.status).toBe(200);
      const contact = await ses.send(new GetContactCommand({ ContactListName: LIST, EmailAddress: 'reader@example.com' }));
      expect(contact.TopicPreferences).toEqual([{ TopicName: 'news', SubscriptionStatus: 'OPT_OUT' }]);
      expect(contact.UnsubscribeAll).toBe(false);
    });

    it('unsubscribes from the whole list, adding the address as a contact when it is not one', async () => {
      const url = await link('stranger@example.com');
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post">');
      // The GET page alone changes nothing: link scanners fetch URLs too.
      expect(await awsFailure(ses.send(new GetContactCommand({ ContactListName: LIST, EmailAddress: 'stranger@example.com' })))).toMatchObject({ status: 404 });

      expect((await oneClick(url)).status).toBe(200);
      expect((await ses.send(new GetContactCommand({ ContactListName: LIST, EmailAddress: 'stranger@example.com' }))).UnsubscribeAll).toBe(true);
    });

    it('refuses a forged or altered token', async () => {
      const url = await link('victim@example.com');
      const [payload, mac] = url.slice(url.lastIndexOf('/') + 1).split('.') as [string, string];
      const forgedPayload = Buffer.from(JSON.stringify(['000000000000', 'us-west-2', LIST, 'other@example.com', null])).toString('base64url');
      for (const token of [`${forgedPayload}.${mac}`, `${payload}.${'A'.repeat(mac.length)}`, 'nonsense']) {
        const res = await oneClick(`${sesd.app.httpUrl}/_sesd/unsubscribe/${token}`);
        expect(res.status).toBe(404);
      }
      expect((await ses.send(new ListContactsCommand({ ContactListName: LIST }))).Contacts).toEqual([]);
    });

    it('keeps the signing secret across restarts', async () => {
      const before = await sesd.app.store.contacts.unsubscribeSecret();
      await sesd.restart();
      ses = sesv2Client(sesd.app);
      expect(await sesd.app.store.contacts.unsubscribeSecret()).toBe(before);
    });
  });
});
