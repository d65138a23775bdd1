// Turns one received report into SES events: finds the message it is about (the VERP envelope
// recipient `<MessageId>@<bounce domain>`, else the Message-ID the report quotes), writes a Bounce
// or Complaint per recipient exactly once, and adds the address to the suppression list when the
// account or configuration set asks for it. Anything else (unknown message, auto-reply, not a report)
// is logged and dropped: never forwarded. With feedback forwarding on (the identity's setting, as for
// synchronous bounces), the sender also gets a notification mail, queued with the event.
import type { Logger } from 'pino';
import { newMessageId } from '../domain/message-id.js';
import { complaintEvent } from '../delivery/delivery-events.js';
import { bounceNotification, complaintReport, type About } from '../delivery/notification-mail.js';
import { fromDomain } from '../delivery/outgoing-message.js';
import type { DeliveryPolicy, SuppressionReason, SuppressionSink } from '../delivery/policy.js';
import type { GeneratedMessage } from '../store/deliveries-repository.js';
import { bounceEvent } from '../events/mail-object.js';
import type { FeedbackKind, ReportedMessage } from '../store/feedback-repository.js';
import { classifyReportedRecipient } from './classify-report.js';
import { parseReport, type InboundReport } from './report-parser.js';

export interface FeedbackStore {
  findMessage(id: string): Promise<ReportedMessage | undefined>;
  record(
    message: { id: string; accountId: string },
    recipient: string,
    event: { type: FeedbackKind; payload: unknown; lastResponse: string },
    now?: number,
    forward?: GeneratedMessage,
  ): Promise<boolean>;
}

export interface FeedbackHandlerDeps {
  store: FeedbackStore;
  suppression: SuppressionSink;
  /** Where feedback forwarding sends notifications (undefined: forwarding is off). */
  feedbackAddress: DeliveryPolicy['feedbackAddress'];
  hostname: string;
  log: Logger;
  now?: () => number;
}

export interface ReceivedReport {
  raw: Buffer;
  /** Envelope recipients that are bounce addresses (VERP); the feedback address is not among them. */
  verpRecipients: string[];
  /** The sending MTA's name (EHLO), the reportingMTA of a bounce that names none. */
  peer: string;
}

/** no-new-event: matched a message, but named no recipient it could bounce or that had not bounced already. */
export type HandlingResult = 'recorded' | 'no-new-event' | 'unmatched' | 'ignored' | 'malformed';

