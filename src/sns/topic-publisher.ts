// The seam between SES's event publishing and sesd's SNS service: anything that publishes a
// message to a topic ARN (a topic sesd hosts, or one on an upstream SNS endpoint) goes through
// this interface, so the events dispatcher does not know where a topic lives.

export interface TopicPublishInput {
  /** The account and region of the caller (the SES identity's owner). */
  accountId: string;
  region: string;
  topicArn: string;
  message: string;
  subject?: string;
}

export interface TopicPublisher {
  /**
   * Publishes one message. For a topic sesd hosts it returns once one delivery row per confirmed
   * subscription is committed; for an upstream topic it returns when the upstream answered.
   * Throws AwsError `NotFound` when a hosted topic does not exist.
   */
  publish(input: TopicPublishInput): Promise<{ messageId: string }>;
  /**
   * Publishes several messages to one topic (the same `topicArn`, account and region): a hosted
   * topic is looked up once and every delivery row is committed together. Each input gets its own
   * outcome, in order: its message id, or the error `publish` would have thrown.
   */
  publishMany(inputs: TopicPublishInput[]): Promise<({ messageId: string } | { error: unknown })[]>;
  /**
   * Whether a topic exists (hosted: a row; upstream: assumed to, since sesd cannot list another
   * endpoint's topics without the caller's rights). For SES's "Successfully validated SNS topic"
   * check when an event destination is created.
   */
  topicExists(input: { accountId: string; region: string; topicArn: string }): Promise<boolean>;
}
