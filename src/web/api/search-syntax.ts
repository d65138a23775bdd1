// The console's search syntax, as a person types it in the search box: `from:`, `to:`, `subject:`,
// `tag:name=value`, `set:`, `status:`, `before:`/`after:` and free text, with "double quotes" around
// values that hold spaces. Pure: parses text into a MessageSearch or throws SearchSyntaxError.

export const MESSAGE_STATUSES = ['queued', 'delivered', 'deferred', 'bounced', 'complained', 'suppressed', 'unsubscribed', 'cancelled'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export interface MessageSearch {
  from: string[];
  to: string[];
  subject: string[];
  tags: { name: string; value?: string }[];
  sets: string[];
  statuses: MessageStatus[];
  /** Epoch ms: created strictly before. */
  before?: number;
  /** Epoch ms: created at or after. */
  after?: number;
  /** Words matched against subject, senders and recipients. */
  text: string[];
}

export class SearchSyntaxError extends Error {}

const KEYS = new Set(['from', 'to', 'subject', 'tag', 'set', 'status', 'before', 'after']);

export function emptySearch(): MessageSearch {
  return { from: [], to: [], subject: [], tags: [], sets: [], statuses: [], text: [] };
}

export function parseSearch(input: string): MessageSearch {
  const search = emptySearch();
  for (const token of tokens(input)) {
    const colon = token.indexOf(':');
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : '';
    if (!KEYS.has(key)) {
      search.text.push(unquote(token));
      continue;
    }
    const value = unquote(token.slice(colon + 1));
    if (!value) throw new SearchSyntaxError(`${key}: needs a value`);
    switch (key) {
      case 'from':
      case 'to':
      case 'subject':
        search[key].push(value);
        break;
      case 'set':
        search.sets.push(value);
        break;
      case 'tag': {
        const eq = value.indexOf('=');
        search.tags.push(eq < 0 ? { name: value } : { name: value.slice(0, eq), value: value.slice(eq + 1) });
        break;
      }
      case 'status': {
        const status = value.toLowerCase() as MessageStatus;
        if (!MESSAGE_STATUSES.includes(status)) throw new SearchSyntaxError(`status:${value} is not one of ${MESSAGE_STATUSES.join(', ')}`);
        search.statuses.push(status);
        break;
      }
      case 'before':
      case 'after':
        search[key] = parseTime(value, key);
        break;
    }
  }
  return search;
}

/** Whitespace-separated, except inside double quotes (`subject:"two words"` is one token). */
function tokens(input: string): string[] {
  return input.match(/(?:[^\s"]+|"[^"]*"?)+/g) ?? [];
}

function unquote(s: string): string {
  return s.replace(/"/g, '');
}

/** A date (`2026-05-01`, midnight UTC) or an ISO time (`2026-05-01T10:00:00Z`). */
function parseTime(value: string, key: string): number {
  const t = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(t)) throw new SearchSyntaxError(`${key}:${value} is not a date (YYYY-MM-DD or an ISO 8601 time)`);
  return t;
}
