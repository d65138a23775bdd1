// sesd's SNS service: topics, subscriptions and publishing, as the SNS API and SES's event
// publishing use them. Publishing writes one delivery row per confirmed subscription and returns
// once they are committed; the dispatcher (dispatcher.ts) delivers them. A topic sesd does not host
// is published to the upstream SNS endpoint instead (upstream-publisher.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { AwsError } from '../domain/errors.js';
import { policiesAllow } from '../domain/resource-policy.js';
import { parseAddress } from '../domain/addresses.js';
import { parseTopicArn, tooFewElements, topicArn, topicOfSubscription } from './arn.js';
import {
  effectivePolicy,
  effectivePolicyDocument,
  effectiveSubscriptionPolicyDocument,
  subscriptionPolicyDocument,
  topicPolicyDocument,
  validateDeliveryPolicy,
} from './delivery-policy.js';
import { confirmationText, unsubscribeText } from './sns-message.js';
import {
  SNS_PROTOCOLS,
  type DeliveryPayload,
  type NewDelivery,
  type Page,
  type SnsProtocol,
  type SnsStore,
  type Subscription,
  type Tag,
  type Topic,
} from './sns-model.js';
import type { TopicPublishInput, TopicPublisher } from './topic-publisher.js';

export interface Scope {
  accountId: string;
  region: string;
}

export interface PublishRequest {
  topicArn: string;
  message: string;
  subject?: string;
  messageStructure?: string;
  messageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;
  /** FIFO parameters: passed on to an upstream topic (which may be FIFO); see publishRequest for hosted ones. */
  messageGroupId?: string;
  messageDeduplicationId?: string;
}

/** Publishes to a topic sesd does not host (an SNS-compatible endpoint elsewhere). */
export interface UpstreamPublisher {
  publish(input: PublishRequest & { region: string }): Promise<{ messageId: string }>;
}

export interface SnsServiceOptions {
  store: SnsStore;
  /** Topic ARNs that always go upstream (`*` matches any run of characters). */
  upstreamTopics: string[];
  upstream?: UpstreamPublisher;
  /** The default HTTP/S retry delay in seconds (SNS: 20). */
  defaultRetryDelaySeconds: number;
  /** Called after deliveries were committed (the dispatcher claims at once instead of at its next poll). */
  onEnqueued?: () => void;
  now?: () => number;
}

