// The options of a configuration set as SES checks them. Enum values (TlsPolicy, suppression
// reasons, VDM feature states) are already checked against the service model when the request is
// decoded; what is left are the rules the model does not carry.
import { AwsError, invalidParameter, unsupportedFeature } from '../errors.js';
import type { ConfigurationSetOptions, DeliveryOptions, TrackingOptions, VdmOptions } from './configuration-set.js';

/** SES bounds MaxDeliverySeconds: 5 minutes to 14 hours. */
export const MIN_DELIVERY_SECONDS = 300;
export const MAX_DELIVERY_SECONDS = 50_400;

// In the order SES lists them when it refuses one (floci-io/floci SesConfigurationSetV2IntegrationTest
// putTrackingOptions_invalidHttpsPolicy_returns400, observed on AWS 2026-06-17).
const HTTPS_POLICIES = ['OPTIONAL', 'REQUIRE', 'REQUIRE_OPEN_ONLY'];

/** The dedicated IP pools every account has; sesd has no others. */
const BUILT_IN_POOLS = new Set(['ses-default-dedicated-pool', 'ses-shared-pool']);

/**
 * Options of a new set: what was given, with SES's defaults for the rest. Reputation metrics are on
 * unless told otherwise, as SES v2 creates a set (aws/aws-cdk#30968, reproduced by AWS staff; the CDK
 * documents `@default true` since); SES v1 creates its sets with them off and says so explicitly.
 * Delivery options stay absent: SES shows none for a set made without them (terraform-provider-aws
 * TestAccSESConfigurationSet_basic asserts `delivery_options.# = 0` on AWS).
 */
export function withDefaults(given: Partial<ConfigurationSetOptions>): ConfigurationSetOptions {
  const { DeliveryOptions: delivery, ...rest } = given;
  return {
    ...rest,
    ...(delivery && { DeliveryOptions: deliveryWithDefaults(delivery) }),
    ReputationOptions: { ReputationMetricsEnabled: given.ReputationOptions?.ReputationMetricsEnabled ?? true },
    SendingOptions: { SendingEnabled: given.SendingOptions?.SendingEnabled ?? true },
  };
}

/** Delivery options as stored: TLS is optional unless required. */
export function deliveryWithDefaults(options: DeliveryOptions): DeliveryOptions {
  return { ...options, TlsPolicy: options.TlsPolicy ?? 'OPTIONAL' };
}

/** `path` is where the options sit in the request, for SES's validation wording (e.g. `deliveryOptions.`). */
export function validateDeliveryOptions(options: DeliveryOptions, path = ''): void {
  const seconds = options.MaxDeliverySeconds;
  if (seconds !== undefined) {
    if (!Number.isInteger(seconds)) throw validationError(`${path}maxDeliverySeconds`, 'Member must be a whole number of seconds');
    if (seconds < MIN_DELIVERY_SECONDS) throw validationError(`${path}maxDeliverySeconds`, `Member must have value greater than or equal to ${MIN_DELIVERY_SECONDS}`);
    if (seconds > MAX_DELIVERY_SECONDS) throw validationError(`${path}maxDeliverySeconds`, `Member must have value less than or equal to ${MAX_DELIVERY_SECONDS}`);
  }
  const pool = options.SendingPoolName;
  if (pool !== undefined) {
    if (pool.trim() === '') throw invalidParameter("sendingPoolName can't be blank.");
    if (!BUILT_IN_POOLS.has(pool)) throw invalidParameter(`SendingPool <${pool}> doesn't exist`);
  }
}

export function validateRedirectDomain(options: TrackingOptions): void {
  if (options.CustomRedirectDomain.trim() === '') throw invalidParameter('CustomRedirectDomain must be specified.');
}

/** Checked after the domain is found verified: SES answers an unverified domain first (same test as above). */
export function validateHttpsPolicy(options: TrackingOptions): void {
  if (options.HttpsPolicy !== undefined && !HTTPS_POLICIES.includes(options.HttpsPolicy)) {
    throw validationError('httpsPolicy', `Member must satisfy enum value set: [${HTTPS_POLICIES.join(', ')}]`);
  }
}

/**
 * Options asking for what sesd does not do are refused, naming the feature, rather than stored and
 * ignored. Asking for it off (a VDM feature DISABLED, no archive, the default signing) is what sesd
 * does anyway, and is kept.
 */
export function refuseUnsupportedOptions(options: Partial<ConfigurationSetOptions>): void {
  if (options.VdmOptions && vdmEnables(options.VdmOptions)) throw unsupportedFeature('Virtual Deliverability Manager features', 'VdmOptions');
  if (options.ArchivingOptions?.ArchiveArn) throw unsupportedFeature('archiving to a Mail Manager archive', 'ArchivingOptions');
  if (options.MessageSecurityOptions?.SigningScheme?.SmimeScheme) throw unsupportedFeature('S/MIME signing', 'MessageSecurityOptions');
}

const vdmEnables = (vdm: VdmOptions): boolean =>
  vdm.DashboardOptions?.EngagementMetrics === 'ENABLED' || vdm.GuardianOptions?.OptimizedSharedDelivery === 'ENABLED';

/** SES's request-validation wording for a constraint the model does not carry. */
function validationError(path: string, constraint: string): AwsError {
  return invalidParameter(`1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`);
}
