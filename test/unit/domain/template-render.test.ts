import { describe, expect, it } from 'vitest';
import { checkTemplateSyntax, renderTemplate, TemplateRenderingError } from '../../../src/domain/templates/render.js';

describe('renderTemplate', () => {
  it('renders every part with nested paths, #if, #unless, #each and #with', () => {
    const out = renderTemplate(
      {
        subject: 'Hi {{user.name}}',
        text: '{{#if vip}}VIP {{/if}}{{#unless admin}}guest {{/unless}}{{#each items}}{{@index}}:{{this.name}} {{/each}}',
        html: '{{#with user}}<b>{{name}}</b>{{/with}}',
      },
      { user: { name: 'Ana' }, vip: true, items: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(out).toEqual({ subject: 'Hi Ana', text: 'VIP guest 0:a 1:b ', html: '<b>Ana</b>' });
  });

  it('does not escape HTML, as SES does not', () => {
    expect(renderTemplate({ html: '<p>{{x}}</p>' }, { x: '<script>&"' }).html).toBe('<p><script>&"</p>');
  });

  it('uses inline partials', () => {
    expect(renderTemplate({ text: '{{#*inline "greet"}}Hello {{name}}{{/inline}}{{> greet}}!' }, { name: 'Bo' }).text).toBe('Hello Bo!');
  });

  it('gives empty strings for parts the template does not have', () => {
    expect(renderTemplate({ subject: 'only' }, {})).toEqual({ subject: 'only', text: '', html: '' });
  });

  it.each([
    ['a missing attribute', 'Hi {{name}}', {}, 'name'],
    ['a null attribute', 'Hi {{name}}', { name: null }, 'name'],
    ['a missing nested attribute', 'In {{a.b.c}}', { a: { b: {} } }, 'a.b.c'],
    ['a missing attribute on a later line', 'line one\n  {{ who }}', {}, 'who'],
    ['a missing attribute inside #each', '{{#each xs}}{{n}}{{/each}}', { xs: [{}] }, 'n'],
  ])('refuses %s, naming it', (_name, subject, data, attribute) => {
    const render = () => renderTemplate({ subject }, data);
    expect(render).toThrow(TemplateRenderingError);
    expect(render).toThrow(`Attribute '${attribute}' is not present in the rendering data.`);
    try {
      render();
    } catch (err) {
      expect(err).toMatchObject({ code: 'BadRequestException', queryCode: 'MissingRenderingAttribute', reason: 'missing-attribute' });
    }
  });

  it('lets blocks test attributes that are absent', () => {
    expect(renderTemplate({ text: '{{#if coupon}}code {{coupon}}{{else}}none{{/if}}' }, {}).text).toBe('none');
  });

  it('renders missing attributes as empty strings when asked to', () => {
    expect(renderTemplate({ subject: 'Hi {{name}}!' }, {}, { missing: 'empty' }).subject).toBe('Hi !');
  });
});

describe('checkTemplateSyntax', () => {
  it('accepts a template whose partials are defined inline', () => {
    expect(() => checkTemplateSyntax({ html: '{{#*inline "p"}}x{{/inline}}{{> p}}', text: 'plain' })).not.toThrow();
  });

  it('refuses Handlebars syntax errors and undefined partials as InvalidTemplate', () => {
    expect(() => checkTemplateSyntax({ subject: '{{#each x}}' })).toThrow(/^Invalid subject: Parse error on line 1/);
    expect(() => checkTemplateSyntax({ text: '{{> nowhere}}' })).toThrow('Invalid text: the partial nowhere could not be found.');
    try {
      checkTemplateSyntax({ text: '{{> nowhere}}' });
    } catch (err) {
      expect(err).toMatchObject({ queryCode: 'InvalidTemplate' });
    }
  });
});
