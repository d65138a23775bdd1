// Contact lists (SES list management): one list per account and region, with up to 20 topics a
// contact can opt in to or out of. Names follow SES's rule for list and topic names.
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { resourceArn } from '../tags/tags.js';

export type SubscriptionStatus = 'OPT_IN' | 'OPT_OUT';

/** A topic of a list: what its contacts opt in to or out of, and their status until they choose. */
export interface Topic {
  TopicName: string;
  DisplayName: string;
  Description?: string;
  DefaultSubscriptionStatus: SubscriptionStatus;
}

export interface ContactList extends Scope {
  name: string;
  description?: string;
  topics: Topic[];
  createdAt: number;
  updatedAt: number;
}

/** SES quota: contact lists per account and region. */
export const MAX_CONTACT_LISTS = 1;
export const MAX_TOPICS = 20;
const MAX_DISPLAY_NAME_LENGTH = 128;
const MAX_DESCRIPTION_LENGTH = 500;
const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export const contactListArn = (scope: Scope, name: string): string => resourceArn(scope, 'contact-list', name);

export const contactListNotFound = (name: string): AwsError => new AwsError('NotFoundException', `List with name: ${name} doesn't exist.`, 404, true);

export const contactListAlreadyExists = (name: string): AwsError =>
  new AwsError('AlreadyExistsException', `List with name: ${name} already exists.`, 400, true);

/** SES answers a second list with BadRequestException, not the model's LimitExceededException (floci-io/floci 3304184, checked against AWS). */
export const tooManyContactLists = (): AwsError => new AwsError('BadRequestException', `A maximum of ${MAX_CONTACT_LISTS} Lists allowed per account.`, 400, true);

export function validateContactListName(name: string): void {
  if (name.trim() === '') throw invalidParameter("ContactListName can't be blank.");
  if (!NAME.test(name)) {
    throw invalidParameter('ContactListName can contain up to 64 characters. Only alphanumeric characters, underscores(_) and hyphens(-) are allowed.');
  }
}

export function validateTopics(topics: readonly Topic[]): void {
  if (topics.length > MAX_TOPICS) throw invalidParameter(`Maximum of <${MAX_TOPICS}> topics allowed per ContactList`);
  const seen = new Set<string>();
  for (const t of topics) {
    if (t.TopicName.trim() === '') throw invalidParameter("TopicName can't be blank.");
    if (!NAME.test(t.TopicName)) {
      throw invalidParameter('TopicName can contain up to 64 characters. Only alphanumeric characters, underscores(_) and hyphens(-) are allowed.');
    }
    if (t.DisplayName.length > MAX_DISPLAY_NAME_LENGTH) {
      throw invalidParameter(`Topic DisplayName can contain up to <${MAX_DISPLAY_NAME_LENGTH}> characters.`);
    }
    if (seen.has(t.TopicName)) throw invalidParameter('Duplicate topic names are not allowed within a List.');
    seen.add(t.TopicName);
  }
}

export function validateDescription(description: string | undefined): void {
  if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalidParameter(`List description can contain up to ${MAX_DESCRIPTION_LENGTH} characters.`);
  }
}
