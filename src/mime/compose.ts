// Composes the MIME message for Simple (and rendered template) content with Nodemailer's
// MailComposer, the field's well-kept composer, or for plain text/HTML mail with compose-text.ts,
// which writes the same bytes several times faster. Composed once at intake and stored.
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { JobThread, OFF_THREAD_BYTES } from '../job-thread.js';
import { canComposeText, composeText } from './compose-text.js';

// From OFF_THREAD_BYTES of content on (text, HTML and attachments), a message is composed in a
// thread of its own (compose-thread.ts): measured with 25 MB of HTML, composing held the event loop
// for 1.0-1.5 s, and every other request waited that long.
const thread = new JobThread<ComposeInput, Uint8Array>(import.meta.url, 'compose-thread');

export interface ComposeAttachment {
  content: Buffer;
  filename: string;
  contentType?: string;
  /** `attachment` or `inline` */
  disposition?: string;
  cid?: string;
  description?: string;
  /** base64 | quoted-printable | 7bit */
  transferEncoding?: string;
}

export interface ComposeInput {
  from: string;
  to: string[];
  cc: string[];
  replyTo: string[];
  subject: string;
  text?: string;
  html?: string;
  headers: { name: string; value: string }[];
  attachments: ComposeAttachment[];
  messageIdHeader: string;
  date: Date;
}

export async function composeMessage(input: ComposeInput): Promise<Buffer> {
  if (contentSize(input) < OFF_THREAD_BYTES) return composeHere(input);
  const raw = await thread.run(input);
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/** Composes on the calling thread. */
export function composeHere(input: ComposeInput): Promise<Buffer> {
  if (canComposeText(input)) return Promise.resolve(composeText(input));
  return composeWithMailComposer(input);
}

function contentSize(input: ComposeInput): number {
  return (input.text?.length ?? 0) + (input.html?.length ?? 0) + input.attachments.reduce((n, a) => n + a.content.length, 0);
}

export function composeWithMailComposer(input: ComposeInput): Promise<Buffer> {
  const composer = new MailComposer({
    from: input.from || undefined,
    to: input.to.length ? input.to : undefined,
    cc: input.cc.length ? input.cc : undefined,
    replyTo: input.replyTo.length ? input.replyTo : undefined,
    subject: input.subject,
    text: input.text,
    html: input.html,
    headers: input.headers.map((h) => ({ key: h.name, value: h.value })),
    messageId: input.messageIdHeader,
    date: input.date,
    // Content comes from API callers: never let it name a local file or a URL to fetch.
    disableFileAccess: true,
    disableUrlAccess: true,
    attachments: input.attachments.map((a) => ({
      content: a.content,
      filename: a.filename,
      contentType: a.contentType,
      contentDisposition: a.disposition as 'attachment' | 'inline' | undefined,
      cid: a.cid,
      headers: a.description ? { 'Content-Description': a.description } : undefined,
      // MailComposer tests `'contentTransferEncoding' in attachment`: an undefined value would turn
      // off its default (base64) instead of keeping it.
      ...(a.transferEncoding ? { contentTransferEncoding: a.transferEncoding as 'base64' | 'quoted-printable' | '7bit' } : {}),
    })),
  });
  return new Promise((resolve, reject) => {
    composer.compile().build((err, message) => (err ? reject(err) : resolve(message)));
  });
}
