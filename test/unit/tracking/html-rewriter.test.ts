import { describe, expect, it } from 'vitest';
import { isTrackableUrl, MAX_TRACKED_LINKS, parseLinkTags, rewriteHtml } from '../../../src/tracking/html-rewriter.js';

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

  it("gives each copy of one HTML part its own URLs, whatever was rewritten before (a message's copies share the parse)", () => {
    const html = `<body><p>{{ses:openTracker}}</p><a href="https://a.example/" ses:tags="k:v">a</a> <a href="https://b.example">b</a></body>`;
    const copy = (recipient: string, clicks = true) =>
      rewriteHtml(html, { openUrl: `https://t.test/o/${recipient}`, ...(clicks && { clickUrl: (i: number) => `https://t.test/c/${recipient}/${i}` }) });
    const first = copy('r1');
    expect(first).toBe(
      `<body><p><img alt="" src="https://t.test/o/r1" width="1" height="1" style="display:none;width:1px;height:1px;border:0" /></p>` +
        `<a href="https://t.test/c/r1/0">a</a> <a href="https://t.test/c/r1/1">b</a></body>`,
    );
    expect(copy('r2')).toBe(first.replaceAll('/r1', '/r2'));
    // Clicks off: the hrefs stay as written (ses:tags still goes).
    expect(copy('r3', false)).toBe(
      `<body><p><img alt="" src="https://t.test/o/r3" width="1" height="1" style="display:none;width:1px;height:1px;border:0" /></p>` +
        `<a href="https://a.example/">a</a> <a href="https://b.example">b</a></body>`,
    );
    expect(rewriteHtml('<p>other</p>', {})).toBe('<p>other</p>');
    expect(copy('r1')).toBe(first);
  });

  it('escapes the tracking URL for the attribute', () => {
    expect(rewriteHtml(`<a href="https://a.example">a</a>`, { clickUrl: click })).toContain('&amp;t=');
  });

  it('puts the open image before </body>, or at the end without one', () => {
    expect(rewriteHtml(`<html><body><p>x</p></BODY></html>`, { openUrl: 'https://t.test/o' })).toMatch(/<p>x<\/p><img alt="" src="https:\/\/t\.test\/o"[^>]*\/><\/BODY><\/html>$/);
    expect(rewriteHtml(`<p>x</p>`, { openUrl: 'https://t.test/o' })).toMatch(/^<p>x<\/p><img [^>]*src="https:\/\/t\.test\/o"/);
  });

  it('puts the open image in place of the first {{ses:openTracker}} and removes the others (no image at the end then)', () => {
    const out = rewriteHtml(`<body><p>{{ses:openTracker}}Hi</p><p>x{{ses:openTracker}}</p>{{ses:openTracker}}</body>`, { openUrl: 'https://t.test/o' });
    expect(out).toMatch(/^<body><p><img alt="" src="https:\/\/t\.test\/o"[^>]*\/>Hi<\/p><p>x<\/p><\/body>$/);
  });

  it('with opens off, removes every {{ses:openTracker}} and adds no image', () => {
    const html = `<p>{{ses:openTracker}}<a href="https://a.example">a</a>{{ses:openTracker}}</p>`;
    expect(rewriteHtml(html, { clickUrl: (i) => `https://t.test/c/${i}` })).toBe(`<p><a href="https://t.test/c/0">a</a></p>`);
    expect(rewriteHtml(html, {})).toBe(`<p><a href="https://a.example">a</a></p>`);
  });

  it('a {{ses:openTracker}} inside a tag is removed but does not take the image; one inside a tracked link goes with it', () => {
    const links: string[] = [];
    const out = rewriteHtml(`<p title="{{ses:openTracker}}"><a href="https://a.example/{{ses:openTracker}}">a</a></p>`, {
      openUrl: 'https://t.test/o',
      clickUrl: (i, l) => (links.push(l.url), `https://t.test/c/${i}`),
    });
    expect(out).toMatch(/^<p title="">.*<\/p><img alt="" src="https:\/\/t\.test\/o"[^>]*\/>$/);
    expect(out).not.toContain('openTracker');
    expect(links).toEqual([]); // `{` and `}` are not RFC 3986 characters: the link is not tracked, only the placeholder removed
    expect(out).toContain('<a href="https://a.example/">a</a>');
  });

  it('puts no image in a {{ses:openTracker}} inside script, style, title or textarea (their text is not shown)', () => {
    const out = rewriteHtml('<html><head><title>{{ses:openTracker}}</title><style>/*{{ses:openTracker}}*/</style></head><body><script>var a="{{ses:openTracker}}"</script><p>{{ses:openTracker}}hi</p></body></html>', {
      openUrl: 'https://t.test/o',
    });
    expect(out).toMatch(/^<html><head><title><\/title><style>\/\*\*\/<\/style><\/head><body><script>var a=""<\/script><p><img alt="" src="https:\/\/t\.test\/o"[^>]*\/>hi<\/p>/);
  });

  it(`tracks the first ${MAX_TRACKED_LINKS} links and leaves the rest as written`, () => {
    const html = Array.from({ length: MAX_TRACKED_LINKS + 2 }, (_, i) => `<a href="https://a.example/${i}">${i}</a>`).join('');
    const out = rewriteHtml(html, { clickUrl: (i) => `https://t.test/c/${i}` });
    const hrefs = [...out.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(hrefs.slice(0, MAX_TRACKED_LINKS)).toEqual(Array.from({ length: MAX_TRACKED_LINKS }, (_, i) => `https://t.test/c/${i}`));
    expect(hrefs.slice(MAX_TRACKED_LINKS)).toEqual([`https://a.example/${MAX_TRACKED_LINKS}`, `https://a.example/${MAX_TRACKED_LINKS + 1}`]);
  });

  it('leaves a link that is not a valid RFC 3986 URI as written; untracked links do not use up the 250', () => {
    const html = `<a href="http://www.example.com/path/to/page?name=John Doe">x</a> <a href="http://www.example.com/path/to/page?name=John%20Doe">y</a>`;
    expect(rewriteHtml(html, { clickUrl: (i) => `https://t.test/c/${i}` })).toBe(
      `<a href="http://www.example.com/path/to/page?name=John Doe">x</a> <a href="https://t.test/c/0">y</a>`,
    );
  });

  it('with clicks off, leaves links as they are (but still drops the SES attributes)', () => {
    expect(rewriteHtml(`<a href="https://a.example" ses:no-track>a</a>`, { openUrl: undefined })).toBe(`<a href="https://a.example">a</a>`);
  });
});

