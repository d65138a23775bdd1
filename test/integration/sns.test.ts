// sesd's SNS service through @aws-sdk/client-sns, delivering to a real HTTP receiver started here:
// confirmation (SubscribeURL and ConfirmSubscription), signed notifications checked with
// sns-validator (SignatureVersion 1 and 2), raw delivery, retries by the delivery policy with every
// attempt recorded, email subscriptions through intake, the SSRF guard, and AWS's answers for
// another region's ARNs, FIFO parameters on standard topics, UTF-8 subjects and repeated Subscribe.
import {
  ConfirmSubscriptionCommand,
  CreatePlatformApplicationCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, capturedMessages, OTHER_ACCOUNT_KEY, startSesd, TEST_KEY, useSesd } from '../support/sesd.js';
import { createTestDatabase } from '../support/databases.js';
import { startSnsReceiver, type ReceivedRequest, type SnsReceiver } from '../support/sns-receiver.js';
import { validateWithSnsValidator, verifyAsAwsDocuments } from '../support/sns-validate.js';

const REGION = 'us-east-1';
// Tests that run sns-validator start a Node process per message: seconds each on a loaded machine.
const VALIDATING_TEST_MS = 120_000;
const snsClient = (app: RunningApp, credentials: { accessKeyId: string; secretAccessKey: string } = TEST_KEY, region = REGION) =>
  new SNSClient({ endpoint: app.httpUrl, region, credentials, maxAttempts: 1 });
const json = (r: ReceivedRequest) => JSON.parse(r.body) as Record<string, string>;

async function attemptsOf(app: RunningApp, subscriptionArn: string) {
  const res = await fetch(`${app.httpUrl}/_sesd/sns/subscriptions/${encodeURIComponent(subscriptionArn)}/deliveries`);
  expect(res.status).toBe(200);
  return (await res.json()) as {
    deliveries: { type: string; status: string; attempts: number }[];
    attempts: { attempt: number; statusCode: number | null; outcome: string; error: string | null; latencyMs: number }[];
  };
}

