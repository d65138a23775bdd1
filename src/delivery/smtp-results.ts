// Turns what nodemailer's SMTP client reports (an info object or an error) into per-recipient
// results. Only replies to MAIL FROM, RCPT TO and DATA speak about recipients; a failure anywhere
// else (connect, greeting, EHLO, STARTTLS, AUTH, a dropped socket) says nothing about them, so it is
// temporary whatever its code: a 5xx to STARTTLS must not bounce mail.
import type { DelayType, RecipientResult, SmtpPeer } from './transport.js';

/** The parts of nodemailer's sendMail info and errors this module reads. */
export interface SmtpSendInfo {
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: SmtpSendError[];
  response?: string;
}

export interface SmtpSendError {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  recipient?: string;
  rejectedErrors?: SmtpSendError[];
  message?: string;
}

const RECIPIENT_COMMANDS = new Set(['MAIL FROM', 'RCPT TO', 'DATA']);

export function resultsFromInfo(to: string[], info: SmtpSendInfo, peer: SmtpPeer = {}): RecipientResult[] {
  const rejected = new Map((info.rejectedErrors ?? []).map((e) => [String(e.recipient).toLowerCase(), e]));
  return to.map((recipient) => {
    const err = rejected.get(recipient.toLowerCase());
    return err ? fromReply(recipient, err, peer) : { recipient, kind: 'accepted', reply: info.response ?? '250 OK', ...peer };
  });
}

export function resultsFromError(to: string[], err: SmtpSendError, peer: SmtpPeer = {}): RecipientResult[] {
  const perRecipient = new Map((err.rejectedErrors ?? []).map((e) => [String(e.recipient).toLowerCase(), e]));
  return to.map((recipient) => fromReply(recipient, perRecipient.get(recipient.toLowerCase()) ?? err, peer));
}

/** True when the error happened before the server said anything about the recipients. */
export function isConnectionFailure(err: SmtpSendError): boolean {
  return !err.responseCode || !RECIPIENT_COMMANDS.has(err.command ?? '');
}

function fromReply(recipient: string, err: SmtpSendError, peer: SmtpPeer): RecipientResult {
  if (isConnectionFailure(err)) {
    const reply = err.response ?? `${err.code ?? 'ERROR'} ${err.message ?? 'SMTP failure'}`;
    return { recipient, kind: 'failed', reply: oneLine(reply), delayType: 'TransientCommunicationFailure', ...peer };
  }
  const reply = oneLine(err.response ?? String(err.responseCode));
  if (err.responseCode! >= 500) return { recipient, kind: 'rejected', reply, ...peer };
  return { recipient, kind: 'failed', reply, delayType: delayTypeOf(reply), ...peer };
}

function delayTypeOf(reply: string): DelayType {
  if (/\b4\.2\.2\b|mailbox full|over ?quota/i.test(reply)) return 'MailboxFull';
  if (/\bspam\b/i.test(reply)) return 'SpamDetected';
  return 'RecipientServerError';
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Results for every recipient when the transport could not even try. */
export function failedAll(to: string[], reply: string, delayType: DelayType): RecipientResult[] {
  return to.map((recipient) => ({ recipient, kind: 'failed', reply, delayType }));
}