const PAGE_SIZE = 100;
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_TAGS = 50;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ATTRIBUTES = new Set(['DisplayName', 'Policy', 'DeliveryPolicy', 'SignatureVersion']);
const SUBSCRIPTION_ATTRIBUTES = new Set(['RawMessageDelivery', 'DeliveryPolicy', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy', 'SubscriptionRoleArn']);

const invalid = (what: string) => new AwsError('InvalidParameter', `Invalid parameter: ${what}`);
const topicNotFound = () => new AwsError('NotFound', 'Topic does not exist', 404);
const subscriptionNotFound = () => new AwsError('NotFound', 'Subscription does not exist', 404);

export class SnsService implements TopicPublisher {
  private readonly now: () => number;
  private readonly upstreamPatterns: RegExp[];

  constructor(private readonly opts: SnsServiceOptions) {
    this.now = opts.now ?? Date.now;
    this.upstreamPatterns = opts.upstreamTopics.map((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`));
  }

  // ---- topics

  async createTopic(scope: Scope, name: string, requested: Record<string, string> = {}, tags: Tag[] = []): Promise<string> {
    // A .fifo name without FifoTopic=true, or FifoTopic=true without a .fifo name, is refused by AWS itself as
    // "Invalid parameter: Topic Name" (localstack/localstack tests/aws/services/sns/test_sns.snapshot.json,
    // test_create_topic_name_constraints "name-contains-fifo", "fifo-name-not-contains-fifo"; and
    // test_create_topic_different_attrs "create-topic-new-attrs-fifo"). Only a FIFO topic AWS would create is sesd's own refusal.
    const fifoName = name.endsWith('.fifo');
    if (fifoName !== (requested.FifoTopic === 'true')) throw invalid('Topic Name');
    if (fifoName) throw invalid('Topic Name: sesd does not support FIFO topics');
    if (!TOPIC_NAME.test(name)) throw invalid('Topic Name');
    // FifoTopic=false asks for what every sesd topic is (standard); AWS does not list it afterwards either.
    const attributes = requested.FifoTopic === 'false' ? withoutKey(requested, 'FifoTopic') : requested;
    checkTopicAttributes(attributes);
    checkTags(tags);
    const arn = topicArn(scope.region, scope.accountId, name);
    const stored = await this.opts.store.createTopic({ arn, accountId: scope.accountId, region: scope.region, name, attributes, tags, createdAt: this.now() });
    // CreateTopic is idempotent, but not with different attributes or tags.
    for (const [k, v] of Object.entries(attributes)) {
      if ((stored.attributes[k] ?? defaultTopicAttribute(k)) !== v) throw invalid('Attributes Reason: Topic already exists with different attributes');
    }
    if (tags.length > 0 && !sameTags(stored.tags, tags)) throw invalid('Tags Reason: Topic already exists with different tags');
    return arn;
  }

  async deleteTopic(scope: Scope, arn: string): Promise<void> {
    checkRegion(scope, parseTopicArn(arn).region, 'TopicArn');
    const topic = await this.opts.store.topic(arn);
    if (!topic) return; // DeleteTopic of a topic that is gone succeeds, as on AWS.
    this.checkOwner(scope, topic, 'DeleteTopic');
    await this.opts.store.deleteTopic(arn);
  }

  async listTopics(scope: Scope, nextToken?: string): Promise<Page<string>> {
    const after = decodeToken(nextToken);
    const rows = await this.opts.store.listTopics(scope.accountId, scope.region, after, PAGE_SIZE + 1);
    return page(rows.map((t) => t.arn), (arn) => arn);
  }

  async topicAttributes(scope: Scope, arn: string): Promise<Record<string, string>> {
    const topic = await this.ownedTopic(scope, arn, 'GetTopicAttributes');
    const subs = await this.allSubscriptions(arn);
    const confirmed = subs.filter((s) => s.confirmed).length;
    const policy = effectivePolicy(topic.attributes.DeliveryPolicy, undefined, this.opts.defaultRetryDelaySeconds);
    return {
      Policy: topic.attributes.Policy ?? defaultPolicy(topic),
      Owner: topic.accountId,
      SubscriptionsPending: String(subs.length - confirmed),
      TopicArn: topic.arn,
      EffectiveDeliveryPolicy: effectivePolicyDocument(policy),
      SubscriptionsConfirmed: String(confirmed),
      DisplayName: topic.attributes.DisplayName ?? '',
      SubscriptionsDeleted: String(await this.opts.store.deletedSubscriptions(topic.arn, this.now())),
      ...(topic.attributes.DeliveryPolicy ? { DeliveryPolicy: topicPolicyDocument(topic.attributes.DeliveryPolicy) } : {}),
      // AWS lists SignatureVersion only once it was set; a new standard topic has none (though it signs
      // with version 1). localstack/localstack tests/aws/services/sns/test_sns.snapshot.json:
      // test_topic_get_attributes_with_fifo_false "get-attrs-standard-topic", test_create_topic_different_attrs "topic-attrs".
      ...(topic.attributes.SignatureVersion ? { SignatureVersion: topic.attributes.SignatureVersion } : {}),
    };
  }

  async setTopicAttribute(scope: Scope, arn: string, name: string, value: string | undefined): Promise<void> {
    const topic = await this.ownedTopic(scope, arn, 'SetTopicAttributes');
    if (!TOPIC_ATTRIBUTES.has(name)) throw invalid('AttributeName');
    const attributes = { ...topic.attributes };
    if (value === undefined || value === '') delete attributes[name];
    else {
      checkTopicAttributes({ [name]: value });
      attributes[name] = value;
    }
    await this.opts.store.updateTopic(arn, { attributes });
  }

  // ---- tags (topics are sesd's only taggable SNS resource)

  async tagResource(scope: Scope, arn: string, tags: Tag[]): Promise<void> {
    if (new Set(tags.map((t) => t.Key)).size !== tags.length) throw invalid('Duplicated keys are not allowed.');
    const topic = await this.taggable(scope, arn);
    const merged = new Map(topic.tags.map((t) => [t.Key, t.Value]));
    for (const t of tags) merged.set(t.Key, t.Value);
    if (merged.size > MAX_TAGS) throw new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded', 400);
    await this.opts.store.updateTopic(arn, { tags: [...merged].map(([Key, Value]) => ({ Key, Value })) });
  }

  async untagResource(scope: Scope, arn: string, keys: string[]): Promise<void> {
    const topic = await this.taggable(scope, arn);
    await this.opts.store.updateTopic(arn, { tags: topic.tags.filter((t) => !keys.includes(t.Key)) });
  }

  async listTags(scope: Scope, arn: string): Promise<Tag[]> {
    return (await this.taggable(scope, arn)).tags;
  }

  // ---- subscriptions

  /** Returns the subscription's ARN, or "pending confirmation" as SNS answers until it is confirmed. */
  async subscribe(
    scope: Scope,
    input: { topicArn: string; protocol: string; endpoint?: string; attributes?: Record<string, string>; returnSubscriptionArn?: boolean },
  ): Promise<string> {
    const topic = await this.ownedTopic(scope, input.topicArn, 'Subscribe');
    const protocol = input.protocol.toLowerCase();
    if (!(SNS_PROTOCOLS as readonly string[]).includes(protocol)) {
      throw invalid(`Amazon SNS does not support this protocol string: ${input.protocol}`);
    }
    const endpoint = input.endpoint ?? '';
    checkEndpoint(protocol as SnsProtocol, endpoint);
    const attributes = input.attributes ?? {};
    for (const [k, v] of Object.entries(attributes)) checkSubscriptionAttribute(k, v);

    const existing = await this.opts.store.findSubscription(topic.arn, protocol, endpoint);
    if (existing) {
      // Subscribe is idempotent only for the same attributes (none given counts as the same), as on AWS.
      if (Object.keys(attributes).length > 0 && !sameSubscriptionAttributes(existing.attributes, normaliseSubscriptionAttributes(attributes))) {
        throw invalid('Attributes Reason: Subscription already exists with different attributes');
      }
      if (existing.confirmed || input.returnSubscriptionArn) return existing.arn;
      // Subscribing again while pending sends the confirmation again.
      await this.opts.store.enqueue([this.confirmation(existing)], this.now());
      this.opts.onEnqueued?.();
      return 'pending confirmation';
    }
    const subscription: Subscription = {
      arn: `${topic.arn}:${randomUUID()}`,
      topicArn: topic.arn,
      accountId: topic.accountId,
      region: topic.region,
      protocol: protocol as SnsProtocol,
      endpoint,
      owner: scope.accountId,
      confirmed: false,
      // SNS's tokens are long hex strings; this one is a random secret, looked up on confirmation.
      token: randomBytes(64).toString('hex'),
      attributes: normaliseSubscriptionAttributes(attributes),
      createdAt: this.now(),
    };
    await this.opts.store.createSubscription(subscription, this.confirmation(subscription));
    this.opts.onEnqueued?.();
    return input.returnSubscriptionArn ? subscription.arn : 'pending confirmation';
  }

  /**
   * ConfirmSubscription, and GET SubscribeURL: the token of a SubscriptionConfirmation confirms; the
   * token of an UnsubscribeConfirmation restores the subscription it deactivated, as on SNS.
   */
  async confirmSubscription(topicArnText: string, token: string): Promise<string> {
    const given = parseTopicArn(topicArnText, 'Topic');
    const subscription = (await this.opts.store.subscriptionByToken(token)) ?? (await this.opts.store.restoreSubscription(topicArnText, token, this.now()));
    if (!subscription) throw invalid('Token');
    // The token names the subscription: AWS confirms it with a TopicArn of another topic name in the same
    // region, and refuses one of another region (localstack/localstack tests/aws/services/sns/test_sns.snapshot.json,
    // test_subscribe_external_http_endpoint: "nonexistent-token-confirm", "different-region-arn-confirm").
    // Another account is refused too, as before (no recording says otherwise).
    if (given.region !== subscription.region || given.accountId !== subscription.accountId) throw invalid('Topic');
    if (!subscription.confirmed) await this.opts.store.confirmSubscription(subscription.arn);
    return subscription.arn;
  }

  /** Without a scope: the UnsubscribeURL, whose token is the authority (it names the subscription's own region). */
  async unsubscribe(scope: Scope | undefined, arn: string): Promise<Subscription | undefined> {
    // AWS answers "Invalid parameter: SubscriptionId" for an ARN of six elements that names no subscription
    // (localstack/localstack tests/aws/services/sns/test_sns.snapshot.json, test_unsubscribe_wrong_arn_format,
    // "invalid-unsubscribe-arn-3": arn:aws:sns:us-east-1:111111111111:random).
    if (!topicOfSubscription(arn) && arn.split(':').length === 6) throw invalid('SubscriptionId');
    const topicArnText = subscriptionTopicArn(arn);
    if (scope) checkRegion(scope, parseTopicArn(topicArnText).region, 'SubscriptionArn');
    const subscription = await this.opts.store.subscription(arn);
    if (!subscription) return undefined; // Unsubscribe is idempotent on AWS.
    if (scope && subscription.owner !== scope.accountId && subscription.accountId !== scope.accountId) {
      throw authorization(scope, 'Unsubscribe', arn);
    }
    // SNS tells an HTTP/S subscriber it was unsubscribed, with a SubscribeURL that restores it.
    const farewell = subscription.confirmed && (subscription.protocol === 'http' || subscription.protocol === 'https') ? this.unsubscribeConfirmation(subscription) : undefined;
    await this.opts.store.deleteSubscription(arn, this.now(), farewell);
    if (farewell) this.opts.onEnqueued?.();
    return subscription;
  }

  async listSubscriptions(scope: Scope, nextToken?: string): Promise<Page<Subscription>> {
    const rows = await this.opts.store.listSubscriptions(scope, decodeToken(nextToken), PAGE_SIZE + 1);
    return page(rows, (s) => s.arn);
  }

  async listSubscriptionsByTopic(scope: Scope, arn: string, nextToken?: string): Promise<Page<Subscription>> {
    await this.ownedTopic(scope, arn, 'ListSubscriptionsByTopic');
    const rows = await this.opts.store.listSubscriptions({ topicArn: arn }, decodeToken(nextToken), PAGE_SIZE + 1);
    return page(rows, (s) => s.arn);
  }

  async subscriptionAttributes(scope: Scope, arn: string): Promise<Record<string, string>> {
    const s = await this.ownedSubscription(scope, arn, 'GetSubscriptionAttributes');
    const topic = await this.opts.store.topic(s.topicArn);
    const policy = effectivePolicy(topic?.attributes.DeliveryPolicy, s.attributes.DeliveryPolicy, this.opts.defaultRetryDelaySeconds);
    return {
      Owner: s.owner,
      RawMessageDelivery: s.attributes.RawMessageDelivery ?? 'false',
      TopicArn: s.topicArn,
      Endpoint: s.endpoint,
      Protocol: s.protocol,
      PendingConfirmation: String(!s.confirmed),
      ConfirmationWasAuthenticated: String(s.confirmed),
      SubscriptionArn: s.arn,
      ...(s.protocol === 'http' || s.protocol === 'https'
        ? { EffectiveDeliveryPolicy: effectiveSubscriptionPolicyDocument(policy, topic?.attributes.DeliveryPolicy, s.attributes.DeliveryPolicy) }
        : {}),
      ...(s.attributes.DeliveryPolicy ? { DeliveryPolicy: subscriptionPolicyDocument(s.attributes.DeliveryPolicy) } : {}),
    };
  }

  async setSubscriptionAttribute(scope: Scope, arn: string, name: string, value: string | undefined): Promise<void> {
    const s = await this.ownedSubscription(scope, arn, 'SetSubscriptionAttributes');
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalid('AttributeName');
    // AWS refuses any RawMessageDelivery but true/false here, an empty one too, and without Subscribe's
    // "Attributes Reason: " (localstack/localstack tests/aws/services/sns/test_sns.snapshot.json,
    // test_validate_set_sub_attributes: "raw-message-wrong-value", "raw-message-empty-value").
    if (name === 'RawMessageDelivery' && !/^(true|false)$/i.test(value ?? '')) {
      throw invalid(`RawMessageDelivery: Invalid value [${value ?? ''}]. Must be true or false.`);
    }
    const attributes = { ...s.attributes };
    if (value === undefined || value === '') delete attributes[name];
    else {
      checkSubscriptionAttribute(name, value);
      Object.assign(attributes, normaliseSubscriptionAttributes({ [name]: value }));
    }
    await this.opts.store.updateSubscriptionAttributes(arn, attributes);
  }

  // ---- publishing

  /** The SNS API's Publish: the caller's own topics, or an upstream one. */
  async publishRequest(scope: Scope, req: PublishRequest): Promise<{ messageId: string }> {
    const arn = parseTopicArn(req.topicArn);
    checkMessage(req);
    if (await this.isUpstream(req.topicArn)) return this.publishUpstream(req, arn.region);
    const topic = await this.ownedTopic(scope, req.topicArn, 'Publish');
    // Every topic sesd hosts is a standard topic. SNS takes a MessageGroupId there but only passes
    // it to SQS subscriptions, which sesd does not have, so it changes nothing; a deduplication id
    // is refused, as SNS refuses it on a standard topic.
    if (req.messageDeduplicationId !== undefined) {
      throw invalid('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    const [messageId] = await this.publishHosted(topic, [req]);
    return { messageId: messageId! };
  }

  /** TopicPublisher, for SES's event publishing. */
  async publish(input: TopicPublishInput): Promise<{ messageId: string }> {
    const [outcome] = await this.publishMany([input]);
    if (!outcome || 'error' in outcome) throw outcome?.error;
    return outcome;
  }

  /** TopicPublisher: several messages to one topic, the topic looked up and the rows committed once. */
  async publishMany(inputs: TopicPublishInput[]): Promise<({ messageId: string } | { error: unknown })[]> {
    const requests = inputs.map((input): PublishRequest => ({ topicArn: input.topicArn, message: input.message, subject: input.subject }));
    const outcomes: ({ messageId: string } | { error: unknown })[] = requests.map(() => ({ error: undefined }));
    const valid: number[] = [];
    requests.forEach((req, i) => {
      try {
        checkMessage(req);
        valid.push(i);
      } catch (error) {
        outcomes[i] = { error };
      }
    });
    if (valid.length === 0) return outcomes;
    const topicArnText = requests[valid[0]!]!.topicArn;
    try {
      const arn = parseTopicArn(topicArnText);
      if (await this.isUpstream(topicArnText)) {
        // Upstream endpoints take one Publish per message.
        await Promise.all(valid.map(async (i) => (outcomes[i] = await this.publishUpstream(requests[i]!, arn.region).catch((error: unknown) => ({ error })))));
        return outcomes;
      }
      const topic = await this.opts.store.topic(topicArnText);
      if (!topic) throw topicNotFound();
      const ids = await this.publishHosted(topic, valid.map((i) => requests[i]!));
      valid.forEach((i, n) => (outcomes[i] = { messageId: ids[n]! }));
    } catch (error) {
      for (const i of valid) outcomes[i] = { error };
    }
    return outcomes;
  }

  async topicExists(input: { accountId: string; region: string; topicArn: string }): Promise<boolean> {
    parseTopicArn(input.topicArn);
    if (await this.isUpstream(input.topicArn)) return true;
    return (await this.opts.store.topic(input.topicArn)) !== undefined;
  }

  /** Whether a topic ARN is published upstream: listed in the configuration, or of an account sesd does not have. */
  async isUpstream(arn: string): Promise<boolean> {
    if (this.upstreamPatterns.some((p) => p.test(arn))) return true;
    return !(await this.opts.store.accountExists(parseTopicArn(arn).accountId));
  }

  private async publishUpstream(req: PublishRequest, region: string): Promise<{ messageId: string }> {
    if (!this.opts.upstream) {
      throw new AwsError('NotFound', `Topic does not exist (sesd does not host ${req.topicArn} and no upstream SNS endpoint is configured: sns.upstreamUrl)`, 404);
    }
    return this.opts.upstream.publish({ ...req, region });
  }

  /** Commits one delivery row per confirmed subscription and message (together); the message ids, in order. */
  private async publishHosted(topic: Topic, requests: PublishRequest[]): Promise<string[]> {
    const now = this.now();
    const timestamp = new Date(now).toISOString();
    const subscriptions = await this.opts.store.confirmedSubscriptions(topic.arn);
    const messageIds: string[] = [];
    const deliveries: NewDelivery[] = [];
    for (const req of requests) {
      const messageId = randomUUID();
      messageIds.push(messageId);
      const perProtocol = req.messageStructure === 'json' ? JSON.parse(req.message) as Record<string, unknown> : undefined;
      const attributes = req.messageAttributes && Object.keys(req.messageAttributes).length > 0 ? wireAttributes(req.messageAttributes) : undefined;
      for (const s of subscriptions) {
        const own = perProtocol?.[s.protocol];
        const payload: DeliveryPayload = {
          type: 'Notification',
          messageId,
          topicArn: topic.arn,
          subscriptionArn: s.arn,
          message: perProtocol ? (typeof own === 'string' ? own : String(perProtocol.default)) : req.message,
          timestamp,
          ...(req.subject !== undefined ? { subject: req.subject } : {}),
          ...(attributes ? { messageAttributes: attributes } : {}),
        };
        deliveries.push({ subscriptionArn: s.arn, payload });
      }
    }
    await this.opts.store.enqueue(deliveries, now);
    if (deliveries.length > 0) this.opts.onEnqueued?.();
    return messageIds;
  }

  private confirmation(s: Subscription): NewDelivery {
    return this.controlMessage(s, 'SubscriptionConfirmation', confirmationText(s.topicArn));
  }

  /** Where the subscription pointed goes along: its row is deleted when this is sent. */
  private unsubscribeConfirmation(s: Subscription): NewDelivery {
    const d = this.controlMessage(s, 'UnsubscribeConfirmation', unsubscribeText(s.arn));
    return { ...d, payload: { ...d.payload, endpoint: { protocol: s.protocol as 'http' | 'https', url: s.endpoint } } };
  }

  /** A message about the subscription itself, with its token (SubscribeURL). */
  private controlMessage(s: Subscription, type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', message: string): NewDelivery {
    return {
      subscriptionArn: s.arn,
      payload: { type, messageId: randomUUID(), topicArn: s.topicArn, subscriptionArn: s.arn, message, timestamp: new Date(this.now()).toISOString(), token: s.token },
    };
  }

  // ---- lookups

  private async ownedTopic(scope: Scope, arn: string, action: string): Promise<Topic> {
    checkRegion(scope, parseTopicArn(arn).region, 'TopicArn');
    const topic = await this.opts.store.topic(arn);
    if (!topic) throw topicNotFound();
    this.checkOwner(scope, topic, action);
    return topic;
  }

  /** The topic's owner may do anything; another account what the topic's Policy grants it. */
  private checkOwner(scope: Scope, topic: Topic, action: string): void {
    if (topic.accountId === scope.accountId) return;
    // SNS actions are case-insensitive in policies ("SNS:Publish", "sns:Publish").
    const granted = (a: string) => ['sns:*', `sns:${action}`.toLowerCase()].includes(a.toLowerCase());
    const policy = topic.attributes.Policy;
    if (!policy || !policiesAllow([policy], scope.accountId, granted)) throw authorization(scope, action, topic.arn);
  }

  private async ownedSubscription(scope: Scope, arn: string, action: string): Promise<Subscription> {
    const topicArnText = subscriptionTopicArn(arn);
    checkRegion(scope, parseTopicArn(topicArnText).region, 'SubscriptionArn');
    const s = await this.opts.store.subscription(arn);
    if (!s) throw subscriptionNotFound();
    if (s.accountId !== scope.accountId && s.owner !== scope.accountId) throw authorization(scope, action, arn);
    return s;
  }

  private async taggable(scope: Scope, arn: string): Promise<Topic> {
    const isSnsArn = /^arn:aws[a-z-]*:sns:/.test(arn);
    if (isSnsArn) checkRegion(scope, arn.split(':')[3] ?? '', 'TopicArn');
    const topic = isSnsArn ? await this.opts.store.topic(arn) : undefined;
    if (!topic) throw new AwsError('ResourceNotFound', 'Resource does not exist', 404);
    this.checkOwner(scope, topic, 'TagResource');
    return topic;
  }

  private async allSubscriptions(arn: string): Promise<Subscription[]> {
    const out: Subscription[] = [];
    for (let after: string | undefined; ; ) {
      const rows = await this.opts.store.listSubscriptions({ topicArn: arn }, after, 1000);
      out.push(...rows);
      if (rows.length < 1000) return out;
      after = rows[rows.length - 1]!.arn;
    }
  }
}

function checkMessage(req: PublishRequest): void {
  if (req.message === '') throw invalid('Empty message');
  if (publishSize(req) > MAX_MESSAGE_BYTES) throw invalid('Message too long');
  if (req.subject !== undefined && !validSubject(req.subject)) throw invalid('Subject');
  if (req.messageStructure !== undefined) {
    if (req.messageStructure !== 'json') throw invalid('MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.message);
    } catch {
      throw invalid('Message Structure - JSON message body failed to parse');
    }
    if (!parsed || typeof parsed !== 'object' || typeof (parsed as Record<string, unknown>).default !== 'string') {
      throw invalid('Message Structure - No default entry in JSON message body');
    }
  }
  for (const [name, a] of Object.entries(req.messageAttributes ?? {})) checkMessageAttribute(name, a);
}

// SNS's message attribute rules and texts (as LocalStack's snapshots of AWS and moto record them).
const valueInvalid = (message: string) => new AwsError('ParameterValueInvalid', message);
const ATTRIBUTE_NAME_CHARACTER = /[A-Za-z0-9_.-]/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function checkMessageAttribute(name: string, a: NonNullable<PublishRequest['messageAttributes']>[string]): void {
  if (Buffer.byteLength(name) > 256) throw valueInvalid('Length of message attribute name must be less than 256 bytes.');
  if (name.startsWith('.')) throw valueInvalid("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.')) throw valueInvalid("Invalid message attribute name ending with character '.' was found.");
  for (const character of name) {
    if (!ATTRIBUTE_NAME_CHARACTER.test(character)) {
      const code = `#x${character.codePointAt(0)!.toString(16).toUpperCase()}`;
      throw valueInvalid(`Invalid non-alphanumeric character '${code}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
    }
  }
  if (name.includes('..')) throw valueInvalid("Message attribute name can not have successive '.' character.");
  const kind = a.DataType.split('.')[0];
  if (kind !== 'String' && kind !== 'Number' && kind !== 'Binary') {
    throw valueInvalid(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  const value = kind === 'Binary' ? a.BinaryValue : a.StringValue;
  if (value === undefined || value.length === 0) {
    throw valueInvalid(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${a.DataType}'.`);
  }
  if (kind === 'Number' && !NUMBER.test(String(value).trim())) throw valueInvalid(`Could not cast message attribute '${name}' value to number.`);
  if (a.DataType === 'String.Array' && !isJsonArray(String(value))) {
    throw valueInvalid(`The message attribute '${name}' with type 'String.Array' has an invalid value.`);
  }
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

/** What counts towards SNS's 256 KiB: the message and every attribute's name, type and value. */
function publishSize(req: PublishRequest): number {
  let size = Buffer.byteLength(req.message);
  for (const [name, a] of Object.entries(req.messageAttributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    size += a.BinaryValue !== undefined ? a.BinaryValue.byteLength : Buffer.byteLength(a.StringValue ?? '');
  }
  return size;
}

/** SNS: "UTF-8 text with no line breaks or control characters, and less than 100 characters long" (and not empty). */
function validSubject(subject: string): boolean {
  const characters = [...subject].length; // code points, not UTF-16 units
  return characters > 0 && characters < 100 && !/[\p{Cc}\u2028\u2029]/u.test(subject);
}

function wireAttributes(attributes: NonNullable<PublishRequest['messageAttributes']>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, a] of Object.entries(attributes)) {
    out[name] = { Type: a.DataType, Value: a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue).toString('base64') : a.StringValue! };
  }
  return out;
}

/** What an AWS topic attribute sesd does not take is for, so that refusing it says so ("Unknown attribute" would mislead). */
function unsupportedTopicFeature(attribute: string): string | undefined {
  if (['FifoTopic', 'ContentBasedDeduplication', 'FifoThroughputScope', 'ArchivePolicy'].includes(attribute)) return 'FIFO topics';
  if (attribute === 'KmsMasterKeyId') return 'server-side encryption with AWS KMS';
  if (attribute === 'TracingConfig') return 'AWS X-Ray tracing';
  if (/^(HTTP|Application|Firehose|Lambda|SQS)(Success|Failure)Feedback(RoleArn|SampleRate)$/.test(attribute)) return 'delivery status logging to CloudWatch Logs';
  return undefined;
}

function checkTopicAttributes(attributes: Record<string, string>): void {
  for (const [k, v] of Object.entries(attributes)) {
    if (!TOPIC_ATTRIBUTES.has(k)) {
      const feature = unsupportedTopicFeature(k);
      throw invalid(feature ? `Attributes Reason: sesd does not support ${feature} (${k})` : `Attributes Reason: Unknown attribute ${k}`);
    }
    if (k === 'SignatureVersion' && v !== '1' && v !== '2') throw invalid(`SignatureVersion`);
    if (k === 'DeliveryPolicy') validateDeliveryPolicy(v);
    if (k === 'DisplayName' && v.length > 100) throw invalid('DisplayName');
    if (k === 'Policy') {
      try {
        JSON.parse(v);
      } catch {
        throw invalid('Policy: Invalid JSON');
      }
    }
  }
}

function checkSubscriptionAttribute(name: string, value: string): void {
  if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalid(`Attributes Reason: Unknown attribute ${name}`);
  if (name === 'RawMessageDelivery' && !/^(true|false)$/i.test(value)) {
    throw invalid(`Attributes Reason: RawMessageDelivery: Invalid value [${value}]. Must be true or false.`);
  }
  if (name === 'DeliveryPolicy') validateDeliveryPolicy(value);
  if (name === 'FilterPolicy' || name === 'FilterPolicyScope') {
    throw invalid(`${name}: sesd does not support subscription filter policies; every confirmed subscription receives every message`);
  }
  if (name === 'RedrivePolicy' || name === 'SubscriptionRoleArn') throw invalid(`${name}: sesd does not support ${name === 'RedrivePolicy' ? 'dead-letter queues' : 'Firehose subscriptions'}`);
}

/** Whether Subscribe's attributes are those the subscription has; an absent RawMessageDelivery is "false". */
function sameSubscriptionAttributes(existing: Record<string, string>, given: Record<string, string>): boolean {
  const value = (attributes: Record<string, string>, k: string) => attributes[k] ?? (k === 'RawMessageDelivery' ? 'false' : undefined);
  return [...new Set([...Object.keys(existing), ...Object.keys(given)])].every((k) => value(existing, k) === value(given, k));
}

function normaliseSubscriptionAttributes(attributes: Record<string, string>): Record<string, string> {
  const out = { ...attributes };
  if (out.RawMessageDelivery !== undefined) out.RawMessageDelivery = out.RawMessageDelivery.toLowerCase();
  return out;
}

function checkEndpoint(protocol: SnsProtocol, endpoint: string): void {
  if (protocol === 'http' || protocol === 'https') {
    if (!endpoint.toLowerCase().startsWith(`${protocol}://`)) throw invalid('Endpoint must match the specified protocol');
    try {
      new URL(endpoint);
    } catch {
      throw invalid('Endpoint');
    }
    return;
  }
  // SNS wants a bare address: no display name.
  let parsed;
  try {
    parsed = parseAddress(endpoint);
  } catch {
    throw invalid('Email address');
  }
  if (parsed.address !== endpoint.trim()) throw invalid('Email address');
}

function checkTags(tags: Tag[]): void {
  if (tags.length > MAX_TAGS) throw new AwsError('TagLimitExceeded', 'Could not complete request: tag quota of per resource exceeded', 400);
}

function sameTags(a: Tag[], b: Tag[]): boolean {
  const key = (tags: Tag[]) => JSON.stringify([...tags].sort((x, y) => x.Key.localeCompare(y.Key)));
  return key(a) === key(b);
}

function defaultTopicAttribute(name: string): string | undefined {
  return name === 'SignatureVersion' ? '1' : name === 'DisplayName' ? '' : undefined;
}

/** The access policy AWS gives a new topic. */
function defaultPolicy(topic: Topic): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topic.arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': topic.accountId } },
      },
    ],
  });
}

