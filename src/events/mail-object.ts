// The `mail` object every SES event carries, and the Send event itself (event publishing format).
import type { Header } from '../mime/headers.js';
import { headerValue, isNamed, splitAddressList } from '../mime/headers.js';

export interface MailObjectInput {
  messageId: string;
  timestamp: Date;
  source: string;
  sourceDomain: string;
  accountId: string;
  region: string;
  destination: string[];
  headers: readonly Header[];
  tags: Record<string, string[]>;
  /**
   * The Message-ID the sender's raw message had: sesd (as SES) replaces it in the message it sends,
   * while SES's events report the headers "from the original message that you passed" to it.
   */
  originalMessageId?: string;
  /** The identity sent as (SES: the one used, or the one a sending authorization named); default: the source's domain. */
  sourceArn?: string;
  /**
   * Header fields sesd wrote into the message that its sender did not give (sesd's own Message-ID,
   * a Date): left out of `headers` and `commonHeaders`, as SES's events list the message as it was
   * passed to SES, before SES adds its own (AWS's recordings of a SendEmail's and a SendRawEmail's
   * events in localstack/localstack tests/aws/services/ses/test_ses.snapshot.json, 2023, have
   * neither). The first header of each name is the one left out.
   */
  ownHeaders?: readonly string[];
}

// SES truncates the headers list of an event when it is large; it says so in headersTruncated.
const MAX_EVENT_HEADER_BYTES = 10 * 1024;

/** The address lists of commonHeaders: read with an RFC 5322 parser, the costly part of a mail object. */
export interface AddressLists {
  from?: string[];
  to?: string[];
  cc?: string[];
  replyTo?: string[];
}

export function addressLists(headers: readonly Header[]): AddressLists {
  const list = (name: string) => {
    const v = headerValue(headers, name);
    return v ? splitAddressList(v) : undefined;
  };
  return { from: list('From'), to: list('To'), cc: list('Cc'), replyTo: list('Reply-To') };
}

/**
 * Stored Send events are rebuilt with this function (store/mail-from-message.ts, which keeps the
 * address lists and passes them back in): a change to what it makes of the same input changes the
 * events of messages stored before too, so such a change must keep the old output for them (or
 * migrate their rows to the whole object first).
 */
export function mailObject(input: MailObjectInput, lists: AddressLists = addressLists(input.headers)): Record<string, unknown> {
  const given = withoutOwnHeaders(input.headers, input.ownHeaders);
  let budget = MAX_EVENT_HEADER_BYTES;
  const headers: Header[] = [];
  let swapped = input.originalMessageId === undefined;
  for (const h of given) {
    // The first Message-ID is the one sesd wrote in place of the sender's: the event shows the sender's.
    const swap = !swapped && isNamed(h, 'message-id');
    if (swap) swapped = true;
    const value = swap ? input.originalMessageId! : h.value;
    budget -= h.name.length + value.length;
    if (budget < 0) break;
    headers.push({ name: h.name, value });
  }
  return {
    timestamp: input.timestamp.toISOString(),
    source: input.source,
    sourceArn: input.sourceArn ?? identityArn(input, input.sourceDomain),
    sendingAccountId: input.accountId,
    messageId: input.messageId,
    destination: input.destination,
    headersTruncated: headers.length < given.length,
    headers,
    // Without the headers the message lacks (JSON leaves them out anyway): the object rebuilt from a
    // stored message (store/mail-from-message.ts) then equals the one read back from its JSON.
    commonHeaders: definedOnly({
      from: lists.from,
      to: lists.to,
      cc: lists.cc,
      replyTo: lists.replyTo,
      messageId: input.originalMessageId ?? input.messageId,
      date: headerValue(given, 'Date'),
      subject: headerValue(given, 'Subject'),
    }),
    tags: input.tags,
  };
}

/** `headers` without the first field of each name in `own` (any case). */
function withoutOwnHeaders(headers: readonly Header[], own: readonly string[] | undefined): readonly Header[] {
  if (!own?.length) return headers;
  const left = own.map((n) => n.toLowerCase());
  return headers.filter((h) => {
    const i = left.findIndex((name) => isNamed(h, name));
    if (i >= 0) left.splice(i, 1);
    return i < 0;
  });
}

function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in o) if (o[key] !== undefined) out[key] = o[key];
  return out;
}

/** An identity's ARN, as SES writes it in events' `sourceArn`. */
export const identityArn = (scope: { accountId: string; region: string }, identity: string): string => `arn:aws:ses:${scope.region}:${scope.accountId}:identity/${identity}`;

/**
 * The `ses:operation` tag: the action that sent the message, as SES names it in its events
 * (SendRawEmail, SendTemplatedEmail, ...); a door's sends are SendEmail unless it says otherwise,
 * SMTP's SendSmtpEmail.
 */
export const sesOperation = (sourceApi: string, operation?: string): string => operation ?? (sourceApi === 'smtp' ? 'SendSmtpEmail' : 'SendEmail');

export function sendEvent(mail: Record<string, unknown>): { type: string; payload: unknown } {
  return { type: 'Send', payload: { eventType: 'Send', mail, send: {} } };
}

/**
 * A stored template that could not be rendered after SES accepted the message. It made no message,
 * so the event's `mail` has no headers nor commonHeaders, as SES's has not.
 */
export function renderingFailureEvent(mail: Record<string, unknown>, failure: { templateName: string; errorMessage: string }): { type: string; payload: unknown } {
  const { headers: _headers, commonHeaders: _commonHeaders, ...withoutHeaders } = mail;
  return { type: 'Rendering Failure', payload: { eventType: 'Rendering Failure', mail: withoutHeaders, failure } };
}

/** `action`, `status` and `diagnosticCode` come from a DSN: SES leaves them out of a bounce that had none. */
export interface BouncedRecipient {
  emailAddress: string;
  action?: 'failed';
  status?: string;
  /** Only when the DSN gave a Diagnostic-Code (SES leaves it out otherwise). */
  diagnosticCode?: string;
}

export function bounceEvent(
  mail: Record<string, unknown>,
  bounce: {
    bounceType: 'Permanent' | 'Transient' | 'Undetermined';
    bounceSubType: string;
    bouncedRecipients: BouncedRecipient[];
    timestamp: Date;
    feedbackId: string;
    /** The server that refused the message, when one did (identity notifications only: event-records.ts). */
    remoteMtaIp?: string;
    /** SES: "only appears if a delivery status notification (DSN) was attached to the bounce". */
    reportingMTA?: string;
  },
): { type: string; payload: unknown } {
  const { remoteMtaIp, ...rest } = bounce;
  const reportingMTA = bounce.reportingMTA;
  return { type: 'Bounce', payload: { eventType: 'Bounce', mail, bounce: { ...rest, timestamp: bounce.timestamp.toISOString(), ...(remoteMtaIp ? { remoteMtaIp } : {}), ...(reportingMTA ? { reportingMTA } : {}) } } };
}

/** SES's diagnostic for a recipient skipped because it is on the account's suppression list. */
export const SUPPRESSED_DIAGNOSTIC =
  'Amazon SES did not send the message to this address because it is on the suppression list for your account. For more information about removing addresses from the suppression list, see the Amazon SES Developer Guide at https://docs.aws.amazon.com/ses/latest/DeveloperGuide/sending-email-suppression-list.html';
