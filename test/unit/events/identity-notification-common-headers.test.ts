// An identity notification's commonHeaders.messageId is the sender's own Message-ID only: SES's
// Delivery and Bounce notifications for messages sent without one have commonHeaders {from,
// subject, to} (alphagov/notifications-api app/celery/research_mode_tasks.py), while event
// publishing gives SES's message ID there (localstack/localstack
// tests/aws/services/ses/test_ses.snapshot.json, recorded on AWS).
import { describe, expect, it } from 'vitest';
import { eventPublishingRecord, identityNotificationRecord } from '../../../src/events/event-records.js';

const SES_ID = '010001a22c071698-61b8ded8-fd45-4ada-b324-b5a46e738ae9-000000';
const stored = (messageId: string) => ({
  eventType: 'Bounce',
  mail: {
    timestamp: '2026-01-01T00:00:00.000Z',
    messageId: SES_ID,
    headersTruncated: false,
    headers: [{ name: 'From', value: 'app@x.test' }],
    commonHeaders: { from: ['app@x.test'], to: ['a@y.test'], messageId, subject: 'Hi' },
    tags: { 'ses:source-ip': ['192.0.2.1'], 'ses:caller-identity': ['user'] },
  },
  bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'a@y.test' }], timestamp: 't', feedbackId: 'f' },
});

describe('commonHeaders.messageId in identity notifications', () => {
  it('is left out when it is SES\'s message ID (the sender\'s message had none), and kept in event publishing', () => {
    const notification = identityNotificationRecord('Bounce', stored(SES_ID), true) as { mail: { commonHeaders: object } };
    expect(notification.mail.commonHeaders).toEqual({ from: ['app@x.test'], to: ['a@y.test'], subject: 'Hi' });
    const event = eventPublishingRecord(stored(SES_ID)) as { mail: { commonHeaders: object } };
    expect(event.mail.commonHeaders).toMatchObject({ messageId: SES_ID });
  });

  it('is kept when it is the sender\'s own', () => {
    const notification = identityNotificationRecord('Bounce', stored('<own@x.test>'), true) as { mail: { commonHeaders: object } };
    expect(notification.mail.commonHeaders).toEqual({ from: ['app@x.test'], to: ['a@y.test'], messageId: '<own@x.test>', subject: 'Hi' });
  });

  it('leaves the stored mail object as it was (it is the Send event\'s, shared)', () => {
    const s = stored(SES_ID);
    identityNotificationRecord('Bounce', s, true);
    expect(s.mail.commonHeaders).toHaveProperty('messageId', SES_ID);
  });
});
