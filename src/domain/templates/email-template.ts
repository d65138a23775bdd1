// Stored email templates: what one is, SES's limits on them, and SES's answers when one is missing
// or already there (the SES v1 codes ride along so the v1 template actions reuse these rules).
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { resourceArn } from '../tags/tags.js';
import type { TemplateContent } from './render.js';

export interface EmailTemplate extends Scope {
  name: string;
  content: TemplateContent;
  createdAt: number;
  updatedAt: number;
}

/** SES quota: email templates per account and region. */
export const MAX_TEMPLATES = 20_000;
/** SES quota: the size of one template (subject, text and html together). */
export const MAX_TEMPLATE_BYTES = 500 * 1024;

export const templateArn = (scope: Scope, name: string): string => resourceArn(scope, 'template', name);

export const templateNotFound = (name: string): AwsError =>
  new AwsError('NotFoundException', `Template ${name} does not exist.`, 404, true, 'TemplateDoesNotExist');

export const templateAlreadyExists = (name: string): AwsError =>
  new AwsError('AlreadyExistsException', `Template ${name} already exists.`, 400, true, 'AlreadyExists');

export const tooManyTemplates = (): AwsError =>
  new AwsError('LimitExceededException', `Maximum number of templates (${MAX_TEMPLATES}) exceeded.`, 400, true, 'LimitExceeded');

export function validateTemplateName(name: string): void {
  if (name.trim() === '') throw invalidParameter('Template name must not be empty.');
  if (name !== name.trim()) throw invalidParameter('Template name must not begin or end with whitespace.');
}

export function validateTemplateContent(content: TemplateContent): void {
  // SES refuses a template without a subject ("The subject must be specified.", InvalidParameterValue
  // in v1) and takes one without a text or html part: such a template sends an empty body.
  if (!content.subject) throw invalidParameter('The subject must be specified.');
  const size = [content.subject, content.text, content.html].reduce((n, part) => n + Buffer.byteLength(part ?? ''), 0);
  if (size > MAX_TEMPLATE_BYTES) throw invalidParameter(`Template size exceeds the maximum of ${MAX_TEMPLATE_BYTES} bytes.`);
}
