// SES's Subscription event: a recipient used a list-management unsubscribe link. It is written to
// the outbox like every other event (the dispatcher publishes it to the message's configuration set
// destinations), carrying the `mail` object of the message the link came in. A link made before
// links named their message (or whose message is gone) changes the contact but has no event.
import type { SubscriptionChange } from '../domain/contacts/contacts-service.js';
import type { TopicPreference } from '../domain/contacts/contact.js';
import type { UnsubscribeTarget } from '../domain/contacts/unsubscribe-link.js';

export interface SubscriptionEventDeps {
  /** The message's stored events (the Send event holds its `mail` object). */
  events(messageId: string): Promise<{ type: string; payload: unknown }[]>;
  insert(event: { messageId: string; accountId: string; type: string; payload: unknown; createdAt: number }): Promise<void>;
  now?: () => number;
}

const STATUS: Record<string, string> = { OPT_IN: 'OptIn', OPT_OUT: 'OptOut' };

function preferences(p: { unsubscribeAll: boolean; topicPreferences: TopicPreference[] }) {
  return {
    unsubscribeAll: p.unsubscribeAll,
    topicSubscriptionStatus: p.topicPreferences.map((t) => ({ topicName: t.TopicName, subscriptionStatus: STATUS[t.SubscriptionStatus] ?? t.SubscriptionStatus })),
  };
}

export function subscriptionEventRecorder(deps: SubscriptionEventDeps) {
  const now = deps.now ?? Date.now;
  return async (target: UnsubscribeTarget, change: SubscriptionChange): Promise<void> => {
    if (!target.messageId) return;
    const send = (await deps.events(target.messageId)).find((e) => e.type === 'Send');
    const mail = (send?.payload as { mail?: unknown } | undefined)?.mail;
    if (!mail) return;
    const at = now();
    await deps.insert({
      messageId: target.messageId,
      accountId: target.accountId,
      type: 'Subscription',
      createdAt: at,
      payload: {
        eventType: 'Subscription',
        mail,
        subscription: {
          contactList: target.contactListName,
          timestamp: new Date(at).toISOString(),
          // One-click (RFC 8058) POSTs, from a mail client or sesd's confirmation page.
          source: 'UnsubscribeHeader',
          newTopicPreferences: preferences(change.after),
          oldTopicPreferences: preferences(change.before),
        },
      },
    });
  };
}
