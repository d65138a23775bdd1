// The Handlebars engine of SES templates, through the render threads every caller uses.
import { describe, expect, it } from 'vitest';
import { substitute } from '../../../src/intake/inline-template.js';
import { checkTemplateSyntax, MAX_NESTING, renderTemplate, RenderPool, TemplateRenderingError } from '../../../src/domain/templates/render.js';

describe('renderTemplate', () => {
  it('renders every part with nested paths, #if, #unless, #each and #with', async () => {
    const out = await renderTemplate(
      {
        subject: 'Hi {{user.name}}',
        text: '{{#if vip}}VIP {{/if}}{{#unless admin}}guest {{/unless}}{{#each items}}{{@index}}:{{this.name}} {{/each}}',
        html: '{{#with user}}<b>{{name}}</b>{{/with}}',
      },
      { user: { name: 'Ana' }, vip: true, items: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(out).toEqual({ subject: 'Hi Ana', text: 'VIP guest 0:a 1:b ', html: '<b>Ana</b>' });
  });

  it('does not escape HTML, as SES does not', async () => {
    expect((await renderTemplate({ html: '<p>{{x}}</p>' }, { x: '<script>&"' })).html).toBe('<p><script>&"</p>');
  });

  it("leaves SES's own placeholders (unsubscribe link, open image) for the steps that fill them, stored and inline templates alike", async () => {
    const html = '<p>{{name}}</p>{{ses:openTracker}}<a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a>';
    const kept = '<p>Bo</p>{{ses:openTracker}}<a href="{{amazonSESUnsubscribeUrl}}">unsubscribe</a>';
    expect((await renderTemplate({ html }, { name: 'Bo' })).html).toBe(kept);
    expect(substitute(html, { name: 'Bo' })).toBe(kept);
  });

  it('uses inline partials', async () => {
    expect((await renderTemplate({ text: '{{#*inline "greet"}}Hello {{name}}{{/inline}}{{> greet}}!' }, { name: 'Bo' })).text).toBe('Hello Bo!');
  });

  it('gives empty strings for parts the template does not have', async () => {
    expect(await renderTemplate({ subject: 'only' }, {})).toEqual({ subject: 'only', text: '', html: '' });
  });

  it.each([
    ['a missing attribute', 'Hi {{name}}', {}, 'name'],
    ['a null attribute', 'Hi {{name}}', { name: null }, 'name'],
    ['a missing nested attribute', 'In {{a.b.c}}', { a: { b: {} } }, 'a.b.c'],
    ['a missing attribute on a later line', 'line one\n  {{ who }}', {}, 'who'],
    ['a missing attribute inside #each', '{{#each xs}}{{n}}{{/each}}', { xs: [{}] }, 'n'],
  ])('refuses %s, naming it', async (_name, subject, data, attribute) => {
    const err = await renderTemplate({ subject }, data).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateRenderingError);
    expect(err).toMatchObject({
      message: `Attribute '${attribute}' is not present in the rendering data.`,
      code: 'BadRequestException',
      queryCode: 'MissingRenderingAttribute',
      reason: 'missing-attribute',
    });
  });

  it('lets blocks test attributes that are absent', async () => {
    expect((await renderTemplate({ text: '{{#if coupon}}code {{coupon}}{{else}}none{{/if}}' }, {})).text).toBe('none');
  });

  it('renders missing attributes as empty strings when asked to', async () => {
    expect((await renderTemplate({ subject: 'Hi {{name}}!' }, {}, { missing: 'empty' })).subject).toBe('Hi !');
  });
});

describe('checkTemplateSyntax', () => {
  it('accepts a template whose partials are defined inline', async () => {
    await expect(checkTemplateSyntax({ html: '{{#*inline "p"}}x{{/inline}}{{> p}}', text: 'plain' })).resolves.toBeUndefined();
  });

  it('refuses Handlebars syntax errors and undefined partials as InvalidTemplate', async () => {
    await expect(checkTemplateSyntax({ subject: '{{#each x}}' })).rejects.toThrow(/^Invalid subject: Parse error on line 1/);
    await expect(checkTemplateSyntax({ text: '{{> nowhere}}' })).rejects.toMatchObject({
      message: 'Invalid text: the partial nowhere could not be found.',
      queryCode: 'InvalidTemplate',
    });
  });
});

describe('template bounds', () => {
  const nestedIfs = (depth: number) => '{{#if a}}'.repeat(depth) + 'x' + '{{/if}}'.repeat(depth);

  it(`accepts blocks nested ${MAX_NESTING} deep and refuses one level more before parsing it`, async () => {
    await expect(checkTemplateSyntax({ html: nestedIfs(MAX_NESTING) })).resolves.toBeUndefined();
    await expect(checkTemplateSyntax({ html: nestedIfs(MAX_NESTING + 1) })).rejects.toMatchObject({
      message: `Invalid html: blocks nest deeper than ${MAX_NESTING} levels.`,
      queryCode: 'InvalidTemplate',
    });
    // 10,000 deep took 62 s of the event loop to parse; now it is refused in one pass over the text.
    const started = Date.now();
    await expect(renderTemplate({ text: nestedIfs(10_000) }, { a: 1 })).rejects.toThrow(/nest deeper than/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('counts subexpressions and inverse blocks, but not else', async () => {
    const sub = `{{x ${'(y '.repeat(MAX_NESTING + 1)}${')'.repeat(MAX_NESTING + 1)}}}`;
    await expect(checkTemplateSyntax({ text: sub })).rejects.toThrow(/nest deeper than/);
    const inverse = '{{^a}}'.repeat(MAX_NESTING + 1) + '{{/a}}'.repeat(MAX_NESTING + 1);
    await expect(checkTemplateSyntax({ text: inverse })).rejects.toThrow(/nest deeper than/);
    const elses = '{{#if a}}x{{else}}y{{/if}}{{#if b}}x{{^}}y{{/if}}'.repeat(MAX_NESTING);
    await expect(checkTemplateSyntax({ text: elses })).resolves.toBeUndefined();
  });

  it('refuses a rendered template larger than SES\'s largest message (40 MB)', async () => {
    // Inline partials that double 20 times: 80 bytes become 84 MB.
    let source = `{{#*inline "p0"}}${'x'.repeat(80)}{{/inline}}`;
    for (let i = 1; i <= 20; i++) source += `{{#*inline "p${i}"}}{{> p${i - 1}}}{{> p${i - 1}}}{{/inline}}`;
    const err = await renderTemplate({ text: `${source}{{> p20}}` }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateRenderingError);
    expect(err).toMatchObject({ queryCode: 'InvalidTemplate', message: expect.stringMatching(/larger than the maximum message size|longer than|more memory/) });
    expect((await renderTemplate({ text: '{{#*inline "p"}}ok{{/inline}}{{> p}}' }, {})).text).toBe('ok');
  });

  it('ends a render that outlasts the time limit, and the pool goes on rendering', async () => {
    const pool = new RenderPool(1, 300);
    try {
      const items = Array.from({ length: 200 }, (_, i) => i);
      // 200⁴ iterations: small template, small data, unbounded work.
      const slow = '{{#each a}}{{#each @root.a}}{{#each @root.a}}{{#each @root.a}}.{{/each}}{{/each}}{{/each}}{{/each}}';
      await expect(pool.run({ op: 'render', content: { text: slow }, data: { a: items } })).rejects.toMatchObject({
        message: 'Template could not be rendered: it took longer than 0.3 s.',
        queryCode: 'InvalidTemplate',
      });
      expect(await pool.run({ op: 'render', content: { subject: 'Hi {{n}}' }, data: { n: 'Ana' } })).toEqual({ subject: 'Hi Ana', text: '', html: '' });
    } finally {
      await pool.close();
    }
  });

  it('renders {{log}} as nothing and writes nothing', async () => {
    expect((await renderTemplate({ text: 'a{{log "secret" level="error"}}b' }, {})).text).toBe('ab');
  });

  it('keeps the built-in helpers SES documents: lookup, with, each, if, unless', async () => {
    const out = await renderTemplate({ text: '{{lookup m k}} {{#with u}}{{n}}{{/with}} {{#each l}}{{this}}{{/each}} {{#if t}}y{{/if}}{{#unless f}}z{{/unless}}' }, {
      m: { a: 'A' },
      k: 'a',
      u: { n: 'N' },
      l: [1, 2],
      t: true,
      f: false,
    });
    expect(out.text).toBe('A N 12 yz');
  });
});
