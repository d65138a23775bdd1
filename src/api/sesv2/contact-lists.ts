// SES v2 list management operations (contact lists and their contacts): wire shapes ↔
// ContactsService.
import { topicDefaultPreferences, type Contact } from '../../domain/contacts/contact.js';
import type { ContactList } from '../../domain/contacts/contact-list.js';
import { ContactsService } from '../../domain/contacts/contacts-service.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import type { Store } from '../../store/store.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { decodeNextToken, encodeNextToken, pageSize } from './paging.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

const change = (input: T.UpdateContactRequest) => ({
  topicPreferences: input.TopicPreferences,
  unsubscribeAll: input.UnsubscribeAll,
  attributesData: input.AttributesData,
});

const contactSummary = (contact: Contact, list: ContactList): T.Contact => ({
  EmailAddress: contact.emailAddress,
  TopicPreferences: contact.topicPreferences,
  TopicDefaultPreferences: topicDefaultPreferences(contact, list),
  UnsubscribeAll: contact.unsubscribeAll,
  LastUpdatedTimestamp: new Date(contact.updatedAt),
});

export function contactListHandlers(store: Pick<Store, 'contacts' | 'tags'>): HandlerTable {
  const contacts = new ContactsService({ contacts: store.contacts, tags: store.tags });
  return {
    CreateContactList: typedHandler(async (ctx, input: T.CreateContactListRequest) => {
      await contacts.createList(scopeOf(ctx), { name: input.ContactListName, description: input.Description, topics: input.Topics }, input.Tags);
      return {};
    }),

    GetContactList: typedHandler(async (ctx, input: T.GetContactListRequest): Promise<T.GetContactListResponse> => {
      const list = await contacts.getList(scopeOf(ctx), input.ContactListName);
      return {
        ContactListName: list.name,
        Topics: list.topics,
        Description: list.description,
        CreatedTimestamp: new Date(list.createdAt),
        LastUpdatedTimestamp: new Date(list.updatedAt),
        Tags: list.tags,
      };
    }),

    ListContactLists: typedHandler(async (ctx, input: T.ListContactListsRequest): Promise<T.ListContactListsResponse> => {
      const limit = pageSize(input.PageSize, 1000, 1000);
      const page = await contacts.listLists(scopeOf(ctx), { after: decodeNextToken<string>(input.NextToken, 'string'), limit: limit + 1 });
      const shown = page.slice(0, limit);
      return {
        ContactLists: shown.map((l) => ({ ContactListName: l.name, LastUpdatedTimestamp: new Date(l.updatedAt) })),
        NextToken: page.length > limit ? encodeNextToken(shown.at(-1)!.name) : undefined,
      };
    }),

    UpdateContactList: typedHandler(async (ctx, input: T.UpdateContactListRequest) => {
      await contacts.updateList(scopeOf(ctx), input.ContactListName, { description: input.Description, topics: input.Topics });
      return {};
    }),

    DeleteContactList: typedHandler(async (ctx, input: T.DeleteContactListRequest) => {
      await contacts.deleteList(scopeOf(ctx), input.ContactListName);
      return {};
    }),

    CreateContact: typedHandler(async (ctx, input: T.CreateContactRequest) => {
      await contacts.createContact(scopeOf(ctx), input.ContactListName, input.EmailAddress, change(input));
      return {};
    }),

    GetContact: typedHandler(async (ctx, input: T.GetContactRequest): Promise<T.GetContactResponse> => {
      const { contact, list } = await contacts.getContact(scopeOf(ctx), input.ContactListName, input.EmailAddress);
      return {
        ContactListName: list.name,
        ...contactSummary(contact, list),
        AttributesData: contact.attributesData,
        CreatedTimestamp: new Date(contact.createdAt),
      };
    }),

    UpdateContact: typedHandler(async (ctx, input: T.UpdateContactRequest) => {
      await contacts.updateContact(scopeOf(ctx), input.ContactListName, input.EmailAddress, change(input));
      return {};
    }),

    DeleteContact: typedHandler(async (ctx, input: T.DeleteContactRequest) => {
      await contacts.deleteContact(scopeOf(ctx), input.ContactListName, input.EmailAddress);
      return {};
    }),

    ListContacts: typedHandler(async (ctx, input: T.ListContactsRequest): Promise<T.ListContactsResponse> => {
      const limit = pageSize(input.PageSize, 1000, 1000);
      const page = await contacts.listContacts(scopeOf(ctx), input.ContactListName, {
        after: decodeNextToken<string>(input.NextToken, 'string'),
        limit,
        filter: input.Filter,
      });
      return {
        Contacts: page.contacts.map((c) => contactSummary(c, page.list)),
        NextToken: page.more ? encodeNextToken(page.contacts.at(-1)!.emailAddress) : undefined,
      };
    }),
  };
}
