// The documents SES publishes, made from an outbox event (stored in the event publishing shape,
// src/events/mail-object.ts and src/delivery/delivery-events.ts):
// - event publishing (configuration-set destinations): `eventType`, `mail` with `tags`;
// - identity notifications (SES v1 notification topics): `notificationType`, `mail` with `sourceIp`
//   and `callerIdentity` and no tags, the headers only when the identity asked for them.
import type { NotificationType } from './event-types.js';

type Json = Record<string, unknown>;

/** Fields the outbox keeps for identity notifications only (SES leaves them out of event publishing). */
const NOTIFICATION_ONLY: Record<string, string[]> = { delivery: ['remoteMtaIp'] };

/** The event publishing record: the stored document without the notification-only fields. */
export function eventPublishingRecord(stored: Json): Json {
  const out: Json = { ...stored };
  for (const [key, fields] of Object.entries(NOTIFICATION_ONLY)) {
    const obj = out[key] as Json | undefined;
    if (obj && fields.some((f) => f in obj)) out[key] = Object.fromEntries(Object.entries(obj).filter(([k]) => !fields.includes(k)));
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
    notificationMail.commonHeaders = mail.commonHeaders;
  }
  return { notificationType: type, [objectKey]: stored[objectKey], mail: notificationMail };
}

/** The SNS Subject SES gives every event publishing notification. */
export const EVENT_PUBLISHING_SUBJECT = 'Amazon SES Email Event Notification';
