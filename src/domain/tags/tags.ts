// Resource tags as SES v2 keeps them: on configuration sets, templates, contact lists, identities
// and the other taggable resources, addressed by ARN. At most 50 tags per resource; a key is 1 to
// 128 characters, a value at most 256; the `aws:` prefix is reserved for AWS.
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';

export interface Tag {
  Key: string;
  Value: string;
}

export const MAX_TAGS_PER_RESOURCE = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** The SES v2 resource types that carry tags, as the ARN's resource part names them. */
export const TAGGABLE_RESOURCE_TYPES = [
  'configuration-set',
  'contact-list',
  'custom-verification-email-template',
  'dedicated-ip-pool',
  'deliverability-test-report',
  'identity',
  'template',
] as const;

export type TaggableResourceType = (typeof TAGGABLE_RESOURCE_TYPES)[number];

export interface ResourceRef extends Scope {
  type: TaggableResourceType;
  name: string;
  arn: string;
}

export const resourceArn = (scope: Scope, type: TaggableResourceType, name: string): string =>
  `arn:aws:ses:${scope.region}:${scope.accountId}:${type}/${name}`;

const ARN = /^arn:aws[a-z-]*:ses:([a-z0-9-]+):(\d{12}):([a-z-]+)\/(.+)$/;

/** Reads an SES resource ARN: its region, account, resource type and name. */
export function readResourceArn(arn: string): ResourceRef {
  const m = ARN.exec(arn);
  if (!m) throw invalidParameter(`Invalid ARN: ${arn}`);
  const [, region, accountId, type, name] = m as unknown as [string, string, string, string, string];
  if (!(TAGGABLE_RESOURCE_TYPES as readonly string[]).includes(type)) throw invalidParameter(`Invalid ARN: ${arn}`);
  return { accountId, region, type: type as TaggableResourceType, name, arn };
}

/**
 * Reads an ARN that names a resource of the caller's. An ARN of another account or region cannot
 * name a resource the caller can see here, so it is reported as not found rather than as malformed.
 */
export function parseResourceArn(scope: Scope, arn: string): ResourceRef {
  const ref = readResourceArn(arn);
  if (ref.region !== scope.region || ref.accountId !== scope.accountId) throw resourceNotFound(arn);
  return ref;
}

export const resourceNotFound = (arn: string): AwsError => new AwsError('NotFoundException', `Resource ${arn} was not found.`, 404, true);

/** Checks tags given to a create or TagResource call: shape, lengths, reserved prefix, duplicates. */
export function validateTags(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const { Key: key, Value: value } of tags) {
    if (key.length < 1 || key.length > MAX_KEY_LENGTH) throw invalidParameter(`Tag keys must be between 1 and ${MAX_KEY_LENGTH} characters long.`);
    if (value.length > MAX_VALUE_LENGTH) throw invalidParameter(`Tag values must be at most ${MAX_VALUE_LENGTH} characters long.`);
    if (key.toLowerCase().startsWith('aws:')) throw invalidParameter("Tag keys can't start with the reserved prefix 'aws:'.");
    if (seen.has(key)) throw invalidParameter(`Duplicate tag key: ${key}`);
    seen.add(key);
  }
}

/** The tags a resource ends up with after TagResource: new keys appended, existing keys overwritten. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) merged.set(t.Key, t.Value);
  if (merged.size > MAX_TAGS_PER_RESOURCE) throw tooManyTags();
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

export const tooManyTags = (): AwsError =>
  invalidParameter(`A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags.`);
