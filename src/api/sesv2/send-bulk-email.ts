// SES v2 SendBulkEmail: one templated message per entry, each through intake, each with its own
// result. Entry template data is laid over the default data (entry keys win).
import { AwsError, invalidParameter } from '../../domain/errors.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import type { Intake } from '../../intake/accept.js';
import { parseRenderingData } from '../../domain/templates/templates-service.js';
import { bulkFailureStatus, entryTemplateData, type BulkFailureStatus } from '../../domain/bulk-sending.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { sendOrigin, type RequestContext } from '../context.js';
import { templateContent } from './send-email.js';

// SES's limit on destinations per SendBulkEmail call.
const MAX_BULK_ENTRIES = 50;

export function sendBulkEmailHandler(intake: Intake) {
  return async (ctx: RequestContext, input: T.SendBulkEmailRequest): Promise<T.SendBulkEmailResponse> => {
    const template = input.DefaultContent.Template;
    if (!template) throw invalidParameter('DefaultContent must contain a Template.');
    if (input.BulkEmailEntries.length > MAX_BULK_ENTRIES) throw invalidParameter(`The number of BulkEmailEntries exceeds the limit of ${MAX_BULK_ENTRIES}.`);
    const defaults = parseRenderingData(template.TemplateData ?? '{}');
    const results: T.BulkEmailEntryResult[] = [];
    for (const entry of input.BulkEmailEntries) {
      try {
        const replacement = entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData;
        const content = templateContent({ ...template, Headers: [...(template.Headers ?? []), ...(entry.ReplacementHeaders ?? [])] }, entryTemplateData(defaults, replacement));
        const { messageId } = await intake({
          ...sendOrigin(ctx, 'sesv2'),
          from: input.FromEmailAddress,
          sourceArn: input.FromEmailAddressIdentityArn,
          destination: entry.Destination,
          replyTo: input.ReplyToAddresses,
          content,
          // Replacement tags replace the defaults rather than merging with them, as in SES.
          tags: entry.ReplacementTags ?? input.DefaultEmailTags,
          configurationSetName: input.ConfigurationSetName,
          feedbackForwardingAddress: input.FeedbackForwardingEmailAddress,
          maxMessageBytes: MAX_MESSAGE_BYTES_V2,
        });
        results.push({ Status: 'SUCCESS', MessageId: messageId });
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        results.push({ Status: V2_STATUS[bulkFailureStatus(err)], Error: err.message });
      }
    }
    return { BulkEmailEntryResults: results };
  };
}

// SES v2 spells the statuses in upper case and names two of them differently.
const V2_STATUS: Record<BulkFailureStatus, T.BulkEmailStatus> = {
  MessageRejected: 'MESSAGE_REJECTED',
  ConfigurationSetDoesNotExist: 'CONFIGURATION_SET_NOT_FOUND',
  TemplateDoesNotExist: 'TEMPLATE_NOT_FOUND',
  AccountThrottled: 'ACCOUNT_THROTTLED',
  AccountDailyQuotaExceeded: 'ACCOUNT_DAILY_QUOTA_EXCEEDED',
  AccountSendingPaused: 'ACCOUNT_SENDING_PAUSED',
  ConfigurationSetSendingPaused: 'CONFIGURATION_SET_SENDING_PAUSED',
  InvalidParameterValue: 'INVALID_PARAMETER',
  MailFromDomainNotVerified: 'MAIL_FROM_DOMAIN_NOT_VERIFIED',
  TransientFailure: 'TRANSIENT_FAILURE',
  Failed: 'FAILED',
};
