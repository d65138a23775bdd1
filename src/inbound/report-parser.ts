// Reads what came back to a bounce or feedback address: a delivery status notification (RFC 3464,
// multipart/report; report-type=delivery-status), a feedback report (RFC 5965 ARF,
// report-type=feedback-report), a plain-text bounce of the common non-standard kind, or an automatic
// reply (RFC 3834), which is recognised so it can be ignored. Pure: bytes in, a report out.
import type { Attachment, Email } from 'postal-mime';
import { parseMime } from '../mime/parse-mime.js';

export interface ReportedRecipient {
  /** Final-Recipient (or Original-Recipient), the address only. */
  address: string;
  originalAddress?: string;
  /** failed | delayed | delivered | relayed | expanded */
  action: string;
  /** RFC 3463 status, `5.1.1`. */
  status: string;
  /** As the DSN gives it, `smtp; 550 5.1.1 user unknown`; empty when it gives none. */
  diagnosticCode: string;
}

/** What every report has: the Message-IDs it quotes, and when the reporter sent it (its Date header, if it parses). */
interface ReportBase {
  originalMessageIds: string[];
  sentAt?: number;
}

export type InboundReport =
  | (ReportBase & { kind: 'bounce'; recipients: ReportedRecipient[]; reportingMTA?: string; standard: boolean })
  | (ReportBase & {
      kind: 'complaint';
      feedbackType: string;
      userAgent?: string;
      arrivalDate?: number;
      recipients: string[];
      /** The domain of the report's From address: the provider that issued the complaint. */
      issuerDomain?: string;
    })
  | (ReportBase & { kind: 'auto-reply' })
  | (ReportBase & { kind: 'other' });

// postal-mime's own limits are 256 nested parts and 2 MB of headers; a report nests a few levels.
const PARSE_LIMITS = { maxNestingDepth: 32, maxHeadersSize: 256 * 1024 };
// Plain-text bounces are searched in their first part only, up to this much.
const MAX_TEXT_SCAN = 64 * 1024;

export async function parseReport(raw: Buffer): Promise<InboundReport> {
  const email = await parseMime(raw, { ...PARSE_LIMITS, attachmentEncoding: 'arraybuffer' });
  const topType = header(email, 'content-type') ?? '';
  const reportType = /^\s*multipart\/report\b/i.test(topType) ? /report-type\s*=\s*"?([\w-]+)/i.exec(topType)?.[1]?.toLowerCase() : undefined;
  const sent = email.date ? Date.parse(email.date) : NaN;
  const base: ReportBase = { originalMessageIds: quotedMessageIds(email), ...(Number.isFinite(sent) ? { sentAt: sent } : {}) };

  const part = (type: string) => email.attachments.find((a) => a.mimeType.toLowerCase() === type);
  const dsn = part('message/delivery-status') ?? part('message/global-delivery-status');
  if (dsn && (reportType === 'delivery-status' || reportType === undefined)) return { ...deliveryStatus(text(dsn)), ...base, standard: true };
  const arf = part('message/feedback-report');
  if (arf) {
    const issuer = email.from?.address?.toLowerCase();
    return { ...feedbackReport(text(arf)), ...base, ...(issuer?.includes('@') ? { issuerDomain: issuer.slice(issuer.lastIndexOf('@') + 1) } : {}) };
  }

  if (isPlainBounce(email)) return { ...plainBounce(email), ...base, standard: false };
  if (isAutoReply(email)) return { kind: 'auto-reply', ...base };
  return { kind: 'other', ...base };
}

/** The header value of the top-level message (first occurrence). */
function header(email: Email, name: string): string | undefined {
  return email.headers.find((h) => h.key === name)?.value;
}

function text(a: Attachment): string {
  const c = a.content;
  return typeof c === 'string' ? c : Buffer.from(c as ArrayBuffer).toString('utf8');
}

/** Header-style fields grouped in blocks separated by blank lines (RFC 3464 section 2.1, RFC 5965 3.1). */
export function fieldBlocks(body: string): Map<string, string[]>[] {
  const blocks: Map<string, string[]>[] = [];
  let current: Map<string, string[]> | undefined;
  let last: { name: string; index: number } | undefined;
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') {
      current = undefined;
      last = undefined;
      continue;
    }
    if (/^[ \t]/.test(line) && current && last) {
      const values = current.get(last.name)!;
      values[last.index] += ` ${line.trim()}`;
      continue;
    }
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    if (!current) blocks.push((current = new Map()));
    const name = m[1]!.toLowerCase();
    const values = current.get(name) ?? [];
    values.push(m[2]!.trim());
    current.set(name, values);
    last = { name, index: values.length - 1 };
  }
  return blocks;
}

const first = (block: Map<string, string[]>, name: string) => block.get(name)?.[0];

/** `rfc822; user@example.com` → `user@example.com`. */
function addressOf(typed: string | undefined): string | undefined {
  if (!typed) return undefined;
  const value = typed.includes(';') ? typed.slice(typed.indexOf(';') + 1) : typed;
  const address = value.trim().replace(/^<|>$/g, '');
  return address.includes('@') ? address : undefined;
}

