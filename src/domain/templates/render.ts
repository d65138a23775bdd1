// Renders stored SES templates. SES templates are Handlebars: nested paths (`{{a.b}}`), `#if`,
// `#unless`, `#each`, `#with`, inline partials (`{{#*inline "p"}}…{{/inline}}` then `{{> p}}`), and no
// HTML escaping. A replacement tag whose attribute is missing from the data (or null) is a rendering
// failure, as SES reports it; blocks such as `#if` may test attributes that are absent.
import Handlebars from 'handlebars';
import { AwsError } from '../errors.js';

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

// Every sesd render shares one environment with no helpers or partials registered beyond the built-ins.
const handlebars = Handlebars.create();

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
    fn = handlebars.compile(source, COMPILE_OPTIONS[missing]);
    if (compiled.size >= CACHE_LIMIT) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, fn);
  }
  return fn;
}

export function renderTemplate(content: TemplateContent, data: object, options: RenderOptions = {}): RenderedTemplate {
  const missing = options.missing ?? 'fail';
  // A null attribute counts as missing in SES, so strict mode must not find it.
  const context = missing === 'fail' ? withoutNulls(data) : data;
  const render = (source: string | undefined) => (source ? renderPart(source, context, missing) : '');
  return { subject: render(content.subject), text: render(content.text), html: render(content.html) };
}

function renderPart(source: string, data: unknown, missing: 'fail' | 'empty'): string {
  try {
    return compile(source, missing)(data);
  } catch (err) {
    throw toRenderingError(err, source);
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
export function checkTemplateSyntax(content: TemplateContent): void {
  for (const [part, source] of Object.entries(content) as [string, string | undefined][]) {
    if (!source) continue;
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
