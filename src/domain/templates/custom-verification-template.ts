// Custom verification email templates: the message SES sends (SendCustomVerificationEmail) to ask
// an address owner to confirm it, with where to send them afterwards. At most 50 per account and
// region; the content must be under 10 MB.
import { AwsError, invalidParameter } from '../errors.js';
import { parseAddress } from '../addresses.js';
import type { Scope } from '../identities/identity.js';

export interface CustomVerificationTemplate extends Scope {
  name: string;
  fromEmailAddress: string;
  subject: string;
  /** HTML body of the verification message. */
  content: string;
  successRedirectionUrl: string;
  failureRedirectionUrl: string;
  createdAt: number;
}

export const MAX_CUSTOM_VERIFICATION_TEMPLATES = 50;
const MAX_CONTENT_BYTES = 10 * 1024 * 1024;

export const customVerificationTemplateNotFound = (name: string): AwsError =>
  new AwsError('NotFoundException', `Custom verification email template <${name}> does not exist`, 404, true, 'CustomVerificationEmailTemplateDoesNotExist');

export const customVerificationTemplateAlreadyExists = (name: string): AwsError =>
  new AwsError('AlreadyExistsException', `Custom verification email template <${name}> already exists`, 400, true, 'CustomVerificationEmailTemplateAlreadyExists');

/**
 * A template's FromEmailAddress must be verified when the template is created or updated: v2
 * NotFoundException (404), v1 FromEmailAddressNotVerified (400), "The from email address <x> is not
 * verified" (floci-io/floci#1840, verified against AWS).
 */
export const customVerificationSenderNotVerified = (address: string): AwsError =>
  new AwsError('NotFoundException', `The from email address <${address}> is not verified`, 404, true, 'FromEmailAddressNotVerified');

export const tooManyCustomVerificationTemplates = (): AwsError =>
  new AwsError(
    'LimitExceededException',
    `Maximum number of custom verification email templates (${MAX_CUSTOM_VERIFICATION_TEMPLATES}) exceeded.`,
    400,
    true,
    'LimitExceeded',
  );

export function validateCustomVerificationTemplate(t: Omit<CustomVerificationTemplate, 'accountId' | 'region' | 'createdAt'>): void {
  if (t.name.trim() === '') throw invalidParameter('Template name must not be empty.');
  parseAddress(t.fromEmailAddress);
  if (t.subject.trim() === '') throw invalidParameter('Template subject must not be empty.');
  if (Buffer.byteLength(t.content) >= MAX_CONTENT_BYTES) {
    throw new AwsError('BadRequestException', 'Template content must be less than 10 MB.', 400, true, 'CustomVerificationEmailInvalidContent');
  }
  // SES's words, without the URL, on both APIs (floci-io/floci#1840, verified against real AWS:
  // "The success redirection URL is invalid", BadRequestException / InvalidParameterValue).
  for (const [which, url] of [['success', t.successRedirectionUrl], ['failure', t.failureRedirectionUrl]] as const) {
    if (!isHttpUrl(url)) throw invalidParameter(`The ${which} redirection URL is invalid`);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
