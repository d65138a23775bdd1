// Inline TemplateContent supports simple substitution only, as SES documents: `{{name}}` and
// `{{a.b}}` are replaced by values from TemplateData; anything else (#if, #each, partials, helpers)
// is refused, as SES refuses it. SES's own placeholders ({{amazonSESUnsubscribeUrl}}) are left for
// the step that fills them.
import { invalidParameter } from '../domain/errors.js';
import { isSesPlaceholder } from '../domain/templates/ses-placeholders.js';

/** A name or dotted path: what inline templates substitute. */
const PATH = String.raw`[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*`;
const PLACEHOLDER = new RegExp(String.raw`^\{\{\s*${PATH}\s*\}\}$`);
const PLACEHOLDERS = new RegExp(String.raw`\{\{\s*(${PATH})\s*\}\}`, 'g');

/**
 * Refuses inline content that asks for more than substitution (SES's own placeholders, such as
 * `{{ses:openTracker}}`, are not operations): a block, an else, a partial, a comment, a helper, a
 * triple-stash. SES answers the whole call BadRequestException "Template
 * contains unsupported operations." (an SES v2 SendBulkEmail with `{{#if var}}{{var}}{{/if}}`,
 * answer pasted in aws/aws-sdk-js-v3#6657); sending it as text instead would pass here and fail there.
 */
export function checkInlineTemplate(parts: readonly (string | undefined)[]): void {
  for (const part of parts) {
    for (const mustache of mustaches(part ?? '')) {
      if (!PLACEHOLDER.test(mustache) && !isSesPlaceholder(mustache.slice(2, -2).trim())) throw invalidParameter('Template contains unsupported operations.');
    }
  }
}

/**
 * Each `{{...}}` (or `{{{...}}}`) of `text`, found with indexOf in one pass: a regular expression for
 * it retried from every `{{` and took time quadratic in the text (7 s of event loop for 100 kB of
 * `{{`), and an inline template is as large as a request.
 */
function* mustaches(text: string): Generator<string> {
  for (let open = text.indexOf('{{'); open >= 0; ) {
    const close = text.indexOf('}}', open + 2);
    if (close < 0) return;
    const end = text[close + 2] === '}' ? close + 3 : close + 2;
    yield text.slice(open, end);
    open = text.indexOf('{{', end);
  }
}

export function substitute(template: string, data: Record<string, unknown>): string {
  return template.replace(PLACEHOLDERS, (placeholder, path: string) => {
    if (isSesPlaceholder(path) && !(path in data)) return placeholder;
    let value: unknown = data;
    for (const part of path.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
    return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
