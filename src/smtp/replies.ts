// What the SMTP interface answers, in SES's words. Errors raised by intake and the domain are
// AwsErrors; this is the one place that turns them into SMTP replies.
import { AwsError } from '../domain/errors.js';

export interface SmtpReply {
  code: number;
  message: string;
}

export const REPLIES = {
  authenticated: { code: 235, message: 'Authentication successful.' },
  credentialsInvalid: { code: 535, message: 'Authentication Credentials Invalid' },
  authRequired: { code: 530, message: 'Authentication required' },
  startTlsFirst: { code: 530, message: 'Must issue a STARTTLS command first' },
  tooManyConnections: { code: 421, message: 'Too many concurrent SMTP connections' },
  authTimeout: { code: 421, message: 'Timeout waiting for authentication - closing connection' },
  // SES's idle timeout, word for word as clients log it (the Developer Guide drops `4.4.2` and the
  // period); SES closes the connection after it.
  idleTimeout: { code: 451, message: '4.4.2 Timeout waiting for data from client.' },
  // MAIL FROM and RCPT TO accepted.
  ok: { code: 250, message: 'Ok' },
  // An address refused at its command, for whatever reason (syntax, the null sender, intake's rules).
  invalidMailFrom: { code: 501, message: 'Invalid MAIL FROM address provided' },
  invalidRcptTo: { code: 501, message: 'Invalid RCPT TO address provided' },
  messageTooLong: { code: 552, message: 'Message is too long.' },
  // Not an SES reply (SES documents none): refusing bare line ends is what stops SMTP smuggling.
  bareLineEnding: { code: 554, message: 'Transaction failed: Message contains a bare <CR> or <LF>; lines must end with <CR><LF>.' },
  temporaryFailure: { code: 451, message: 'Temporary service failure' },
  // The database is down or its disk full (ServiceUnavailable): the client should queue and retry.
  serviceUnavailable: { code: 451, message: '4.3.0 Temporary service failure: the service is unavailable, try again later' },
} as const satisfies Record<string, SmtpReply>;

/** The refusal of AUTH to a locked-out address, saying when the lockout lifts. */
export function tooManyAuthFailures(until: number, now = Date.now()): SmtpReply {
  const minutes = Math.max(1, Math.ceil((until - now) / 60_000));
  return {
    code: 421,
    message: `Too many failed authentication attempts from your address; try again in ${minutes} minute${minutes === 1 ? '' : 's'} (after ${new Date(until).toISOString()})`,
  };
}

export const accepted = (messageId: string): SmtpReply => ({ code: 250, message: `Ok ${messageId}` });

const THROTTLING = new Set(['TooManyRequestsException', 'Throttling', 'ThrottlingException', 'LimitExceededException']);
// Refusals SES words as "Message rejected" (they come as MessageRejected over the Query API too).
const REJECTED = new Set([
  'MessageRejected',
  'SendingPausedException',
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'MailFromDomainNotVerified',
]);

/** The reply for an error raised while accepting a message. */
export function replyForError(err: unknown): SmtpReply {
  if (!(err instanceof AwsError)) return REPLIES.temporaryFailure;
  if (err.code === 'ServiceUnavailable') return REPLIES.serviceUnavailable;
  const codes = [err.code, err.queryCode];
  if (codes.some((c) => c !== undefined && THROTTLING.has(c))) return { code: 454, message: `Throttling failure: ${err.message}` };
  if (codes.some((c) => c !== undefined && REJECTED.has(c))) return { code: 554, message: `Message rejected: ${err.message}` };
  // NotImplemented is sesd's own fault, but retrying would never help: it is permanent too.
  if (err.senderFault || err.code === 'NotImplemented') return { code: 554, message: `Transaction failed: ${err.message}` };
  return REPLIES.temporaryFailure;
}

/** An Error that smtp-server sends as the given reply. */
export function replyError(reply: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}
