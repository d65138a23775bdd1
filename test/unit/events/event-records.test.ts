// What each kind of record makes of a stored Delivery event that went out over an SMTP connection.
import { describe, expect, it } from 'vitest';
import { eventPublishingRecord, identityNotificationRecord } from '../../../src/events/event-records.js';

const mail = { messageId: 'm1', tags: { 'ses:operation': ['SendEmail'], 'ses:from-domain': ['example.com'], team: ['blue'] } };
const stored = { eventType: 'Delivery', mail, delivery: { recipients: ['a@x.test'], smtpResponse: '250 ok', reportingMTA: 'sesd.test', remoteMtaIp: '192.0.2.7', outgoingIp: '198.51.100.1' } };

describe('records of a stored Delivery', () => {
  it('publishes the outgoing address as the ses:outgoing-ip tag after the ses:* tags, and no stored-only fields', () => {
    const record = eventPublishingRecord(stored) as { mail: { tags: Record<string, string[]> }; delivery: object };
    expect(Object.entries(record.mail.tags)).toEqual([
      ['ses:operation', ['SendEmail']],
      ['ses:from-domain', ['example.com']],
      ['ses:outgoing-ip', ['198.51.100.1']],
      ['team', ['blue']],
    ]);
    expect(record.delivery).toEqual({ recipients: ['a@x.test'], smtpResponse: '250 ok', reportingMTA: 'sesd.test' });
    // The shared Send `mail` is left as it was.
    expect(mail.tags).not.toHaveProperty('ses:outgoing-ip');
  });

  it('gives identity notifications the remote MTA but not the outgoing address', () => {
    const record = identityNotificationRecord('Delivery', stored, false) as { delivery: object };
    expect(record.delivery).toEqual({ recipients: ['a@x.test'], smtpResponse: '250 ok', reportingMTA: 'sesd.test', remoteMtaIp: '192.0.2.7' });
  });
});

describe('records of a stored Bounce', () => {
  const bounce = { eventType: 'Bounce', mail, bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [], timestamp: 't', feedbackId: 'f', remoteMtaIp: '192.0.2.9', reportingMTA: 'dns; sesd.test' } };

  it('gives the refusing server to identity notifications only, as SES documents its bounce object', () => {
    expect((eventPublishingRecord(bounce) as { bounce: object }).bounce).not.toHaveProperty('remoteMtaIp');
    expect((identityNotificationRecord('Bounce', bounce, false) as { bounce: object }).bounce).toMatchObject({ remoteMtaIp: '192.0.2.9', reportingMTA: 'dns; sesd.test' });
  });
});
