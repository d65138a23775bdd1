// The documents SES publishes, made from an outbox event (stored in the event publishing shape,
// src/events/mail-object.ts and src/delivery/delivery-events.ts):
// - event publishing (configuration-set destinations): `eventType`, `mail` with `tags`;
// - identity notifications (SES v1 notification topics): `notificationType`, `mail` with `sourceIp`
//   and `callerIdentity` and no tags, the headers only when the identity asked for them.
import type { NotificationType } from './event-types.js';

type Json = Record<string, unknown>;

/** Fields the outbox keeps for identity notifications only (SES leaves them out of event publishing). */
const NOTIFICATION_ONLY: Record<string, string[]> = { delivery: ['remoteMtaIp'], bounce: ['remoteMtaIp'] };
/** Fields the outbox keeps for event publishing's tags (src/delivery/delivery-events.ts), in no record's own object. */
const TAG_SOURCES: Record<string, string[]> = { delivery: ['outgoingIp'] };

/**
 * The event publishing record: the stored document without the notification-only fields, and a
 * Delivery's `ses:outgoing-ip` tag, placed after the other `ses:*` tags as SES lists them.
 */
export function eventPublishingRecord(stored: Json): Json {
  const out = without(stored, NOTIFICATION_ONLY, TAG_SOURCES);
  const outgoingIp = (stored.delivery as Json | undefined)?.outgoingIp;
  if (typeof outgoingIp === 'string' && out.mail && typeof out.mail === 'object') {
    const mail = out.mail as Json;
    const tags = Object.entries((mail.tags ?? {}) as Record<string, string[]>);
    const ses = tags.filter(([k]) => k.startsWith('ses:'));
    const own = tags.filter(([k]) => !k.startsWith('ses:'));
    // A copy: `mail` is the Send event's object, shared by the message's other events.
    out.mail = { ...mail, tags: Object.fromEntries([...ses, ['ses:outgoing-ip', [outgoingIp]], ...own]) };
  }
  return out;
}

/** `stored` without the named fields of its objects (copies only what changes). */
function without(stored: Json, ...lists: Record<string, string[]>[]): Json {
  const out: Json = { ...stored };
  for (const list of lists) {
    for (const [key, fields] of Object.entries(list)) {
      const obj = out[key] as Json | undefined;
      if (obj && fields.some((f) => f in obj)) out[key] = Object.fromEntries(Object.entries(obj).filter(([k]) => !fields.includes(k)));
    }
  }
  return out;
}

/**
 * The identity notification for a stored Bounce, Complaint or Delivery event. SES's field order:
 * notificationType, the type's object, then mail.
 */
export function identityNotificationRecord(type: NotificationType, stored: Json, withHeaders: boolean): Json {
  const objectKey = type.toLowerCase();
  const mail = (stored.mail ?? {}) as Json;
  const tags = (mail.tags ?? {}) as Record<string, string[]>;
  const notificationMail: Json = {
    timestamp: mail.timestamp,
    source: mail.source,
    sourceArn: mail.sourceArn,
    sourceIp: tags['ses:source-ip']?.[0],
    callerIdentity: tags['ses:caller-identity']?.[0],
    sendingAccountId: mail.sendingAccountId,
    messageId: mail.messageId,
    destination: mail.destination,
  };
  if (withHeaders) {
    notificationMail.headersTruncated = mail.headersTruncated;
    notificationMail.headers = mail.headers;
    notificationMail.commonHeaders = notificationCommonHeaders(mail);
  }
  return { notificationType: type, [objectKey]: without(stored, TAG_SOURCES)[objectKey], mail: notificationMail };
}

/**
 * An identity notification's commonHeaders: `messageId` there is the sender's own Message-ID only.
 * For a message sent without one, event publishing gives SES's message ID (AWS's recordings in
 * localstack/localstack tests/aws/services/ses/test_ses.snapshot.json) while identity notifications
 * leave the field out (SES's Delivery and Bounce notifications recorded in alphagov/notifications-api
 * app/celery/research_mode_tasks.py: commonHeaders {from, subject, to}). sesd's `mail` holds SES's
 * ID there exactly when the sender gave none (mail-object.ts), so that is the one left out.
 */
function notificationCommonHeaders(mail: Json): unknown {
  const common = mail.commonHeaders as Json | undefined;
  if (!common || typeof common !== 'object' || common.messageId !== mail.messageId) return common;
  const { messageId: _sesId, ...rest } = common;
  return rest;
}

/** The SNS Subject SES gives every event publishing notification. */
export const EVENT_PUBLISHING_SUBJECT = 'Amazon SES Email Event Notification';
