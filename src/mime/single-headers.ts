// The header fields SES lets a raw message name at most once, and its refusals: SES answers a
// second one with "Duplicate header 'X'." and a field without a name with "Empty header names are
// illegal." (InvalidParameterValue; over SMTP 554 Transaction failed). The list is SES's, from its
// developer guide's "Amazon SES header fields"; any other field (Received, X-*) may repeat.
import { invalidParameter } from '../domain/errors.js';
import { headerBlockEnd, type Header } from './headers.js';

const SINGLE_FIELDS = new Set(
  [
    'Accept-Language', 'acceptLanguage', 'Archived-At', 'Auto-Submitted', 'Bounces-to', 'Comments', 'Content-Alternative',
    'Content-Base', 'Content-Class', 'Content-Description', 'Content-Disposition', 'Content-Duration', 'Content-ID',
    'Content-Language', 'Content-Length', 'Content-Location', 'Content-MD5', 'Content-Transfer-Encoding', 'Content-Type',
    'Date', 'Delivered-To', 'Disposition-Notification-Options', 'Disposition-Notification-To', 'DKIM-Signature',
    'DomainKey-Signature', 'Errors-To', 'From', 'Importance', 'In-Reply-To', 'Keywords', 'List-Archive', 'List-Help',
    'List-Id', 'List-Owner', 'List-Post', 'List-Subscribe', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'Message-Context',
    'Message-ID', 'MIME-Version', 'Organization', 'Original-From', 'Original-Message-ID', 'Original-Recipient',
    'Original-Subject', 'Precedence', 'Priority', 'References', 'Reply-To', 'Return-Path', 'Return-Receipt-To', 'Sender',
    'Solicitation', 'Sensitivity', 'Subject', 'Thread-Index', 'Thread-Topic', 'User-Agent', 'VBR-Info',
  ].map((name) => name.toLowerCase()),
);

/** Refuses a raw message as SES does: a nameless header field, or a second one of a field that may appear once. */
export function checkHeaderFields(raw: Buffer, headers: Header[]): void {
  const block = raw.subarray(0, headerBlockEnd(raw)).toString('latin1');
  if (/(^|\n):/.test(block)) throw invalidParameter('Empty header names are illegal.');
  const seen = new Set<string>();
  for (const { name } of headers) {
    const lower = name.toLowerCase();
    if (!SINGLE_FIELDS.has(lower)) continue;
    if (seen.has(lower)) throw invalidParameter(`Duplicate header '${name}'.`);
    seen.add(lower);
  }
}
