// Configuration set rules for both SES APIs: create with options and tags, read, list, delete, the
// Put*Options operations, and the set's event destinations.
import type { ConfigurationSetsRepository } from '../../store/configuration-sets-repository.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import type { TopicPublisher } from '../../sns/topic-publisher.js';
import { AwsError, invalidParameter } from '../errors.js';
import type { Scope } from '../identities/identity.js';
import { validateTags, type Tag } from '../tags/tags.js';
import {
  configurationSetAlreadyExists,
  configurationSetArn,
  configurationSetNotFound,
  MAX_CONFIGURATION_SETS,
  tooManyConfigurationSets,
  validateConfigurationSetName,
  type ConfigurationSet,
  type ConfigurationSetOptions,
  type DeliveryOptions,
  type SuppressionListReason,
  type TrackingOptions,
  type VdmOptions,
} from './configuration-set.js';
import {
  eventDestinationAlreadyExists,
  eventDestinationNotFound,
  MAX_EVENT_DESTINATIONS,
  toEventDestination,
  tooManyEventDestinations,
  validateEventDestinationName,
  type EventDestination,
  type EventDestinationDefinition,
} from './event-destinations.js';
import { SNS_DESTINATION_VALIDATION_MESSAGE } from './sns-validation.js';
import {
  deliveryWithDefaults,
  refuseUnsupportedOptions,
  validateDeliveryOptions,
  validateHttpsPolicy,
  validateRedirectDomain,
  withDefaults,
} from './options.js';

export interface ConfigurationSetsServiceDeps {
  sets: ConfigurationSetsRepository;
  tags: TagsRepository;
  /**
   * Whether a domain is a verified identity of the account: SES only accepts such a domain as a
   * custom redirect domain for open and click tracking. Without it, any domain is accepted.
   */
  isVerifiedDomain?: (scope: Scope, domain: string) => Promise<boolean>;
  /**
   * sesd's SNS service: an SNS destination's topic must exist, and SES publishes a validation
   * message to it when the destination is created. Without it, topics are taken as given.
   */
  topics?: Pick<TopicPublisher, 'topicExists' | 'publish'>;
  now?: () => number;
}

export class ConfigurationSetsService {
  private readonly now: () => number;

