// The Handlebars engine of SES templates, synchronous: it runs in the render threads
// (render-worker.ts), never on the event loop (see render.ts). SES templates are Handlebars: nested
// paths (`{{a.b}}`), `#if`, `#unless`, `#each`, `#with`, `lookup`, inline partials
// (`{{#*inline "p"}}…{{/inline}}` then `{{> p}}`), and no HTML escaping. A replacement tag whose
// attribute is missing from the data (or null) is a rendering failure, as SES reports it; blocks such
// as `#if` may test attributes that are absent. Bounds: blocks nest at most MAX_NESTING deep (deeper
// overflows the parser's stack) and a rendered template is at most MAX_RENDERED_BYTES.
import Handlebars from 'handlebars';
import { AwsError } from '../errors.js';
import { withPlaceholdersEscaped } from './ses-placeholders.js';

export interface TemplateContent {
  subject?: string;
  text?: string;
  html?: string;
}

export interface RenderedTemplate {
  subject: string;
  text: string;
  html: string;
}

export interface RenderOptions {
  /** `fail` (SES): a missing attribute raises; `empty`: it renders as an empty string. */
  missing?: 'fail' | 'empty';
  /**
   * `first-value` (Pinpoint): a list renders as its first value, while `#each` walks all of it.
   * Data reaches the render threads as a structured clone, which keeps arrays but not their classes.
   */
  lists?: 'first-value';
}

class FirstValueList extends Array<unknown> {
  override toString(): string {
    return this.length > 0 ? String(this[0]) : '';
  }
}

function withFirstValueLists(value: unknown): unknown {
  if (Array.isArray(value)) return FirstValueList.from(value, withFirstValueLists);
  if (value === null || typeof value !== 'object') return value;
  for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = withFirstValueLists(v);
  return value;
}

/**
 * Why a template could not be rendered. It is an AwsError so TestRenderEmailTemplate can answer it
 * as is (BadRequestException; SES v1 names `MissingRenderingAttribute` or `InvalidTemplate`); the send
 * path turns it into a Rendering Failure event instead.
 */
export class TemplateRenderingError extends AwsError {
  constructor(
    message: string,
    readonly reason: 'missing-attribute' | 'invalid-template',
  ) {
    super('BadRequestException', message, 400, true, reason === 'missing-attribute' ? 'MissingRenderingAttribute' : 'InvalidTemplate');
    this.name = 'TemplateRenderingError';
  }
}

// Every sesd render shares one environment with no partials and the built-in helpers SES documents
// (it points at Handlebars' built-ins). `log` writes to the console of whoever renders: in SES that is
// SES's own log, which no sender sees; here it would write into sesd's output, so it renders nothing.
const handlebars = Handlebars.create();
handlebars.registerHelper('log', () => '');

/** Deepest nesting of blocks and subexpressions a template may have. */
export const MAX_NESTING = 100;
/** A rendered template (subject, text and html) is at most SES's largest message (SES v2, SMTP: 40 MB). */
export const MAX_RENDERED_BYTES = 40 * 1024 * 1024;

const COMPILE_OPTIONS = {
  fail: { noEscape: true, strict: true },
  empty: { noEscape: true, strict: false },
} as const;

// Bulk sends render the same template for every destination: keep the compiled functions.
const CACHE_LIMIT = 500;
const compiled = new Map<string, HandlebarsTemplateDelegate>();

function compile(source: string, missing: 'fail' | 'empty'): HandlebarsTemplateDelegate {
  const key = `${missing}\0${source}`;
  let fn = compiled.get(key);
  if (!fn) {
    fn = handlebars.compile(withoutNewlineAfterInlinePartials(handlebars.parse(withPlaceholdersEscaped(source))), COMPILE_OPTIONS[missing]);
    if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, fn);
  }
  return fn;
}

/**
 * SES's guide: "The newline character (\n) is required to separate the {{inline}} block from the
 * content in your template. The newline isn't rendered in the final output." Handlebars renders it
 * when `{{/inline}}` shares its line with the partial's content (the block is not "standalone"), so
 * the content right after an inline partial definition loses one leading line break, unless
 * Handlebars' own whitespace rules already took it (`rightStripped`).
 */
function withoutNewlineAfterInlinePartials(program: hbs.AST.Program): hbs.AST.Program {
  program.body.forEach((node, i) => {
    const next = program.body[i + 1] as (hbs.AST.ContentStatement & { rightStripped?: boolean }) | undefined;
    if (node.type === 'DecoratorBlock' && next?.type === 'ContentStatement' && !next.rightStripped) next.value = next.value.replace(/^\r?\n/, '');
  });
  return program;
}

