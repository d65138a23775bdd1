// Rewrites the HTML part of a tracked message as SES does: each http(s) link goes through the click
// URL, a 1×1 image for opens goes at the end of the body, and the `ses:no-track` / `ses:tags`
// attributes are taken out. htmlparser2's tokenizer reports where each attribute and tag sits in the
// source, so only those spans are replaced and every other byte of the HTML stays as written (a
// serializer would re-quote attributes, re-case tags and re-encode entities).
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

const TRACKED = /^\s*https?:\/\//i;

export function rewriteHtml(html: string, options: RewriteOptions): string {
  const edits: Edit[] = [];
  let attributes: Attribute[] | undefined;
  let bodyEnd: number | undefined;
  let index = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        attributes = name === 'a' ? [] : undefined;
      },
      onattribute(name, value) {
        attributes?.push({ name, value, start: parser.startIndex, end: parser.endIndex });
      },
      onopentag(name) {
        if (name === 'a' && attributes) rewriteAnchor(attributes);
        attributes = undefined;
      },
      onclosetag(name, isImplied) {
        if (name === 'body' && !isImplied) bodyEnd = parser.startIndex;
      },
    },
    { decodeEntities: true, lowerCaseAttributeNames: true },
  );
  parser.end(html);

  function rewriteAnchor(attrs: Attribute[]): void {
    const first = (name: string) => attrs.find((a) => a.name === name);
    const noTrack = first('ses:no-track');
    const tags = first('ses:tags');
    for (const a of attrs) if (a.name === 'ses:no-track' || a.name === 'ses:tags') edits.push({ start: withSpaceBefore(html, a.start), end: a.end, text: '' });
    const href = first('href');
    if (noTrack || !options.clickUrl || !href || !TRACKED.test(href.value)) return;
    const url = options.clickUrl(index++, { url: href.value.trim(), tags: parseLinkTags(tags?.value) });
    edits.push({ start: href.start, end: href.end, text: `href="${attributeValue(url)}"` });
  }

  if (options.openUrl) {
    const pixel = `<img alt="" src="${attributeValue(options.openUrl)}" width="1" height="1" style="display:none;width:1px;height:1px;border:0" />`;
    const at = bodyEnd ?? html.length;
    edits.push({ start: at, end: at, text: pixel });
  }
  return applyEdits(html, edits);
}

/** `k:v;k2:v2` → `{k: ['v'], k2: ['v2']}`, the shape of SES's click `linkTags`. */
export function parseLinkTags(value: string | undefined): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const pair of (value ?? '').split(';')) {
    const colon = pair.indexOf(':');
    if (colon <= 0) continue;
    const key = pair.slice(0, colon).trim();
    if (key) (tags[key] ??= []).push(pair.slice(colon + 1).trim());
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
