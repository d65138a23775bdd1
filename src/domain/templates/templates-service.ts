// Email template rules for both SES APIs: create (with the template checked so it can render),
// read, list, update, delete, and TestRender, which answers the complete MIME message.
import type { Scope } from '../identities/identity.js';
import { AwsError } from '../errors.js';
import { composeMessage } from '../../mime/compose.js';
import type { TemplateCursor, TemplatesRepository } from '../../store/templates-repository.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import { validateTags, type Tag } from '../tags/tags.js';
import {
  MAX_TEMPLATES,
  templateAlreadyExists,
  templateArn,
  templateNotFound,
  tooManyTemplates,
  validateTemplateContent,
  validateTemplateName,
  type EmailTemplate,
} from './email-template.js';
import { checkTemplateSyntax, renderTemplate, type TemplateContent } from './render.js';

export interface TemplatesServiceDeps {
  templates: TemplatesRepository;
  tags: TagsRepository;
  now?: () => number;
}

export class TemplatesService {
  private readonly now: () => number;

  constructor(private readonly deps: TemplatesServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(scope: Scope, name: string, content: TemplateContent, tags: Tag[] = []): Promise<void> {
    validateTemplateName(name);
    validateTemplateContent(content);
    await checkTemplateSyntax(content);
    validateTags(tags);
    if ((await this.deps.templates.count(scope)) >= MAX_TEMPLATES) throw tooManyTemplates();
    const now = this.now();
    if (!(await this.deps.templates.create({ ...scope, name, content, createdAt: now, updatedAt: now }))) throw templateAlreadyExists(name);
    await this.deps.tags.put(templateArn(scope, name), tags);
  }

  async get(scope: Scope, name: string): Promise<EmailTemplate & { tags: Tag[] }> {
    const template = await this.deps.templates.get(scope, name);
    if (!template) throw templateNotFound(name);
    return { ...template, tags: await this.deps.tags.list(templateArn(scope, name)) };
  }

  list(scope: Scope, page: { after?: TemplateCursor; limit: number }): Promise<EmailTemplate[]> {
    return this.deps.templates.list(scope, page);
  }

  async update(scope: Scope, name: string, content: TemplateContent): Promise<void> {
    validateTemplateContent(content);
    await checkTemplateSyntax(content);
    if (!(await this.deps.templates.update(scope, name, content, this.now()))) throw templateNotFound(name);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    if (!(await this.deps.templates.delete(scope, name))) throw templateNotFound(name);
    await this.deps.tags.removeAll(templateArn(scope, name));
  }

  /** The message the template makes with this data, as TestRenderEmailTemplate shows it. */
  async testRender(scope: Scope, name: string, templateData: string): Promise<string> {
    const template = await this.get(scope, name);
    const rendered = await renderTemplate(template.content, parseRenderingData(templateData));
    const mime = await composeMessage({
      from: '',
      to: [],
      cc: [],
      replyTo: [],
      subject: rendered.subject,
      text: rendered.text || undefined,
      html: rendered.html || undefined,
      headers: [],
      attachments: [],
      messageIdHeader: '',
      date: new Date(this.now()),
    });
    return mime.toString('utf8');
  }
}

/** TemplateData must be a JSON object (SES v1: `InvalidRenderingParameter`). */
export function parseRenderingData(data: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    // SES's own words for TemplateData that is not JSON at all.
    throw invalidRenderingData('Unable to parse template data (invalid JSON).');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidRenderingData('Invalid TemplateData: the value must be a JSON object.');
  return parsed as Record<string, unknown>;
}

// The message intake gives for inline TemplateData, so both paths read alike.
const invalidRenderingData = (message: string): AwsError => new AwsError('BadRequestException', message, 400, true, 'InvalidRenderingParameter');
