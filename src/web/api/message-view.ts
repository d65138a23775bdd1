// What the console shows of one message: its parts parsed from the stored MIME (bounded: nesting and
// header size limits, as the parser allows), the HTML made self-contained for a sandboxed frame
// (inline images as data: URIs), and each recipient's timeline from the message's events.
import type { Email } from 'postal-mime';
import { parseMime } from '../../mime/parse-mime.js';
import type { EventRow, RecipientRow } from '../../store/console-queries.js';

const PARSE_LIMITS = { maxNestingDepth: 50, maxHeadersSize: 1024 * 1024, maxRfc822NestingDepth: 3 };
/** Inline images larger than this, together, stay out of the preview. */
const INLINE_IMAGE_BUDGET = 10 * 1024 * 1024;

export interface ParsedMessage {
  headers: { name: string; value: string }[];
  subject?: string;
  text?: string;
  html?: string;
  attachments: { index: number; filename: string | null; mimeType: string; disposition: string | null; contentId?: string; size: number }[];
  email: Email;
}

export async function parseMessage(raw: Buffer): Promise<ParsedMessage> {
  const email = await parseMime(raw, { ...PARSE_LIMITS, attachmentEncoding: 'arraybuffer' });
  return {
    headers: email.headers.map((h) => ({ name: h.originalKey, value: h.value })),
    subject: email.subject,
    text: email.text,
    html: email.html,
    attachments: email.attachments.map((a, index) => ({
      index,
      filename: a.filename,
      mimeType: a.mimeType,
      disposition: a.disposition,
      contentId: a.contentId,
      size: bytes(a.content).byteLength,
    })),
    email,
  };
}

export function bytes(content: ArrayBuffer | Uint8Array | string): Buffer {
  return typeof content === 'string' ? Buffer.from(content) : Buffer.from(content instanceof Uint8Array ? content : new Uint8Array(content));
}

/** The HTML part with `cid:` references replaced by data: URIs of the parts they name. */
export function selfContainedHtml(parsed: ParsedMessage): string {
  let budget = INLINE_IMAGE_BUDGET;
  const byCid = new Map<string, string>();
  for (const a of parsed.email.attachments) {
    if (!a.contentId || !a.mimeType.startsWith('image/')) continue;
    const data = bytes(a.content);
    if (data.byteLength > budget) continue;
    budget -= data.byteLength;
    byCid.set(a.contentId.replace(/^<|>$/g, '').toLowerCase(), `data:${a.mimeType};base64,${data.toString('base64')}`);
  }
  return (parsed.html ?? '').replace(/cid:([^"'\s)>]+)/gi, (whole, id: string) => byCid.get(decodeURIComponent(id).toLowerCase()) ?? whole);
}

export interface TimelineEntry {
  type: string;
  at: number;
  /** The SMTP reply or diagnostic this event carries for the recipient, if any. */
  detail?: string;
  /** Bounce/complaint/delay classification, e.g. "Permanent / General". */
  kind?: string;
}

/**
 * The events that concern one recipient, oldest first. An event that lists recipients (Delivery,
 * Bounce, DeliveryDelay, Complaint, ...) concerns those it lists; one that lists none (Send,
 * Reject, Rendering Failure) concerns every recipient of the message.
 */
export function recipientTimeline(recipient: RecipientRow, events: EventRow[]): TimelineEntry[] {
  const me = recipient.recipient.toLowerCase();
  const entries: TimelineEntry[] = [];
  for (const e of events) {
    const body = eventBody(e);
    const listed = listedRecipients(body);
    if (listed.length > 0 && !listed.some((r) => r.address.toLowerCase() === me)) continue;
    const mine = listed.find((r) => r.address.toLowerCase() === me);
    entries.push(entryOf(e, body, mine?.diagnosticCode));
  }
  if (['deferred', 'queued'].includes(recipient.status) && recipient.lastResponse) {
    entries.push({ type: 'Waiting', at: recipient.nextAttemptAt, detail: `next attempt; last reply: ${recipient.lastResponse}` });
  }
  return entries;
}

/**
 * Every event of the message, oldest first, with what it says. A message whose template failed to
 * render (Rendering Failure) or that was rejected has no recipients to show a timeline under, and
 * these are the only place the reason appears.
 */
export function messageTimeline(events: EventRow[]): TimelineEntry[] {
  return events.map((e) => entryOf(e, eventBody(e)));
}

function entryOf(e: EventRow, body: Record<string, unknown>, diagnosticCode?: string): TimelineEntry {
  // Rendering Failure carries `errorMessage`, Reject `reason`; delivery events an SMTP reply.
  const detail = diagnosticCode ?? stringField(body, 'smtpResponse') ?? stringField(body, 'errorMessage') ?? stringField(body, 'reason');
  const kind = [stringField(body, 'bounceType') ?? stringField(body, 'delayType') ?? stringField(body, 'complaintFeedbackType'), stringField(body, 'bounceSubType')]
    .filter(Boolean)
    .join(' / ');
  return { type: e.type, at: timeOf(body) ?? e.createdAt, ...(detail ? { detail } : {}), ...(kind ? { kind } : {}) };
}

/** The event's own object: `bounce` for a Bounce, `deliveryDelay` for a DeliveryDelay, ... */
function eventBody(e: EventRow): Record<string, unknown> {
  for (const [key, value] of Object.entries(e.payload)) {
    if (key !== 'mail' && key !== 'eventType' && value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  }
  return {};
}

function listedRecipients(body: Record<string, unknown>): { address: string; diagnosticCode?: string }[] {
  const out: { address: string; diagnosticCode?: string }[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (!/recipients$/i.test(key) || !Array.isArray(value)) continue;
    for (const r of value as unknown[]) {
      if (typeof r === 'string') out.push({ address: r });
      else if (r && typeof r === 'object' && typeof (r as { emailAddress?: unknown }).emailAddress === 'string') {
        const o = r as { emailAddress: string; diagnosticCode?: string };
        out.push({ address: o.emailAddress, ...(typeof o.diagnosticCode === 'string' ? { diagnosticCode: o.diagnosticCode } : {}) });
      }
    }
  }
  return out;
}

function stringField(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  return typeof v === 'string' && v ? v : undefined;
}

function timeOf(body: Record<string, unknown>): number | undefined {
  const t = stringField(body, 'timestamp');
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
