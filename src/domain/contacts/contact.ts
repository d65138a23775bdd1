// A contact on a contact list: its topic preferences, whether it unsubscribed from everything, and
// the rules for updating it, deriving its topic defaults and matching ListContacts filters.
import { parseAddress } from '../addresses.js';
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import type { ContactList, SubscriptionStatus } from './contact-list.js';

/** A contact's own choice for one topic of its list. */
export interface TopicPreference {
  TopicName: string;
  SubscriptionStatus: SubscriptionStatus;
}

/** Which contacts ListContacts shows (see matchesFilter). */
export interface ContactFilter {
  FilteredStatus?: SubscriptionStatus;
  TopicFilter?: { TopicName?: string; UseDefaultIfPreferenceUnavailable?: boolean };
}

export interface Contact extends Scope {
  listName: string;
  emailAddress: string;
  /** Only the topics the contact chose explicitly. */
  topicPreferences: TopicPreference[];
  unsubscribeAll: boolean;
  attributesData?: string;
  createdAt: number;
  updatedAt: number;
}

export interface ContactChange {
  topicPreferences?: TopicPreference[];
  unsubscribeAll?: boolean;
  attributesData?: string;
}

export const contactNotFound = (email: string): AwsError => new AwsError('NotFoundException', `${email} doesn't exist in List.`, 404, true);

export const contactAlreadyExists = (email: string): AwsError => new AwsError('AlreadyExistsException', `${email} already exists in List.`, 400, true);

export function validateContactEmail(email: string): void {
  if (email.trim() === '') throw invalidParameter("EmailAddress can't be blank.");
  try {
    parseAddress(email);
  } catch {
    throw invalidParameter(`EmailAddress <${email}> is invalid`);
  }
}

/** Every topic a contact names must be a topic of its list. */
export function validateTopicPreferences(list: ContactList, preferences: readonly TopicPreference[]): void {
  const topics = new Set(list.topics.map((t) => t.TopicName));
  for (const p of preferences) {
    if (!topics.has(p.TopicName)) throw invalidParameter(`List: ${list.name} doesn't contain Topic: ${p.TopicName}`);
  }
}

/**
 * UpdateContact as SES applies it: given topic preferences are merged into the contact's by topic
 * name; UnsubscribeAll and AttributesData are replaced, so leaving them out clears them.
 */
export function applyContactUpdate(contact: Contact, change: ContactChange, now: number): Contact {
  const preferences = new Map(contact.topicPreferences.map((p) => [p.TopicName, p]));
  for (const p of change.topicPreferences ?? []) preferences.set(p.TopicName, p);
  const { attributesData: _replaced, ...rest } = contact;
  return {
    ...rest,
    topicPreferences: [...preferences.values()],
    unsubscribeAll: change.unsubscribeAll ?? false,
    ...(change.attributesData !== undefined && { attributesData: change.attributesData }),
    updatedAt: now,
  };
}

/** The list's default status for each topic the contact has not chosen explicitly. */
export function topicDefaultPreferences(contact: Contact, list: ContactList): TopicPreference[] {
  const chosen = new Set(contact.topicPreferences.map((p) => p.TopicName));
  return list.topics.filter((t) => !chosen.has(t.TopicName)).map((t) => ({ TopicName: t.TopicName, SubscriptionStatus: t.DefaultSubscriptionStatus }));
}

/** The contact's status for a topic: its own choice, else (when allowed) the topic's default. */
export function topicStatus(contact: Contact, list: ContactList, topic: string, useDefault = true): SubscriptionStatus | undefined {
  const own = contact.topicPreferences.find((p) => p.TopicName === topic)?.SubscriptionStatus;
  if (own || !useDefault) return own;
  return list.topics.find((t) => t.TopicName === topic)?.DefaultSubscriptionStatus;
}

/**
 * ListContacts' filter. With a topic: contacts whose status for that topic is FilteredStatus (the
 * topic default counts only with UseDefaultIfPreferenceUnavailable). Without one: OPT_OUT selects
 * contacts that unsubscribed from the whole list, OPT_IN the others.
 */
export function matchesFilter(contact: Contact, list: ContactList, filter: ContactFilter | undefined): boolean {
  if (!filter) return true;
  const topic = filter.TopicFilter?.TopicName;
  if (topic !== undefined) {
    const status = topicStatus(contact, list, topic, filter.TopicFilter?.UseDefaultIfPreferenceUnavailable ?? false);
    return filter.FilteredStatus === undefined ? status !== undefined : status === filter.FilteredStatus;
  }
  if (filter.FilteredStatus === undefined) return true;
  return contact.unsubscribeAll === (filter.FilteredStatus === 'OPT_OUT');
}

/** Whether a list-managed send to this contact must be skipped. */
export function isOptedOut(contact: Contact, list: ContactList, topic?: string): boolean {
  if (contact.unsubscribeAll) return true;
  return topic !== undefined && topicStatus(contact, list, topic) === 'OPT_OUT';
}
