// SES v1 configuration set actions. They are the SES v2 operations in v1 shapes, on the same stored
// sets, so both APIs see one set and share every rule: the v1 action maps its input onto the v2
// handler and the answer back. v1 spells event types in camel case (`send`, `renderingFailure`),
// TLS policies and dimension sources in mixed case, and its Describe asks for attributes by name.
// v2-only parts (DELIVERY_DELAY and SUBSCRIPTION events, EventBridge and Pinpoint destinations,
// sending pools, ...) are kept when v1 changes a set and left out of what v1 shows.
import { AwsError } from '../../domain/errors.js';
import type * as T from '../../protocol/models/types/ses.js';
import type * as V2 from '../../protocol/models/types/sesv2.js';
import { configurationSetHandlers as v2ConfigurationSetHandlers } from '../sesv2/configuration-sets.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { v2Operation } from './templates.js';

const EVENT_TYPES: Record<T.EventType, V2.EventType> = {
  send: 'SEND',
  reject: 'REJECT',
  bounce: 'BOUNCE',
  complaint: 'COMPLAINT',
  delivery: 'DELIVERY',
  open: 'OPEN',
  click: 'CLICK',
  renderingFailure: 'RENDERING_FAILURE',
};
const V1_EVENT_TYPES = new Map(Object.entries(EVENT_TYPES).map(([v1, v2]) => [v2, v1 as T.EventType]));

const DIMENSION_SOURCES: Record<T.DimensionValueSource, V2.DimensionValueSource> = {
  messageTag: 'MESSAGE_TAG',
  emailHeader: 'EMAIL_HEADER',
  linkTag: 'LINK_TAG',
};
const V1_DIMENSION_SOURCES = new Map(Object.entries(DIMENSION_SOURCES).map(([v1, v2]) => [v2, v1 as T.DimensionValueSource]));

function toV2Destination(d: T.EventDestination): V2.EventDestinationDefinition {
  return {
    Enabled: d.Enabled,
    MatchingEventTypes: d.MatchingEventTypes.map((t) => EVENT_TYPES[t]),
    KinesisFirehoseDestination: d.KinesisFirehoseDestination && {
      IamRoleArn: d.KinesisFirehoseDestination.IAMRoleARN,
      DeliveryStreamArn: d.KinesisFirehoseDestination.DeliveryStreamARN,
    },
    CloudWatchDestination: d.CloudWatchDestination && {
      DimensionConfigurations: d.CloudWatchDestination.DimensionConfigurations.map((c) => ({ ...c, DimensionValueSource: DIMENSION_SOURCES[c.DimensionValueSource] })),
    },
    SnsDestination: d.SNSDestination && { TopicArn: d.SNSDestination.TopicARN },
  };
}

function toV1Destination(d: V2.EventDestination): T.EventDestination {
  return {
    Name: d.Name,
    Enabled: d.Enabled,
    MatchingEventTypes: d.MatchingEventTypes.flatMap((t) => V1_EVENT_TYPES.get(t) ?? []),
    KinesisFirehoseDestination: d.KinesisFirehoseDestination && {
      IAMRoleARN: d.KinesisFirehoseDestination.IamRoleArn,
      DeliveryStreamARN: d.KinesisFirehoseDestination.DeliveryStreamArn,
    },
    CloudWatchDestination: d.CloudWatchDestination && {
      DimensionConfigurations: d.CloudWatchDestination.DimensionConfigurations.map((c) => ({ ...c, DimensionValueSource: V1_DIMENSION_SOURCES.get(c.DimensionValueSource)! })),
    },
    SNSDestination: d.SnsDestination && { TopicARN: d.SnsDestination.TopicArn },
  };
}

// v1's own tracking options errors: v2 puts tracking options, v1 creates, updates and deletes them.
const trackingOptionsAlreadyExist = (set: string): AwsError =>
  new AwsError('TrackingOptionsAlreadyExistsException', `Tracking options already exist for configuration set <${set}>.`, 400);
