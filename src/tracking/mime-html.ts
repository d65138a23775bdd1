// Raw mail (SendRawEmail, SMTP): finds the text/html parts of a MIME message, walking multiparts,
// and hands each one's decoded HTML to a rewriter. A rewritten part is re-encoded as UTF-8
// quoted-printable; every other byte of the message (other parts, boundaries, preamble) is kept as
// it came. Parts it cannot read faithfully (an attachment, a charset other than UTF-8/ASCII, an
// unknown transfer encoding) are left untouched, as is the whole message when nothing changed.
import qp from 'nodemailer/lib/qp/index.js';
import { headerValue as header, joinMessage, splitMessage, type Header } from '../mime/headers.js';
import { qpEncode } from '../mime/compose-text.js';

const MAX_DEPTH = 32;
const LINE_LENGTH = 76;

export function rewriteHtmlParts(raw: Buffer, rewrite: (html: string) => string): Buffer {
  const { headers, body } = splitMessage(raw);
  const out = rewriteEntity(headers, body.toString('latin1'), rewrite, 0);
  return out === undefined ? raw : joinMessage(out.headers, Buffer.from(out.body, 'latin1'));
}

/** The entity with its HTML rewritten, or undefined when nothing in it changed. Bodies are latin1 strings (one char per byte). */
function rewriteEntity(headers: Header[], body: string, rewrite: (html: string) => string, depth: number): { headers: Header[]; body: string } | undefined {
  const contentType = header(headers, 'content-type') ?? 'text/plain';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType.startsWith('multipart/')) {
    const boundary = parameter(contentType, 'boundary');
    if (!boundary || depth >= MAX_DEPTH) return undefined;
    const multipart = rewriteMultipart(body, boundary, rewrite, depth);
    return multipart === undefined ? undefined : { headers, body: multipart };
  }
  if (mediaType !== 'text/html' || /^\s*attachment/i.test(header(headers, 'content-disposition') ?? '')) return undefined;
  const charset = (parameter(contentType, 'charset') ?? 'us-ascii').toLowerCase();
  if (!['utf-8', 'utf8', 'us-ascii', 'ascii'].includes(charset)) return undefined;
  const decoded = decode(body, (header(headers, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase());
  if (decoded === undefined) return undefined;
  const html = decoded.toString('utf8');
  const rewritten = rewrite(html);
  if (rewritten === html) return undefined;
  const kept = headers.filter((h) => !/^content-(type|transfer-encoding)$/i.test(h.name));
  return {
    headers: [...kept, { name: 'Content-Type', value: 'text/html; charset=utf-8' }, { name: 'Content-Transfer-Encoding', value: 'quoted-printable' }],
    body: endLikeBefore(qp.wrap(qpEncode(Buffer.from(rewritten, 'utf8')), LINE_LENGTH), body),
  };
}

/** Rewrites the parts between the boundary lines; the boundary lines, preamble and epilogue stay as they are. */
function rewriteMultipart(body: string, boundary: string, rewrite: (html: string) => string, depth: number): string | undefined {
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const marks = [...body.matchAll(delimiter)];
  let changed = false;
  let out = body.slice(0, marks[0]?.index ?? body.length);
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i]!;
    const start = mark.index + mark[0].length;
    const end = i + 1 < marks.length ? marks[i + 1]!.index : body.length;
    let part = body.slice(start, end);
    if (!mark[1] && i + 1 < marks.length) {
      const { headers, body: partBody } = splitMessage(Buffer.from(part, 'latin1'));
      const rewritten = rewriteEntity(headers, partBody.toString('latin1'), rewrite, depth + 1);
      if (rewritten) {
        part = joinMessage(rewritten.headers, Buffer.from(rewritten.body, 'latin1')).toString('latin1');
        changed = true;
      }
    }
    out += mark[0] + part;
  }
  return changed ? out : undefined;
}

/** Ends the encoded part with a line break when the original did (the boundary that follows may need it). */
const endLikeBefore = (encoded: string, before: string) => (/\r?\n$/.test(before) && !/\r?\n$/.test(encoded) ? `${encoded}\r\n` : encoded);

function decode(body: string, encoding: string): Buffer | undefined {
  if (encoding === '7bit' || encoding === '8bit' || encoding === 'binary') return Buffer.from(body, 'latin1');
  if (encoding === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const soft = body.replace(/=[ \t]*\r?\n/g, '');
    return Buffer.from(soft.replace(/=([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
  }
  return undefined;
}

/** A Content-Type parameter, quoted or not. */
function parameter(value: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}
