// Rewrites the HTML part of a tracked message as SES does: each http(s) link goes through the click
// URL (the first 250 that are valid RFC 3986 URIs, SES's limit and rule), a 1×1 image for opens goes
// in place of the first `{{ses:openTracker}}` placeholder or else at the end of the body, and the
// `ses:no-track` / `ses:tags` attributes are taken out. htmlparser2's tokenizer reports where each
// attribute and tag sits in the source, so only those spans are replaced and every other byte of the
// HTML stays as written (a serializer would re-quote attributes, re-case tags and re-encode entities).
import { Parser } from 'htmlparser2';

export interface TrackedLink {
  /** The link as the author wrote it, entities decoded (what the click redirects to). */
  url: string;
  /** From `ses:tags="k:v;k2:v2"`: the click event's linkTags. */
  tags: Record<string, string[]>;
}

export interface RewriteOptions {
  /** The tracking URL for the index-th tracked link; undefined: click tracking is off. */
  clickUrl?: (index: number, link: TrackedLink) => string;
  /** The open image's URL; undefined: open tracking is off. */
  openUrl?: string;
}

interface Attribute {
  name: string;
  value: string;
  start: number;
  /** One past the attribute's last character. */
  end: number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** SES: "The click tracking system can track a maximum of 250 links"; links after that are left as written. */
export const MAX_TRACKED_LINKS = 250;

/**
 * SES's open-image placeholder: the first one becomes the image, the others are removed. Matched as
 * written (case included). The image only goes where text goes: a placeholder inside a tag (an
 * attribute value) or a comment is removed but does not take the image, which would break the markup.
 */
export const OPEN_TRACKER = '{{ses:openTracker}}';

/** An absolute http(s) URL with a host as written (`https:///x`, which the URL parser would mend, is not). */
const TRACKED = /^https?:\/\/[^/?#]/i;
/** Elements whose content the parser reports as text but a browser does not show: no image goes there. */
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea']);

/** A tracked link's href: where it sits in the source, and what it points at. */
interface LinkSpan {
  start: number;
  end: number;
  link: TrackedLink;
}

/**
 * What rewriting an HTML part needs to know of it, whoever the copy is for: the spans that are
 * replaced the same in every copy (taken-out attributes and placeholders), the tracked links (in
 * document order, at most MAX_TRACKED_LINKS), and where the open image goes. Each recipient's copy
 * then costs its URLs and one pass over the text (applyAnalysis), not a parse.
 */
interface HtmlAnalysis {
  html: string;
  clicks: boolean;
  fixed: Edit[];
  links: LinkSpan[];
  /** The placeholder that becomes the open image, or the point it is inserted at. */
  pixel: { start: number; end: number };
}

// A message's copies (one per recipient) rewrite the same HTML one after the other, and so do
// sends of one newsletter: the last analysis is kept for the next rewrite (one HTML string stays
// referenced; each thread has its own). With a 20 KB part of 40 links, parsing it again for each
// copy was half of a 10-recipient tracked send's time on the event loop (perf).
let lastAnalysis: HtmlAnalysis | undefined;

export function rewriteHtml(html: string, options: RewriteOptions): string {
  const clicks = options.clickUrl !== undefined;
  if (lastAnalysis?.html !== html || lastAnalysis.clicks !== clicks) lastAnalysis = analyse(html, clicks);
  return applyAnalysis(lastAnalysis, options);
}

function applyAnalysis({ html, fixed, links, pixel }: HtmlAnalysis, options: RewriteOptions): string {
  const edits = [...fixed];
  const { clickUrl, openUrl } = options;
  if (clickUrl) links.forEach(({ start, end, link }, index) => edits.push({ start, end, text: `href="${attributeValue(clickUrl(index, link))}"` }));
  if (openUrl) {
    edits.push({ ...pixel, text: `<img alt="" src="${attributeValue(openUrl)}" width="1" height="1" style="display:none;width:1px;height:1px;border:0" />` });
  } else if (pixel.end > pixel.start) {
    edits.push({ ...pixel, text: '' });
  }
  return applyEdits(html, edits);
}

function analyse(html: string, clicks: boolean): HtmlAnalysis {
  const fixed: Edit[] = [];
  const links: LinkSpan[] = [];
  let attributes: Attribute[] | undefined;
  let bodyEnd: number | undefined;
  /** [start, end) of each text node in the source that shows as text (not script, style, title, textarea). */
  const texts: [number, number][] = [];
  let rawTextDepth = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        attributes = name === 'a' ? [] : undefined;
        if (RAW_TEXT.has(name)) rawTextDepth++;
      },
      onattribute(name, value) {
        attributes?.push({ name, value, start: parser.startIndex, end: parser.endIndex });
      },
      onopentag(name) {
        if (name === 'a' && attributes) readAnchor(attributes);
        attributes = undefined;
      },
      ontext() {
        if (rawTextDepth === 0) texts.push([parser.startIndex, parser.endIndex + 1]);
      },
      onclosetag(name, isImplied) {
        if (RAW_TEXT.has(name)) rawTextDepth = Math.max(0, rawTextDepth - 1);
        if (name === 'body' && !isImplied) bodyEnd = parser.startIndex;
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);

  function readAnchor(attrs: Attribute[]): void {
    const first = (name: string) => attrs.find((a) => a.name === name);
    const noTrack = first('ses:no-track');
    const tags = first('ses:tags');
    for (const a of attrs) if (a.name === 'ses:no-track' || a.name === 'ses:tags') fixed.push({ start: withSpaceBefore(html, a.start), end: a.end, text: '' });
    const href = first('href');
    if (noTrack || !clicks || !href || links.length >= MAX_TRACKED_LINKS || !isTrackableUrl(href.value.trim())) return;
    links.push({ start: href.start, end: href.end, link: { url: href.value.trim(), tags: parseLinkTags(tags?.value) } });
  }

  // Placeholders are taken out whether or not opens are tracked, so none reaches a recipient as text.
  // One inside a span already replaced (a tracked href, a removed ses:tags) goes with that span.
  const length = OPEN_TRACKER.length;
  const spans = [...fixed, ...links].map((e): [number, number] => [e.start, e.end]).sort((a, b) => a[0] - b[0]);
  const placeholders = outside(occurrences(html, OPEN_TRACKER), length, spans);
  const pixelAt = firstInside(placeholders, length, texts);
  for (const at of placeholders) if (at !== pixelAt) fixed.push({ start: at, end: at + length, text: '' });
  const insertAt = bodyEnd ?? html.length;
  const pixel = pixelAt === undefined ? { start: insertAt, end: insertAt } : { start: pixelAt, end: pixelAt + length };
  return { html, clicks, fixed, links, pixel };
}

// Placeholders, edits and text spans all come in document order: one pass over both lists each,
// so a large message with many placeholders costs linear time on the event loop.

/** The occurrences (`at`, `length` long) that overlap none of the sorted [start, end) spans. */
function outside(found: number[], length: number, spans: [number, number][]): number[] {
  const kept: number[] = [];
  let i = 0;
  for (const at of found) {
    while (i < spans.length && spans[i]![1] <= at) i++;
    if (i >= spans.length || spans[i]![0] >= at + length) kept.push(at);
  }
  return kept;
}

/** The first occurrence wholly inside one of the sorted [start, end) spans. */
function firstInside(found: number[], length: number, spans: [number, number][]): number | undefined {
  let i = 0;
  for (const at of found) {
    while (i < spans.length && spans[i]![1] < at + length) i++;
    if (i < spans.length && spans[i]![0] <= at) return at;
  }
  return undefined;
}

/** Where `needle` starts in `text`, each occurrence not overlapping the one before. */
function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}

