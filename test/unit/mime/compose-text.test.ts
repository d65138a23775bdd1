import { describe, expect, it } from 'vitest';
import { composeMessage, composeWithMailComposer, type ComposeInput } from '../../../src/mime/compose.js';
import qp from 'nodemailer/lib/qp/index.js';
import { canComposeText, composeText, qpEncode, qpWrap } from '../../../src/mime/compose-text.js';

const base: ComposeInput = {
  from: 'Sender <sender@example.com>',
  to: ['a@example.net'],
  cc: [],
  replyTo: [],
  subject: 'Hello',
  text: 'Hello there\n',
  headers: [],
  attachments: [],
  messageIdHeader: '<0100018c-abc@email.example.com>',
  date: new Date(Date.UTC(2026, 10, 22, 13, 5, 9)),
};

const long = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

// Each case must come out of composeText byte for byte as MailComposer writes it (but the boundary).
const cases: Record<string, Partial<ComposeInput>> = {
  'plain ASCII text': {},
  'text without a final line break': { text: 'no newline at the end' },
  'text with CRLF and LF line breaks': { text: 'one\r\ntwo\nthree\r\n' },
  'HTML only': { text: undefined, html: '<p>Hello <b>there</b></p>' },
  'text and HTML (multipart/alternative)': { html: '<html><body><p>Hi</p></body></html>' },
  'long lines: quoted-printable': { text: `${long(60)}\n`, html: `<p>${long(80)}</p>` },
  'Latin-1 accents: quoted-printable': { subject: 'Café crème', text: 'Voilà, déjà vu — ça marche.\n' },
  'mostly non-Latin: base64': { subject: 'こんにちは世界', text: 'こんにちは、世界。これはテストです。\n', html: '<p>Привет, мир</p>' },
  'control characters': { text: 'bell\u0007 and tab\tand formfeed\f\n' },
  'long plain lines with = and line-ending spaces': { text: `${long(30)} a=b \n${long(30)}\t\r\nend ` },
  'long plain line with DEL': { text: `${long(30)}\u007f${long(5)}` },
  'long lines without a Latin letter: base64': { text: `${'1234567890 '.repeat(20)}\n` },
  'address case and shapes': {
    from: 'Name_1 Two <x.y+z@Sub.Example.ORG>',
    to: ['UPPER@EXAMPLE.COM', '<bare@example.com>', 'Odd  Spacing <o@example.com>', 'trailing@example.com>'],
    cc: ['Mixed.Case <MC@Example.Net>'],
  },
  'several recipients, cc and reply-to': {
    to: ['a@example.net', 'Bee Person <b@Example.NET>', '"Doe, John" <john@example.org>'],
    cc: ['c@example.net', 'Dee <d@example.net>'],
    replyTo: ['replies@example.com'],
  },
  'names that need quoting': { from: 'O\'Brien & Co <ob@example.com>', to: ['"quoted \\"name\\"" <q@example.net>', 'group: x@example.net, y@example.net;'] },
  'custom headers': {
    headers: [
      { name: 'x-custom-header', value: 'value one' },
      { name: 'X-Unicode', value: 'naïve façade' },
      { name: 'List-ID', value: 'news <news.example.com>' },
      { name: 'X-Long', value: long(40) },
      { name: 'x-multi-line', value: 'first\r\nsecond' },
    ],
  },
  'long subject': { subject: `${long(30)} ünïcödé ${long(10)}` },
  'empty subject': { subject: '' },
  'message id without brackets': { messageIdHeader: 'plain-id@example.com' },
};

const normalizeBoundary = (raw: Buffer) => raw.toString('latin1').replace(/--_NmP-[0-9a-f]+-Part_1/g, '--_NmP-BOUNDARY-Part_1');