describe.each(DIALECTS)('SNS (%s)', (dialect) => {
  const sesd = useSesd(dialect, { SESD_SNS_HTTPS_PORT: '0', SESD_SNS_RETRY_DELAY: '300ms', SESD_QUEUE_POLL_INTERVAL: '50ms' });
  let receiver: SnsReceiver;
  let sns: SNSClient;
  beforeAll(async () => {
    receiver = await startSnsReceiver();
    sns = snsClient(sesd.app);
  });
  afterAll(async () => {
    sns?.destroy();
    await receiver?.close();
  });

  const validate = (body: string) =>
    validateWithSnsValidator(body, { caFile: sesd.app.snsHttps!.certFile, hostPattern: `^127\\.0\\.0\\.1:${new URL(sesd.app.snsHttps!.url).port}$` });

  /** A topic with an http subscription at `path`, confirmed by GETting its SubscribeURL. */
  async function confirmedSubscription(topicName: string, path: string, attributes?: Record<string, string>) {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topicName }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}${path}`, Attributes: attributes }));
    const [confirmation] = await receiver.waitFor(path, 1, 'SubscriptionConfirmation');
    const res = await fetch(json(confirmation!).SubscribeURL!);
    expect(res.status).toBe(200);
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await res.text())![1]!;
    return { topicArn: TopicArn!, subscriptionArn: arn };
  }

  it('creates topics idempotently by name, lists them, and keeps their attributes and tags', async () => {
    const first = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' }, Tags: [{ Key: 'team', Value: 'a' }] }));
    expect(first.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:orders');
    const again = await sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Orders' } }));
    expect(again.TopicArn).toBe(first.TopicArn);
    const different = await awsFailure(sns.send(new CreateTopicCommand({ Name: 'orders', Attributes: { DisplayName: 'Other' } })));
    expect(different.name).toBe('InvalidParameterException');
    expect(different.message).toContain('Topic already exists with different attributes');

    const listed = await sns.send(new ListTopicsCommand({}));
    expect(listed.Topics?.map((t) => t.TopicArn)).toContain(first.TopicArn);
    // Another account sees none of this account's topics.
    const other = snsClient(sesd.app, OTHER_ACCOUNT_KEY);
    expect((await other.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    const forbidden = await awsFailure(other.send(new GetTopicAttributesCommand({ TopicArn: first.TopicArn })));
    expect(forbidden.name).toBe('AuthorizationErrorException');

    await sns.send(new SetTopicAttributesCommand({ TopicArn: first.TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: first.TopicArn }))).Attributes!;
    expect(attrs).toMatchObject({ TopicArn: first.TopicArn, Owner: '000000000000', DisplayName: 'Orders', SignatureVersion: '2', SubscriptionsConfirmed: '0' });
    expect(JSON.parse(attrs.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
    const badVersion = await awsFailure(sns.send(new SetTopicAttributesCommand({ TopicArn: first.TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '3' })));
    expect(badVersion.name).toBe('InvalidParameterException');

    await sns.send(new TagResourceCommand({ ResourceArn: first.TopicArn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    await sns.send(new UntagResourceCommand({ ResourceArn: first.TopicArn, TagKeys: ['team'] }));
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: first.TopicArn }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);

    await sns.send(new DeleteTopicCommand({ TopicArn: first.TopicArn }));
    const gone = await awsFailure(sns.send(new GetTopicAttributesCommand({ TopicArn: first.TopicArn })));
    expect(gone).toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist', status: 404 });
  });

  it("lets another account publish to a topic only when the topic's Policy allows it, and nothing else", async () => {
    const { topicArn } = await confirmedSubscription('shared', '/shared');
    const other = snsClient(sesd.app, OTHER_ACCOUNT_KEY);
    const publish = () => other.send(new PublishCommand({ TopicArn: topicArn, Message: 'from the other account' }));
    // The default policy grants the owner only (under a condition).
    expect((await awsFailure(publish())).name).toBe('AuthorizationErrorException');

    const policy = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT_KEY.accountId}:root` }, Action: 'SNS:Publish', Resource: topicArn }],
    };
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
    const { MessageId } = await publish();
    const [notification] = await receiver.waitFor('/shared', 1, 'Notification');
    expect(json(notification!)).toMatchObject({ MessageId, Message: 'from the other account' });
    expect((await awsFailure(other.send(new DeleteTopicCommand({ TopicArn: topicArn })))).name).toBe('AuthorizationErrorException');

    // An explicit Deny wins over the Allow.
    policy.Statement.push({ Effect: 'Deny', Principal: { AWS: OTHER_ACCOUNT_KEY.accountId }, Action: 'sns:*', Resource: topicArn });
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
    expect((await awsFailure(publish())).name).toBe('AuthorizationErrorException');
  });

  it('answers AWS errors for unsupported protocols, missing topics and operations sesd does not implement', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'errors' }));
    const sqs = await awsFailure(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' })));
    expect(sqs).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Amazon SNS does not support this protocol string: sqs', status: 400 });
    const mismatch = await awsFailure(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'https', Endpoint: 'http://example.com/' })));
    expect(mismatch.message).toBe('Invalid parameter: Endpoint must match the specified protocol');
    const missing = await awsFailure(sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' })));
    expect(missing).toMatchObject({ name: 'NotFoundException', message: 'Topic does not exist' });
    const empty = await awsFailure(sns.send(new PublishCommand({ TopicArn, Message: '' })));
    expect(empty.message).toBe('Invalid parameter: Empty message');
    const structure = await awsFailure(sns.send(new PublishCommand({ TopicArn, Message: '{"http":"x"}', MessageStructure: 'json' })));
    expect(structure.message).toBe('Invalid parameter: Message Structure - No default entry in JSON message body');
    const platform = await awsFailure(sns.send(new CreatePlatformApplicationCommand({ Name: 'p', Platform: 'GCM', Attributes: { PlatformCredential: 'key' } })));
    expect(platform, JSON.stringify(platform)).toMatchObject({ status: 501 });
    expect(platform.message).toContain('CreatePlatformApplication');
  });

  it('sends a signed SubscriptionConfirmation, confirms through the SubscribeURL and delivers signed notifications (v1 and v2)', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'signed' }));
    const pending = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/signed` }));
    expect(pending.SubscriptionArn).toBe('pending confirmation');

    const [confirmation] = await receiver.waitFor('/signed', 1, 'SubscriptionConfirmation');
    expect(confirmation!.headers).toMatchObject({
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
      'x-amz-sns-topic-arn': TopicArn,
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
    });
    const body = json(confirmation!);
    expect(body).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn, SignatureVersion: '1' });
    expect(confirmation!.headers['x-amz-sns-message-id']).toBe(body.MessageId);
    expect(await validate(confirmation!.body)).toBe('valid');
    // A tampered message fails validation: the check can fail.
    expect(await validate(JSON.stringify({ ...body, Message: 'changed' }))).toMatch(/^invalid/);

    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(listed.Subscriptions?.[0]?.SubscriptionArn).toBe('PendingConfirmation');
    const confirm = await fetch(body.SubscribeURL!);
    expect(confirm.status).toBe(200);
    const subscriptionArn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await confirm.text())![1]!;
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn }))).Attributes!;
    expect(attrs).toMatchObject({ PendingConfirmation: 'false', Protocol: 'http', Endpoint: `${receiver.url}/signed`, RawMessageDelivery: 'false' });

    const published = await sns.send(new PublishCommand({ TopicArn, Message: '{"eventType":"Bounce"}', Subject: 'Amazon SES Email Event Notification' }));
    const [note] = await receiver.waitFor('/signed', 1, 'Notification');
    expect(note!.headers).toMatchObject({ 'x-amz-sns-message-id': published.MessageId, 'x-amz-sns-subscription-arn': subscriptionArn });
    const n = json(note!);
    expect(n).toMatchObject({ Type: 'Notification', MessageId: published.MessageId, TopicArn, Subject: 'Amazon SES Email Event Notification', Message: '{"eventType":"Bounce"}', SignatureVersion: '1' });
    expect(n.SigningCertURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/.*\.pem$/);
    expect(await validate(note!.body)).toBe('valid');

    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'second' }));
    const notes = await receiver.waitFor('/signed', 2, 'Notification');
    const v2 = json(notes[1]!);
    expect(v2).toMatchObject({ SignatureVersion: '2', Message: 'second' });
    expect(v2).not.toHaveProperty('Subject');
    expect(await validate(notes[1]!.body)).toBe('valid');
    expect(await verifyAsAwsDocuments(notes[1]!.body, sesd.app.snsHttps!.certFile)).toBe(true);

    // The UnsubscribeURL ends the subscription.
    const unsub = await fetch(v2.UnsubscribeURL!);
    expect(unsub.status).toBe(200);
    const gone = await awsFailure(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn })));
    expect(gone).toMatchObject({ name: 'NotFoundException', message: 'Subscription does not exist' });

    // SNS then sends an UnsubscribeConfirmation whose SubscribeURL restores the subscription.
    const [farewell] = await receiver.waitFor('/signed', 1, 'UnsubscribeConfirmation');
    expect(farewell!.headers).toMatchObject({ 'x-amz-sns-message-type': 'UnsubscribeConfirmation', 'x-amz-sns-topic-arn': TopicArn, 'x-amz-sns-subscription-arn': subscriptionArn });
    const f = json(farewell!);
    expect(f).toMatchObject({ Type: 'UnsubscribeConfirmation', TopicArn, SignatureVersion: '2', Message: expect.stringContaining(`You have chosen to deactivate subscription ${subscriptionArn}.`) });
    expect(await verifyAsAwsDocuments(farewell!.body, sesd.app.snsHttps!.certFile)).toBe(true);
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ SubscriptionsConfirmed: '0', SubscriptionsDeleted: '1' });
    const restored = await fetch(f.SubscribeURL!);
    expect(restored.status).toBe(200);
    expect(await restored.text()).toContain(`<SubscriptionArn>${subscriptionArn}</SubscriptionArn>`);
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ SubscriptionsConfirmed: '1', SubscriptionsDeleted: '0' });
    await sns.send(new PublishCommand({ TopicArn, Message: 'after restoring' }));
    expect(json((await receiver.waitFor('/signed', 3, 'Notification'))[2]!)).toMatchObject({ Message: 'after restoring' });
  }, VALIDATING_TEST_MS);

  it('confirms with ConfirmSubscription and the token, and delivers raw messages with x-amz-sns-rawdelivery', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'raw' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/raw`, Attributes: { RawMessageDelivery: 'true' } }));
    const [confirmation] = await receiver.waitFor('/raw', 1, 'SubscriptionConfirmation');
    const badToken = await awsFailure(sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: 'nope' })));
    expect(badToken.message).toBe('Invalid parameter: Token');
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({ TopicArn, Token: json(confirmation!).Token! }));
    expect(SubscriptionArn).toMatch(new RegExp(`^${TopicArn}:[0-9a-f-]{36}$`));
    expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions?.some((s) => s.SubscriptionArn === SubscriptionArn)).toBe(true);

    await sns.send(new PublishCommand({ TopicArn, Message: 'just the text' }));
    const [note] = await receiver.waitFor('/raw', 1, 'Notification');
    expect(note!.body).toBe('just the text');
    expect(note!.headers['x-amz-sns-rawdelivery']).toBe('true');

    await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false' }));
    await sns.send(new PublishCommand({ TopicArn, Message: '{"default":"for everyone","http":"for http"}', MessageStructure: 'json' }));
    const notes = await receiver.waitFor('/raw', 2, 'Notification');
    expect(json(notes[1]!).Message).toBe('for http');
    const filter = await awsFailure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a":["b"]}' })));
    expect(filter.message).toContain('does not support subscription filter policies');
    await sns.send(new UnsubscribeCommand({ SubscriptionArn }));
  });

  it('retries a receiver that answers 500 twice, then stops once it answers 200, recording each attempt', async () => {
    const { topicArn, subscriptionArn } = await confirmedSubscription('flaky', '/flaky');
    receiver.answer('/flaky', [500, 500]);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'try again' }));
    const notes = await receiver.waitFor('/flaky', 3, 'Notification');
    expect(notes.map((r) => json(r).MessageId)).toEqual([MessageId, MessageId, MessageId]);
    // No fourth request after the 200.
    await new Promise((r) => setTimeout(r, 800));
    expect((await receiver.waitFor('/flaky', 3, 'Notification')).length).toBe(3);
    const log = await attemptsOf(sesd.app, subscriptionArn);
    const forMessage = log.attempts.filter((a) => a.attempt > 0).slice(0, 3).reverse();
    expect(forMessage.map((a) => [a.attempt, a.statusCode, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'delivered'],
    ]);
    expect(log.deliveries[0]).toMatchObject({ type: 'Notification', status: 'delivered', attempts: 3 });
    // The same log by message.
    const byMessage = (await (await fetch(`${sesd.app.httpUrl}/_sesd/sns/messages/${MessageId}/deliveries`)).json()) as typeof log;
    expect(byMessage.deliveries).toEqual([expect.objectContaining({ subscriptionArn, messageId: MessageId, status: 'delivered' })]);
    expect(byMessage.attempts.map((a) => a.statusCode)).toEqual([200, 500, 500]);
  });

  it('honours a subscription DeliveryPolicy: no retries means one attempt and a failed delivery', async () => {
    const policy = JSON.stringify({ healthyRetryPolicy: { numRetries: 0, minDelayTarget: 1, maxDelayTarget: 1 } });
    const { topicArn, subscriptionArn } = await confirmedSubscription('no-retry', '/no-retry', { DeliveryPolicy: policy });
    receiver.answer('/no-retry', [503]);
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'once' }));
    await receiver.waitFor('/no-retry', 1, 'Notification');
    await new Promise((r) => setTimeout(r, 800));
    expect((await receiver.waitFor('/no-retry', 1, 'Notification')).length).toBe(1);
    const log = await attemptsOf(sesd.app, subscriptionArn);
    expect(log.attempts[0]).toMatchObject({ statusCode: 503, outcome: 'failed' });
  });

  it('spreads deliveries at the throttlePolicy rate, each still one attempt; a topic default applies too', async () => {
    const { topicArn, subscriptionArn } = await confirmedSubscription('throttled', '/throttled', { DeliveryPolicy: JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 2 } }) });
    const ids = await Promise.all([1, 2, 3, 4, 5].map(async (n) => (await sns.send(new PublishCommand({ TopicArn: topicArn, Message: `m${n}` }))).MessageId));
    const arrived = await receiver.waitFor('/throttled', 5, 'Notification');
    expect(new Set(arrived.map((r) => json(r).MessageId))).toEqual(new Set(ids));
    // Two a second: the fifth goes two seconds (four slots) after the first, never sooner.
    expect(arrived[4]!.at - arrived[0]!.at).toBeGreaterThanOrEqual(1800);
    // A postponed delivery is not an attempt. (The last outcome is recorded just after its POST was answered.)
    let log = await attemptsOf(sesd.app, subscriptionArn);
    const notificationsOf = (l: typeof log) => l.deliveries.filter((d) => d.type === 'Notification');
    for (const deadline = Date.now() + 10_000; notificationsOf(log).some((d) => d.status !== 'delivered') && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      log = await attemptsOf(sesd.app, subscriptionArn);
    }
    const notifications = notificationsOf(log);
    expect(notifications).toHaveLength(5);
    expect(notifications.map((d) => [d.status, d.attempts])).toEqual(Array(5).fill(['delivered', 1]));
    expect(log.attempts.filter((a) => a.outcome === 'delivered')).toHaveLength(6); // and the confirmation's
    expect(log.attempts.every((a) => a.attempt === 1)).toBe(true);

    // The topic's defaultThrottlePolicy, as Terraform's documentation writes it, for a subscription without its own.
    const topicPolicy = { http: { defaultHealthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3 }, disableSubscriptionOverrides: false, defaultThrottlePolicy: { maxReceivesPerSecond: 1 } } };
    const slow = await confirmedSubscription('throttled-topic', '/throttled-topic');
    await sns.send(new SetTopicAttributesCommand({ TopicArn: slow.topicArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(topicPolicy) }));
    await Promise.all([1, 2, 3].map((n) => sns.send(new PublishCommand({ TopicArn: slow.topicArn, Message: `t${n}` }))));
    const slowArrived = await receiver.waitFor('/throttled-topic', 3, 'Notification');
    expect(slowArrived[2]!.at - slowArrived[0]!.at).toBeGreaterThanOrEqual(1800);

    const invalid = await awsFailure(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 0 } }) })));
    expect(invalid).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: DeliveryPolicy: maxReceivesPerSecond must be a whole number of at least 1' });
  });

  it('sends email subscriptions as sesd mail: the confirmation holds the SubscribeURL, notifications follow', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'mail', Attributes: { DisplayName: 'Ops' } }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'ops@example.com' }));
    const confirmation = await waitForMail(sesd.app, 'ops@example.com', 'AWS Notification - Subscription Confirmation');
    const link = /(http:\/\/\S+Action=ConfirmSubscription\S+)/.exec(confirmation.Body.text_part!)![1]!;
    expect((await fetch(link)).status).toBe(200);
    await sns.send(new PublishCommand({ TopicArn, Message: 'disk is full', Subject: 'Alarm' }));
    const note = await waitForMail(sesd.app, 'ops@example.com', 'Alarm');
    expect(note.Body.text_part).toContain('disk is full');
    expect(note.RawData).toMatch(/^From: Ops <no-reply@sesd\.test>/m);

    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email-json', Endpoint: 'json@example.com' }));
    const jsonConfirmation = await waitForMail(sesd.app, 'json@example.com', 'AWS Notification - Subscription Confirmation');
    const doc = JSON.parse(jsonConfirmation.Body.text_part!) as Record<string, string>;
    expect(doc.Type).toBe('SubscriptionConfirmation');
    expect(await validate(jsonConfirmation.Body.text_part!)).toBe('valid');
  }, VALIDATING_TEST_MS);

  it("answers InvalidParameter for another region's topic or subscription ARN, and leaves them alone", async () => {
    const west = snsClient(sesd.app, TEST_KEY, 'us-west-2');
    try {
      const { TopicArn } = await west.send(new CreateTopicCommand({ Name: 'west', Tags: [{ Key: 'team', Value: 'a' }] }));
      expect(TopicArn).toBe('arn:aws:sns:us-west-2:000000000000:west');
      const { SubscriptionArn } = await west.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/west`, ReturnSubscriptionArn: true }));

      const topicOps: [string, () => Promise<unknown>][] = [
        ['GetTopicAttributes', () => sns.send(new GetTopicAttributesCommand({ TopicArn }))],
        ['SetTopicAttributes', () => sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DisplayName', AttributeValue: 'changed' }))],
        ['Subscribe', () => sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/east` }))],
        ['ListSubscriptionsByTopic', () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))],
        ['Publish', () => sns.send(new PublishCommand({ TopicArn, Message: 'x' }))],
        ['TagResource', () => sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'env', Value: 'dev' }] }))],
        ['UntagResource', () => sns.send(new UntagResourceCommand({ ResourceArn: TopicArn, TagKeys: ['team'] }))],
        ['ListTagsForResource', () => sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))],
        ['DeleteTopic', () => sns.send(new DeleteTopicCommand({ TopicArn }))],
      ];
      for (const [operation, call] of topicOps) {
        expect(await awsFailure(call()), operation).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: TopicArn', status: 400 });
      }
      const subscriptionOps: [string, () => Promise<unknown>][] = [
        ['GetSubscriptionAttributes', () => sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))],
        ['SetSubscriptionAttributes', () => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' }))],
        ['Unsubscribe', () => sns.send(new UnsubscribeCommand({ SubscriptionArn }))],
      ];
      for (const [operation, call] of subscriptionOps) {
        expect(await awsFailure(call()), operation).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: SubscriptionArn', status: 400 });
      }

      // Nothing changed: the topic, its attributes, tags and subscription are as they were.
      expect((await west.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ TopicArn, DisplayName: '', SubscriptionsPending: '1' });
      expect((await west.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([{ Key: 'team', Value: 'a' }]);
      expect((await west.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ RawMessageDelivery: 'false', Endpoint: `${receiver.url}/west` });
      expect((await west.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);
      // The confirmation still works: it names the topic's own region.
      const [confirmation] = await receiver.waitFor('/west', 1, 'SubscriptionConfirmation');
      expect((await fetch(json(confirmation!).SubscribeURL!)).status).toBe(200);
      expect((await west.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ PendingConfirmation: 'false' });
    } finally {
      west.destroy();
    }
  });

  it('accepts MessageGroupId on a standard topic (subscribers do not see it) and refuses MessageDeduplicationId', async () => {
    const { topicArn } = await confirmedSubscription('grouped', '/grouped');
    // A group id that no signature or token can contain by chance (base64 and hex have no '-' runs like it).
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'in a group', MessageGroupId: 'group-not-forwarded' }));
    const [note] = await receiver.waitFor('/grouped', 1, 'Notification');
    expect(json(note!)).toMatchObject({ MessageId, Message: 'in a group' });
    expect(json(note!)).not.toHaveProperty('MessageGroupId');
    expect(note!.body).not.toContain('group-not-forwarded');

    const dedup = await awsFailure(sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'once', MessageDeduplicationId: 'd1' })));
    expect(dedup).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
      status: 400,
    });
  });

  it('checks message attributes as SNS does: names, types, numbers, String.Array, and their size with the message', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'attributes' }));
    const refused = async (name: string, DataType: string, value: string, Message = 'm') =>
      (await awsFailure(sns.send(new PublishCommand({ TopicArn, Message, MessageAttributes: { [name]: { DataType, StringValue: value } } })))).message;
    expect(await refused('.lead', 'String', 'v')).toBe("Invalid message attribute name starting with character '.' was found.");
    expect(await refused('trail.', 'String', 'v')).toBe("Invalid message attribute name ending with character '.' was found.");
    expect(await refused('a..b', 'String', 'v')).toBe("Message attribute name can not have successive '.' character.");
    expect(await refused('with space', 'String', 'v')).toBe(
      "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
    );
    expect(await refused('n'.repeat(257), 'String', 'v')).toBe('Length of message attribute name must be less than 256 bytes.');
    expect(await refused('price', 'Number', 'cheap')).toBe("Could not cast message attribute 'price' value to number.");
    expect(await refused('list', 'String.Array', '[1,')).toBe("The message attribute 'list' with type 'String.Array' has an invalid value.");
    expect(await refused('kind', 'Date', 'today')).toMatch(/invalid message attribute type/);
    expect(await refused('big', 'String', 'x'.repeat(200 * 1024), 'y'.repeat(100 * 1024))).toBe('Invalid parameter: Message too long');
    const accepted = await sns.send(
      new PublishCommand({
        TopicArn,
        Message: 'm',
        MessageAttributes: {
          'order.id': { DataType: 'Number', StringValue: '-1.5e3' },
          tags: { DataType: 'String.Array', StringValue: '["a",1,true]' },
          custom: { DataType: 'String.uuid', StringValue: 'x' },
        },
      }),
    );
    expect(accepted.MessageId).toBeTruthy();
  });

  it('publishes a UTF-8 Subject unchanged, and refuses line breaks, control characters and 100 characters', async () => {
    const { topicArn } = await confirmedSubscription('utf8-subject', '/utf8-subject');
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'ok', Subject: 'Bestellung bestätigt' }));
    const [note] = await receiver.waitFor('/utf8-subject', 1, 'Notification');
    expect(json(note!)).toMatchObject({ MessageId, Subject: 'Bestellung bestätigt' });
    // 99 characters (198 bytes of UTF-8) is under the limit.
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'ok', Subject: 'é'.repeat(99) }));

    for (const Subject of ['a'.repeat(100), 'two\nlines', 'carriage\rreturn', 'tab\there', 'bell\u0007']) {
      const bad = await awsFailure(sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x', Subject })));
      expect(bad, JSON.stringify(Subject)).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Subject', status: 400 });
    }
  });

  it('creates a standard topic with FifoTopic=false and still refuses FifoTopic=true', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'standard', Attributes: { FifoTopic: 'false' } }));
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:standard');
    const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(attrs).not.toHaveProperty('FifoTopic');
    // Idempotent with and without the attribute.
    expect((await sns.send(new CreateTopicCommand({ Name: 'standard', Attributes: { FifoTopic: 'false' } }))).TopicArn).toBe(TopicArn);
    expect((await sns.send(new CreateTopicCommand({ Name: 'standard' }))).TopicArn).toBe(TopicArn);

    const fifo = await awsFailure(sns.send(new CreateTopicCommand({ Name: 'not-fifo.fifo', Attributes: { FifoTopic: 'true' } })));
    expect(fifo).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Topic Name: sesd does not support FIFO topics' });
  });

  it('names the AWS feature behind a topic attribute it does not take, and refuses an unknown one as unknown', async () => {
    const refused = async (Attributes: Record<string, string>) => (await awsFailure(sns.send(new CreateTopicCommand({ Name: 'features', Attributes })))).message;
    expect(await refused({ KmsMasterKeyId: 'alias/aws/sns' })).toBe('Invalid parameter: Attributes Reason: sesd does not support server-side encryption with AWS KMS (KmsMasterKeyId)');
    expect(await refused({ TracingConfig: 'Active' })).toBe('Invalid parameter: Attributes Reason: sesd does not support AWS X-Ray tracing (TracingConfig)');
    expect(await refused({ HTTPSuccessFeedbackRoleArn: 'arn:aws:iam::000000000000:role/x' })).toMatch(/delivery status logging to CloudWatch Logs/);
    expect(await refused({ Colour: 'blue' })).toBe('Invalid parameter: Attributes Reason: Unknown attribute Colour');
  });

  it('answers the existing subscription for a repeated Subscribe with the same attributes, InvalidParameter for different ones', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'resubscribe' }));
    const subscribe = (Attributes?: Record<string, string>) =>
      sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/resubscribe`, Attributes, ReturnSubscriptionArn: true }));
    const { SubscriptionArn } = await subscribe({ RawMessageDelivery: 'true' });
    expect((await subscribe({ RawMessageDelivery: 'true' })).SubscriptionArn).toBe(SubscriptionArn);
    expect((await subscribe({ RawMessageDelivery: 'TRUE' })).SubscriptionArn).toBe(SubscriptionArn);
    expect((await subscribe()).SubscriptionArn).toBe(SubscriptionArn);

    const differentAttributes: Record<string, string>[] = [{ RawMessageDelivery: 'false' }, { DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { numRetries: 1 } }) }];
    for (const different of differentAttributes) {
      const failure = await awsFailure(subscribe(different));
      expect(failure, JSON.stringify(different)).toMatchObject({
        name: 'InvalidParameterException',
        message: 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
        status: 400,
      });
    }
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ RawMessageDelivery: 'true' });
    expect((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);
  });

  it('refuses TagResource with duplicated keys and keeps the tags it had', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'dup-tags', Tags: [{ Key: 'team', Value: 'a' }] }));
    const dup = await awsFailure(sns.send(new TagResourceCommand({ ResourceArn: TopicArn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'env', Value: 'prod' }] })));
    expect(dup).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Duplicated keys are not allowed.', status: 400 });
    expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags).toEqual([{ Key: 'team', Value: 'a' }]);
  });

  it('refuses an invalid email endpoint', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'bad-mail' }));
    const bad = await awsFailure(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'not an address' })));
    expect(bad.message).toBe('Invalid parameter: Email address');
  });
});

describe('SNS endpoint guard', () => {
  const sesd = useSesd('sqlite', { SESD_SNS_ALLOW_PRIVATE_ENDPOINTS: 'false', SESD_QUEUE_POLL_INTERVAL: '50ms', SESD_SNS_RETRY_DELAY: '100ms' });

  it('refuses to POST to a loopback endpoint unless allowed, and records why', async () => {
    const receiver = await startSnsReceiver();
    const sns = snsClient(sesd.app);
    try {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'guarded' }));
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/x`, ReturnSubscriptionArn: true }));
      const deadline = Date.now() + 10_000;
      let log = await attemptsOf(sesd.app, SubscriptionArn!);
      while (log.deliveries[0]?.status !== 'failed' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        log = await attemptsOf(sesd.app, SubscriptionArn!);
      }
      expect(log.deliveries[0]?.status).toBe('failed');
      expect(log.attempts).toHaveLength(4);
      expect(log.attempts[0]!.error).toContain('loopback or private address: refused');
      expect(receiver.requests).toHaveLength(0);
    } finally {
      sns.destroy();
      await receiver.close();
    }
  });
});

