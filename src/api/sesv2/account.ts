// SES v2 account operations: quotas counted from real sends, sending switch, suppression attributes,
// details. Sandbox and quotas themselves are the operator's (`sesd account`), not the caller's; a
// request for production access waits for the operator's `sesd account review grant|deny`.
import { DEFAULT_ACCOUNT_SETTINGS, type AccountDetails, type AccountSettings } from '../../domain/account/account-settings.js';
import { reviewOpenedBy, reviewPending } from '../../domain/account/production-access.js';
import { checkWebsiteUrl } from '../../domain/account/website-url.js';
import type { AccountSettingsRepository } from '../../store/account-settings-repository.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

export function accountHandlers(deps: { accountSettings: AccountSettingsRepository; now?: () => number }): HandlerTable {
  const now = deps.now ?? Date.now;
  const settingsOf = async (ctx: RequestContext) => (await deps.accountSettings.get(scopeOf(ctx))) ?? { ...DEFAULT_ACCOUNT_SETTINGS };
  return {
    GetAccount: typedHandler(async (ctx): Promise<T.GetAccountResponse> => {
      const s = await settingsOf(ctx);
      return {
        SendQuota: {
          Max24HourSend: s.max24HourSend,
          MaxSendRate: s.maxSendRate,
          SentLast24Hours: await deps.accountSettings.recipientsSince(scopeOf(ctx), now() - 24 * 3600 * 1000),
        },
        SendingEnabled: s.sendingEnabled,
        ProductionAccessEnabled: s.productionAccess,
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        SuppressionAttributes: { SuppressedReasons: s.suppressedReasons },
        Details: wireDetails(s),
      };
    }),

    PutAccountSendingAttributes: typedHandler(async (ctx, input: T.PutAccountSendingAttributesRequest) => {
      await deps.accountSettings.put(scopeOf(ctx), { sendingEnabled: input.SendingEnabled ?? false });
      return {};
    }),

    PutAccountSuppressionAttributes: typedHandler(async (ctx, input: T.PutAccountSuppressionAttributesRequest) => {
      await deps.accountSettings.put(scopeOf(ctx), { suppressedReasons: input.SuppressedReasons ?? [] });
      return {};
    }),

    PutAccountDetails: typedHandler(async (ctx, input: T.PutAccountDetailsRequest) => {
      // A malformed request is refused before the account's state (a pending review) is looked at.
      checkWebsiteUrl(input.WebsiteURL);
      const review = reviewOpenedBy(await settingsOf(ctx), input.ProductionAccessEnabled === true);
      // The store checks again in the write itself: of two requests at once, one opens the review.
      if (!(await deps.accountSettings.submitDetails(scopeOf(ctx), domainDetails(input), review))) throw reviewPending();
      if (review) {
        ctx.log.info(
          { accountId: ctx.accountId, region: ctx.region, caseId: review.caseId },
          `production access requested; decide with: sesd account review grant|deny --account ${ctx.accountId} --in-region ${ctx.region}`,
        );
      }
      return {};
    }),
  };
}

function domainDetails(input: T.PutAccountDetailsRequest): AccountDetails {
  return {
    mailType: input.MailType,
    websiteUrl: input.WebsiteURL,
    ...(input.ContactLanguage !== undefined && { contactLanguage: input.ContactLanguage }),
    ...(input.UseCaseDescription !== undefined && { useCaseDescription: input.UseCaseDescription }),
    ...(input.AdditionalContactEmailAddresses !== undefined && { additionalContactEmailAddresses: input.AdditionalContactEmailAddresses }),
  };
}

/** GetAccount's Details: present once details were put, with the latest review when one was opened. */
function wireDetails(s: AccountSettings): T.AccountDetails | undefined {
  if (!s.details) return undefined;
  const d = s.details;
  return {
    MailType: d.mailType,
    WebsiteURL: d.websiteUrl,
    ContactLanguage: d.contactLanguage,
    UseCaseDescription: d.useCaseDescription,
    AdditionalContactEmailAddresses: d.additionalContactEmailAddresses,
    ReviewDetails: s.review ? { Status: s.review.status, CaseId: s.review.caseId } : undefined,
  };
}
