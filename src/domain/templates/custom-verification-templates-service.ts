// Custom verification email templates: create, read, list, update, delete. Sending one
// (SendCustomVerificationEmail) belongs to the identities side, which reads them from the repository.
import type { Scope } from '../identities/identity.js';
import type { CustomVerificationTemplatesRepository } from '../../store/templates-repository.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import { resourceArn, validateTags, type Tag } from '../tags/tags.js';
import { parseAddress } from '../addresses.js';
import {
  customVerificationSenderNotVerified,
  customVerificationTemplateAlreadyExists,
  customVerificationTemplateNotFound,
  MAX_CUSTOM_VERIFICATION_TEMPLATES,
  tooManyCustomVerificationTemplates,
  validateCustomVerificationTemplate,
  type CustomVerificationTemplate,
} from './custom-verification-template.js';

export type CustomVerificationTemplateInput = Omit<CustomVerificationTemplate, 'accountId' | 'region' | 'createdAt'>;

export interface CustomVerificationTemplatesServiceDeps {
  templates: CustomVerificationTemplatesRepository;
  tags: TagsRepository;
  /** Whether an address may send (IdentitiesService.isVerifiedSender): a template's sender must. */
  isVerifiedSender: (scope: Scope, address: string) => Promise<boolean>;
  now?: () => number;
}

const arn = (scope: Scope, name: string) => resourceArn(scope, 'custom-verification-email-template', name);

export class CustomVerificationTemplatesService {
  private readonly now: () => number;

  constructor(private readonly deps: CustomVerificationTemplatesServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(scope: Scope, input: CustomVerificationTemplateInput, tags: Tag[] = []): Promise<void> {
    validateCustomVerificationTemplate(input);
    await this.checkSender(scope, input.fromEmailAddress);
    validateTags(tags);
    if ((await this.deps.templates.count(scope)) >= MAX_CUSTOM_VERIFICATION_TEMPLATES) throw tooManyCustomVerificationTemplates();
    if (!(await this.deps.templates.create({ ...scope, ...input, createdAt: this.now() }))) throw customVerificationTemplateAlreadyExists(input.name);
    await this.deps.tags.put(arn(scope, input.name), tags);
  }

  async get(scope: Scope, name: string): Promise<CustomVerificationTemplate & { tags: Tag[] }> {
    const template = await this.deps.templates.get(scope, name);
    if (!template) throw customVerificationTemplateNotFound(name);
    return { ...template, tags: await this.deps.tags.list(arn(scope, name)) };
  }

  list(scope: Scope, page: { after?: string; limit: number }): Promise<CustomVerificationTemplate[]> {
    return this.deps.templates.list(scope, page);
  }

  async update(scope: Scope, input: CustomVerificationTemplateInput): Promise<void> {
    const existing = await this.deps.templates.get(scope, input.name);
    if (!existing) throw customVerificationTemplateNotFound(input.name);
    validateCustomVerificationTemplate(input);
    await this.checkSender(scope, input.fromEmailAddress);
    if (!(await this.deps.templates.update({ ...existing, ...input }))) throw customVerificationTemplateNotFound(input.name);
  }

  private async checkSender(scope: Scope, fromEmailAddress: string): Promise<void> {
    const { address } = parseAddress(fromEmailAddress);
    if (!(await this.deps.isVerifiedSender(scope, address))) throw customVerificationSenderNotVerified(fromEmailAddress);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    if (!(await this.deps.templates.delete(scope, name))) throw customVerificationTemplateNotFound(name);
    await this.deps.tags.removeAll(arn(scope, name));
  }
}
