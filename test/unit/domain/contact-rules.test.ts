import { describe, expect, it } from 'vitest';
import { applyContactUpdate, isOptedOut, matchesFilter, topicDefaultPreferences, type Contact } from '../../../src/domain/contacts/contact.js';
import type { ContactList } from '../../../src/domain/contacts/contact-list.js';

const list: ContactList = {
  accountId: '1',
  region: 'r',
  name: 'l',
  topics: [
    { TopicName: 'news', DisplayName: 'News', DefaultSubscriptionStatus: 'OPT_IN' },
    { TopicName: 'offers', DisplayName: 'Offers', DefaultSubscriptionStatus: 'OPT_OUT' },
  ],
  createdAt: 0,
  updatedAt: 0,
};

const contact = (over: Partial<Contact> = {}): Contact => ({
  accountId: '1',
  region: 'r',
  listName: 'l',
  emailAddress: 'a@example.com',
  topicPreferences: [],
  unsubscribeAll: false,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe('contact rules', () => {
  it('derives the topic defaults for topics the contact has not chosen', () => {
    expect(topicDefaultPreferences(contact({ topicPreferences: [{ TopicName: 'news', SubscriptionStatus: 'OPT_OUT' }] }), list)).toEqual([
      { TopicName: 'offers', SubscriptionStatus: 'OPT_OUT' },
    ]);
  });

  it('merges topic preferences on update and replaces UnsubscribeAll and AttributesData', () => {
    const before = contact({ topicPreferences: [{ TopicName: 'news', SubscriptionStatus: 'OPT_IN' }], unsubscribeAll: true, attributesData: '{}' });
    expect(applyContactUpdate(before, { topicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }] }, 5)).toEqual({
      ...before,
      topicPreferences: [
        { TopicName: 'news', SubscriptionStatus: 'OPT_IN' },
        { TopicName: 'offers', SubscriptionStatus: 'OPT_IN' },
      ],
      unsubscribeAll: false,
      attributesData: undefined,
      updatedAt: 5,
    });
  });

  it('filters by a topic, with or without the topic default', () => {
    const silent = contact();
    const filter = (status: 'OPT_IN' | 'OPT_OUT', useDefault: boolean) => ({ FilteredStatus: status, TopicFilter: { TopicName: 'offers', UseDefaultIfPreferenceUnavailable: useDefault } });
    expect(matchesFilter(silent, list, filter('OPT_OUT', true))).toBe(true);
    expect(matchesFilter(silent, list, filter('OPT_OUT', false))).toBe(false);
    expect(matchesFilter(contact({ topicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }] }), list, filter('OPT_IN', false))).toBe(true);
    expect(matchesFilter(contact({ unsubscribeAll: true }), list, { FilteredStatus: 'OPT_OUT' })).toBe(true);
    expect(matchesFilter(silent, list, undefined)).toBe(true);
  });

  it('says when a list-managed send must skip a contact', () => {
    expect(isOptedOut(contact({ unsubscribeAll: true }), list)).toBe(true);
    expect(isOptedOut(contact(), list, 'offers')).toBe(true);
    expect(isOptedOut(contact(), list, 'news')).toBe(false);
    expect(isOptedOut(contact({ topicPreferences: [{ TopicName: 'offers', SubscriptionStatus: 'OPT_IN' }] }), list, 'offers')).toBe(false);
  });
});