  constructor(private readonly deps: ConfigurationSetsServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  async create(scope: Scope, name: string, given: Partial<ConfigurationSetOptions>, tags: Tag[] = []): Promise<void> {
    validateConfigurationSetName(name);
    validateTags(tags);
    refuseUnsupportedOptions(given);
    if (given.TrackingOptions) await this.checkTracking(scope, given.TrackingOptions);
    if (given.DeliveryOptions) validateDeliveryOptions(given.DeliveryOptions, 'deliveryOptions.');
    if ((await this.deps.sets.count(scope)) >= MAX_CONFIGURATION_SETS) throw tooManyConfigurationSets();
    const set: ConfigurationSet = { ...scope, name, options: withDefaults(given), createdAt: this.now() };
    if (!(await this.deps.sets.create(set))) throw configurationSetAlreadyExists(name);
    await this.deps.tags.put(configurationSetArn(scope, name), tags);
  }

  async get(scope: Scope, name: string): Promise<ConfigurationSet & { tags: Tag[] }> {
    const set = await this.existing(scope, name);
    return { ...set, tags: await this.deps.tags.list(configurationSetArn(scope, name)) };
  }

  /** `nameContains` is ListConfigurationSets' CONFIGURATION_SET_NAME_CONTAINS filter. */
  list(scope: Scope, page: { after?: string; limit: number; nameContains?: string }): Promise<string[]> {
    const contains = page.nameContains;
    if (contains !== undefined && (contains.length < 3 || contains.length > 64)) {
      throw invalidParameter('CONFIGURATION_SET_NAME_CONTAINS must be between 3 and 64 characters');
    }
    return this.deps.sets.listNames(scope, page);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    validateConfigurationSetName(name);
    if (!(await this.deps.sets.delete(scope, name))) throw configurationSetNotFound(name);
    await this.deps.tags.removeAll(configurationSetArn(scope, name));
  }

  putDeliveryOptions(scope: Scope, name: string, options: DeliveryOptions): Promise<void> {
    validateDeliveryOptions(options);
    return this.change(scope, name, (o) => ({ ...o, DeliveryOptions: deliveryWithDefaults(options) }));
  }

  /** SES v1's PutConfigurationSetDeliveryOptions without DeliveryOptions: the TLS policy goes, v2's pool and time limit stay. */
  removeTlsPolicy(scope: Scope, name: string): Promise<void> {
    return this.change(scope, name, ({ DeliveryOptions: delivery, ...rest }) => {
      const { TlsPolicy: _dropped, ...kept }: DeliveryOptions = delivery ?? {};
      return Object.keys(kept).length > 0 ? { ...rest, DeliveryOptions: kept } : rest;
    });
  }

  async putTrackingOptions(scope: Scope, name: string, options: Partial<TrackingOptions>): Promise<void> {
    const { CustomRedirectDomain: domain, HttpsPolicy } = options;
    if (domain === undefined) {
      if (HttpsPolicy !== undefined) throw invalidParameter('CustomRedirectDomain must be specified.');
      return this.change(scope, name, ({ TrackingOptions: _dropped, ...rest }) => rest);
    }
    const tracking: TrackingOptions = { CustomRedirectDomain: domain, ...(HttpsPolicy !== undefined && { HttpsPolicy }) };
    await this.existing(scope, name);
    await this.checkTracking(scope, tracking);
    return this.change(scope, name, (o) => ({ ...o, TrackingOptions: tracking }));
  }

  putReputationOptions(scope: Scope, name: string, metricsEnabled: boolean): Promise<void> {
    return this.change(scope, name, (o) => ({ ...o, ReputationOptions: { ...o.ReputationOptions, ReputationMetricsEnabled: metricsEnabled } }));
  }

  /**
   * Turning a paused set's sending back on gives its reputation metrics a fresh start, which SES
   * shows as LastFreshStart (null until then; SES API reference, ReputationOptions).
   */
  putSendingOptions(scope: Scope, name: string, sendingEnabled: boolean): Promise<void> {
    return this.change(scope, name, (o) => {
      const resumed = sendingEnabled && !o.SendingOptions.SendingEnabled;
      const reputation = resumed ? { ...o.ReputationOptions, LastFreshStart: this.now() } : o.ReputationOptions;
      return { ...o, SendingOptions: { SendingEnabled: sendingEnabled }, ReputationOptions: reputation };
    });
  }

  /** An empty list is an explicit choice: nothing is added to the suppression list for this set. */
  putSuppressionOptions(scope: Scope, name: string, reasons: SuppressionListReason[]): Promise<void> {
    return this.change(scope, name, (o) => ({ ...o, SuppressionOptions: { SuppressedReasons: [...new Set(reasons)] } }));
  }

  putVdmOptions(scope: Scope, name: string, vdm: VdmOptions | undefined): Promise<void> {
    refuseUnsupportedOptions({ VdmOptions: vdm });
    return this.change(scope, name, ({ VdmOptions: _dropped, ...rest }) => (vdm ? { ...rest, VdmOptions: vdm } : rest));
  }

  async eventDestinations(scope: Scope, set: string): Promise<EventDestination[]> {
    await this.existing(scope, set);
    return this.deps.sets.eventDestinations(scope, set);
  }

  async createEventDestination(scope: Scope, set: string, name: string, def: EventDestinationDefinition): Promise<void> {
    const destination = toEventDestination(name, def);
    const existing = await this.eventDestinations(scope, set);
    if (existing.some((d) => d.Name === name)) throw eventDestinationAlreadyExists(set, name);
    if (existing.length >= MAX_EVENT_DESTINATIONS) throw tooManyEventDestinations(set);
    const topicArn = destination.SnsDestination?.TopicArn;
    if (topicArn) await this.checkTopic(scope, topicArn);
    if (!(await this.deps.sets.createEventDestination(scope, set, destination, this.now()))) throw eventDestinationAlreadyExists(set, name);
    // As SES does: applications subscribed to the topic see this message first and special-case it.
    if (topicArn && this.deps.topics) {
      await this.deps.topics.publish({ ...scope, topicArn, message: SNS_DESTINATION_VALIDATION_MESSAGE });
    }
  }

  async updateEventDestination(scope: Scope, set: string, name: string, def: EventDestinationDefinition): Promise<void> {
    const destination = toEventDestination(name, def);
    await this.existing(scope, set);
    const topicArn = destination.SnsDestination?.TopicArn;
    if (topicArn) await this.checkTopic(scope, topicArn);
    if (!(await this.deps.sets.updateEventDestination(scope, set, destination))) throw eventDestinationNotFound(set, name);
  }

  async deleteEventDestination(scope: Scope, set: string, name: string): Promise<void> {
    validateEventDestinationName(name);
    await this.existing(scope, set);
    if (!(await this.deps.sets.deleteEventDestination(scope, set, name))) throw eventDestinationNotFound(set, name);
  }

  private async existing(scope: Scope, name: string): Promise<ConfigurationSet> {
    validateConfigurationSetName(name);
    const set = await this.deps.sets.get(scope, name);
    if (!set) throw configurationSetNotFound(name);
    return set;
  }

  private async change(scope: Scope, name: string, fn: (options: ConfigurationSetOptions) => ConfigurationSetOptions): Promise<void> {
    const set = await this.existing(scope, name);
    if (!(await this.deps.sets.updateOptions(scope, name, fn(set.options), this.now()))) throw configurationSetNotFound(name);
  }

  /**
   * SES refuses an SNS destination whose topic does not exist (v1: InvalidSNSDestination). The text
   * is SES v1's, recorded in LocalStack's test_ses.snapshot.json (test_cannot_create_event_for_no_topic).
   */
  private async checkTopic(scope: Scope, topicArn: string): Promise<void> {
    const topics = this.deps.topics;
    // A malformed ARN is a destination SES cannot use too (not SNS's own InvalidParameter).
    if (!topics || (await topics.topicExists({ ...scope, topicArn }).catch(() => false))) return;
    throw new AwsError('BadRequestException', `SNS topic <${topicArn}> not found.`, 400, true, 'InvalidSNSDestination');
  }

  /** A tracking domain must be a verified domain of the account; SES v1 asks before it looks for the set. */
  async checkRedirectDomain(scope: Scope, domain: string): Promise<void> {
    validateRedirectDomain({ CustomRedirectDomain: domain });
    const verified = this.deps.isVerifiedDomain;
    if (verified && !(await verified(scope, domain))) throw invalidParameter(`Domain <${domain}> is not verified under this account.`);
  }

  private async checkTracking(scope: Scope, tracking: TrackingOptions): Promise<void> {
    await this.checkRedirectDomain(scope, tracking.CustomRedirectDomain);
    validateHttpsPolicy(tracking);
  }
}
