// Placeholders SES fills after a template is rendered, not from TemplateData: the recipient's
// unsubscribe link (list management) and the open-tracking image. Rendering keeps them as written
// for that later step. `{{ses:openTracker}}` never reaches a recipient (intake and the tracking
// rewriter take out what no image replaces); `{{amazonSESUnsubscribeUrl}}` in mail sent without
// list management stays as written, as SES documents nothing else for it.
export const SES_PLACEHOLDERS = ['amazonSESUnsubscribeUrl', 'ses:openTracker'] as const;

const PLACEHOLDER = new RegExp(`\\{\\{(${SES_PLACEHOLDERS.join('|')})\\}\\}`, 'g');

/** Template source in which Handlebars renders SES's placeholders literally (`\{{x}}` is Handlebars' escape). */
export const withPlaceholdersEscaped = (source: string): string => source.replace(PLACEHOLDER, '\\{{$1}}');

export const isSesPlaceholder = (name: string): boolean => (SES_PLACEHOLDERS as readonly string[]).includes(name);
