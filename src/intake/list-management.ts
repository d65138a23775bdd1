// ListManagementOptions on a send: the RFC 2369 / RFC 8058 unsubscribe headers and the
// {{amazonSESUnsubscribeUrl}} link, each recipient's own, and the recipients who opted out (SES does
// not send to them).
import { contactListNotFound } from '../domain/contacts/contact-list.js';
import { isOptedOut } from '../domain/contacts/contact.js';
import { listUnsubscribeHeaders, unsubscribeUrl } from '../domain/contacts/unsubscribe-link.js';
import { invalidParameter } from '../domain/errors.js';
import type { Scope } from '../domain/identities/identity.js';
import type { ContactsRepository } from '../store/contacts-repository.js';

export interface ListManagementDeps {
  contacts: Pick<ContactsRepository, 'getList' | 'getContact' | 'unsubscribeSecret'>;
  /** Where recipients reach sesd's unsubscribe endpoint. */
  baseUrl: () => string;
}

/** One recipient's unsubscribe link: it names that recipient, so only they are unsubscribed by it. */
export interface UnsubscribeLink {
  headers: { name: string; value: string }[];
  url: string;
}

export interface ListManagement {
  /** The recipient's own link (a message with several recipients gets a copy per recipient). */
  linkFor(recipient: string): UnsubscribeLink;
  optedOut: Set<string>;
}

export async function listManagement(
  scope: Scope,
  options: { contactListName: string; topicName?: string },
  recipients: string[],
  deps: ListManagementDeps,
  messageId?: string,
): Promise<ListManagement> {
  const list = await deps.contacts.getList(scope, options.contactListName);
  if (!list) throw contactListNotFound(options.contactListName);
  if (options.topicName && !list.topics.some((t) => t.TopicName === options.topicName)) {
    throw invalidParameter(`List: ${list.name} doesn't contain Topic: ${options.topicName}`);
  }
  const optedOut = new Set<string>();
  for (const recipient of new Set(recipients)) {
    const contact = await deps.contacts.getContact(scope, list.name, recipient);
    if (contact && isOptedOut(contact, list, options.topicName)) optedOut.add(recipient);
  }
  const base = { ...scope, ...options, contactListName: list.name, messageId, baseUrl: deps.baseUrl(), secret: await deps.contacts.unsubscribeSecret() };
  return {
    linkFor: (emailAddress) => {
      const link = { ...base, emailAddress };
      return { headers: listUnsubscribeHeaders(link), url: unsubscribeUrl(link) };
    },
    optedOut,
  };
}