/**
 * Characters RFC 3986 allows in a URI (unreserved, reserved and `%`); anything else (a space, `<`,
 * `>`, `"`, `{`, `}`, `|`, `\`, `^`, `` ` ``, a control character, non-ASCII) must be percent-encoded.
 */
const RFC3986_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

/**
 * Whether SES would track the link: an absolute http(s) URL that the WHATWG URL parser reads and
 * whose text, as written, keeps to RFC 3986's characters with well-formed %XX escapes. SES does not
 * track a link that is not "properly encoded" (its example: `?name=John Doe`, a raw space); browsers
 * would mend such a link silently, so sesd checks the text itself rather than what the parser makes
 * of it. (A character check, not the full RFC 3986 grammar.)
 */
export function isTrackableUrl(href: string): boolean {
  if (!TRACKED.test(href) || !RFC3986_CHARS.test(href) || BAD_PERCENT.test(href)) return false;
  try {
    new URL(href);
    return true;
  } catch {
    return false;
  }
}

/** SES: "Link tags can include the numbers 0–9, the letters A–Z (both uppercase and lowercase), hyphens (-), and underscores (_)." */
const LINK_TAG = /^[A-Za-z0-9_-]+$/;

/**
 * `k:v;k2:v2` → `{k: ['v'], k2: ['v2']}`, the shape of SES's click `linkTags`. A pair whose name or
 * value is empty or has a character outside SES's set is dropped: SES does not document what it does
 * with one, so this is sesd's choice (the rest of the link's tags are kept, and the link is tracked).
 */
export function parseLinkTags(value: string | undefined): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const pair of (value ?? '').split(';')) {
    const colon = pair.indexOf(':');
    if (colon < 0) continue;
    const key = pair.slice(0, colon).trim();
    const tagValue = pair.slice(colon + 1).trim();
    if (LINK_TAG.test(key) && LINK_TAG.test(tagValue)) (tags[key] ??= []).push(tagValue);
  }
  return tags;
}

/** A removed attribute takes the whitespace before it along, so `<a x ses:no-track>` becomes `<a x>`. */
function withSpaceBefore(html: string, start: number): number {
  let s = start;
  while (s > 0 && /\s/.test(html[s - 1]!)) s--;
  return s;
}

const attributeValue = (v: string) => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;');

function applyEdits(html: string, edits: Edit[]): string {
  if (edits.length === 0) return html;
  edits.sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += html.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + html.slice(at);
}
