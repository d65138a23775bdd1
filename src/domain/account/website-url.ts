// The website an account's owner gives with their details (SES v2 PutAccountDetails WebsiteURL).
// The model's pattern for it accepts any text, yet SES refuses one that is no web address with
// BadRequestException "Url contains invalid format", after the model's own checks (length) pass:
// verified against real AWS in floci-io/floci pull request #2498 (its test sends "not a url").
import { AwsError } from '../errors.js';

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Refuses a WebsiteURL that cannot name a web site: one that does not parse as a URL (read as
 * http:// when it names no scheme) or names no host. Only what is surely no address is refused,
 * since what else SES refuses is not recorded.
 */
export function checkWebsiteUrl(websiteUrl: string): void {
  if (!namesAHost(HAS_SCHEME.test(websiteUrl) ? websiteUrl : `http://${websiteUrl}`)) {
    throw new AwsError('BadRequestException', 'Url contains invalid format', 400);
  }
}

function namesAHost(url: string): boolean {
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}