const trackingOptionsDoNotExist = (set: string): AwsError =>
  new AwsError('TrackingOptionsDoesNotExistException', `Tracking options do not exist for configuration set <${set}>.`, 400);

/** v1 names the domain's InvalidParameterValue after the action's own error (InvalidConfigurationSet, ...). */
async function withV1Code<R>(work: Promise<R>, queryCode: string): Promise<R> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof AwsError && err.queryCode === 'InvalidParameterValue') throw new AwsError(err.code, err.message, err.httpStatus, true, queryCode, err.queryMessage);
    throw err;
  }
}

export function configurationSetHandlers(sets: Parameters<typeof v2ConfigurationSetHandlers>[0]): HandlerTable {
  const v2 = v2ConfigurationSetHandlers(sets);
  const create = v2Operation(v2, 'CreateConfigurationSet');
  const get = v2Operation(v2, 'GetConfigurationSet');
  const list = v2Operation(v2, 'ListConfigurationSets');
  const destinations = v2Operation(v2, 'GetConfigurationSetEventDestinations');
  const createDestination = v2Operation(v2, 'CreateConfigurationSetEventDestination');
  const updateDestination = v2Operation(v2, 'UpdateConfigurationSetEventDestination');
  const putTracking = v2Operation(v2, 'PutConfigurationSetTrackingOptions');
  const putDelivery = v2Operation(v2, 'PutConfigurationSetDeliveryOptions');
  const putReputation = v2Operation(v2, 'PutConfigurationSetReputationOptions');
  const putSending = v2Operation(v2, 'PutConfigurationSetSendingOptions');

  /** Sets the tracking domain (keeping v2's HttpsPolicy); v1 names a refused one InvalidTrackingOptions. */
  const setTracking = async (ctx: RequestContext, set: string, options: T.TrackingOptions, httpsPolicy?: string) => {
    if (!options.CustomRedirectDomain) {
      throw new AwsError('BadRequestException', 'sesd keeps tracking options only with a CustomRedirectDomain.', 400, true, 'InvalidTrackingOptions');
    }
    return withV1Code(putTracking(ctx, { ConfigurationSetName: set, CustomRedirectDomain: options.CustomRedirectDomain, HttpsPolicy: httpsPolicy }), 'InvalidTrackingOptions');
  };
  const trackingOf = async (ctx: RequestContext, set: string) => (await get(ctx, { ConfigurationSetName: set })).TrackingOptions;

  return {
    CreateConfigurationSet: typedHandler(async (ctx, input: T.CreateConfigurationSetRequest) =>
      withV1Code(create(ctx, { ConfigurationSetName: input.ConfigurationSet.Name }), 'InvalidConfigurationSet'),
    ),

    DescribeConfigurationSet: typedHandler(async (ctx, input: T.DescribeConfigurationSetRequest): Promise<T.DescribeConfigurationSetResponse> => {
      const set = await get(ctx, { ConfigurationSetName: input.ConfigurationSetName });
      const wanted = new Set(input.ConfigurationSetAttributeNames ?? []);
      const out: T.DescribeConfigurationSetResponse = { ConfigurationSet: { Name: input.ConfigurationSetName } };
      if (wanted.has('eventDestinations')) {
        const { EventDestinations } = await destinations(ctx, { ConfigurationSetName: input.ConfigurationSetName });
        out.EventDestinations = (EventDestinations ?? []).map(toV1Destination);
      }
      if (wanted.has('trackingOptions') && set.TrackingOptions) out.TrackingOptions = { CustomRedirectDomain: set.TrackingOptions.CustomRedirectDomain };
      if (wanted.has('deliveryOptions')) out.DeliveryOptions = { TlsPolicy: set.DeliveryOptions?.TlsPolicy === 'REQUIRE' ? 'Require' : 'Optional' };
      if (wanted.has('reputationOptions')) {
        out.ReputationOptions = {
          SendingEnabled: set.SendingOptions?.SendingEnabled,
          ReputationMetricsEnabled: set.ReputationOptions?.ReputationMetricsEnabled,
          LastFreshStart: set.ReputationOptions?.LastFreshStart,
        };
      }
      return out;
    }),

    // SES v1 lists up to 1,000 sets a call.
    ListConfigurationSets: typedHandler(async (ctx, input: T.ListConfigurationSetsRequest): Promise<T.ListConfigurationSetsResponse> => {
      const page = await list(ctx, { NextToken: input.NextToken, PageSize: input.MaxItems ?? 1000 });
      return { ConfigurationSets: page.ConfigurationSets?.map((Name) => ({ Name })), NextToken: page.NextToken };
    }),

    // The same members as v2.
    DeleteConfigurationSet: v2.DeleteConfigurationSet!,
    DeleteConfigurationSetEventDestination: v2.DeleteConfigurationSetEventDestination!,

    CreateConfigurationSetEventDestination: typedHandler(async (ctx, input: T.CreateConfigurationSetEventDestinationRequest) =>
      createDestination(ctx, {
        ConfigurationSetName: input.ConfigurationSetName,
        EventDestinationName: input.EventDestination.Name,
        EventDestination: toV2Destination(input.EventDestination),
      }),
    ),

    UpdateConfigurationSetEventDestination: typedHandler(async (ctx, input: T.UpdateConfigurationSetEventDestinationRequest) =>
      updateDestination(ctx, {
        ConfigurationSetName: input.ConfigurationSetName,
        EventDestinationName: input.EventDestination.Name,
        EventDestination: toV2Destination(input.EventDestination),
      }),
    ),

    CreateConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.CreateConfigurationSetTrackingOptionsRequest) => {
      if (await trackingOf(ctx, input.ConfigurationSetName)) throw trackingOptionsAlreadyExist(input.ConfigurationSetName);
      return setTracking(ctx, input.ConfigurationSetName, input.TrackingOptions);
    }),

    UpdateConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.UpdateConfigurationSetTrackingOptionsRequest) => {
      const current = await trackingOf(ctx, input.ConfigurationSetName);
      if (!current) throw trackingOptionsDoNotExist(input.ConfigurationSetName);
      return setTracking(ctx, input.ConfigurationSetName, input.TrackingOptions, current.HttpsPolicy);
    }),

    DeleteConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.DeleteConfigurationSetTrackingOptionsRequest) => {
      if (!(await trackingOf(ctx, input.ConfigurationSetName))) throw trackingOptionsDoNotExist(input.ConfigurationSetName);
      // Putting no domain removes the set's tracking options.
      return putTracking(ctx, { ConfigurationSetName: input.ConfigurationSetName });
    }),

    // v1 knows only the TLS policy: the set's other delivery options (v2) stay as they are.
    PutConfigurationSetDeliveryOptions: typedHandler(async (ctx, input: T.PutConfigurationSetDeliveryOptionsRequest) => {
      const { DeliveryOptions: current } = await get(ctx, { ConfigurationSetName: input.ConfigurationSetName });
      const tls = input.DeliveryOptions?.TlsPolicy;
      return putDelivery(ctx, { ...current, ConfigurationSetName: input.ConfigurationSetName, TlsPolicy: tls === 'Require' ? 'REQUIRE' : 'OPTIONAL' });
    }),

    UpdateConfigurationSetReputationMetricsEnabled: typedHandler(async (ctx, input: T.UpdateConfigurationSetReputationMetricsEnabledRequest) =>
      putReputation(ctx, { ConfigurationSetName: input.ConfigurationSetName, ReputationMetricsEnabled: input.Enabled }),
    ),

    UpdateConfigurationSetSendingEnabled: typedHandler(async (ctx, input: T.UpdateConfigurationSetSendingEnabledRequest) =>
      putSending(ctx, { ConfigurationSetName: input.ConfigurationSetName, SendingEnabled: input.Enabled }),
    ),
  };
}
