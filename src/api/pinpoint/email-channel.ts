// GetEmailChannel, UpdateEmailChannel and DeleteEmailChannel.
import { pinpointDate } from '../../domain/pinpoint/app.js';
import type { EmailChannel } from '../../domain/pinpoint/email-channel.js';
import type { EmailChannelsService } from '../../domain/pinpoint/email-channels-service.js';
import type { Scope } from '../../domain/identities/identity.js';
import type * as T from '../../protocol/models/types/pinpoint.js';
import { typedHandler, type HandlerTable } from '../context.js';
import { scopeOf } from './apps.js';

/** The account's sending rate is the channel's MessagesPerSecond; undefined when unlimited. */
export type SendRateLookup = (scope: Scope) => Promise<number | undefined>;

export function emailChannelHandlers(channels: EmailChannelsService, sendRate: SendRateLookup): HandlerTable {
  const respond = async (channel: EmailChannel): Promise<{ EmailChannelResponse: T.EmailChannelResponse }> => ({
    EmailChannelResponse: channelResponse(channel, await sendRate(channel)),
  });
  return {
    GetEmailChannel: typedHandler(async (ctx, input: T.GetEmailChannelRequest): Promise<T.GetEmailChannelResponse> =>
      respond(await channels.get(scopeOf(ctx), input.ApplicationId)),
    ),

    UpdateEmailChannel: typedHandler(async (ctx, input: T.UpdateEmailChannelRequest): Promise<T.UpdateEmailChannelResponse> => {
      const req = input.EmailChannelRequest;
      const channel = await channels.update(scopeOf(ctx), input.ApplicationId, {
        fromAddress: req.FromAddress,
        identity: req.Identity,
        configurationSet: req.ConfigurationSet,
        roleArn: req.RoleArn,
        orchestrationSendingRoleArn: req.OrchestrationSendingRoleArn,
        // An update that does not say otherwise enables the channel.
        enabled: req.Enabled ?? true,
      });
      return respond(channel);
    }),

    DeleteEmailChannel: typedHandler(async (ctx, input: T.DeleteEmailChannelRequest): Promise<T.DeleteEmailChannelResponse> =>
      respond(await channels.delete(scopeOf(ctx), input.ApplicationId)),
    ),
  };
}

/**
 * As Pinpoint answers (aws-cli's examples get-email-channel and get-channels): no HasCredential, which
 * only channels with credentials (APNs, GCM) carry; MessagesPerSecond, the account's sending rate
 * (1 in the example: SES's sandbox rate). AWS has no unlimited account, so what it would answer for
 * one is not known; sesd leaves MessagesPerSecond out then.
 */
function channelResponse(c: EmailChannel, messagesPerSecond: number | undefined): T.EmailChannelResponse {
  return {
    ApplicationId: c.applicationId,
    ConfigurationSet: c.configurationSet,
    CreationDate: pinpointDate(c.createdAt),
    Enabled: c.enabled,
    FromAddress: c.fromAddress,
    Id: 'email',
    Identity: c.identity,
    IsArchived: false,
    LastModifiedDate: pinpointDate(c.updatedAt),
    MessagesPerSecond: messagesPerSecond,
    Platform: 'EMAIL',
    RoleArn: c.roleArn,
    OrchestrationSendingRoleArn: c.orchestrationSendingRoleArn,
    Version: c.version,
  };
}
