// Composes a text and/or HTML message without attachments in one synchronous pass, producing the
// same bytes as Nodemailer's MailComposer (but for the random boundary), with Nodemailer's own
// encoders (RFC 2047 words, base64, line folding) and, for quoted-printable, equivalents of its two
// (qpEncode, qpWrap; its own allocate per character or per line). MailComposer builds a tree of
// streams and costs several times more per message; almost every API send is this simple shape,
// so intake composes it here and leaves everything else (attachments, unusual headers, non-ASCII
// addresses) to MailComposer. test/unit/mime/compose-text.test.ts holds each equivalent to
// Nodemailer's function, and the two composers to the same output.
import { randomBytes } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser/index.js';
import base64 from 'nodemailer/lib/base64/index.js';
import mimeFuncs from 'nodemailer/lib/mime-funcs/index.js';
import type { ComposeInput } from './compose.js';

const LINE_LENGTH = 76;

// Headers MailComposer writes itself or treats specially; a custom header of one of these names
// changes its output in ways not worth repeating here.
const RESERVED_HEADERS = new Set([
  'from', 'sender', 'to', 'cc', 'bcc', 'reply-to', 'in-reply-to', 'references', 'subject', 'message-id', 'date',
  'mime-version', 'content-type', 'content-transfer-encoding', 'content-disposition', 'content-id',
]);

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** True when composeText produces what MailComposer would for this input. */
export function canComposeText(input: ComposeInput): boolean {
  if (input.attachments.length > 0) return false;
  // MailComposer leaves out an empty part, and falls back to an empty text/plain one.
  if (!input.text && !input.html) return false;
  if (input.text === '' || input.html === '') return false;
  for (const h of input.headers) if (RESERVED_HEADERS.has(h.name.trim().toLowerCase())) return false;
  // Address headers are re-encoded by MailComposer (punycode, encoded names): ASCII only here.
  const addresses = [input.from, ...input.to, ...input.cc, ...input.replyTo];
  return addresses.every((a) => PRINTABLE_ASCII.test(a));
}

export function composeText(input: ComposeInput): Buffer {
  const root: string[] = input.headers.map((h) => headerLine(normalizeHeaderKey(h.name), encodeWords(flatten(h.value))));
  // No sender and no id: a preview (TestRenderEmailTemplate), which gets neither header rather than empty ones.
  if (input.from) root.push(headerLine('From', addressList([input.from])));
  if (input.to.length) root.push(headerLine('To', addressList(input.to)));
  if (input.cc.length) root.push(headerLine('Cc', addressList(input.cc)));
  if (input.replyTo.length) root.push(headerLine('Reply-To', addressList(input.replyTo)));
  if (input.subject) root.push(headerLine('Subject', encodeWords(flatten(input.subject))));
  if (input.messageIdHeader) root.push(headerLine('Message-ID', angleBracketed(input.messageIdHeader)));
  root.push(headerLine('Date', input.date.toUTCString().replace(/GMT/, '+0000')));

  const parts: { contentType: string; content: string }[] = [];
  if (input.text !== undefined) parts.push({ contentType: 'text/plain', content: input.text });
  if (input.html !== undefined) parts.push({ contentType: 'text/html', content: input.html });

  let message: string;
  if (parts.length === 1) {
    const part = encodePart(parts[0]!);
    root.push(headerLine('Content-Transfer-Encoding', part.transferEncoding));
    root.push('MIME-Version: 1.0', `Content-Type: ${part.contentType}`);
    message = `${root.join('\r\n')}\r\n\r\n${part.body}`;
  } else {
    const boundary = `--_NmP-${randomBytes(8).toString('hex')}-Part_1`;
    root.push('MIME-Version: 1.0', mimeFuncs.foldLines(`Content-Type: multipart/alternative; boundary="${boundary}"`, LINE_LENGTH));
    message = `${root.join('\r\n')}\r\n\r\n`;
    parts.forEach((p, i) => {
      const part = encodePart(p);
      const head = `Content-Type: ${part.contentType}\r\nContent-Transfer-Encoding: ${part.transferEncoding}`;
      message += `${i > 0 ? '\r\n' : ''}--${boundary}\r\n${head}\r\n\r\n${part.body}`;
    });
    message += `\r\n--${boundary}--\r\n`;
  }
  // MailComposer ends every message with a line break.
  if (!message.endsWith('\n')) message += message.endsWith('\r') ? '\n' : '\r\n';
  return Buffer.from(message, 'utf8');
}

