// The email one recipient gets from a SendMessages or SendUsersMessages request. Each part comes from
// the first of: the recipient's override (TitleOverride for the subject, BodyOverride for the text
// body), the message's SimpleEmail, the template, then the message's plain Body. Every part, header
// values included, is rendered with the recipient's message variables as Handlebars without HTML
// escaping; a variable with no value renders as nothing.
import { renderTemplate } from '../templates/render.js';
import type { Variables } from './message-variables.js';
import type { EmailTemplateContent, MessageHeader } from './template.js';

export interface EmailMessageParts {
  subject?: string;
  html?: string;
  text?: string;
  headers: MessageHeader[];
}

export interface EmailSource {
  simple?: EmailMessageParts;
  template?: EmailTemplateContent;
  /** EmailMessage.Body, else DefaultMessage.Body: the plain-text body. */
  body?: string;
}

export interface RecipientOverrides {
  titleOverride?: string;
  bodyOverride?: string;
}

export interface RenderedEmail {
  subject: string;
  text?: string;
  html?: string;
  headers: MessageHeader[];
}

export async function renderEmail(source: EmailSource, overrides: RecipientOverrides, variables: Variables): Promise<RenderedEmail> {
  const { simple, template } = source;
  const subject = overrides.titleOverride ?? simple?.subject ?? template?.subject;
  const html = simple?.html ?? template?.html;
  const text = overrides.bodyOverride ?? simple?.text ?? template?.text ?? source.body;
  const options = { missing: 'empty', lists: 'first-value' } as const;
  const headers = [...(template?.headers ?? []), ...(simple?.headers ?? [])];
  const [body, ...values] = await Promise.all([
    renderTemplate({ subject, text, html }, variables, options),
    ...headers.map((h) => renderTemplate({ subject: h.value }, variables, options)),
  ]);
  return {
    subject: body!.subject,
    text: text === undefined ? undefined : body!.text,
    html: html === undefined ? undefined : body!.html,
    headers: headers.map((h, i) => ({ name: h.name, value: values[i]!.subject })),
  };
}