export function renderTemplateNow(content: TemplateContent, data: object, options: RenderOptions = {}): RenderedTemplate {
  const missing = options.missing ?? 'fail';
  // A null attribute counts as missing in SES, so strict mode must not find it.
  const given = options.lists === 'first-value' ? withFirstValueLists(data) : data;
  const context = missing === 'fail' ? withoutNulls(given) : given;
  let size = 0;
  const render = (source: string | undefined) => {
    if (!source) return '';
    const out = renderPart(source, context, missing);
    size += out.length;
    if (size > MAX_RENDERED_BYTES) throw tooLarge();
    return out;
  };
  const rendered = { subject: render(content.subject), text: render(content.text), html: render(content.html) };
  // Lengths count UTF-16 units, a lower bound of the bytes: check the bytes once the units fit.
  const bytes = Buffer.byteLength(rendered.subject) + Buffer.byteLength(rendered.text) + Buffer.byteLength(rendered.html);
  if (bytes > MAX_RENDERED_BYTES) throw tooLarge();
  return rendered;
}

const tooLarge = () =>
  new TemplateRenderingError(`Rendered template is larger than the maximum message size of ${MAX_RENDERED_BYTES} bytes.`, 'invalid-template');

function renderPart(source: string, data: unknown, missing: 'fail' | 'empty'): string {
  checkNesting(source);
  try {
    return compile(source, missing)(data);
  } catch (err) {
    throw toRenderingError(err, source);
  }
}

/**
 * Refuses a template whose blocks or subexpressions nest deeper than MAX_NESTING before Handlebars
 * parses it (its parser recurses per level). Counts every opening and closing of a block (`{{#`,
 * `{{^name`, `{{/`, with `~`) and parenthesis inside a tag, in one pass over the source.
 */
export function checkNesting(source: string, part = 'template'): void {
  let blocks = 0;
  let parens = 0;
  let inTag = false;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (!inTag) {
      if (c !== 0x7b || source.charCodeAt(i + 1) !== 0x7b) continue;
      inTag = true;
      i += 1;
      while (source[i + 1] === '{' || source[i + 1] === '~') i++;
      const sigil = source[i + 1];
      if (sigil === '#' || (sigil === '^' && !/^\^\s*~?\}\}/.test(source.slice(i + 1, i + 6)))) blocks++;
      else if (sigil === '/') blocks--;
    } else if (c === 0x7d && source.charCodeAt(i + 1) === 0x7d) {
      // A parenthesis in a string literal must not count beyond its tag.
      inTag = false;
      parens = 0;
      i += 1;
    } else if (c === 0x28) parens++;
    else if (c === 0x29) parens--;
    if (blocks + parens > MAX_NESTING) {
      throw new TemplateRenderingError(`Invalid ${part}: blocks nest deeper than ${MAX_NESTING} levels.`, 'invalid-template');
    }
  }
}

function toRenderingError(err: unknown, source: string): TemplateRenderingError {
  const message = err instanceof Error ? err.message : String(err);
  const notDefined = /^"([^"]*)" not defined in/.exec(message);
  if (notDefined) {
    const at = /- (\d+):(\d+)$/.exec(message);
    const path = at ? pathAt(source, Number(at[1]), Number(at[2])) : undefined;
    return new TemplateRenderingError(`Attribute '${path ?? notDefined[1]}' is not present in the rendering data.`, 'missing-attribute');
  }
  return new TemplateRenderingError(`Template could not be rendered: ${firstAndLastLine(message)}`, 'invalid-template');
}

/** Handlebars parse errors quote the source between where and what; the quote reads badly in one line. */
function firstAndLastLine(message: string): string {
  const lines = message.split('\n');
  return lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : message;
}

/** The whole path expression (`a.b.c`) at a Handlebars error location (1-based line, 0-based column). */
function pathAt(source: string, line: number, column: number): string | undefined {
  const text = source.split('\n')[line - 1];
  return text === undefined ? undefined : /^[^\s}()]+/.exec(text.slice(column))?.[0];
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/**
 * Checks that a template can be compiled before it is stored, as SES does on create and update:
 * Handlebars syntax, and partials that are referenced but not defined inline in the same part.
 */
export function checkTemplateSyntaxNow(content: TemplateContent): void {
  for (const [part, source] of Object.entries(content) as [string, string | undefined][]) {
    if (!source) continue;
    checkNesting(source, part);
    let program: hbs.AST.Program;
    try {
      program = handlebars.parse(source);
    } catch (err) {
      throw new TemplateRenderingError(`Invalid ${part}: ${firstAndLastLine((err as Error).message)}`, 'invalid-template');
    }
    const { defined, used } = partials(program);
    const undefinedPartial = [...used].find((name) => !defined.has(name));
    if (undefinedPartial !== undefined) {
      throw new TemplateRenderingError(`Invalid ${part}: the partial ${undefinedPartial} could not be found.`, 'invalid-template');
    }
  }
}

function partials(program: hbs.AST.Program): { defined: Set<string>; used: Set<string> } {
  const defined = new Set<string>();
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const n = node as { type?: string; name?: { original?: unknown }; params?: { original?: unknown }[] };
    if (n.type === 'DecoratorBlock' && n.params?.[0]?.original !== undefined) defined.add(String(n.params[0].original));
    if ((n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') && typeof n.name?.original === 'string') used.add(n.name.original);
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') visit(child);
  };
  visit(program);
  return { defined, used };
}