async function waitForMail(app: RunningApp, to: string, subject: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await capturedMessages(app)).find((m) => m.Destination.ToAddresses?.includes(to) && m.Subject === subject);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${to} with subject ${subject}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('SNS upstream FIFO parameters', () => {
  // A stand-in for the upstream SNS endpoint: records each Publish and answers a MessageId.
  const published: URLSearchParams[] = [];
  const upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      published.push(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(200, { 'content-type': 'text/xml' }).end('<PublishResponse><PublishResult><MessageId>upstream-1</MessageId></PublishResult></PublishResponse>');
    });
  });
  let app: RunningApp;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const db = await createTestDatabase('sqlite');
    drop = () => db.drop();
    const address = upstream.address();
    app = await startSesd(db, {
      SESD_SNS_UPSTREAM_URL: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      SESD_SNS_UPSTREAM_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
      SESD_SNS_UPSTREAM_SECRET_ACCESS_KEY: TEST_KEY.secretAccessKey,
    });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  it('passes MessageGroupId and MessageDeduplicationId on to an upstream topic, which may be FIFO', async () => {
    const sns = snsClient(app);
    try {
      // An account sesd does not have: the topic lives upstream.
      const TopicArn = 'arn:aws:sns:us-east-1:123456789012:orders.fifo';
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'm', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' }));
      expect(MessageId).toBe('upstream-1');
      expect(published).toHaveLength(1);
      expect(Object.fromEntries(published[0]!)).toMatchObject({ Action: 'Publish', TopicArn, Message: 'm', MessageGroupId: 'g1', MessageDeduplicationId: 'd1' });
    } finally {
      sns.destroy();
    }
  });
});
