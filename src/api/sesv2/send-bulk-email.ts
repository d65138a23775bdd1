// SES v2 SendBulkEmail: one templated message per entry, each with its own result, committed
// together; what concerns the whole call (too many entries, a stored template that does not exist,
// a sender that may not send) is an error of the call. Entry template data is laid over the default
// data (entry keys win).
import { invalidParameter } from '../../domain/errors.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import type { Intake } from '../../intake/accept.js';
import { checkInlineTemplate } from '../../intake/inline-template.js';
import { parseRenderingData } from '../../domain/templates/templates-service.js';
import { bulkFailureStatus, checkBulkEntryCount, entryHeaders, entryTemplateData, type BulkFailureStatus } from '../../domain/bulk-sending.js';
import { parseResourceArn } from '../../domain/tags/tags.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { sendOrigin, type RequestContext } from '../context.js';
import { templateContent } from './send-email.js';

export function sendBulkEmailHandler(intake: Intake) {
  return async (ctx: RequestContext, input: T.SendBulkEmailRequest): Promise<T.SendBulkEmailResponse> => {
    const template = input.DefaultContent.Template;
    if (!template) throw invalidParameter('DefaultContent must contain a Template.');
    checkBulkEntryCount(input.BulkEmailEntries.length, 'BulkEmailEntries');
    // An inline template is the whole call's: what it cannot do fails the call, not each entry.
    if (template.TemplateContent) checkInlineTemplate([template.TemplateContent.Subject, template.TemplateContent.Text, template.TemplateContent.Html]);
    const scope = { accountId: ctx.accountId, region: ctx.region };
    const defaults = parseRenderingData(template.TemplateData ?? '{}');
    const entries = input.BulkEmailEntries.map((entry) => {
      const replacement = entry.ReplacementEmailContent?.ReplacementTemplate?.ReplacementTemplateData;
      return {
        ...sendOrigin(ctx, 'sesv2'),
        from: input.FromEmailAddress,
        sourceArn: input.FromEmailAddressIdentityArn,
        destination: entry.Destination,
        replyTo: input.ReplyToAddresses,
        content: templateContent({ ...template, Headers: entryHeaders(template.Headers, entry.ReplacementHeaders) }, entryTemplateData(defaults, replacement)),
        // Replacement tags replace the defaults rather than merging with them, as in SES.
        tags: entry.ReplacementTags ?? input.DefaultEmailTags,
        configurationSetName: input.ConfigurationSetName,
        feedbackForwardingAddress: input.FeedbackForwardingEmailAddress,
        feedbackForwardingArn: input.FeedbackForwardingEmailAddressIdentityArn,
        maxMessageBytes: MAX_MESSAGE_BYTES_V2,
      };
    });
    const templateName = template.TemplateName ?? (template.TemplateArn ? parseResourceArn(scope, template.TemplateArn).name : undefined);
    const results = await intake.bulk(
      { scope, from: input.FromEmailAddress ?? '', sourceArn: input.FromEmailAddressIdentityArn, configurationSetName: input.ConfigurationSetName, templateName },
      entries,
    );
    return {
      BulkEmailEntryResults: results.map((r) => ('error' in r ? { Status: V2_STATUS[bulkFailureStatus(r.error)], Error: r.error.message } : { Status: 'SUCCESS', MessageId: r.messageId })),
    };
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
