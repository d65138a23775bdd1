// SES event documents (event publishing format) for what happens after Send: Delivery,
// DeliveryDelay, Complaint (Bounce is shared with intake, in src/events/mail-object.ts). Each carries
// the `mail` object stored with the message's Send event.
import type { DelayType } from './transport.js';

type Mail = Record<string, unknown>;
export interface DeliveryEventRecord {
  type: string;
  payload: unknown;
  /** No destination can take it (deliver.ts): written settled, never claimed by the dispatcher. */
  nowhereToGo?: boolean;
}

/**
 * `outgoingIp` is kept in the stored `delivery` object: event publishing moves it to the
 * `ses:outgoing-ip` tag of `mail` (src/events/event-records.ts), which is the Send event's, shared.
 */
export function deliveryEvent(
  mail: Mail,
  d: { at: number; acceptedAt: number; recipient: string; smtpResponse: string; reportingMTA: string; remoteMtaIp?: string; outgoingIp?: string },
): DeliveryEventRecord {
  return {
    type: 'Delivery',
    payload: {
      eventType: 'Delivery',
      mail,
      delivery: {
        timestamp: iso(d.at),
        processingTimeMillis: d.at - d.acceptedAt,
        recipients: [d.recipient],
        smtpResponse: d.smtpResponse,
        reportingMTA: d.reportingMTA,
        ...(d.remoteMtaIp ? { remoteMtaIp: d.remoteMtaIp } : {}),
        ...(d.outgoingIp ? { outgoingIp: d.outgoingIp } : {}),
      },
    },
  };
}

export function deliveryDelayEvent(
  mail: Mail,
  d: { at: number; delayType: DelayType; expiresAt: number; recipient: { emailAddress: string; status: string; diagnosticCode: string }; reportingMTA: string },
): DeliveryEventRecord {
  return {
    type: 'DeliveryDelay',
    payload: {
      eventType: 'DeliveryDelay',
      mail,
      deliveryDelay: {
        timestamp: iso(d.at),
        delayType: d.delayType,
        expirationTime: iso(d.expiresAt),
        delayedRecipients: [d.recipient],
        reportingMTA: d.reportingMTA,
      },
    },
  };
}

/** A complaint about one or more recipients; ARF reports carry the feedback type, user agent and arrival date (SES leaves them out otherwise). */
export function complaintEvent(
  mail: Mail,
  c: { at: number; recipients: string[]; feedbackId: string; userAgent?: string; arrivalDate?: number; feedbackType?: string },
): DeliveryEventRecord {
  return {
    type: 'Complaint',
    payload: {
      eventType: 'Complaint',
      mail,
      complaint: {
        feedbackId: c.feedbackId,
        complaintSubType: null,
        complainedRecipients: c.recipients.map((emailAddress) => ({ emailAddress })),
        timestamp: iso(c.at),
        ...(c.userAgent !== undefined ? { userAgent: c.userAgent } : {}),
        ...(c.feedbackType !== undefined ? { complaintFeedbackType: c.feedbackType } : {}),
        ...(c.arrivalDate !== undefined ? { arrivalDate: iso(c.arrivalDate) } : {}),
      },
    },
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