describe('composeText', () => {
  for (const [name, overrides] of Object.entries(cases)) {
    it(`writes what MailComposer writes: ${name}`, async () => {
      const input = { ...base, ...overrides };
      expect(canComposeText(input)).toBe(true);
      const expected = await composeWithMailComposer(input);
      expect(normalizeBoundary(composeText(input))).toBe(normalizeBoundary(expected));
    });
  }

  it('leaves attachments, reserved header names, non-ASCII addresses and empty parts to MailComposer', () => {
    const attachment = { content: Buffer.from('x'), filename: 'x.txt' };
    expect(canComposeText({ ...base, attachments: [attachment] })).toBe(false);
    expect(canComposeText({ ...base, headers: [{ name: 'Subject', value: 'other' }] })).toBe(false);
    expect(canComposeText({ ...base, headers: [{ name: 'content-type', value: 'text/csv' }] })).toBe(false);
    expect(canComposeText({ ...base, to: ['Jürgen <j@example.de>'] })).toBe(false);
    expect(canComposeText({ ...base, from: 'sender@bücher.example' })).toBe(false);
    expect(canComposeText({ ...base, text: '' })).toBe(false);
    expect(canComposeText({ ...base, text: 'x', html: '' })).toBe(false);
  });

  it('is what composeMessage uses for a simple message', async () => {
    const raw = (await composeMessage(base)).toString();
    expect(raw).toContain('Content-Type: text/plain; charset=utf-8');
    expect(raw).toContain('Message-ID: <0100018c-abc@email.example.com>');
  });
});

describe('qpEncode', () => {
  it("encodes exactly as Nodemailer's qp.encode", () => {
    const samples = [
      '',
      'plain',
      'a=b',
      'trailing space \r\nand tab\t\nend ',
      'Voilà, déjà vu — ça marche. こんにちは',
      '\u0000\u0001\u007f\u0080\u00ff',
      'tab\t',
    ];
    // And random byte strings weighted towards the characters with special rules.
    const alphabet = [0x09, 0x0a, 0x0d, 0x20, 0x3d, 0x41, 0x7e, 0x7f, 0x00, 0xc3, 0xa9, 0xff];
    let seed = 42;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const random = Array.from({ length: 300 }, () => Buffer.from(Array.from({ length: next() % 40 }, () => alphabet[next() % alphabet.length]!)));
    for (const input of [...samples.map((s) => Buffer.from(s, 'utf8')), ...random]) {
      expect(qpEncode(input)).toBe(qp.encode(input));
    }
  });
});

describe('qpWrap', () => {
  it("wraps exactly as Nodemailer's qp.wrap", () => {
    // Pieces weighted towards what its rules look at: line breaks (CRLF, LF, a lone CR), the
    // characters it breaks after, escapes of ASCII, of UTF-8 lead and continuation bytes, and
    // incomplete ones, and runs long enough to need a soft break.
    const pieces = ['a', 'word', 'x'.repeat(30), 'y'.repeat(75), ' ', '\t', '.', ',', '!', '?', '\r\n', '\n', '\r', '=', '=3D', '=20', '=C3', '=A9', '=E2', '=82', '=AC', '=F0', '=9F', '=4', '=e9', '\u2028'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    const random = Array.from({ length: 5000 }, () => Array.from({ length: next() % 60 }, () => pieces[next() % pieces.length]!).join(''));
    const encoded = ['Voilà, déjà vu — ça marche. こんにちは 🎉 '.repeat(9), 'a'.repeat(300), `${'word '.repeat(40)}\r\n${'é'.repeat(80)}`].map((s) => qpEncode(Buffer.from(s, 'utf8')));
    // A line break near a line's end ends the line only when no CR or line separator follows it there.
    const nearEnd = ['\r', '\u2028', '\u2029', 'z'].map((after) => `${'a'.repeat(60)}\nb${after}${'c'.repeat(30)}`);
    for (const input of [...encoded, ...nearEnd, ...random]) {
      for (const lineLength of [76, 20]) expect(qpWrap(input, lineLength)).toBe(qp.wrap(input, lineLength));
    }
  });
});
