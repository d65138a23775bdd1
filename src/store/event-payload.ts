// How event documents are stored. Every event of a message carries the same SES `mail` object,
// headers included: about as large as a simple message, so a message with its Send and Delivery
// events held it twice and most of its bytes on disk were copies of it.
// - The Send event's row keeps it, and of it only what its message does not hold
//   (mail-from-message.ts): readers rebuild the rest from the message.
// - The row of an event made from that same object (Delivery, Bounce, DeliveryDelay, Complaint,
//   Open, Click) holds a reference in its place, and readers put the Send event's `mail` back.
// Rows written with their own copy (before this, or from another mail object) read as they were
// written. Only this module knows the reference.
import { keepsMailFromMessage, mailOf, storedMail, type MessageFacts } from './mail-from-message.js';

const MAIL_REFERENCE = '@send.mail';

type Payload = { mail?: unknown } | null;

/** `mail` objects read from stored Send events (sendEventMail): events made from them refer to them. */
const readSendMails = new WeakSet<object>();

/** The `mail` of a stored Send event's payload (`message`: its message); events made from it are stored with the reference. */
export function sendEventMail(storedSendPayload: string, message: MessageFacts | undefined): Record<string, unknown> | undefined {
  const mail = mailOf((JSON.parse(storedSendPayload) as { mail?: unknown }).mail, message) as Record<string, unknown> | undefined;
  if (mail && typeof mail === 'object') readSendMails.add(mail);
  return mail;
}

/**
 * The JSON to store for an event. A Send event's `mail` keeps what `message` does not hold. Another
 * event's `mail` becomes the reference when it is the message's Send `mail`: `sendMail` (the same
 * object, at intake) or one read with sendEventMail (delivery, feedback, tracking).
 */
export function storedEventPayload(type: string, payload: unknown, sendMail?: unknown, message?: MessageFacts): string {
  const mail = (payload as Payload)?.mail;
  if (typeof mail !== 'object' || mail === null) return JSON.stringify(payload);
  // The spreads keep the key order SES's documents have (eventType, mail, ...).
  if (type === 'Send') return JSON.stringify(message ? { ...(payload as object), mail: storedMail(mail, message) } : payload);
  const refers = mail === sendMail || readSendMails.has(mail);
  return JSON.stringify(refers ? { ...(payload as object), mail: MAIL_REFERENCE } : payload);
}

/** Whether a stored payload refers to its message's Send event for its `mail`. */
export function refersToSendMail(storedPayload: string): boolean {
  return storedPayload.includes(`"mail":"${MAIL_REFERENCE}"`);
}

/** Whether reading a stored payload takes its message's facts (its own `mail` or its Send's is rebuilt from them). */
export function needsItsMessage(storedPayload: string): boolean {
  return refersToSendMail(storedPayload) || keepsMailFromMessage(storedPayload);
}

/**
 * The event document of a stored payload; `sendMail` gives the message's Send `mail` when it is
 * referred to, `message` the facts a `mail` kept in part is rebuilt from.
 */
export function eventDocument(storedPayload: string, sendMail: () => unknown, message: MessageFacts | undefined): unknown {
  const payload = JSON.parse(storedPayload) as Payload;
  if (!payload || typeof payload !== 'object' || !('mail' in payload)) return payload;
  // Assigning an existing key keeps its place among the keys.
  payload.mail = payload.mail === MAIL_REFERENCE ? sendMail() : mailOf(payload.mail, message);
  return payload;
}

/** The event documents of one message's stored events (its Send event among them, if it has one). */
export function eventDocuments(rows: { type: string; payload: string }[], message: MessageFacts | undefined): unknown[] {
  let sendMail: unknown;
  const mailOfSend = () => {
    const send = rows.find((r) => r.type === 'Send');
    return (sendMail ??= send ? sendEventMail(send.payload, message) : undefined);
  };
  return rows.map((r) => eventDocument(r.payload, mailOfSend, message));
}
