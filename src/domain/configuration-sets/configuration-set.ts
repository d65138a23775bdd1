// Configuration sets: what one holds, SES's naming rule and limits, and SES's answers when one is
// missing or already there (with the SES v1 codes, so the v1 actions reuse these rules).
//
// The options are sesd's own types, with SES's field names: the stored JSON has them, and both SES
// APIs map their request and answer shapes onto these (v2 one to one, v1 from its own spellings).
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { resourceArn } from '../tags/tags.js';

/** Open and click links point at this domain (a verified identity the operator points at sesd). */
export interface TrackingOptions {
  CustomRedirectDomain: string;
  /** REQUIRE, REQUIRE_OPEN_ONLY or OPTIONAL (the default). */
  HttpsPolicy?: string;
}

export type TlsPolicy = 'REQUIRE' | 'OPTIONAL';

export interface DeliveryOptions {
  TlsPolicy?: TlsPolicy;
  SendingPoolName?: string;
  MaxDeliverySeconds?: number;
}

export interface ReputationOptions {
  ReputationMetricsEnabled?: boolean;
  /** When sending was last turned back on (ms since the epoch): the set's metrics start afresh then. */
  LastFreshStart?: number;
}

export interface SendingOptions {
  SendingEnabled?: boolean;
}

export type SuppressionListReason = 'BOUNCE' | 'COMPLAINT';

/** Which bounces and complaints add a recipient to the suppression list; the rest is kept as given. */
export interface SuppressionOptions {
  SuppressedReasons?: SuppressionListReason[];
  SuppressionScope?: string;
  ValidationOptions?: {
    ConditionThreshold: { ConditionThresholdEnabled: string; OverallConfidenceThreshold?: { ConfidenceVerdictThreshold: string } };
  };
}

export type FeatureStatus = 'ENABLED' | 'DISABLED';

// Only their off states are kept (options.ts refuseUnsupportedOptions): sesd has no VDM dashboard,
// no optimized shared delivery, no Mail Manager archive and no S/MIME signing.
export interface VdmOptions {
  DashboardOptions?: { EngagementMetrics?: FeatureStatus };
  GuardianOptions?: { OptimizedSharedDelivery?: FeatureStatus };
}

export interface ArchivingOptions {
  ArchiveArn?: string;
}

export interface MessageSecurityOptions {
  SigningScheme?: { DefaultScheme?: Record<string, never>; SmimeScheme?: { SignatureFormat?: string } };
}

export interface ConfigurationSetOptions {
  TrackingOptions?: TrackingOptions;
  /** Absent until given (SES shows none for a set made without them); TlsPolicy OPTIONAL unless REQUIRE. */
  DeliveryOptions?: DeliveryOptions;
  /** Always present: SES v2 turns metrics on unless told otherwise, SES v1 leaves them off. */
  ReputationOptions: ReputationOptions;
  /** Always present: sending is enabled unless paused. */
  SendingOptions: Required<SendingOptions>;
  /** Absent: the account's suppression list settings apply. */
  SuppressionOptions?: SuppressionOptions;
  VdmOptions?: VdmOptions;
  ArchivingOptions?: ArchivingOptions;
  MessageSecurityOptions?: MessageSecurityOptions;
}

export interface ConfigurationSet extends Scope {
  name: string;
  options: ConfigurationSetOptions;
  createdAt: number;
}

/** SES quota: configuration sets per account and region. */
export const MAX_CONFIGURATION_SETS = 10_000;
const NAME = /^[A-Za-z0-9_-]+$/;
const MAX_NAME_LENGTH = 64;

export const configurationSetArn = (scope: Scope, name: string): string => resourceArn(scope, 'configuration-set', name);

export const configurationSetNotFound = (name: string): AwsError =>
  new AwsError('NotFoundException', `Configuration set <${name}> does not exist.`, 404, true, 'ConfigurationSetDoesNotExist');

export const configurationSetAlreadyExists = (name: string): AwsError =>
  new AwsError('AlreadyExistsException', `Configuration set <${name}> already exists.`, 400, true, 'ConfigurationSetAlreadyExists');

export const tooManyConfigurationSets = (): AwsError =>
  new AwsError('LimitExceededException', `Maximum number of configuration sets (${MAX_CONFIGURATION_SETS}) exceeded.`, 400, true, 'LimitExceeded');

/** Up to 64 characters: ASCII letters, digits, `_` and `-`. */
export function validateConfigurationSetName(name: string): void {
  if (name.length === 0) throw invalidParameter('The configuration set name must be specified.');
  if (name.length > MAX_NAME_LENGTH) throw invalidParameter(`Configuration set name cannot exceed ${MAX_NAME_LENGTH} characters.`);
  if (!NAME.test(name)) {
    throw invalidParameter(`Invalid configuration set name <${name}>: only alphanumeric ASCII characters, '_', and '-' are allowed.`);
  }
}