function deliveryStatus(body: string): { kind: 'bounce'; recipients: ReportedRecipient[]; reportingMTA?: string } {
  const blocks = fieldBlocks(body);
  const perMessage = blocks.find((b) => b.has('reporting-mta') || !b.has('final-recipient'));
  const recipients: ReportedRecipient[] = [];
  for (const b of blocks) {
    const address = addressOf(first(b, 'final-recipient')) ?? addressOf(first(b, 'original-recipient'));
    if (!address) continue;
    const status = /\d\.\d{1,3}\.\d{1,3}/.exec(first(b, 'status') ?? '')?.[0] ?? '';
    recipients.push({
      address,
      originalAddress: addressOf(first(b, 'original-recipient')),
      action: (first(b, 'action') ?? '').toLowerCase().split(/[\s(]/)[0]!,
      status,
      diagnosticCode: first(b, 'diagnostic-code') ?? '',
    });
  }
  const reportingMTA = perMessage && first(perMessage, 'reporting-mta');
  return { kind: 'bounce', recipients, ...(reportingMTA ? { reportingMTA } : {}) };
}

function feedbackReport(body: string): Omit<Extract<InboundReport, { kind: 'complaint' }>, keyof ReportBase | 'issuerDomain'> {
  const fields = new Map<string, string[]>();
  for (const b of fieldBlocks(body)) for (const [k, v] of b) fields.set(k, [...(fields.get(k) ?? []), ...v]);
  const arrival = first(fields, 'arrival-date') ?? first(fields, 'received-date');
  const arrivalDate = arrival ? Date.parse(arrival) : NaN;
  const userAgent = first(fields, 'user-agent');
  return {
    kind: 'complaint',
    feedbackType: (first(fields, 'feedback-type') ?? 'other').toLowerCase(),
    ...(userAgent ? { userAgent } : {}),
    ...(Number.isFinite(arrivalDate) ? { arrivalDate } : {}),
    recipients: (fields.get('original-rcpt-to') ?? []).map((v) => addressOf(v)).filter((a): a is string => a !== undefined),
  };
}

/**
 * Message-IDs of the original message the report quotes (its text/rfc822-headers or message/rfc822
 * part, or the headers a plain-text bounce copies into its body): the way back to the message when
 * the envelope recipient was rewritten.
 */
function quotedMessageIds(email: Email): string[] {
  const texts = email.attachments
    .filter((a) => /^(message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)$/i.test(a.mimeType))
    .map((a) => text(a).slice(0, MAX_TEXT_SCAN));
  texts.push((email.text ?? '').slice(0, MAX_TEXT_SCAN));
  const ids = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(/^[ \t>]*Message-ID:[ \t]*(?:\r?\n[ \t]+)?<([^<>\s]+)>/gim)) ids.add(m[1]!);
  return [...ids];
}

const BOUNCE_SENDER = /^(mailer-daemon|postmaster|mail-daemon|mail delivery (subsystem|system))\b/i;
const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery (status notification|failure|has failed|failed)|returned mail|failure notice|mail delivery failed|could not be delivered|nondeliverable|non-delivery|rejected:|delivery notification/i;

function isPlainBounce(email: Email): boolean {
  const from = email.from;
  const sender = `${from?.address ?? ''} ${from?.name ?? ''}`.trim();
  const fromDaemon = BOUNCE_SENDER.test(from?.address ?? '') || BOUNCE_SENDER.test(from?.name ?? '') || /^(mailer-daemon|postmaster)@/i.test(sender);
  return fromDaemon && BOUNCE_SUBJECT.test(email.subject ?? '');
}

/**
 * A bounce without a delivery-status part (qmail, some Exim setups, provider-specific formats): the
 * recipients are the addresses its text names (the caller keeps those the message was sent to), the
 * diagnostic the first SMTP reply it quotes.
 */
function plainBounce(email: Email): { kind: 'bounce'; recipients: ReportedRecipient[] } {
  const body = (email.text ?? '').slice(0, MAX_TEXT_SCAN);
  // The part before a copy of the original message: its headers name senders, not recipients.
  const notice = body.split(/^-{2,}.*(original message|copy of the message|returned message|headers of the original).*$|^-+ ?Original message ?-+$/im)[0] ?? body;
  const reply = /\b([45]\d\d)[ -]([45]\.\d{1,3}\.\d{1,3})?[^\r\n]*/.exec(notice);
  const status = reply?.[2] ?? /\b([45]\.\d{1,3}\.\d{1,3})\b/.exec(notice)?.[1] ?? '';
  const diagnostic = reply ? `smtp; ${reply[0].trim()}` : (/^.*(mailbox|quota|unknown|does not exist|rejected|full).*$/im.exec(notice)?.[0]?.trim() ?? '');
  const addresses = new Set<string>();
  for (const m of notice.matchAll(/<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+)>?/g)) {
    addresses.add(m[1]!);
  }
  return { kind: 'bounce', recipients: [...addresses].map((address) => ({ address, action: 'failed', status, diagnosticCode: diagnostic })) };
}

/** RFC 3834 and the headers auto-responders used before it. */
function isAutoReply(email: Email): boolean {
  const autoSubmitted = header(email, 'auto-submitted');
  if (autoSubmitted && !/^\s*no\b/i.test(autoSubmitted)) return true;
  if (header(email, 'x-autoreply') || header(email, 'x-autorespond') || header(email, 'x-autoresponder')) return true;
  if (/^\s*auto[_-]?reply\b/i.test(header(email, 'precedence') ?? '')) return true;
  if (/\b(oof|autoreply|all)\b/i.test(header(email, 'x-auto-response-suppress') ?? '') && /^(auto|automatic reply|out of (the )?office)/i.test(email.subject ?? '')) return true;
  return /^\s*(auto(matic)? ?(reply|response)|out of (the )?office|abwesenheitsnotiz|r[ée]ponse automatique)\b/i.test(email.subject ?? '');
}
