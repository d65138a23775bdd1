// SES v1 account actions: quota, statistics and the account-wide sending switch.
import { DEFAULT_ACCOUNT_SETTINGS } from '../../domain/account/account-settings.js';
import type { Scope } from '../../domain/identities/identity.js';
import type { AccountSettingsRepository } from '../../store/account-settings-repository.js';
import type { SendStatisticsRepository } from '../../store/send-statistics-repository.js';
import type * as T from '../../protocol/models/types/ses.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const scopeOf = (ctx: RequestContext): Scope => ({ accountId: ctx.accountId, region: ctx.region });
const DAY_MS = 24 * 3600 * 1000;
// GetSendStatistics covers the last two weeks.
const STATISTICS_WINDOW_MS = 14 * DAY_MS;

export function accountHandlers(deps: { accountSettings: AccountSettingsRepository; statistics: SendStatisticsRepository; now?: () => number }): HandlerTable {
  const now = deps.now ?? Date.now;
  const settingsOf = async (scope: Scope) => (await deps.accountSettings.get(scope)) ?? { ...DEFAULT_ACCOUNT_SETTINGS };
  return {
    GetSendQuota: typedHandler(async (ctx): Promise<T.GetSendQuotaResponse> => {
      const s = await settingsOf(scopeOf(ctx));
      return { Max24HourSend: s.max24HourSend, MaxSendRate: s.maxSendRate, SentLast24Hours: await deps.accountSettings.recipientsSince(scopeOf(ctx), now() - DAY_MS) };
    }),
    GetSendStatistics: typedHandler(async (ctx): Promise<T.GetSendStatisticsResponse> => ({
      SendDataPoints: (await deps.statistics.since(scopeOf(ctx), now() - STATISTICS_WINDOW_MS)).map((p) => ({
        Timestamp: new Date(p.timestamp),
        DeliveryAttempts: p.deliveryAttempts,
        Bounces: p.bounces,
        Complaints: p.complaints,
        Rejects: p.rejects,
      })),
    })),
    GetAccountSendingEnabled: typedHandler(async (ctx): Promise<T.GetAccountSendingEnabledResponse> => ({ Enabled: (await settingsOf(scopeOf(ctx))).sendingEnabled })),
    UpdateAccountSendingEnabled: typedHandler(async (ctx, input: T.UpdateAccountSendingEnabledRequest) => {
      await deps.accountSettings.put(scopeOf(ctx), { sendingEnabled: input.Enabled ?? false });
      return {};
    }),
  };
}
