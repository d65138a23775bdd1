// SES v2 account operations: quotas counted from real sends, sending switch, suppression attributes,
// details. Sandbox and quotas themselves are the operator's (`sesd account`), not the caller's.
import { DEFAULT_ACCOUNT_SETTINGS } from '../../domain/account/account-settings.js';
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
        Details: (s.details ?? undefined) as T.AccountDetails | undefined,
      };
    }),

    PutAccountSendingAttributes: typedHandler(async (ctx, input: T.PutAccountSendingAttributesRequest) => {
      await deps.accountSettings.put(scopeOf(ctx), { ...(await settingsOf(ctx)), sendingEnabled: input.SendingEnabled ?? false });
      return {};
    }),

    PutAccountSuppressionAttributes: typedHandler(async (ctx, input: T.PutAccountSuppressionAttributesRequest) => {
      await deps.accountSettings.put(scopeOf(ctx), { ...(await settingsOf(ctx)), suppressedReasons: input.SuppressedReasons ?? [] });
      return {};
    }),

    PutAccountDetails: typedHandler(async (ctx, input: T.PutAccountDetailsRequest) => {
      const details = { ...input, ReviewDetails: { Status: 'GRANTED', CaseId: 'sesd' } };
      await deps.accountSettings.put(scopeOf(ctx), { ...(await settingsOf(ctx)), details });
      return {};
    }),
  };
}
