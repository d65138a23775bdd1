// SES v2 configuration set operations, their Put*Options and event destinations: wire shapes ↔
// ConfigurationSetsService. The domain's options and destinations have SES v2's field names, so most
// map one to one (and the compiler checks that they still do).
import { ConfigurationSetsService, type ConfigurationSetsServiceDeps } from '../../domain/configuration-sets/configuration-sets-service.js';
import type { ConfigurationSetOptions, ReputationOptions } from '../../domain/configuration-sets/configuration-set.js';
import type { Scope } from '../../domain/identities/identity.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import type { Store } from '../../store/store.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { decodeNextToken, encodeNextToken, pageSize } from './paging.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

/** The configuration sets service over the store; `topics` is sesd's SNS service (SNS destinations). */
export function configurationSetsService(store: Pick<Store, 'configurationSets' | 'identities' | 'tags'>, topics?: ConfigurationSetsServiceDeps['topics']): ConfigurationSetsService {
  return new ConfigurationSetsService({
    sets: store.configurationSets,
    tags: store.tags,
    isVerifiedDomain: async (scope, domain) => (await store.identities.get(scope, domain.toLowerCase()))?.verificationStatus === 'SUCCESS',
    topics,
  });
}

/** One page of set names, for both APIs' ListConfigurationSets: up to 50 (or `pageSize`, at most 1,000). */
export async function configurationSetNamesPage(
  sets: ConfigurationSetsService,
  scope: Scope,
  page: { nextToken?: string; pageSize?: number; nameContains?: string },
): Promise<{ names: string[]; nextToken?: string }> {
  const limit = pageSize(page.pageSize, 50, 1000);
  const names = await sets.list(scope, { after: decodeNextToken<string>(page.nextToken, 'string'), limit: limit + 1, nameContains: page.nameContains });
  const shown = names.slice(0, limit);
  return { names: shown, nextToken: names.length > limit ? encodeNextToken(shown.at(-1)!) : undefined };
}

/** The set's reputation options on the wire: LastFreshStart only once sending was resumed. */
export function reputationOut({ ReputationMetricsEnabled, LastFreshStart }: ReputationOptions): T.ReputationOptions {
  return { ReputationMetricsEnabled, ...(LastFreshStart !== undefined && { LastFreshStart: new Date(LastFreshStart) }) };
}

export function configurationSetHandlers(sets: ConfigurationSetsService): HandlerTable {
  return {
    CreateConfigurationSet: typedHandler(async (ctx, input: T.CreateConfigurationSetRequest) => {
      const { ConfigurationSetName: name, Tags: tags, ReputationOptions, SendingOptions, ...rest } = input;
      const options: Partial<ConfigurationSetOptions> = { ...rest };
      if (ReputationOptions?.ReputationMetricsEnabled !== undefined) options.ReputationOptions = { ReputationMetricsEnabled: ReputationOptions.ReputationMetricsEnabled };
      // SendingOptions without SendingEnabled pauses the set, as PutConfigurationSetSendingOptions
      // without it does (floci-io/floci SesConfigurationSetV2IntegrationTest
      // createConfigurationSet_emptySendingOptions_defaultsToFalse, observed on AWS 2026-06-13).
      if (SendingOptions) options.SendingOptions = { SendingEnabled: SendingOptions.SendingEnabled ?? false };
      await sets.create(scopeOf(ctx), name, options, tags);
      return {};
    }),

    GetConfigurationSet: typedHandler(async (ctx, input: T.GetConfigurationSetRequest): Promise<T.GetConfigurationSetResponse> => {
      const set = await sets.get(scopeOf(ctx), input.ConfigurationSetName);
      return { ConfigurationSetName: set.name, ...set.options, ReputationOptions: reputationOut(set.options.ReputationOptions), Tags: set.tags };
    }),

    ListConfigurationSets: typedHandler(async (ctx, input: T.ListConfigurationSetsRequest): Promise<T.ListConfigurationSetsResponse> => {
      const page = await configurationSetNamesPage(sets, scopeOf(ctx), {
        nextToken: input.NextToken,
        pageSize: input.PageSize,
        nameContains: input.Filter?.CONFIGURATION_SET_NAME_CONTAINS,
      });
      return { ConfigurationSets: page.names, NextToken: page.nextToken };
    }),

    DeleteConfigurationSet: typedHandler(async (ctx, input: T.DeleteConfigurationSetRequest) => {
      await sets.delete(scopeOf(ctx), input.ConfigurationSetName);
      return {};
    }),

    PutConfigurationSetDeliveryOptions: typedHandler(async (ctx, input: T.PutConfigurationSetDeliveryOptionsRequest) => {
      const { ConfigurationSetName: name, ...options } = input;
      await sets.putDeliveryOptions(scopeOf(ctx), name, options);
      return {};
    }),

    PutConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.PutConfigurationSetTrackingOptionsRequest) => {
      const { ConfigurationSetName: name, ...options } = input;
      await sets.putTrackingOptions(scopeOf(ctx), name, options);
      return {};
    }),

    PutConfigurationSetReputationOptions: typedHandler(async (ctx, input: T.PutConfigurationSetReputationOptionsRequest) => {
      await sets.putReputationOptions(scopeOf(ctx), input.ConfigurationSetName, input.ReputationMetricsEnabled ?? false);
      return {};
    }),

    PutConfigurationSetSendingOptions: typedHandler(async (ctx, input: T.PutConfigurationSetSendingOptionsRequest) => {
      await sets.putSendingOptions(scopeOf(ctx), input.ConfigurationSetName, input.SendingEnabled ?? false);
      return {};
    }),

    PutConfigurationSetSuppressionOptions: typedHandler(async (ctx, input: T.PutConfigurationSetSuppressionOptionsRequest) => {
      await sets.putSuppressionOptions(scopeOf(ctx), input.ConfigurationSetName, input.SuppressedReasons ?? []);
      return {};
    }),

    PutConfigurationSetVdmOptions: typedHandler(async (ctx, input: T.PutConfigurationSetVdmOptionsRequest) => {
      await sets.putVdmOptions(scopeOf(ctx), input.ConfigurationSetName, input.VdmOptions);
      return {};
    }),

    CreateConfigurationSetEventDestination: typedHandler(async (ctx, input: T.CreateConfigurationSetEventDestinationRequest) => {
      await sets.createEventDestination(scopeOf(ctx), input.ConfigurationSetName, input.EventDestinationName, input.EventDestination);
      return {};
    }),

    GetConfigurationSetEventDestinations: typedHandler(
      async (ctx, input: T.GetConfigurationSetEventDestinationsRequest): Promise<T.GetConfigurationSetEventDestinationsResponse> => ({
        EventDestinations: await sets.eventDestinations(scopeOf(ctx), input.ConfigurationSetName),
      }),
    ),

    UpdateConfigurationSetEventDestination: typedHandler(async (ctx, input: T.UpdateConfigurationSetEventDestinationRequest) => {
      await sets.updateEventDestination(scopeOf(ctx), input.ConfigurationSetName, input.EventDestinationName, input.EventDestination);
      return {};
    }),

    DeleteConfigurationSetEventDestination: typedHandler(async (ctx, input: T.DeleteConfigurationSetEventDestinationRequest) => {
      await sets.deleteEventDestination(scopeOf(ctx), input.ConfigurationSetName, input.EventDestinationName);
      return {};
    }),
  };
}
