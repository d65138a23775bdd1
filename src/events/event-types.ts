// The SES event types as each interface names them: the `eventType` of a record (and the outbox
// row's type), the MatchingEventTypes value of an event destination, the EventBridge detail-type,
// and the CloudWatch metric name. One table, so no two places disagree.

export interface EventTypeNames {
  /** `eventType` in event publishing records. */
  record: string;
  /** MatchingEventTypes (SES v2; SES v1 takes the same names in lower camel case). */
  matching: string;
  /** EventBridge detail-type. */
  detailType: string;
  /** The key of the type's own object in the record (`bounce`, `deliveryDelay`, `failure`, ...). */
  objectKey: string;
  /** The CloudWatch metric SES emits (Send, Delivery, ...), as a Prometheus name stem. */
  metric: string;
}

export const EVENT_TYPES: readonly EventTypeNames[] = [
  { record: 'Send', matching: 'SEND', detailType: 'Email Sent', objectKey: 'send', metric: 'send' },
  { record: 'Reject', matching: 'REJECT', detailType: 'Email Rejected', objectKey: 'reject', metric: 'reject' },
  { record: 'Bounce', matching: 'BOUNCE', detailType: 'Email Bounced', objectKey: 'bounce', metric: 'bounce' },
  { record: 'Complaint', matching: 'COMPLAINT', detailType: 'Email Complaint Received', objectKey: 'complaint', metric: 'complaint' },
  { record: 'Delivery', matching: 'DELIVERY', detailType: 'Email Delivered', objectKey: 'delivery', metric: 'delivery' },
  { record: 'Open', matching: 'OPEN', detailType: 'Email Opened', objectKey: 'open', metric: 'open' },
  { record: 'Click', matching: 'CLICK', detailType: 'Email Clicked', objectKey: 'click', metric: 'click' },
  { record: 'Rendering Failure', matching: 'RENDERING_FAILURE', detailType: 'Email Rendering Failed', objectKey: 'failure', metric: 'rendering_failure' },
  { record: 'DeliveryDelay', matching: 'DELIVERY_DELAY', detailType: 'Email Delivery Delayed', objectKey: 'deliveryDelay', metric: 'delivery_delay' },
  { record: 'Subscription', matching: 'SUBSCRIPTION', detailType: 'Email Subscribed', objectKey: 'subscription', metric: 'subscription' },
];

const BY_RECORD = new Map(EVENT_TYPES.map((t) => [t.record, t]));

export function eventTypeNames(recordType: string): EventTypeNames | undefined {
  return BY_RECORD.get(recordType);
}

/** Identity notifications (SES v1 SetIdentityNotificationTopic) exist for these three only. */
export const NOTIFICATION_TYPES = ['Bounce', 'Complaint', 'Delivery'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export const isNotificationType = (type: string): type is NotificationType => (NOTIFICATION_TYPES as readonly string[]).includes(type);

/**
 * Whether an event can have anywhere to go: its configuration set's event destinations, or (Bounce,
 * Complaint, Delivery) its sending identity's notification topics, the dispatcher's two sources. An
 * event that cannot is written settled, with sesd's own figures, and never claimed.
 */
export const mayHaveDestinations = (type: string, configurationSet: string | null | undefined): boolean => Boolean(configurationSet) || isNotificationType(type);
