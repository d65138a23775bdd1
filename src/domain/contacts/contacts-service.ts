// Contact list and contact rules for SES v2 list management: lists with topics (one list per
// account and region), contacts with topic preferences, ListContacts filters, and the unsubscribe
// that list-unsubscribe links perform.
import type { ContactsRepository } from '../../store/contacts-repository.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import type { Scope } from '../identities/identity.js';
import { validateTags, type Tag } from '../tags/tags.js';
import {
  applyContactUpdate,
  contactAlreadyExists,
  contactNotFound,
  matchesFilter,
  validateContactEmail,
  validateTopicPreferences,
  type Contact,
  type ContactChange,
  type ContactFilter,
  type TopicPreference,
} from './contact.js';
import {
  contactListAlreadyExists,
  contactListArn,
  contactListNotFound,
  MAX_CONTACT_LISTS,
  tooManyContactLists,
  validateContactListName,
  validateDescription,
  validateTopics,
  type ContactList,
  type Topic,
} from './contact-list.js';
import type { UnsubscribeTarget } from './unsubscribe-link.js';

export interface ContactsServiceDeps {
  contacts: ContactsRepository;
  tags: TagsRepository;
  now?: () => number;
}

// ListContacts reads the list in batches of this size while it fills a filtered page.
const SCAN_BATCH = 500;

export class ContactsService {
  private readonly now: () => number;