describe('isTrackableUrl', () => {
  it('takes absolute http(s) URLs written with RFC 3986 characters only', () => {
    for (const ok of ['https://a.example', 'HTTP://a.example/p?q=1&r=a%20b#f', "https://a.example/!$'()*+,;=:@-._~", 'http://[::1]:8080/']) expect(isTrackableUrl(ok), ok).toBe(true);
    for (const bad of [
      'http://www.example.com/path/to/page?name=John Doe',
      'https://a.example/<x>',
      'https://a.example/"',
      'https://a.example/{x}',
      'https://a.example/a|b',
      'https://a.example/a\\b',
      'https://a.example/a^b',
      'https://a.example/a`b',
      'https://a.example/café',
      'https://a.example/%zz',
      'https://a.example/50%',
      'https://a.example/\tx',
      'mailto:m@a.example',
      'ftp://a.example/',
      'https://',
      'https:///x',
      '/relative',
    ])
      expect(isTrackableUrl(bad), bad).toBe(false);
  });
});

describe('parseLinkTags', () => {
  it('reads k:v pairs separated by semicolons, skipping malformed ones', () => {
    expect(parseLinkTags('a:1;b:2;;noval;:x;a:3')).toEqual({ a: ['1', '3'], b: ['2'] });
    expect(parseLinkTags(undefined)).toEqual({});
  });

  it('keeps only names and values of 0-9, A-Z, a-z, - and _ (SES\'s characters); drops other pairs, keeps the rest', () => {
    expect(parseLinkTags('Campaign_1:spring-2024;sp ace:x;k:v v;dot.ted:x;k2:a.b;k3:;k4:é;ok:Yes;a:b:c')).toEqual({ Campaign_1: ['spring-2024'], ok: ['Yes'] });
  });
});
