// SES v1 configuration set actions. They act on the same stored sets as SES v2, through the same
// ConfigurationSetsService, so both APIs see one set and share every rule: each v1 action maps its
// Query shapes onto the service's domain types and the answer back. v1 spells event types in camel
// case (`send`, `renderingFailure`), TLS policies and dimension sources in mixed case, and its
// Describe asks for attributes by name. v2-only parts (DELIVERY_DELAY and SUBSCRIPTION events,
// EventBridge and Pinpoint destinations, sending pools, ...) are kept when v1 changes a set and left
// out of what v1 shows.
import type { ConfigurationSetsService } from '../../domain/configuration-sets/configuration-sets-service.js';
import type { DimensionValueSource, EventDestination, EventDestinationDefinition, EventType } from '../../domain/configuration-sets/event-destinations.js';
import { AwsError } from '../../domain/errors.js';
import type * as T from '../../protocol/models/types/ses.js';
import { configurationSetNamesPage, reputationOut } from '../sesv2/configuration-sets.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

const EVENT_TYPES: Record<T.EventType, EventType> = {
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

const DIMENSION_SOURCES: Record<T.DimensionValueSource, DimensionValueSource> = {
  messageTag: 'MESSAGE_TAG',
  emailHeader: 'EMAIL_HEADER',
  linkTag: 'LINK_TAG',
};
const V1_DIMENSION_SOURCES = new Map(Object.entries(DIMENSION_SOURCES).map(([v1, v2]) => [v2, v1 as T.DimensionValueSource]));

function toDefinition(d: T.EventDestination): EventDestinationDefinition {
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

function toV1Destination(d: EventDestination): T.EventDestination {
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

export function configurationSetHandlers(sets: ConfigurationSetsService): HandlerTable {
  /**
   * The tracking domain must be a verified domain, and SES v1 checks that before it looks for the
   * set (floci-io/floci SesConfigurationSetTrackingOptionsV1IntegrationTest, observed on AWS
   * 2026-06-21): v1 names a refused one InvalidTrackingOptions.
   */
  const checkDomain = async (ctx: RequestContext, options: T.TrackingOptions): Promise<string> => {
    if (!options.CustomRedirectDomain) {
      throw new AwsError('BadRequestException', 'sesd keeps tracking options only with a CustomRedirectDomain.', 400, true, 'InvalidTrackingOptions');
    }
    await withV1Code(sets.checkRedirectDomain(scopeOf(ctx), options.CustomRedirectDomain), 'InvalidTrackingOptions');
    return options.CustomRedirectDomain;
  };
  /** Sets the tracking domain, keeping v2's HttpsPolicy. */
  const setTracking = async (ctx: RequestContext, set: string, domain: string, httpsPolicy?: string) => {
    await withV1Code(sets.putTrackingOptions(scopeOf(ctx), set, { CustomRedirectDomain: domain, HttpsPolicy: httpsPolicy }), 'InvalidTrackingOptions');
    return {};
  };
  const trackingOf = async (ctx: RequestContext, set: string) => (await sets.get(scopeOf(ctx), set)).options.TrackingOptions;

  return {
    // SES v1 makes a set with reputation metrics off (terraform-provider-aws
    // TestAccSESConfigurationSet_basic reads `reputation_metrics_enabled = false` back from AWS),
    // where SES v2 turns them on.
    CreateConfigurationSet: typedHandler(async (ctx, input: T.CreateConfigurationSetRequest) => {
      await withV1Code(sets.create(scopeOf(ctx), input.ConfigurationSet.Name, { ReputationOptions: { ReputationMetricsEnabled: false } }), 'InvalidConfigurationSet');
      return {};
    }),

    DescribeConfigurationSet: typedHandler(async (ctx, input: T.DescribeConfigurationSetRequest): Promise<T.DescribeConfigurationSetResponse> => {
      const { options } = await sets.get(scopeOf(ctx), input.ConfigurationSetName);
      const wanted = new Set(input.ConfigurationSetAttributeNames ?? []);
      const out: T.DescribeConfigurationSetResponse = { ConfigurationSet: { Name: input.ConfigurationSetName } };
      if (wanted.has('eventDestinations')) out.EventDestinations = (await sets.eventDestinations(scopeOf(ctx), input.ConfigurationSetName)).map(toV1Destination);
      if (wanted.has('trackingOptions') && options.TrackingOptions) out.TrackingOptions = { CustomRedirectDomain: options.TrackingOptions.CustomRedirectDomain };
      // None until a TLS policy is set (terraform-provider-aws TestAccSESConfigurationSet_basic and
      // _Update_emptyDeliveryOptions read `delivery_options.# = 0` back from AWS).
      const tls = options.DeliveryOptions?.TlsPolicy;
      if (wanted.has('deliveryOptions') && tls) out.DeliveryOptions = { TlsPolicy: tls === 'REQUIRE' ? 'Require' : 'Optional' };
      if (wanted.has('reputationOptions')) out.ReputationOptions = { SendingEnabled: options.SendingOptions.SendingEnabled, ...reputationOut(options.ReputationOptions) };
      return out;
    }),

    // SES v1 lists up to 1,000 sets a call.
    ListConfigurationSets: typedHandler(async (ctx, input: T.ListConfigurationSetsRequest): Promise<T.ListConfigurationSetsResponse> => {
      const page = await configurationSetNamesPage(sets, scopeOf(ctx), { nextToken: input.NextToken, pageSize: input.MaxItems ?? 1000 });
      return { ConfigurationSets: page.names.map((Name) => ({ Name })), NextToken: page.nextToken };
    }),

    DeleteConfigurationSet: typedHandler(async (ctx, input: T.DeleteConfigurationSetRequest) => {
      await sets.delete(scopeOf(ctx), input.ConfigurationSetName);
      return {};
    }),

    CreateConfigurationSetEventDestination: typedHandler(async (ctx, input: T.CreateConfigurationSetEventDestinationRequest) => {
      await sets.createEventDestination(scopeOf(ctx), input.ConfigurationSetName, input.EventDestination.Name, toDefinition(input.EventDestination));
      return {};
    }),

    UpdateConfigurationSetEventDestination: typedHandler(async (ctx, input: T.UpdateConfigurationSetEventDestinationRequest) => {
      await sets.updateEventDestination(scopeOf(ctx), input.ConfigurationSetName, input.EventDestination.Name, toDefinition(input.EventDestination));
      return {};
    }),

    DeleteConfigurationSetEventDestination: typedHandler(async (ctx, input: T.DeleteConfigurationSetEventDestinationRequest) => {
      await sets.deleteEventDestination(scopeOf(ctx), input.ConfigurationSetName, input.EventDestinationName);
      return {};
    }),

    CreateConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.CreateConfigurationSetTrackingOptionsRequest) => {
      const domain = await checkDomain(ctx, input.TrackingOptions);
      if (await trackingOf(ctx, input.ConfigurationSetName)) throw trackingOptionsAlreadyExist(input.ConfigurationSetName);
      return setTracking(ctx, input.ConfigurationSetName, domain);
    }),

    UpdateConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.UpdateConfigurationSetTrackingOptionsRequest) => {
      const domain = await checkDomain(ctx, input.TrackingOptions);
      const current = await trackingOf(ctx, input.ConfigurationSetName);
      if (!current) throw trackingOptionsDoNotExist(input.ConfigurationSetName);
      return setTracking(ctx, input.ConfigurationSetName, domain, current.HttpsPolicy);
    }),

    DeleteConfigurationSetTrackingOptions: typedHandler(async (ctx, input: T.DeleteConfigurationSetTrackingOptionsRequest) => {
      if (!(await trackingOf(ctx, input.ConfigurationSetName))) throw trackingOptionsDoNotExist(input.ConfigurationSetName);
      // Putting no domain removes the set's tracking options.
      await sets.putTrackingOptions(scopeOf(ctx), input.ConfigurationSetName, {});
      return {};
    }),

    // v1 knows only the TLS policy: the set's other delivery options (v2) stay as they are. Without
    // DeliveryOptions the policy goes, and Describe shows none again (terraform-provider-aws
    // TestAccSESConfigurationSet_Update_emptyDeliveryOptions, on AWS).
    PutConfigurationSetDeliveryOptions: typedHandler(async (ctx, input: T.PutConfigurationSetDeliveryOptionsRequest) => {
      if (!input.DeliveryOptions) {
        await sets.removeTlsPolicy(scopeOf(ctx), input.ConfigurationSetName);
        return {};
      }
      const { options } = await sets.get(scopeOf(ctx), input.ConfigurationSetName);
      const tls = input.DeliveryOptions.TlsPolicy;
      await sets.putDeliveryOptions(scopeOf(ctx), input.ConfigurationSetName, { ...options.DeliveryOptions, TlsPolicy: tls === 'Require' ? 'REQUIRE' : 'OPTIONAL' });
      return {};
    }),

    UpdateConfigurationSetReputationMetricsEnabled: typedHandler(async (ctx, input: T.UpdateConfigurationSetReputationMetricsEnabledRequest) => {
      await sets.putReputationOptions(scopeOf(ctx), input.ConfigurationSetName, input.Enabled);
      return {};
    }),

    UpdateConfigurationSetSendingEnabled: typedHandler(async (ctx, input: T.UpdateConfigurationSetSendingEnabledRequest) => {
      await sets.putSendingOptions(scopeOf(ctx), input.ConfigurationSetName, input.Enabled);
      return {};
    }),
  };
}
