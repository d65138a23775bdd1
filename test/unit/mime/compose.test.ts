// A message of megabytes is composed in a thread (compose-thread.ts), one smaller on the event loop
// (composeHere): both must write the same bytes, but for the random MIME boundary.
import { describe, expect, it } from 'vitest';
import { OFF_THREAD_BYTES } from '../../../src/job-thread.js';
import { composeHere, composeMessage, type ComposeInput } from '../../../src/mime/compose.js';

const base: ComposeInput = {
  from: 'Sender <sender@example.com>',
  to: ['a@example.net'],
  cc: [],
  replyTo: [],
  subject: 'Grüße',
  headers: [{ name: 'X-Campaign', value: 'large' }],
  attachments: [],
  messageIdHeader: '<0100018c-large@email.example.com>',
  date: new Date(Date.UTC(2026, 10, 30, 10, 0, 0)),
};

/** The message with its MIME boundaries replaced by one fixed string. */
function sameBoundaries(raw: Buffer): string {
  const text = raw.toString('latin1');
  const boundaries = [...text.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]!);
  return boundaries.reduce((t, b, i) => t.replaceAll(b, `BOUNDARY-${i}`), text);
}

const large = (line: string) => line.repeat(Math.ceil(OFF_THREAD_BYTES / line.length) + 1);

describe('composeMessage of a large message (in its thread)', () => {
  it('writes text and HTML as the event loop writes them', async () => {
    const input = { ...base, text: large('Hällo wörld, a long line = with equals signs and more words to fold it. '), html: large('<p>Grüße</p>\n') };
    const [threaded, here] = await Promise.all([composeMessage(input), composeHere(input)]);
    expect(threaded.length).toBeGreaterThan(OFF_THREAD_BYTES);
    expect(sameBoundaries(threaded)).toBe(sameBoundaries(here));
  });

  it('writes attachments (MailComposer) as the event loop writes them', async () => {
    const content = Buffer.alloc(OFF_THREAD_BYTES + 17);
    for (let i = 0; i < content.length; i++) content[i] = (i * 2654435761) >>> 24;
    const input = { ...base, text: 'see the attachment\n', attachments: [{ content, filename: 'data.bin', contentType: 'application/octet-stream', description: 'numbers' }] };
    const [threaded, here] = await Promise.all([composeMessage(input), composeHere(input)]);
    expect(sameBoundaries(threaded)).toBe(sameBoundaries(here));
    expect(threaded.toString('latin1')).toContain(content.subarray(0, 57).toString('base64'));
  });
});
