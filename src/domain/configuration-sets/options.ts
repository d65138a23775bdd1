// The options of a configuration set as SES checks them. Enum values (TlsPolicy, suppression
// reasons, VDM feature states) are already checked against the service model when the request is
// decoded; what is left are the rules the model does not carry.
import { AwsError, invalidParameter } from '../errors.js';
import type { ConfigurationSetOptions, DeliveryOptions, TrackingOptions } from './configuration-set.js';

/** SES bounds MaxDeliverySeconds: 5 minutes to 14 hours. */
export const MIN_DELIVERY_SECONDS = 300;
export const MAX_DELIVERY_SECONDS = 50_400;

const HTTPS_POLICIES = ['REQUIRE', 'REQUIRE_OPEN_ONLY', 'OPTIONAL'];

/** The dedicated IP pools every account has; sesd has no others. */
const BUILT_IN_POOLS = new Set(['ses-default-dedicated-pool', 'ses-shared-pool']);

/** Options of a new set: what was given, with SES's defaults for the rest. */
export function withDefaults(given: Partial<ConfigurationSetOptions>): ConfigurationSetOptions {
  return {
    ...given,
    DeliveryOptions: deliveryWithDefaults(given.DeliveryOptions ?? {}),
    ReputationOptions: { ReputationMetricsEnabled: given.ReputationOptions?.ReputationMetricsEnabled ?? false },
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

export function validateTrackingOptions(options: TrackingOptions): void {
  if (options.CustomRedirectDomain.trim() === '') throw invalidParameter('CustomRedirectDomain must be specified.');
  if (options.HttpsPolicy !== undefined && !HTTPS_POLICIES.includes(options.HttpsPolicy)) {
    throw validationError('httpsPolicy', `Member must satisfy enum value set: [${HTTPS_POLICIES.join(', ')}]`);
  }
}

/** SES's request-validation wording for a constraint the model does not carry. */
function validationError(path: string, constraint: string): AwsError {
  return invalidParameter(`1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`);
}
