// sesd's SNS resources as the domain sees them, and the storage interface the domain needs
// (implemented by src/store/sns-repository.ts), so the SNS rules never touch SQL.

export type SnsProtocol = 'http' | 'https' | 'email' | 'email-json';
export const SNS_PROTOCOLS: readonly SnsProtocol[] = ['http', 'https', 'email', 'email-json'];

export interface Tag {
  Key: string;
  Value: string;
}

export interface Topic {
  arn: string;
  accountId: string;
  region: string;
  name: string;
  /** Settable attributes as given (DisplayName, Policy, DeliveryPolicy, SignatureVersion...). */
  attributes: Record<string, string>;
  tags: Tag[];
  createdAt: number;
}

export interface Subscription {
  arn: string;
  topicArn: string;
  accountId: string;
  region: string;
  protocol: SnsProtocol;
  endpoint: string;
  owner: string;
  confirmed: boolean;
  token: string;
  attributes: Record<string, string>;
  createdAt: number;
}

export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** What a delivery row carries: everything to build the request, fixed when the row is written. */
export interface DeliveryPayload {
  type: SnsMessageType;
  messageId: string;
  topicArn: string;
  subscriptionArn: string;
  /** The message text for this subscription's protocol (MessageStructure=json already resolved). */
  message: string;
  subject?: string;
  /** ISO 8601 with milliseconds, as SNS writes it. */
  timestamp: string;
  /** SubscriptionConfirmation / UnsubscribeConfirmation. */
  token?: string;
  /** UnsubscribeConfirmation: where the deleted subscription pointed (its row is gone). */
  endpoint?: { protocol: 'http' | 'https'; url: string };
  messageAttributes?: Record<string, { Type: string; Value: string }>;
}

export interface NewDelivery {
  subscriptionArn: string;
  payload: DeliveryPayload;
}

export interface ClaimedSnsDelivery {
  id: number;
  subscriptionArn: string;
  /** Attempts including the one this claim starts. */
  attempts: number;
  createdAt: number;
  payload: DeliveryPayload;
}

export interface DeliveryAttempt {
  deliveryId: number;
  subscriptionArn: string;
  messageId: string;
  attempt: number;
  at: number;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** delivered | retry | failed */
  outcome: 'delivered' | 'retry' | 'failed';
}

export interface DeliveryRecord {
  id: number;
  subscriptionArn: string;
  messageId: string;
  type: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
}

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

export interface SnsStore {
  /** Inserts the topic unless one with its ARN exists; returns the stored one. */
  createTopic(topic: Topic): Promise<Topic>;
  topic(arn: string): Promise<Topic | undefined>;
  /** Deletes the topic, its subscriptions and their pending deliveries. */
  deleteTopic(arn: string): Promise<void>;
  listTopics(accountId: string, region: string, after: string | undefined, limit: number): Promise<Topic[]>;
  updateTopic(arn: string, change: { attributes?: Record<string, string>; tags?: Tag[] }): Promise<void>;

  /** Inserts the subscription and, when given, its first delivery (the confirmation) in one transaction. */
  createSubscription(subscription: Subscription, confirmation?: NewDelivery): Promise<void>;
  subscription(arn: string): Promise<Subscription | undefined>;
  subscriptionByToken(token: string): Promise<Subscription | undefined>;
  /** Subscriptions of a topic with the same protocol and endpoint (Subscribe is idempotent). */
  findSubscription(topicArn: string, protocol: string, endpoint: string): Promise<Subscription | undefined>;
  listSubscriptions(scope: { accountId: string; region: string } | { topicArn: string }, after: string | undefined, limit: number): Promise<Subscription[]>;
  confirmedSubscriptions(topicArn: string): Promise<Subscription[]>;
  confirmSubscription(arn: string): Promise<void>;
  updateSubscriptionAttributes(arn: string, attributes: Record<string, string>): Promise<void>;
  /**
   * Deletes the subscription, keeping it restorable for a while (restoreSubscription), with the
   * UnsubscribeConfirmation to send, when there is one, in the same transaction.
   */
  deleteSubscription(arn: string, now: number, farewell?: NewDelivery): Promise<void>;
  /** Restores a subscription unsubscribed recently (its UnsubscribeConfirmation's SubscribeURL), if its topic still exists. */
  restoreSubscription(topicArn: string, token: string, now: number): Promise<Subscription | undefined>;
  /** How many of the topic's subscriptions were unsubscribed recently (SubscriptionsDeleted). */
  deletedSubscriptions(topicArn: string, now: number): Promise<number>;

  /** Writes the deliveries in one transaction; they are on disk when this resolves. */
  enqueue(deliveries: NewDelivery[], now: number): Promise<void>;
  /** Leases up to `limit` due pending deliveries to `workerId` and counts the attempt. */
  claim(workerId: string, limit: number, leaseMs: number, now: number): Promise<ClaimedSnsDelivery[]>;
  /** Records an attempt and the row's new state (a retry time, or final), if this worker still holds it. */
  finish(workerId: string, attempt: DeliveryAttempt, next: { status: 'pending'; at: number } | { status: 'delivered' | 'failed' }): Promise<void>;
  /** Gives a claimed row back untried, due `until` (a throttled subscription): no attempt is recorded or counted. */
  postpone(workerId: string, deliveryId: number, until: number, now: number): Promise<void>;
  releaseExpired(now: number): Promise<number>;
  /** The latest attempts and deliveries of a subscription, or of one message (every subscription). */
  attempts(of: { subscriptionArn: string } | { messageId: string }, limit: number): Promise<DeliveryAttempt[]>;
  deliveries(of: { subscriptionArn: string } | { messageId: string }, limit: number): Promise<DeliveryRecord[]>;

  /** Whether sesd has this account (a topic ARN of another account is not hosted here). */
  accountExists(accountId: string): Promise<boolean>;
  /** A value every node shares (the signing key), created by the first node that asks. */
  sharedSetting(name: string, create: () => string): Promise<string>;
}
