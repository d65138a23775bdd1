// DKIM-Signature (RFC 6376), relaxed/relaxed, rsa-sha256, with the key kept as a parsed KeyObject:
// parsing a PEM key costs more than the signature itself, which is why nodemailer's and mailauth's
// signers (both take PEM) are not used here. Pure and synchronous, so it runs on the event loop or
// in the signing pool alike.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { isNamed, parseHeaderBlock } from '../mime/headers.js';

export interface DkimKey {
  /** The d= domain. */
  domain: string;
  selector: string;
  privateKey: KeyObject;
}

// Headers that carry the message's meaning; signed when present. From is always signed.
const SIGNED_HEADERS = [
  'from', 'sender', 'reply-to', 'subject', 'date', 'message-id', 'to', 'cc', 'mime-version', 'content-type',
  'content-transfer-encoding', 'content-id', 'content-description', 'in-reply-to', 'references',
  'list-id', 'list-help', 'list-unsubscribe', 'list-unsubscribe-post', 'list-subscribe', 'list-post', 'list-owner', 'list-archive',
  'feedback-id',
];

/** The message with a DKIM-Signature header in front. */
export function dkimSign(raw: Buffer, key: DkimKey, now = Date.now()): Buffer {
  const { headerText, body } = split(raw);
  const headers = parseHeaderBlock(headerText);
  const used = new Map<string, number>();
  const names: string[] = [];
  let canonicalHeaders = '';
  // Instances are signed from the bottom up (RFC 6376 5.4.2), one h= entry per instance.
  for (const name of SIGNED_HEADERS) {
    const instances = headers.filter((h) => isNamed(h, name));
    for (let i = instances.length - 1; i >= 0; i--) {
      names.push(name);
      canonicalHeaders += `${name}:${relaxedValue(instances[i]!.value)}\r\n`;
    }
    if (instances.length > 0) used.set(name, instances.length);
  }
  if (!used.has('from')) names.unshift('from');
  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const tags = `v=1; a=rsa-sha256; c=relaxed/relaxed; d=${key.domain}; s=${key.selector}; t=${Math.floor(now / 1000)}; h=${names.join(':')}; bh=${bodyHash};`;
  const signed = canonicalHeaders + `dkim-signature:${relaxedValue(tags)} b=`;
  const b = sign('sha256', Buffer.from(signed, 'latin1'), key.privateKey).toString('base64');
  const header = `DKIM-Signature: ${fold(tags)}\r\n\tb=${b.match(/.{1,72}/g)!.join('\r\n\t')}\r\n`;
  return Buffer.concat([Buffer.from(header, 'latin1'), raw]);
}

function split(raw: Buffer): { headerText: string; body: string } {
  const text = raw.toString('latin1');
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf < 0 && lf < 0) return { headerText: text, body: '' };
  if (lf >= 0 && (crlf < 0 || lf < crlf)) return { headerText: text.slice(0, lf), body: text.slice(lf + 2) };
  return { headerText: text.slice(0, crlf), body: text.slice(crlf + 4) };
}

/** Relaxed header value: unfolded, runs of whitespace as one space, trimmed. */
function relaxedValue(value: string): string {
  return value.replace(/\r?\n/g, '').replace(/[ \t]+/g, ' ').trim();
}

/** Relaxed body (RFC 6376 3.4.4): whitespace runs as one space, none at line ends, no trailing empty lines. */
export function relaxedBody(body: string): string {
  const lines = body.split(/\r?\n/).map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : lines.join('\r\n') + '\r\n';
}

/** Folds the tag list at its separators so no header line exceeds 78 characters. */
function fold(tags: string): string {
  let out = '';
  let line = 'DKIM-Signature: '.length;
  for (const part of tags.split(' ')) {
    if (line + part.length + 1 > 76 && out) {
      out = out.replace(/ $/, '') + '\r\n\t';
      line = 1;
    }
    out += part + ' ';
    line += part.length + 1;
  }
  return out.replace(/ $/, '');
}
