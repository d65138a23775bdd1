// LocalStack's message shape for GET /_aws/ses, as JSON text. Subject and Body are read from the
// stored MIME for every kind. A message that cannot be parsed is still listed, with empty parts and
// why in `ParseError`. From OFF_THREAD_BYTES on, the view is parsed and serialised in its own thread
// (localstack-view-thread.ts): measured with a stored 25 MB HTML message, parsing took the event
// loop ~0.5 s and serialising and writing the 60 MB answer another ~0.5 s, while every other request waited.
import PostalMime, { type Email } from 'postal-mime';
import { JobThread, OFF_THREAD_BYTES } from '../job-thread.js';
import type { StoredMessage } from '../store/messages-repository.js';

// postal-mime's own limits are 256 nested parts and 2 MB of headers; a message past them cannot be
// shown as text, and is marked instead. Mail that sesd composes nests 3 deep.
const PARSE_LIMITS = { maxNestingDepth: 64, maxHeadersSize: 1024 * 1024 };

const thread = new JobThread<StoredMessage, Uint8Array>(import.meta.url, 'localstack-view-thread');

/** The message's view as JSON (UTF-8). */
export async function localStackViewJson(m: StoredMessage): Promise<Buffer> {
  if (m.raw.length < OFF_THREAD_BYTES) return Buffer.from(JSON.stringify(await localStackView(m)));
  const json = await thread.run(m);
  return Buffer.from(json.buffer, json.byteOffset, json.byteLength);
}

export async function localStackView(m: StoredMessage): Promise<Record<string, unknown>> {
  const view = {
    Id: m.id,
    Region: m.region,
    Timestamp: localStackTimestamp(m.createdAt),
    Destination: m.destination,
    Source: m.envelopeFrom,
    Subject: m.subject ?? '',
    Body: { text_part: null as string | null, html_part: null as string | null },
    RawData: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength).toString('utf8'),
    Attachments: [] as { FileName: string | null; ContentType: string; Size: number }[],
    Tags: m.tags,
    ConfigurationSetName: m.configurationSet ?? undefined,
  };
  let parsed: Email;
  try {
    parsed = await PostalMime.parse(m.raw, PARSE_LIMITS);
  } catch (err) {
    return { ...view, ParseError: err instanceof Error ? err.message : String(err) };
  }
  const terminated = lastLineBreakTerminates(m.raw, parsed);
  return {
    ...view,
    Subject: parsed.subject ?? view.Subject,
    Body: { text_part: withoutFinalLineBreak(parsed.text, terminated), html_part: withoutFinalLineBreak(parsed.html, terminated) },
    Attachments: parsed.attachments.map((a) => ({ FileName: a.filename, ContentType: a.mimeType, Size: byteLength(a.content) })),
  };
}

/**
 * LocalStack's Timestamp: UTC to the second, with neither fraction nor zone (`timestamp()` of
 * localstack/utils/time.py, format "%Y-%m-%dT%H:%M:%S", set by save_for_retrospection in
 * localstack/services/ses/provider.py; localstack/localstack@8b9a79f0). Clients parse it with that format.
 */
function localStackTimestamp(createdAt: number): string {
  return new Date(createdAt).toISOString().slice(0, 'YYYY-MM-DDTHH:MM:SS'.length);
}

/** The line break that ends a MIME body part terminates its last line; it is not part of the text. */
function withoutFinalLineBreak(part: string | undefined, terminated: boolean): string | null {
  if (part === undefined) return null;
  return terminated ? part.replace(/\r?\n$/, '') : part;
}

/**
 * Whether the text's final line break is the message's line terminator rather than the sender's text.
 * postal-mime turns every CRLF into LF, so this is read from the stored bytes. In a multipart message
 * it is the break before the closing boundary (postal-mime keeps it). In a single part, LocalStack
 * shows the body as sent (SendEmail's Body.Text.Data, provider.py@8b9a79f0), and sesd's composer
 * keeps that text and appends CRLF only when it lacks a final line break (mime/compose-text.ts): so
 * a base64 body (whose decoded text ends as sent) or a bare LF ending CRLF mail is the sender's.
 */
function lastLineBreakTerminates(raw: Buffer, parsed: Email): boolean {
  const header = (key: string) => parsed.headers.find((h) => h.key === key)?.value.trim().toLowerCase() ?? '';
  if (header('content-type').startsWith('multipart/')) return true;
  if (header('content-transfer-encoding') === 'base64') return false;
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === CR && raw[raw.length - 1] === LF;
  return usesCrlf(raw) ? endsWithCrlf : raw[raw.length - 1] === LF;
}

const CR = 0x0d;
const LF = 0x0a;

/** CRLF mail ends its header with CRLF CRLF; mail written with bare LFs (as many raw sends are) with LF LF. */
function usesCrlf(raw: Buffer): boolean {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  return crlf >= 0 && (lf < 0 || crlf < lf);
}

function byteLength(content: ArrayBuffer | Uint8Array | string): number {
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}
