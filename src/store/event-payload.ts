// Every event of a message carries the same SES `mail` object, headers included: about as large as
// a simple message, so a message with its Send and Delivery events held it twice and most of its
// bytes on disk were copies of it. The Send event's row keeps it; the row of an event made from
// that same object (Delivery, Bounce, DeliveryDelay, Complaint, Open, Click) holds a reference in
// its place, and readers put the Send event's `mail` back. Rows written with their own copy (before
// this, or from another mail object) read as they were written. Only this module knows the reference.
const MAIL_REFERENCE = '@send.mail';

type Payload = { mail?: unknown } | null;

/** `mail` objects read from stored Send events (sendEventMail): events made from them refer to them. */
const readSendMails = new WeakSet<object>();

/** The `mail` of a stored Send event's payload; events made from it are stored with the reference. */
export function sendEventMail(storedSendPayload: string): Record<string, unknown> | undefined {
  const mail = (JSON.parse(storedSendPayload) as { mail?: Record<string, unknown> }).mail;
  if (mail && typeof mail === 'object') readSendMails.add(mail);
  return mail;
}

/**
 * The JSON to store for an event. Its `mail` becomes the reference when the event is not the Send
 * event itself and its `mail` is the message's Send `mail`: `sendMail` (the same object, at intake)
 * or one read with sendEventMail (delivery, feedback, tracking).
 */
export function storedEventPayload(type: string, payload: unknown, sendMail?: unknown): string {
  const mail = (payload as Payload)?.mail;
  const refers = type !== 'Send' && typeof mail === 'object' && mail !== null && (mail === sendMail || readSendMails.has(mail));
  // The spread keeps the key order SES's documents have (eventType, mail, ...).
  return JSON.stringify(refers ? { ...(payload as object), mail: MAIL_REFERENCE } : payload);
}

/** Whether a stored payload refers to its message's Send event for its `mail`. */
export function refersToSendMail(storedPayload: string): boolean {
  return storedPayload.includes(`"mail":"${MAIL_REFERENCE}"`);
}

/** The event document of a stored payload; `sendMail` gives the message's Send `mail` when it is referred to. */
export function eventDocument(storedPayload: string, sendMail: () => unknown): unknown {
  const payload = JSON.parse(storedPayload) as Payload;
  // Assigning an existing key keeps its place among the keys.
  if (payload && typeof payload === 'object' && payload.mail === MAIL_REFERENCE) payload.mail = sendMail();
  return payload;
}

/** The event documents of one message's stored events (its Send event among them, if it has one). */
export function eventDocuments(rows: { type: string; payload: string }[]): unknown[] {
  let sendMail: unknown;
  const mailOfSend = () => {
    const send = rows.find((r) => r.type === 'Send');
    return (sendMail ??= send ? (JSON.parse(send.payload) as { mail?: unknown }).mail : undefined);
  };
  return rows.map((r) => eventDocument(r.payload, mailOfSend));
}
