// Inline TemplateContent supports simple substitution only, as SES documents: `{{name}}` and
// `{{a.b}}` are replaced by values from TemplateData; nothing else (no #if, #each, partials).
// SES's own placeholders ({{amazonSESUnsubscribeUrl}}) are left for the step that fills them.
import { isSesPlaceholder } from '../domain/templates/ses-placeholders.js';

export function substitute(template: string, data: Record<string, unknown>): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)\s*\}\}/g, (placeholder, path: string) => {
    if (isSesPlaceholder(path) && !(path in data)) return placeholder;
    let value: unknown = data;
    for (const part of path.split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
    return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