export function createFeedbackHandler(deps: FeedbackHandlerDeps): (report: ReceivedReport) => Promise<HandlingResult> {
  const now = deps.now ?? Date.now;

  return async ({ raw, verpRecipients, peer }) => {
    let report: InboundReport;
    try {
      report = await parseReport(raw);
    } catch (err) {
      deps.log.warn({ err, bytes: raw.length }, 'inbound report could not be parsed; dropped');
      return 'malformed';
    }
    if (report.kind === 'auto-reply' || report.kind === 'other') {
      deps.log.info({ kind: report.kind, verpRecipients }, 'inbound mail is no bounce or complaint; dropped');
      return 'ignored';
    }
    const message = await findMessage(verpRecipients, report.originalMessageIds);
    if (!message) {
      deps.log.info({ kind: report.kind, verpRecipients, quoted: report.originalMessageIds }, 'inbound report matches no message; dropped');
      return 'unmatched';
    }
    const written = report.kind === 'bounce' ? await bounces(message, report, peer) : await complaints(message, report);
    deps.log.info({ kind: report.kind, messageId: message.id, events: written }, 'inbound report');
    return written > 0 ? 'recorded' : 'no-new-event';
  };

  async function findMessage(verp: string[], quoted: string[]): Promise<ReportedMessage | undefined> {
    const candidates = [...verp, ...quoted].map((a) => a.slice(0, a.lastIndexOf('@'))).filter((id) => /^[0-9a-f]{16}-[0-9a-f-]{36}-\d{6}$/i.test(id));
    for (const id of new Set(candidates)) {
      const found = await deps.store.findMessage(id.toLowerCase());
      if (found) return found;
    }
    return undefined;
  }

  async function bounces(message: ReportedMessage, report: Extract<InboundReport, { kind: 'bounce' }>, peer: string): Promise<number> {
    let written = 0;
    let reported = report.recipients.map((r) => ({ r, recipient: recipientOf(message, r.address, r.originalAddress) }));
    // A plain-text bounce that names no address the message went to, for a message with one
    // recipient: the VERP address already says which message, so it is that recipient.
    if (!report.standard && reported.every((x) => !x.recipient) && message.recipients.length === 1) {
      const diagnostic = report.recipients[0] ?? { address: message.recipients[0]!, action: 'failed', status: '', diagnosticCode: '' };
      reported = [{ r: diagnostic, recipient: message.recipients[0] }];
    }
    for (const { r, recipient } of reported) {
      const cls = classifyReportedRecipient(r);
      if (!recipient || !cls) continue;
      const at = now();
      const feedbackId = newMessageId(at);
      const status = r.status || (cls.bounceType === 'Transient' ? '4.0.0' : '5.0.0');
      // SES gives action, status, diagnosticCode and reportingMTA "only if a DSN was attached to the bounce".
      const bouncedRecipients = [
        report.standard ? { emailAddress: recipient, action: 'failed' as const, status, ...(r.diagnosticCode ? { diagnosticCode: r.diagnosticCode } : {}) } : { emailAddress: recipient },
      ];
      const reportingMTA = report.standard ? (report.reportingMTA ?? `dns; ${peer}`) : undefined;
      const event = bounceEvent(message.mail, { ...cls, bouncedRecipients, timestamp: new Date(sentAt(report, message, at)), feedbackId, reportingMTA });
      const to = await forwardTo(message);
      const forward = to ? bounceNotification(about(message, recipient, at), to, { status, diagnosticCode: r.diagnosticCode || `smtp; ${status}` }) : undefined;
      if (!(await deps.store.record(message, recipient, { ...event, type: 'Bounce', lastResponse: r.diagnosticCode || status }, at, forward))) continue;
      written++;
      if (cls.bounceType === 'Permanent') await suppress(message, recipient, 'BOUNCE', feedbackId);
    }
    return written;
  }

  async function complaints(message: ReportedMessage, report: Extract<InboundReport, { kind: 'complaint' }>): Promise<number> {
    const recipients = complainedRecipients(message, report);
    if (recipients.length === 0) deps.log.info({ messageId: message.id, issuer: report.issuerDomain }, 'complaint names no recipient of the message, and none is on its issuer\'s domain; no event');
    let written = 0;
    for (const recipient of recipients) {
      const at = now();
      const feedbackId = newMessageId(at);
      const event = complaintEvent(message.mail, {
        at: sentAt(report, message, at),
        recipients: [recipient],
        feedbackId,
        feedbackType: report.feedbackType,
        userAgent: report.userAgent,
        arrivalDate: report.arrivalDate,
      });
      const to = await forwardTo(message);
      const forward = to ? complaintReport(about(message, recipient, at), to, report.userAgent ?? '') : undefined;
      if (!(await deps.store.record(message, recipient, { ...event, type: 'Complaint', lastResponse: '' }, at, forward))) continue;
      written++;
      await suppress(message, recipient, 'COMPLAINT', feedbackId);
    }
    return written;
  }

  /**
   * When the reporter sent the report (SES's bounce and complaint `timestamp`), else when it arrived:
   * a Date after the arrival, or before the message was sent (a minute allowed for the reporter's
   * clock and the header's whole seconds), is not believed.
   */
  function sentAt(report: InboundReport, message: ReportedMessage, arrived: number): number {
    const believable = report.sentAt !== undefined && report.sentAt >= message.createdAt - 60_000 && report.sentAt <= arrived;
    return believable ? report.sentAt! : arrived;
  }

  /** As for a bounce during delivery (deliver.ts): the message's Return-Path or FeedbackForwardingEmailAddress, else its sender. */
  function forwardTo(message: ReportedMessage): Promise<string | undefined> {
    return deps.feedbackAddress({ accountId: message.accountId, region: message.region }, fromDomain(message.raw) ?? '', message.feedbackAddress ?? message.envelopeFrom);
  }

  function about(message: ReportedMessage, recipient: string, at: number): About {
    return { accountId: message.accountId, region: message.region, raw: message.raw, envelopeFrom: message.envelopeFrom, recipient, acceptedAt: message.createdAt, hostname: deps.hostname, now: at };
  }

  async function suppress(message: ReportedMessage, address: string, reason: SuppressionReason, feedbackId: string): Promise<void> {
    const scope = { accountId: message.accountId, region: message.region };
    try {
      if (await deps.suppression.shouldSuppress(scope, message.configurationSet, reason)) {
        await deps.suppression.suppress(scope, { address, reason, messageId: message.id, feedbackId });
      }
    } catch (err) {
      // The event is recorded either way; losing the list entry is the lesser harm (as in delivery).
      deps.log.error({ err, messageId: message.id, recipient: address }, 'could not add an address to the suppression list');
    }
  }
}

/**
 * Who complained: the recipients the report names. Providers often redact them; SES then lists
 * "everyone who was sent the email whose address is on the domain that issued the complaint
 * notification" (a parent or subdomain of the report's From domain counts too). A message with one
 * recipient can only be about that one. Otherwise nobody is blamed (and suppressed) for another
 * provider's complaint.
 */
function complainedRecipients(message: ReportedMessage, report: Extract<InboundReport, { kind: 'complaint' }>): string[] {
  const named = report.recipients.map((a) => recipientOf(message, a)).filter((a): a is string => a !== undefined);
  if (named.length > 0) return [...new Set(named)];
  const issuer = report.issuerDomain;
  const onIssuerDomain = issuer ? message.recipients.filter((r) => sameProvider(r.slice(r.lastIndexOf('@') + 1).toLowerCase(), issuer)) : [];
  if (onIssuerDomain.length > 0) return onIssuerDomain;
  return message.recipients.length === 1 ? message.recipients : [];
}

const sameProvider = (a: string, b: string): boolean => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

/** The message's own spelling of a reported address, when the message went to it. */
function recipientOf(message: ReportedMessage, ...addresses: (string | undefined)[]): string | undefined {
  for (const a of addresses) {
    const found = a && message.recipients.find((r) => r.toLowerCase() === a.toLowerCase());
    if (found) return found;
  }
  return undefined;
}