/** A text part: its Content-Type, its transfer encoding (7bit, quoted-printable or base64) and body. */
function encodePart(part: { contentType: string; content: string }): { contentType: string; transferEncoding: string; body: string } {
  const contentType = `${part.contentType}; charset=utf-8`;
  const { content } = part;
  // Plain: printable ASCII, tabs and line breaks only (what most API mail is), so the rules below
  // can be decided by one regular expression instead of a pass over every character.
  const plain = mimeFuncs.isPlainText(content);
  if (plain && !mimeFuncs.hasLongerLines(content, LINE_LENGTH)) return { contentType, transferEncoding: '7bit', body: content };
  const encoding = plain ? (/[A-Za-z]/.test(content) ? 'Q' : 'B') : textEncoding(content);
  if (encoding === 'Q') {
    const encoded = plain && !NEEDS_QP_ESCAPE.test(content) ? content : qpEncode(Buffer.from(content, 'utf8'));
    return { contentType, transferEncoding: 'quoted-printable', body: qpWrap(encoded, LINE_LENGTH) };
  }
  return { contentType, transferEncoding: 'base64', body: base64.wrap(base64.encode(content), LINE_LENGTH) };
}

/** What quoted-printable escapes in plain text: '=', DEL, and a space or tab ending a line. */
const NEEDS_QP_ESCAPE = /[=\x7f]|[ \t](?=[\r\n]|$)/;