  constructor(private readonly deps: ContactsServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async createList(scope: Scope, input: { name: string; description?: string; topics?: Topic[] }, tags: Tag[] = []): Promise<void> {
    validateContactListName(input.name);
    validateTopics(input.topics ?? []);
    validateDescription(input.description);
    validateTags(tags);
    // SES checks the quota before the name, so a second list is refused even under the same name.
    if ((await this.deps.contacts.countLists(scope)) >= MAX_CONTACT_LISTS) throw tooManyContactLists();
    const now = this.now();
    const list: ContactList = { ...scope, name: input.name, topics: input.topics ?? [], createdAt: now, updatedAt: now };
    if (input.description !== undefined) list.description = input.description;
    if (!(await this.deps.contacts.createList(list))) throw contactListAlreadyExists(input.name);
    await this.deps.tags.put(contactListArn(scope, input.name), tags);
  }

  async getList(scope: Scope, name: string): Promise<ContactList & { tags: Tag[] }> {
    const list = await this.existingList(scope, name);
    return { ...list, tags: await this.deps.tags.list(contactListArn(scope, name)) };
  }

  listLists(scope: Scope, page: { after?: string; limit: number }): Promise<ContactList[]> {
    return this.deps.contacts.listLists(scope, page);
  }

  /** Topics, when given, replace the list's topics; so does a given description. */
  async updateList(scope: Scope, name: string, change: { description?: string; topics?: Topic[] }): Promise<void> {
    if (change.topics) validateTopics(change.topics);
    validateDescription(change.description);
    const list = await this.existingList(scope, name);
    // A complete replacement, as in SES: what the request omits (topics, description) is cleared.
    const updated: ContactList = { ...list, topics: change.topics ?? [], updatedAt: this.now() };
    if (change.description !== undefined) updated.description = change.description;
    else delete updated.description;
    if (!(await this.deps.contacts.updateList(updated))) throw contactListNotFound(name);
  }

  /** Deletes the list with all its contacts. */
  async deleteList(scope: Scope, name: string): Promise<void> {
    validateContactListName(name);
    if (!(await this.deps.contacts.deleteList(scope, name))) throw contactListNotFound(name);
    await this.deps.tags.removeAll(contactListArn(scope, name));
  }

  async createContact(scope: Scope, listName: string, email: string, change: ContactChange): Promise<void> {
    validateContactEmail(email);
    const list = await this.existingList(scope, listName);
    validateTopicPreferences(list, change.topicPreferences ?? []);
    const now = this.now();
    const contact: Contact = {
      ...scope,
      listName,
      emailAddress: email,
      topicPreferences: dedupe(change.topicPreferences ?? []),
      unsubscribeAll: change.unsubscribeAll ?? false,
      createdAt: now,
      updatedAt: now,
    };
    if (change.attributesData !== undefined) contact.attributesData = change.attributesData;
    if (!(await this.deps.contacts.createContact(contact))) throw contactAlreadyExists(email);
  }

  async getContact(scope: Scope, listName: string, email: string): Promise<{ contact: Contact; list: ContactList }> {
    validateContactEmail(email);
    const list = await this.existingList(scope, listName);
    const contact = await this.deps.contacts.getContact(scope, listName, email);
    if (!contact) throw contactNotFound(email);
    return { contact, list };
  }

  async updateContact(scope: Scope, listName: string, email: string, change: ContactChange): Promise<void> {
    const { contact, list } = await this.getContact(scope, listName, email);
    validateTopicPreferences(list, change.topicPreferences ?? []);
    if (!(await this.deps.contacts.updateContact(applyContactUpdate(contact, change, this.now())))) throw contactNotFound(email);
  }

  async deleteContact(scope: Scope, listName: string, email: string): Promise<void> {
    validateContactEmail(email);
    await this.existingList(scope, listName);
    if (!(await this.deps.contacts.deleteContact(scope, listName, email))) throw contactNotFound(email);
  }

  /** One page of the list's contacts that match the filter, by address; `after` is the last address of the previous page. */
  async listContacts(
    scope: Scope,
    listName: string,
    page: { after?: string; limit: number; filter?: ContactFilter },
  ): Promise<{ contacts: Contact[]; list: ContactList; more: boolean }> {
    const list = await this.existingList(scope, listName);
    const matched: Contact[] = [];
    let after = page.after;
    for (;;) {
      const batch = await this.deps.contacts.listContacts(scope, listName, { after, limit: SCAN_BATCH });
      for (const c of batch) {
        if (!matchesFilter(c, list, page.filter)) continue;
        if (matched.length === page.limit) return { contacts: matched, list, more: true };
        matched.push(c);
      }
      if (batch.length < SCAN_BATCH) return { contacts: matched, list, more: false };
      after = batch[batch.length - 1]!.emailAddress;
    }
  }

  /**
   * What an unsubscribe link does: opts the address out of the topic, or out of the whole list,
   * adding it as a contact when it is not one yet. The contact's preferences before and after (for
   * SES's Subscription event); undefined when the list (or topic) no longer exists.
   */
  async unsubscribe(target: UnsubscribeTarget): Promise<SubscriptionChange | undefined> {
    const scope = { accountId: target.accountId, region: target.region };
    const list = await this.deps.contacts.getList(scope, target.contactListName);
    const topic = target.topicName;
    if (!list || (topic !== undefined && !list.topics.some((t) => t.TopicName === topic))) return undefined;
    const change: ContactChange = topic === undefined ? { unsubscribeAll: true } : { topicPreferences: [{ TopicName: topic, SubscriptionStatus: 'OPT_OUT' }] };
    const now = this.now();
    // A concurrent create or delete of the same contact makes a write miss; reading again settles it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const existing = await this.deps.contacts.getContact(scope, list.name, target.emailAddress);
      if (existing) {
        const updated = applyContactUpdate(existing, { ...existingChange(existing), ...change }, now);
        if (await this.deps.contacts.updateContact(updated)) return { before: preferencesOf(existing), after: preferencesOf(updated) };
      } else {
        const created: Contact = {
          ...scope,
          listName: list.name,
          emailAddress: target.emailAddress,
          topicPreferences: change.topicPreferences ?? [],
          unsubscribeAll: change.unsubscribeAll ?? false,
          createdAt: now,
          updatedAt: now,
        };
        if (await this.deps.contacts.createContact(created)) return { before: { unsubscribeAll: false, topicPreferences: [] }, after: preferencesOf(created) };
      }
    }
    throw new Error(`unsubscribe of ${target.emailAddress} from ${list.name} kept conflicting with concurrent changes`);
  }

  private async existingList(scope: Scope, name: string): Promise<ContactList> {
    validateContactListName(name);
    const list = await this.deps.contacts.getList(scope, name);
    if (!list) throw contactListNotFound(name);
    return list;
  }
}

/** A contact's choices before and after an unsubscribe. */
export interface SubscriptionChange {
  before: { unsubscribeAll: boolean; topicPreferences: TopicPreference[] };
  after: { unsubscribeAll: boolean; topicPreferences: TopicPreference[] };
}

const preferencesOf = (c: Contact): SubscriptionChange['before'] => ({ unsubscribeAll: c.unsubscribeAll, topicPreferences: [...c.topicPreferences] });

/** An unsubscribe keeps what the contact had: its other choices and its attributes. */
function existingChange(contact: Contact): ContactChange {
  const change: ContactChange = { unsubscribeAll: contact.unsubscribeAll };
  if (contact.attributesData !== undefined) change.attributesData = contact.attributesData;
  return change;
}

/** The last preference given for a topic wins. */
function dedupe(preferences: readonly TopicPreference[]): TopicPreference[] {
  return [...new Map(preferences.map((p) => [p.TopicName, p])).values()];
}
