// Message tags (EmailTags, Tags, X-SES-MESSAGE-TAGS): names of ASCII letters, digits, `_` and `-`,
// values also with `.` and `@`, at most 255 characters each, as SES requires on every door. The
// texts (the doubled space included) and their order (the name before the value) are SES's own,
// recorded in LocalStack's test_ses.snapshot.json (test_invalid_tags_send_email, July 2024).
import { invalidParameter } from './errors.js';

const MAX_LENGTH = 255;
const NAME_TEXT = /^[A-Za-z0-9_-]+$/;
const VALUE_TEXT = /^[A-Za-z0-9_.@-]+$/;
// SES's own tags for feedback campaigns (the Feedback-ID header) pass in spite of their colons
// (LocalStack's test_special_tags_send_email: SES answered MessageRejected, not a tag error).
const FEEDBACK_ID_TAGS = new Set(['ses:feedback-id-a', 'ses:feedback-id-b']);

export function validateMessageTags(tags: readonly { Name: string; Value: string }[]): void {
  for (const { Name, Value } of tags) {
    validateName(Name);
    validateValue(Value);
  }
}

function validateName(name: string): void {
  if (name === '') throw invalidParameter('The tag name must be specified.');
  if (name.length > MAX_LENGTH) throw invalidParameter(`Tag name cannot exceed ${MAX_LENGTH} characters.`);
  if (!NAME_TEXT.test(name) && !FEEDBACK_ID_TAGS.has(name)) {
    throw invalidParameter(`Invalid tag name <${name}>: only alphanumeric ASCII characters, '_',  '-' are allowed.`);
  }
}

function validateValue(value: string): void {
  if (value === '') throw invalidParameter('The tag value must be specified.');
  if (value.length > MAX_LENGTH) throw invalidParameter(`Tag value cannot exceed ${MAX_LENGTH} characters.`);
  if (!VALUE_TEXT.test(value)) {
    throw invalidParameter(`Invalid tag value <${value}>: only alphanumeric ASCII characters, '_',  '-' , '.', '@' are allowed.`);
  }
}