const HEX = Array.from({ length: 256 }, (_, b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`);

/**
 * Nodemailer's qp.encode, byte for byte, but copying runs of plain characters at once instead of
 * one string concatenation per byte (the test holds the two equal). Tab, line breaks and printable
 * ASCII but '=' stay; a space or tab is encoded before a line break or at the end.
 */
export function qpEncode(bytes: Buffer): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const plain = b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b <= 0x7e && b !== 0x3d);
    if (plain && !((b === 0x20 || b === 0x09) && (i === bytes.length - 1 || bytes[i + 1] === 0x0a || bytes[i + 1] === 0x0d))) continue;
    out += bytes.toString('latin1', run, i) + HEX[b];
    run = i + 1;
  }
  return out + bytes.toString('latin1', run);
}

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const BREAKS = ' \t.,!?';

/**
 * Nodemailer's qp.wrap, step for step (the test holds the two equal), with positions in the string
 * instead of a substring and several regular expressions per line: it made more garbage than any
 * other part of a SendEmail with a long-lined body (5% of the API thread's allocations).
 */
export function qpWrap(str: string, lineLength: number): string {
  const len = str.length;
  if (len <= lineLength) return str;
  const margin = Math.floor(lineLength / 3);
  const code = (i: number) => str.charCodeAt(i);
  /** The byte of the escape `=XX` ending at `end` (in a line from `start`), or -1. */
  const escapeBefore = (start: number, end: number) => (end - start >= 3 && code(end - 3) === 0x3d && isHex(code(end - 2)) && isHex(code(end - 1)) ? parseInt(str.slice(end - 2, end), 16) : -1);
  /** How many characters of an incomplete escape (`=` or `=X`) end the line: 0, 1 or 2. */
  const incompleteBefore = (start: number, end: number) => (code(end - 1) === 0x3d ? 1 : end - start >= 2 && code(end - 2) === 0x3d && isHex(code(end - 1)) ? 2 : 0);
  let result = '';
  let pos = 0;
  while (pos < len) {
    const full = Math.min(len, pos + lineLength);
    const tailStart = Math.max(pos, full - margin);
    let end = full;
    // A line break in the line ends it (`\r\n` anywhere; `\n` last, or in the tail with only plain characters after it).
    const crlf = str.indexOf('\r\n', pos);
    if (crlf >= 0 && crlf + 2 <= end) end = crlf + 2;
    else if (code(end - 1) !== 0x0a) {
      const lf = str.lastIndexOf('\n', end - 1);
      let plainAfter = lf >= tailStart;
      for (let i = lf + 1; plainAfter && i < end; i++) plainAfter = code(i) !== 0x0d && code(i) !== 0x2028 && code(i) !== 0x2029;
      if (plainAfter) end = lf + 1;
    }
    if (end < full || code(end - 1) === 0x0a) {
      result += str.slice(pos, end);
      pos = end;
      continue;
    }
    let breakAt = -1;
    if (end - pos > lineLength - margin) for (let i = end - 1; i >= tailStart && breakAt < 0; i--) if (BREAKS.includes(str[i]!)) breakAt = i;
    if (breakAt >= 0) end = breakAt + 1;
    else if (incompleteBefore(pos, end) > 0 || escapeBefore(pos, end) >= 0) {
      // An incomplete escape goes to the next line, and so do the escapes of a UTF-8 sequence it would split.
      end -= incompleteBefore(pos, end);
      while (end - pos > 3 && end < len && !onlyEscapes(str, pos, end)) {
        const byte = escapeBefore(pos, end);
        if (byte < 128) break;
        end -= 3;
        if (byte >= 0xc0) break;
      }
    }
    if (end < len && code(end - 1) !== 0x0a) {
      // A soft break, within the line's length: an escape that would end a full line moves on.
      if (end - pos === lineLength) end -= escapeBefore(pos, end) >= 0 ? 3 : 1;
      result += `${str.slice(pos, end)}=\r\n`;
    } else {
      result += str.slice(pos, end);
    }
    pos = end;
  }
  return result;
}

/** Whether str[start, end) is one to four escapes (`=XX`) and nothing else. */
function onlyEscapes(str: string, start: number, end: number): boolean {
  const n = end - start;
  if (n < 3 || n > 12 || n % 3 !== 0) return false;
  for (let i = start; i < end; i += 3) if (str.charCodeAt(i) !== 0x3d || !isHex(str.charCodeAt(i + 1)) || !isHex(str.charCodeAt(i + 2))) return false;
  return true;
}

const headerLine = (key: string, value: string): string => mimeFuncs.foldLines(`${key}: ${value}`, LINE_LENGTH);

const flatten = (value: string): string => value.replace(/\r?\n|\r/g, ' ');

const angleBracketed = (value: string): string => {
  const v = flatten(value);
  return `${v.startsWith('<') ? '' : '<'}${v}${v.endsWith('>') ? '' : '>'}`;
};

// encodeAll: MailComposer encodes a whole value once any word needs it (some clients drop the
// spaces between separately encoded words).
const encodeWords = (value: string): string =>
  (mimeFuncs.encodeWords as (v: string, e: 'Q' | 'B', max: number, all: boolean) => string)(value, textEncoding(value), 52, true);

/** Q when Latin letters outnumber 8-bit and control characters, else B (Nodemailer's rule). */
function textEncoding(value: string): 'Q' | 'B' {
  let nonLatin = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f) || c >= 0x80) nonLatin++;
    else if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) latin++;
  }
  return nonLatin < latin ? 'Q' : 'B';
}

/** Header names as MailComposer writes them: capitalised words, MIME/DKIM/ARC/BIMI and -ID upper case. */
const normalizeHeaderKey = (key: string): string =>
  flatten(key)
    .trim()
    .toLowerCase()
    .replace(/^X-SMTPAPI$|^(MIME|DKIM|ARC|BIMI)\b|^[a-z]|-(SPF|FBL|ID|MD5)$|-[a-z]/gi, (c) => c.toUpperCase())
    .replace(/^Content-Features$/i, 'Content-features');

type ParsedAddresses = ReturnType<typeof addressparser>;

/** An address list as MailComposer writes it (ASCII input: names quoted when they need it). */
const addressList = (values: string[]): string => values.map(simpleAddress).join(', ');

// `local@domain` or `Words Only <local@domain>`: written back as they are but for the domain's case,
// without the general parser (most senders and recipients look like this).
const SIMPLE_ADDRESS = /^(?:([A-Za-z0-9_]+(?: [A-Za-z0-9_]+)*) <)?([A-Za-z0-9._%+-]+)@([A-Za-z0-9.-]+)(>)?$/;

function simpleAddress(value: string): string {
  const m = SIMPLE_ADDRESS.exec(value);
  if (!m || Boolean(m[1]) !== Boolean(m[4])) return formatAddresses(addressparser(value)).join(', ');
  const address = `${m[2]}@${m[3]!.toLowerCase()}`;
  return m[1] ? `${m[1]} <${address}>` : address;
}

function formatAddresses(entries: ParsedAddresses): string[] {
  const out: string[] = [];
  for (const a of entries) {
    if ('address' in a && a.address) {
      const address = normalizeAddress(a.address);
      out.push(a.name ? `${addressName(a.name)} <${address}>` : address.includes(' ') ? `<${address}>` : address);
    } else if ('group' in a && a.group) {
      out.push(`${addressName(a.name)}:${formatAddresses(a.group).join(', ').trim()};`);
    }
  }
  return out;
}

const addressName = (name: string): string => (/^[\w ]*$/.test(name) ? name : `"${name.replace(/([\\"])/g, '\\$1')}"`);

/** Lower-cased domain; a local part with spaces quoted (ASCII only, so no punycode). */
function normalizeAddress(address: string): string {
  const a = address.replace(/[\x00-\x1F<>]+/g, ' ').trim();
  const at = a.lastIndexOf('@');
  if (at < 0) return a;
  let user = a.slice(0, at);
  if (user.includes(' ')) user = `${user.startsWith('"') ? '' : '"'}${user}${user.endsWith('"') ? '' : '"'}`;
  return `${user}@${a.slice(at + 1).toLowerCase()}`;
}
