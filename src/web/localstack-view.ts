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
    Timestamp: new Date(m.createdAt).toISOString(),
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
  return {
    ...view,
    Subject: parsed.subject ?? view.Subject,
    Body: { text_part: withoutFinalLineBreak(parsed.text), html_part: withoutFinalLineBreak(parsed.html) },
    Attachments: parsed.attachments.map((a) => ({ FileName: a.filename, ContentType: a.mimeType, Size: byteLength(a.content) })),
  };
}

/** The line break that ends a MIME body part terminates its last line; it is not part of the text. */
function withoutFinalLineBreak(part: string | undefined): string | null {
  return part === undefined ? null : part.replace(/\r?\n$/, '');
}

function byteLength(content: ArrayBuffer | Uint8Array | string): number {
  return typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
}
