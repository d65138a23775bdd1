import { describe, expect, it } from 'vitest';
import { parseLinkTags, rewriteHtml } from '../../../src/tracking/html-rewriter.js';

const click = (i: number, l: { url: string; tags: Record<string, string[]> }) => `https://t.test/c/${i}?u=${encodeURIComponent(l.url)}&t=${encodeURIComponent(JSON.stringify(l.tags))}`;

describe('rewriteHtml', () => {
  it('replaces only the href of http(s) links and keeps every other byte as written', () => {
    const html = `<P class=x>Hi &amp; <A HREF='https://a.example/x?a=1&amp;b=2' title="t">one</A> <a href="mailto:m@x.example">m</a> <a href="#top">top</a></P>`;
    expect(rewriteHtml(html, { clickUrl: (i) => `https://t.test/c/${i}` })).toBe(
      `<P class=x>Hi &amp; <A href="https://t.test/c/0" title="t">one</A> <a href="mailto:m@x.example">m</a> <a href="#top">top</a></P>`,
    );
  });

  it('hands the decoded link and its ses:tags to the click URL, and removes both SES attributes', () => {
    const links: { url: string; tags: Record<string, string[]> }[] = [];
    const out = rewriteHtml(`<a href=http://b.example/?q=1&amp;r=2 ses:tags="k:v; k2:v2">b</a> <a ses:no-track href="https://c.example">c</a>`, {
      clickUrl: (i, l) => (links.push(l), `https://t.test/c/${i}`),
    });
    expect(out).toBe(`<a href="https://t.test/c/0">b</a> <a href="https://c.example">c</a>`);
    expect(links).toEqual([{ url: 'http://b.example/?q=1&r=2', tags: { k: ['v'], k2: ['v2'] } }]);
  });

  it('escapes the tracking URL for the attribute', () => {
    expect(rewriteHtml(`<a href="https://a.example">a</a>`, { clickUrl: click })).toContain('&amp;t=');
  });

  it('puts the open image before </body>, or at the end without one', () => {
    expect(rewriteHtml(`<html><body><p>x</p></BODY></html>`, { openUrl: 'https://t.test/o' })).toMatch(/<p>x<\/p><img alt="" src="https:\/\/t\.test\/o"[^>]*\/><\/BODY><\/html>$/);
    expect(rewriteHtml(`<p>x</p>`, { openUrl: 'https://t.test/o' })).toMatch(/^<p>x<\/p><img [^>]*src="https:\/\/t\.test\/o"/);
  });

  it('with clicks off, leaves links as they are (but still drops the SES attributes)', () => {
    expect(rewriteHtml(`<a href="https://a.example" ses:no-track>a</a>`, { openUrl: undefined })).toBe(`<a href="https://a.example">a</a>`);
  });
});

describe('parseLinkTags', () => {
  it('reads k:v pairs separated by semicolons, skipping malformed ones', () => {
    expect(parseLinkTags('a:1;b:2;;noval;:x;a:3')).toEqual({ a: ['1', '3'], b: ['2'] });
    expect(parseLinkTags(undefined)).toEqual({});
  });
});
