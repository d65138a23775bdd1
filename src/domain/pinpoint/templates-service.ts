// Pinpoint email templates with versions. Creating makes version 1, the active one. An update
// overwrites the latest version unless it asks for a new one; a new version does not become active
// until UpdateTemplateActiveVersion says so. Deleting without a version removes every version.
import type { PinpointTemplatesRepository } from '../../store/pinpoint-templates-repository.js';
import { invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { pinpointNotFound } from './app.js';
import {
  parseVersion,
  pinpointTemplateArn,
  templateAlreadyExists,
  validateTemplateContent,
  validateTemplateName,
  type EmailTemplateContent,
  type PinpointTemplate,
  type TemplateType,
  type TemplateVersion,
} from './template.js';

export interface TemplateWithVersion {
  template: PinpointTemplate;
  version: TemplateVersion;
}

export class PinpointTemplatesService {
  private readonly now: () => number;

  constructor(private readonly deps: { templates: PinpointTemplatesRepository; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  /** Answers the new template's ARN. */
  async create(scope: Scope, name: string, content: EmailTemplateContent, tags: Record<string, string> = {}): Promise<string> {
    validateTemplateName(name);
    await validateTemplateContent(content);
    const now = this.now();
    const template: PinpointTemplate = { ...scope, name, type: 'EMAIL', activeVersion: 1, latestVersion: 1, tags, createdAt: now };
    if (!(await this.deps.templates.create(template, { version: 1, content, createdAt: now, updatedAt: now }))) throw templateAlreadyExists();
    return pinpointTemplateArn(scope, name, 'EMAIL');
  }

  /** The given version, or the active one. */
  async get(scope: Scope, name: string, version?: string): Promise<TemplateWithVersion> {
    const template = await this.template(scope, name, 'EMAIL');
    const number = version === undefined ? template.activeVersion : parseVersion(version);
    const found = number === undefined ? undefined : await this.deps.templates.version(scope, name, 'EMAIL', number);
    if (!found) throw pinpointNotFound();
    return { template, version: found };
  }

  async update(scope: Scope, name: string, content: EmailTemplateContent, opts: { createNewVersion?: boolean; version?: string }): Promise<void> {
    if (opts.createNewVersion && opts.version !== undefined) {
      throw invalidParameter('Specify either create-new-version or version, not both.');
    }
    await validateTemplateContent(content);
    const template = await this.template(scope, name, 'EMAIL');
    const now = this.now();
    if (opts.createNewVersion) {
      await this.deps.templates.addVersion(template, { version: template.latestVersion + 1, content, createdAt: now, updatedAt: now });
      return;
    }
    // Only the latest version may be overwritten, so that two editors cannot silently race.
    if (opts.version !== undefined && parseVersion(opts.version) !== template.latestVersion) {
      throw invalidParameter(`Version ${opts.version} is not the latest version of the template; only the latest version can be updated.`);
    }
    await this.deps.templates.overwriteVersion(scope, name, 'EMAIL', template.latestVersion, content, now);
  }

  async delete(scope: Scope, name: string, version?: string): Promise<void> {
    const template = await this.template(scope, name, 'EMAIL');
    if (version === undefined) {
      await this.deps.templates.delete(scope, name, 'EMAIL');
      return;
    }
    const number = parseVersion(version);
    if (number === undefined || !(await this.deps.templates.version(scope, name, 'EMAIL', number))) throw pinpointNotFound();
    await this.deps.templates.deleteVersion(template, number);
  }

  list(scope: Scope, page: { prefix?: string; after?: string; limit: number }): Promise<TemplateWithVersion[]> {
    return this.deps.templates.list(scope, { ...page, type: 'EMAIL' });
  }

  async versions(scope: Scope, name: string, type: string, page: { after?: number; limit: number }): Promise<{ template: PinpointTemplate; versions: TemplateVersion[] }> {
    const template = await this.template(scope, name, type);
    return { template, versions: await this.deps.templates.versions(scope, name, template.type, page) };
  }

  /** `latest`, or the id of an existing version. */
  async setActiveVersion(scope: Scope, name: string, type: string, version: string | undefined): Promise<void> {
    const template = await this.template(scope, name, type);
    const number = version === 'latest' ? template.latestVersion : parseVersion(version ?? '');
    if (number === undefined || !(await this.deps.templates.version(scope, name, template.type, number))) {
      throw invalidParameter(`Version ${version ?? ''} does not exist for template ${name}.`);
    }
    await this.deps.templates.setActiveVersion(scope, name, template.type, number);
  }

  /** The template type in a path (`EMAIL`, `email`); sesd keeps email templates only, so others name nothing. */
  private async template(scope: Scope, name: string, type: string): Promise<PinpointTemplate> {
    const found = type.toUpperCase() === 'EMAIL' ? await this.deps.templates.get(scope, name, 'EMAIL' satisfies TemplateType) : undefined;
    if (!found) throw pinpointNotFound();
    return found;
  }
}
