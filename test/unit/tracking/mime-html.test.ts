import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { rewriteHtmlParts } from '../../../src/tracking/mime-html.js';

const HTML = '<p>Grüße <a href="https://a.example/x">a</a></p>' + ' long line'.repeat(30);
const mark = (html: string) => html.replace('https://a.example/x', 'https://t.test/c/0');
const compose = (mail: ConstructorParameters<typeof MailComposer>[0]) => new MailComposer({ from: 'a@example.com', to: 'b@example.net', subject: 's', ...mail }).compile().build();

describe('rewriteHtmlParts', () => {
  it('rewrites the HTML of multipart/alternative mail (any transfer encoding) and keeps the text part and attachments', async () => {
    for (const textEncoding of ['quoted-printable', 'base64'] as const) {
      const raw = await compose({ text: 'See https://a.example/x', html: HTML, textEncoding, attachments: [{ filename: 'a.html', content: HTML }] });
      const out = rewriteHtmlParts(raw, mark);
      const parsed = await PostalMime.parse(out);
      expect(parsed.html?.replace(/\r?\n$/, '')).toBe(mark(HTML));
      expect(parsed.text?.trim()).toBe('See https://a.example/x');
      expect(Buffer.from(parsed.attachments[0]!.content as ArrayBuffer).toString()).toBe(HTML);
    }
  });

  it('rewrites a message that is one HTML part', async () => {
    const out = rewriteHtmlParts(await compose({ html: HTML }), mark);
    expect((await PostalMime.parse(out)).html?.replace(/\r?\n$/, '')).toBe(mark(HTML));
  });

  it('returns the very same bytes when nothing changes or the charset is not one it re-encodes', async () => {
    const raw = await compose({ text: 'plain only' });
    expect(rewriteHtmlParts(raw, mark)).toBe(raw);
    const latin = Buffer.from('From: a@example.com\r\nContent-Type: text/html; charset=iso-2022-jp\r\n\r\n<a href="https://a.example/x">a</a>\r\n');
    expect(rewriteHtmlParts(latin, mark)).toBe(latin);
  });
});
