// postal-mime's parse, in a thread of its own for a message of megabytes (parse-mime-thread.ts), for
// the console's message pages and inbound reports: measured with a stored 25 MB HTML message,
// parsing took the event loop ~0.5 s (17 s with postal-mime 2.7, whose quoted-printable decoder made
// a Blob per escape) while every other request waited. (GET /_aws/ses parses in its own thread,
// web/localstack-view.ts, which serialises its answer there too.)
import PostalMime, { type Email, type PostalMimeOptions } from 'postal-mime';
import { JobThread, OFF_THREAD_BYTES } from '../job-thread.js';

export type ParseOptions = Pick<PostalMimeOptions, 'maxNestingDepth' | 'maxHeadersSize' | 'attachmentEncoding' | 'maxRfc822NestingDepth'>;

export interface ParseJob {
  raw: Uint8Array;
  options: ParseOptions;
}

const thread = new JobThread<ParseJob, Email>(import.meta.url, 'parse-mime-thread');

export async function parseMime(raw: Buffer, options: ParseOptions): Promise<Email> {
  if (raw.length < OFF_THREAD_BYTES) return PostalMime.parse(raw, options);
  return thread.run({ raw, options });
}
