// ListManagementOptions on a send: the RFC 2369 / RFC 8058 unsubscribe headers and the
// {{amazonSESUnsubscribeUrl}} link, and the recipients who opted out (SES does not send to them).
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

export interface ListManagement {
  /** Headers for the message; they name the first recipient (a message is composed once for all). */
  headers: { name: string; value: string }[];
  unsubscribeUrl: string;
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
  for (const recipient of recipients) {
    const contact = await deps.contacts.getContact(scope, list.name, recipient);
    if (contact && isOptedOut(contact, list, options.topicName)) optedOut.add(recipient);
  }
  const link = { ...scope, ...options, emailAddress: recipients[0] ?? '', messageId, baseUrl: deps.baseUrl(), secret: await deps.contacts.unsubscribeSecret() };
  return { headers: listUnsubscribeHeaders(link), unsubscribeUrl: unsubscribeUrl(link), optedOut };
}
