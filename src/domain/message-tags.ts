// Message tags (EmailTags, Tags, X-SES-MESSAGE-TAGS): names and values of ASCII letters, digits,
// `_` and `-`, at most 256 characters, as SES requires on every door.
import { invalidParameter } from './errors.js';

const TAG_TEXT = /^[A-Za-z0-9_-]{1,256}$/;

export function validateMessageTags(tags: readonly { Name: string; Value: string }[]): void {
  for (const { Name, Value } of tags) {
    if (!TAG_TEXT.test(Name)) throw invalidParameter(`Invalid tag name <${Name}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`);
    if (!TAG_TEXT.test(Value)) throw invalidParameter(`Invalid tag value <${Value}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`);
  }
}
