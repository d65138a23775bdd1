// Mail sesd writes about a message it handled: a delivery status notification for a bounce
// (RFC 3464), an out-of-office auto-reply (RFC 3834) and an abuse report for a complaint (ARF,
// RFC 5965). All go out with the null sender, so they can never cause notifications of their own.
import { randomBytes } from 'node:crypto';
import { messageIdHeader, newMessageId } from '../domain/message-id.js';
import { headerValue, splitMessage, rfc5322Date } from '../mime/headers.js';
import type { GeneratedMessage } from '../store/deliveries-repository.js';

export interface About {
  accountId: string;
  region: string;
  /** The original message. */
  raw: Buffer;
  /** The original envelope sender. */
  envelopeFrom: string;
  recipient: string;
  /** When the original was accepted. */
  acceptedAt: number;
  hostname: string;
  now: number;
}

export function bounceNotification(about: About, to: string, failure: { status: string; diagnosticCode: string }): GeneratedMessage {
  const { headerText } = originalHeaders(about.raw);
  return generated(about, {
    from: `MAILER-DAEMON@${about.hostname}`,
    to,
    subject: 'Delivery Status Notification (Failure)',
    extraHeaders: ['Auto-Submitted: auto-replied'],
    body: multipartReport('delivery-status', [
      ['text/plain; charset=us-ascii', `An error occurred while trying to deliver the mail to the following recipients:\r\n${about.recipient}\r\n`],
      [
        'message/delivery-status',
        `Reporting-MTA: dns; ${about.hostname}\r\nArrival-Date: ${rfc5322Date(new Date(about.acceptedAt))}\r\n\r\n` +
          `Final-Recipient: rfc822; ${about.recipient}\r\nAction: failed\r\nStatus: ${failure.status}\r\nDiagnostic-Code: ${failure.diagnosticCode}\r\n`,
      ],
      ['text/rfc822-headers', headerText + '\r\n'],
    ]),
  });
}

export function autoReply(about: About, to: string): GeneratedMessage {
  const headers = splitMessage(about.raw).headers;
  const originalId = headerValue(headers, 'Message-ID')?.trim();
  return generated(about, {
    from: about.recipient,
    to,
    subject: `Auto: ${headerValue(headers, 'Subject')?.trim() ?? ''}`.trim(),
    extraHeaders: ['Auto-Submitted: auto-replied', ...(originalId ? [`In-Reply-To: ${originalId}`, `References: ${originalId}`] : [])],
    body: {
      contentType: 'text/plain; charset=us-ascii',
      text: 'I am out of the office and will reply when I am back.\r\n\r\n(This is an automatic reply from the sesd mailbox simulator.)\r\n',
    },
  });
}

export function complaintReport(about: About, to: string, userAgent: string): GeneratedMessage {
  const { headerText } = originalHeaders(about.raw);
  return generated(about, {
    from: `complaints@${about.hostname}`,
    to,
    subject: 'Complaint about a message you sent',
    extraHeaders: [],
    body: multipartReport('feedback-report', [
      ['text/plain; charset=us-ascii', `This is an email abuse report for a message sent to ${about.recipient}.\r\n`],
      [
        'message/feedback-report',
        `Feedback-Type: abuse\r\nUser-Agent: ${userAgent}\r\nVersion: 1\r\nOriginal-Mail-From: <${about.envelopeFrom}>\r\n` +
          `Original-Rcpt-To: <${about.recipient}>\r\nArrival-Date: ${rfc5322Date(new Date(about.acceptedAt))}\r\n`,
      ],
      ['text/rfc822-headers', headerText + '\r\n'],
    ]),
  });
}

interface Body {
  contentType: string;
  text: string;
}

function generated(about: About, m: { from: string; to: string; subject: string; extraHeaders: string[]; body: Body }): GeneratedMessage {
  const id = newMessageId(about.now);
  const head = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Date: ${rfc5322Date(new Date(about.now))}`,
    `Message-ID: ${messageIdHeader(id, about.hostname)}`,
    ...m.extraHeaders,
    'MIME-Version: 1.0',
    `Content-Type: ${m.body.contentType}`,
  ];
  return {
    id,
    accountId: about.accountId,
    region: about.region,
    fromHeader: m.from,
    subject: m.subject,
    to: [m.to],
    raw: Buffer.from(head.join('\r\n') + '\r\n\r\n' + m.body.text, 'latin1'),
    createdAt: about.now,
  };
}

function multipartReport(reportType: string, parts: [string, string][]): Body {
  const boundary = `sesd-${randomBytes(12).toString('hex')}`;
  const text = parts.map(([type, content]) => `--${boundary}\r\nContent-Type: ${type}\r\n\r\n${content}`).join('\r\n') + `\r\n--${boundary}--\r\n`;
  return { contentType: `multipart/report; report-type=${reportType}; boundary="${boundary}"`, text };
}

function originalHeaders(raw: Buffer): { headerText: string } {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return { headerText: (end < 0 ? text : text.slice(0, end)).replace(/\r?\n/g, '\r\n') };
}
