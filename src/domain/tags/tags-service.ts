// TagResource, UntagResource and ListTagsForResource: tags are kept by ARN in one place for every
// resource type; each type that can be tagged brings a lookup that says whether the resource exists.
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import { mergeTags, parseResourceArn, resourceNotFound, validateTags, type ResourceRef, type Tag, type TaggableResourceType } from './tags.js';

export type ResourceExists = (scope: Scope, name: string) => Promise<boolean>;

export interface TagsServiceDeps {
  tags: TagsRepository;
  /** Resource types sesd has, with their existence check; tagging any other type answers not found. */
  resources: Partial<Record<TaggableResourceType, ResourceExists>>;
}

// The resource kind SES names in its "No <Kind> present with name" answers.
const KIND: Record<TaggableResourceType, string> = {
  'configuration-set': 'ConfigurationSet',
  'contact-list': 'ContactList',
  'custom-verification-email-template': 'CustomVerificationEmailTemplate',
  'dedicated-ip-pool': 'DedicatedIpPool',
  'deliverability-test-report': 'DeliverabilityTestReport',
  identity: 'EmailIdentity',
  template: 'Template',
};

export class TagsService {
  constructor(private readonly deps: TagsServiceDeps) {}

  async list(scope: Scope, arn: string): Promise<Tag[]> {
    const ref = await this.existing(scope, arn);
    return this.deps.tags.list(ref.arn);
  }

  async tag(scope: Scope, arn: string, tags: Tag[]): Promise<void> {
    if (tags.length === 0) throw invalidParameter('The request must contain at least one tag.');
    validateTags(tags);
    const ref = await this.existing(scope, arn);
    mergeTags(await this.deps.tags.list(ref.arn), tags);
    await this.deps.tags.put(ref.arn, tags);
  }

  async untag(scope: Scope, arn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) throw invalidParameter('The request must contain at least one tag key.');
    const ref = await this.existing(scope, arn);
    await this.deps.tags.remove(ref.arn, keys);
  }

  private async existing(scope: Scope, arn: string): Promise<ResourceRef> {
    const ref = parseResourceArn(scope, arn);
    const exists = this.deps.resources[ref.type];
    if (!exists) throw resourceNotFound(arn);
    if (!(await exists(scope, ref.name))) {
      throw new AwsError('NotFoundException', `No ${KIND[ref.type]} present with name: ${ref.name}`, 404, true);
    }
    return ref;
  }
}
