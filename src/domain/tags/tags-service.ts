// TagResource, UntagResource and ListTagsForResource: tags are kept by ARN in one place for every
// resource type; each type that can be tagged brings a lookup that says whether the resource exists.
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import { mergeTags, readResourceArn, resourceArn, resourceNotFound, validateTags, type ResourceRef, type Tag, type TaggableResourceType } from './tags.js';

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

/**
 * What a tag operation does with an ARN of the caller's account but of another region than the one
 * the request was signed for. AWS answers differently per operation and resource type, as floci
 * recorded from live AWS with `aws sesv2` for configuration sets, templates and identities
 * (floci-io/floci#749 "aligned with observed AWS responses", #759 and #760 "verified against real
 * AWS"): TagResource refuses it for all three ("Failed to tag resource", applied here to every type,
 * since AWS checks it before it looks at the resource); UntagResource and
 * ListTagsForResource look a configuration set up in the ARN's region, UntagResource refuses a template
 * or an identity ("Failed to untag resource"), and ListTagsForResource reads the template or identity
 * of the signing region, ignoring the ARN's. Types nothing was recorded for answer not found, as before.
 */
type OtherRegion = { refuse: string } | 'arn-region' | 'signing-region' | 'not-found';

const TAG_OTHER_REGION = 'Failed to tag resource';
const UNTAG_OTHER_REGION: Partial<Record<TaggableResourceType, OtherRegion>> = {
  'configuration-set': 'arn-region',
  template: { refuse: 'Failed to untag resource' },
  identity: { refuse: 'Failed to untag resource' },
};
const LIST_OTHER_REGION: Partial<Record<TaggableResourceType, OtherRegion>> = {
  'configuration-set': 'arn-region',
  template: 'signing-region',
  identity: 'signing-region',
};

export class TagsService {
  constructor(private readonly deps: TagsServiceDeps) {}

  async list(scope: Scope, arn: string): Promise<Tag[]> {
    const ref = readResourceArn(arn);
    const key = await this.existing(scope, ref, LIST_OTHER_REGION[ref.type] ?? 'not-found');
    return this.deps.tags.list(key);
  }

  async tag(scope: Scope, arn: string, tags: Tag[]): Promise<void> {
    const ref = readResourceArn(arn);
    // The ARN's region is checked before the tags are (floci-io/floci#749 checks it first).
    if (ref.region !== scope.region) throw invalidParameter(TAG_OTHER_REGION);
    if (tags.length === 0) throw invalidParameter('The request must contain at least one tag.');
    validateTags(tags);
    const key = await this.existing(scope, ref, 'not-found');
    mergeTags(await this.deps.tags.list(key), tags);
    await this.deps.tags.put(key, tags);
  }

  async untag(scope: Scope, arn: string, keys: string[]): Promise<void> {
    if (keys.length === 0) throw invalidParameter('The request must contain at least one tag key.');
    const ref = readResourceArn(arn);
    const key = await this.existing(scope, ref, UNTAG_OTHER_REGION[ref.type] ?? 'not-found');
    await this.deps.tags.remove(key, keys);
  }

  /** The key the resource's tags are kept under, once it is known to exist. */
  private async existing(scope: Scope, ref: ResourceRef, otherRegion: OtherRegion): Promise<string> {
    const lookup = regionToLookIn(scope, ref, otherRegion);
    const exists = this.deps.resources[ref.type];
    if (!exists) throw resourceNotFound(ref.arn);
    if (!(await exists(lookup, ref.name))) {
      throw new AwsError('NotFoundException', `No ${KIND[ref.type]} present with name: ${ref.name}`, 404, true);
    }
    return resourceArn(lookup, ref.type, ref.name);
  }
}

/**
 * The account and region whose resource an ARN names for this caller. Another account's ARN names
 * nothing the caller can see here, so it is not found.
 */
function regionToLookIn(scope: Scope, ref: ResourceRef, otherRegion: OtherRegion): Scope {
  if (ref.accountId !== scope.accountId) throw resourceNotFound(ref.arn);
  if (ref.region === scope.region || otherRegion === 'signing-region') return scope;
  if (otherRegion === 'arn-region') return { accountId: scope.accountId, region: ref.region };
  if (otherRegion === 'not-found') throw resourceNotFound(ref.arn);
  throw invalidParameter(otherRegion.refuse);
}
