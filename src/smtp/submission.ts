// Turns one SMTP transaction (envelope, message, authenticated key) into intake's SendRequest,
// the same request the APIs make (intake reads and removes the X-SES-* headers, as for every raw door).
import { domainToASCII } from 'node:url';
import { MAX_MESSAGE_BYTES_V2 } from '../domain/sending-limits.js';
import type { SendRequest } from '../intake/send-request.js';

export interface SmtpUser {
  accessKeyId: string;
  accountId: string;
}

export interface SmtpTransaction {
  raw: Buffer;
  /** MAIL FROM; empty for the null sender `<>` (which the listener refuses at MAIL FROM, as SES does). */
  mailFrom: string;
  rcptTo: string[];
  user: SmtpUser;
  sourceIp: string;
  /** The listener's region: SMTP credentials are per region. */
  region: string;
}

export function submissionRequest(tx: SmtpTransaction): SendRequest {
  return {
    accountId: tx.user.accountId,
    region: tx.region,
    sourceApi: 'smtp',
    callerIdentity: tx.user.accessKeyId,
    sourceIp: tx.sourceIp,
    from: tx.mailFrom ? asciiAddress(tx.mailFrom) : undefined,
    // The envelope decides who gets the message, as SendRawEmail's Destinations do.
    destination: { ToAddresses: tx.rcptTo.map(asciiAddress) },
    content: { kind: 'raw', data: tx.raw },
    maxMessageBytes: MAX_MESSAGE_BYTES_V2,
  };
}

/**
 * smtp-server hands over domains in Unicode (it decodes Punycode); SES takes them only as
 * Punycode. A domain that does not convert is left as it is, for intake to refuse.
 */
export function asciiAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  if (/^[\x00-\x7f]*$/.test(domain)) return address;
  const ascii = domainToASCII(domain);
  return ascii ? `${address.slice(0, at)}@${ascii}` : address;
}