/**
 * SNS finds an ARN only in the caller's region: another region's topic or subscription is an invalid
 * parameter (not NotFound, nor another account's AuthorizationError), whoever owns it.
 */
function checkRegion(scope: Scope, region: string, what: 'TopicArn' | 'SubscriptionArn'): void {
  if (region !== scope.region) throw invalid(what);
}

/** The topic ARN of a SubscriptionArn parameter; one that is not ARN-shaped gets AWS's reason (see tooFewElements). */
function subscriptionTopicArn(arn: string): string {
  const topic = topicOfSubscription(arn);
  if (!topic) throw invalid(`SubscriptionArn${tooFewElements(arn)}`);
  return topic;
}

function withoutKey(attributes: Record<string, string>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => k !== key));
}

function authorization(scope: Scope, action: string, arn: string): AwsError {
  return new AwsError('AuthorizationError', `User: arn:aws:iam::${scope.accountId}:root is not authorized to perform: SNS:${action} on resource: ${arn}`, 403);
}

/** Pages of 100 (SNS's page size); the token is the last item's key. */
function page<T>(rows: T[], key: (item: T) => string): Page<T> {
  if (rows.length <= PAGE_SIZE) return { items: rows };
  const items = rows.slice(0, PAGE_SIZE);
  return { items, nextToken: Buffer.from(key(items[items.length - 1]!)).toString('base64url') };
}

function decodeToken(token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (!decoded.startsWith('arn:')) throw invalid('NextToken');
  return decoded;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
