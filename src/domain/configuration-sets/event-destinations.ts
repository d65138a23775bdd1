// Event destinations of a configuration set: where SES publishes the set's sending events. sesd
// stores them as given (so tools that manage them work); which of them sesd can deliver to is the
// events dispatcher's business. At most 10 per configuration set, exactly one destination each.
import { AwsError, invalidParameter } from '../errors.js';

export type EventType = 'SEND' | 'REJECT' | 'BOUNCE' | 'COMPLAINT' | 'DELIVERY' | 'OPEN' | 'CLICK' | 'RENDERING_FAILURE' | 'DELIVERY_DELAY' | 'SUBSCRIPTION';

export type DimensionValueSource = 'MESSAGE_TAG' | 'EMAIL_HEADER' | 'LINK_TAG';

/** Where a destination's events go: exactly one of these per destination. */
export interface DestinationTargets {
  KinesisFirehoseDestination?: { IamRoleArn: string; DeliveryStreamArn: string };
  CloudWatchDestination?: {
    DimensionConfigurations: { DimensionName: string; DimensionValueSource: DimensionValueSource; DefaultDimensionValue: string }[];
  };
  SnsDestination?: { TopicArn: string };
  EventBridgeDestination?: { EventBusArn: string };
  PinpointDestination?: { ApplicationArn?: string };
}

/** A destination as a caller gives it, before it is checked (toEventDestination). */
export interface EventDestinationDefinition extends DestinationTargets {
  Enabled?: boolean;
  MatchingEventTypes?: EventType[];
}

export interface EventDestination extends DestinationTargets {
  Name: string;
  Enabled: boolean;
  MatchingEventTypes: EventType[];
}

export const MAX_EVENT_DESTINATIONS = 10;
const NAME = /^[A-Za-z0-9_-]+$/;
const MAX_NAME_LENGTH = 64;

const DESTINATION_KINDS = ['KinesisFirehoseDestination', 'CloudWatchDestination', 'SnsDestination', 'EventBridgeDestination', 'PinpointDestination'] as const;

/** SES v1 names only the configuration set (recorded: LocalStack's test_ses.snapshot.json). */
export const eventDestinationNotFound = (set: string, name: string): AwsError =>
  new AwsError(
    'NotFoundException',
    `An event destination with name <${name}> does not exist for configuration set <${set}>.`,
    404,
    true,
    'EventDestinationDoesNotExist',
    `No EventDestination found for ${set}`,
  );

export const eventDestinationAlreadyExists = (set: string, name: string): AwsError =>
  new AwsError(
    'AlreadyExistsException',
    `An event destination with name <${name}> already exists for configuration set <${set}>.`,
    400,
    true,
    'EventDestinationAlreadyExists',
  );

export const tooManyEventDestinations = (set: string): AwsError =>
  new AwsError(
    'LimitExceededException',
    `Configuration set <${set}> already has the maximum number of event destinations (${MAX_EVENT_DESTINATIONS}).`,
    400,
    true,
    'LimitExceeded',
  );

export function validateEventDestinationName(name: string): void {
  if (name.length === 0) throw invalidParameter('EventDestinationName is required.');
  if (name.length > MAX_NAME_LENGTH) throw invalidParameter(`Event destination name cannot exceed ${MAX_NAME_LENGTH} characters.`);
  if (!NAME.test(name)) {
    throw invalidParameter(`Invalid event destination name <${name}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`);
  }
}

/** Checks a definition and gives the destination as stored: disabled unless Enabled is true. */
export function toEventDestination(name: string, def: EventDestinationDefinition): EventDestination {
  validateEventDestinationName(name);
  if (!def.MatchingEventTypes || def.MatchingEventTypes.length === 0) throw invalidParameter('At least one event type must be specified.');
  const given = DESTINATION_KINDS.filter((kind) => def[kind] !== undefined);
  if (given.length === 0) throw invalidParameter('Event destination is not provided.');
  if (given.length > 1) {
    throw invalidParameter(
      'Please provide only one destination with each request. Either a Firehose Destination or a Cloudwatch Destination or an SNS Destination or an EventBridge Destination.',
    );
  }
  if (def.CloudWatchDestination) checkCloudWatch(def.CloudWatchDestination);
  if (def.KinesisFirehoseDestination) checkFirehose(def.KinesisFirehoseDestination);
  if (def.EventBridgeDestination && !EVENT_BUS_ARN.test(def.EventBridgeDestination.EventBusArn)) {
    throw invalidParameter(`EventBusArn <${def.EventBridgeDestination.EventBusArn}> is not an EventBridge event bus ARN.`);
  }
  const dest: EventDestination = { Name: name, Enabled: def.Enabled ?? false, MatchingEventTypes: [...new Set(def.MatchingEventTypes)] };
  for (const kind of given) Object.assign(dest, { [kind]: def[kind] });
  return dest;
}

// The models' rules for CloudWatch dimensions (v1 allows a colon in names and 256 characters, v2
// 255: the wider rule, so a destination either API made is taken by both). The error texts are
// sesd's; the codes are SES's (v1 InvalidCloudWatchDestination / InvalidFirehoseDestination).
const DIMENSION_NAME = /^[A-Za-z0-9_:-]{1,256}$/;
const DIMENSION_DEFAULT = /^[A-Za-z0-9_@.-]{1,256}$/;
const IAM_ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/\S+$/;
const FIREHOSE_ARN = /^arn:aws[\w-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/\S+$/;
const EVENT_BUS_ARN = /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/\S+$/;

const invalidCloudWatch = (message: string) => new AwsError('BadRequestException', message, 400, true, 'InvalidCloudWatchDestination');
const invalidFirehose = (message: string) => new AwsError('BadRequestException', message, 400, true, 'InvalidFirehoseDestination');

function checkCloudWatch(destination: NonNullable<DestinationTargets['CloudWatchDestination']>): void {
  if (destination.DimensionConfigurations.length === 0) throw invalidCloudWatch('CloudWatch metrics dimension configuration list cannot be empty.');
  for (const d of destination.DimensionConfigurations) {
    if (!DIMENSION_NAME.test(d.DimensionName)) {
      throw invalidCloudWatch(`Invalid dimension name <${d.DimensionName}>: 1 to 256 ASCII letters, digits, '_', '-' or ':'.`);
    }
    if (!DIMENSION_DEFAULT.test(d.DefaultDimensionValue)) {
      throw invalidCloudWatch(`Invalid default dimension value <${d.DefaultDimensionValue}>: 1 to 256 ASCII letters, digits, '_', '-', '@' or '.'.`);
    }
  }
}

function checkFirehose(destination: NonNullable<DestinationTargets['KinesisFirehoseDestination']>): void {
  if (!IAM_ROLE_ARN.test(destination.IamRoleArn)) throw invalidFirehose(`IAM role ARN <${destination.IamRoleArn}> is not an IAM role ARN.`);
  if (!FIREHOSE_ARN.test(destination.DeliveryStreamArn)) {
    throw invalidFirehose(`Delivery stream ARN <${destination.DeliveryStreamArn}> is not a Kinesis Data Firehose delivery stream ARN.`);
  }
}
