// Reads and rewrites the header block of a raw RFC 5322 message without parsing the body, so that
// intake of large raw messages stays cheap.
import addressparser from 'nodemailer/lib/addressparser/index.js';

export interface Header {
  name: string;
  /** Unfolded value, without the leading space. */
  value: string;
}

export interface SplitMessage {
  headers: Header[];
  body: Buffer;
}

/** Splits a raw message at the first empty line. A message with no body is all headers. */
export function splitMessage(raw: Buffer): SplitMessage {
  const { end, separator } = headerBlockBounds(raw);
  const headerText = raw.subarray(0, end).toString('latin1');
  const body = separator === 0 ? Buffer.alloc(0) : raw.subarray(end + separator);
  return { headers: parseHeaderBlock(headerText), body };
}

// Intake reads a message's header fields, and storing its Send event reads them again from the
// same bytes (store/mail-from-message.ts): parsed once per Buffer. Frozen, as every reader shares them.
const parsedHeaders = new WeakMap<Buffer, readonly Header[]>();

/** The header fields of a raw message that is not changed afterwards (intake's, about to be stored). */
export function messageHeaders(raw: Buffer): readonly Header[] {
  let headers = parsedHeaders.get(raw);
  if (headers === undefined) {
    headers = Object.freeze(splitMessage(raw).headers.map((h) => Object.freeze(h)));
    parsedHeaders.set(raw, headers);
  }
  return headers;
}

/** Where a raw message's header block ends (its length in bytes, without the empty line). */
export const headerBlockEnd = (raw: Buffer): number => headerBlockBounds(raw).end;

/** The header block's end and the length of the empty line after it (0: the message is all headers). */
function headerBlockBounds(raw: Buffer): { end: number; separator: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  // A bare-LF empty line counts only before the CRLF one: looked for there, not through a body of megabytes.
  const lf = (crlf < 0 ? raw : raw.subarray(0, crlf + 1)).indexOf('\n\n');
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return { end: lf, separator: 2 };
  return crlf >= 0 ? { end: crlf, separator: 4 } : { end: raw.length, separator: 0 };
}

export function parseHeaderBlock(text: string): Header[] {
  const headers: Header[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      // A value may start on the next line (`Message-ID:` then a folded `<id>`): no space before it.
      const last = headers[headers.length - 1]!;
      last.value = last.value ? `${last.value} ${line.trim()}` : line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

export function headerValue(headers: readonly Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => isNamed(h, lower))?.value;
}

/**
 * Whether a field has this (lower-case) name, in any case. The lengths first: most fields differ
 * there, and lower-casing every name of a message for every lookup was ~1% of intake's time.
 * (Names are read as latin1, whose lower case keeps a name's length.)
 */
export const isNamed = (header: Header, lowerName: string): boolean => header.name.length === lowerName.length && header.name.toLowerCase() === lowerName;

/** Rebuilds a message from headers and body with CRLF line ends in the header block. */
export function joinMessage(headers: Header[], body: Buffer): Buffer {
  const block = headers.map((h) => `${h.name}: ${h.value}\r\n`).join('') + '\r\n';
  return Buffer.concat([Buffer.from(block, 'latin1'), body]);
}

/**
 * Splits an address-list header (`a@x, "B, Jr" <b@y>`) into its addresses, with Nodemailer's RFC 5322
 * address-list parser: a group (`Team: a@x, b@y;`, `undisclosed-recipients:;`) gives its members,
 * an empty group none. Each address comes back as `address` or `name <address>`, the name quoted
 * only when it must be (as SES writes commonHeaders: `"Sender Name" <a@x>` becomes `Sender Name <a@x>`).
 */
export function splitAddressList(value: string): string[] {
  let addresses = splitLists.get(value);
  if (addresses === undefined) {
    addresses = addressparser(value, { flatten: true }).map(({ name, address }) => (name ? `${displayName(name)} <${address}>` : address));
    if (value.length <= SPLIT_LIST_MAX_CHARS) {
      if (splitLists.size >= SPLIT_LISTS) splitLists.clear();
      splitLists.set(value, addresses);
    }
  }
  return addresses.slice();
}

// The lists split lately, by header value: a send splits its From and To two or three times (the
// sender's checks, the event's commonHeaders), and the next send from the same sender splits the same
// From again. Nodemailer's parser made ~13 kB of garbage a SendEmail. Bounded in count and length.
const SPLIT_LISTS = 512;
const SPLIT_LIST_MAX_CHARS = 1000;
const splitLists = new Map<string, string[]>();

// RFC 5322's specials, controls and 8-bit characters: a display name holding any of them is quoted.
const NEEDS_QUOTES = /[()<>[\]:;@\\,."\x00-\x1f\x7f-\uffff]/;

const displayName = (name: string): string => (NEEDS_QUOTES.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name);

/** An RFC 5322 Date header value (`Sun, 22 Nov 2026 10:32:00 +0000`). */
export const rfc5322Date = (date: Date): string => date.toUTCString().replace('GMT', '+0000');
