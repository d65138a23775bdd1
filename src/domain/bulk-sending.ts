// What SES v2 SendBulkEmail and v1 SendBulkTemplatedEmail share: an entry's template data laid over
// the default data, and why an entry failed, in the v1 spelling of the status (v2 maps it).
import { invalidParameter, type AwsError } from './errors.js';
import { parseRenderingData } from './templates/templates-service.js';

/** SES's limit on destinations per bulk call. */
export const MAX_BULK_ENTRIES = 50;

/** More entries than SES takes in one call is an error of the call. */
export function checkBulkEntryCount(count: number, member: string): void {
  if (count > MAX_BULK_ENTRIES) throw invalidParameter(`The number of ${member} exceeds the limit of ${MAX_BULK_ENTRIES}.`);
}

/** Entry keys win over the defaults. */
export function entryTemplateData(defaults: Record<string, unknown>, replacement: string | undefined): string {
  return JSON.stringify(replacement === undefined ? defaults : { ...defaults, ...parseRenderingData(replacement) });
}

/**
 * The headers an entry's message gets: the template's, except that an entry header takes the place
 * of the template's headers of the same name (compared without regard to case, as header names are).
 * SES's API reference (BulkEmailEntry.ReplacementHeaders): a header in the entry "takes precedence
 * over any header of the same name specified in Template"; the template's others are added.
 */
export function entryHeaders<H extends { Name: string }>(templateHeaders: readonly H[] = [], replacementHeaders: readonly H[] = []): H[] {
  const replaced = new Set(replacementHeaders.map((h) => h.Name.toLowerCase()));
  return [...templateHeaders.filter((h) => !replaced.has(h.Name.toLowerCase())), ...replacementHeaders];
}

export type BulkFailureStatus =
  | 'MessageRejected'
  | 'ConfigurationSetDoesNotExist'
  | 'TemplateDoesNotExist'
  | 'AccountThrottled'
  | 'AccountDailyQuotaExceeded'
  | 'AccountSendingPaused'
  | 'ConfigurationSetSendingPaused'
  | 'InvalidParameterValue'
  | 'MailFromDomainNotVerified'
  | 'TransientFailure'
  | 'Failed';

// Keyed by the SES v1 error code, which every domain error carries (queryCode, or its code).
const BY_CODE: Record<string, BulkFailureStatus> = {
  MessageRejected: 'MessageRejected',
  ConfigurationSetDoesNotExist: 'ConfigurationSetDoesNotExist',
  TemplateDoesNotExist: 'TemplateDoesNotExist',
  AccountSendingPausedException: 'AccountSendingPaused',
  ConfigurationSetSendingPausedException: 'ConfigurationSetSendingPaused',
  InvalidParameterValue: 'InvalidParameterValue',
  MailFromDomainNotVerifiedException: 'MailFromDomainNotVerified',
};

export function bulkFailureStatus(err: AwsError): BulkFailureStatus {
  const code = err.queryCode ?? err.code;
  if (code === 'Throttling') return err.message.startsWith('Daily') ? 'AccountDailyQuotaExceeded' : 'AccountThrottled';
  return BY_CODE[code] ?? (err.senderFault ? 'Failed' : 'TransientFailure');
}
