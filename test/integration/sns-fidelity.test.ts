// sesd's SNS answers compared with answers recorded against real AWS. The evidence is LocalStack's
// snapshot file localstack/localstack tests/aws/services/sns/test_sns.snapshot.json (recorded against
// AWS); each test names the snapshot keys it follows.
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { awsFailure, TEST_KEY, useSesd } from '../support/sesd.js';
import { startSnsReceiver, type SnsReceiver } from '../support/sns-receiver.js';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';

describe.each(DIALECTS)('SNS answers as recorded against AWS (%s)', (dialect) => {
  const sesd = useSesd(dialect, { SESD_SNS_HTTPS_PORT: '0', SESD_QUEUE_POLL_INTERVAL: '50ms' });
  let receiver: SnsReceiver;
  let sns: SNSClient;
  beforeAll(async () => {
    receiver = await startSnsReceiver();
    sns = new SNSClient({ endpoint: sesd.app.httpUrl, region: REGION, credentials: TEST_KEY, maxAttempts: 1 });
  });
  afterAll(async () => {
    sns?.destroy();
    await receiver?.close();
  });

  const invalid = (message: string) => ({ name: 'InvalidParameterException', message, status: 400 });

  it('gives the reason for a TopicArn or SubscriptionArn that is not ARN-shaped', async () => {
    // test_publish_wrong_arn_format: "invalid-topic-arn", "invalid-topic-arn-1", "empty-topic"
    expect(await awsFailure(sns.send(new PublishCommand({ TopicArn: 'randomstring', Message: 'x' })))).toEqual(
      invalid('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'),
    );
    expect(await awsFailure(sns.send(new PublishCommand({ TopicArn: 'randomstring:1', Message: 'x' })))).toEqual(
      invalid('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2'),
    );
    expect(await awsFailure(sns.send(new PublishCommand({ TopicArn: '', Message: 'x' })))).toEqual(
      invalid('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'),
    );
    // test_subscribe_with_invalid_topic: "invalid-subscribe-arn-2"
    expect(await awsFailure(sns.send(new SubscribeCommand({ TopicArn: 'arn:aws:sns:us-east-1:random', Protocol: 'email', Endpoint: 'a@example.com' })))).toEqual(
      invalid('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5'),
    );
    // test_create_topic_with_attributes: "get-attrs-malformed-topic"
    expect(await awsFailure(sns.send(new GetTopicAttributesCommand({ TopicArn: 'test-topic' })))).toEqual(
      invalid('Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1'),
    );
    // test_unsubscribe_wrong_arn_format: "invalid-unsubscribe-arn-1", "-2", "-3"
    expect(await awsFailure(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'randomstring' })))).toEqual(
      invalid('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1'),
    );
    expect(await awsFailure(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'arn:aws:sns:us-east-1:random' })))).toEqual(
      invalid('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 5'),
    );
    expect(await awsFailure(sns.send(new UnsubscribeCommand({ SubscriptionArn: `arn:aws:sns:us-east-1:${ACCOUNT}:random` })))).toEqual(
      invalid('Invalid parameter: SubscriptionId'),
    );
    // test_unsubscribe_from_deleted_topic: Unsubscribe with what Subscribe answered for an http endpoint.
    expect(await awsFailure(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'pending confirmation' })))).toEqual(
      invalid('Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1'),
    );
  });

  it('lists no SignatureVersion for a new topic, and the one set once it is set', async () => {
    // test_topic_get_attributes_with_fifo_false "get-attrs-standard-topic", test_create_topic_different_attrs "topic-attrs"
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fidelity-attributes' }));
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    expect(Object.keys(attributes).sort()).toEqual([
      'DisplayName',
      'EffectiveDeliveryPolicy',
      'Owner',
      'Policy',
      'SubscriptionsConfirmed',
      'SubscriptionsDeleted',
      'SubscriptionsPending',
      'TopicArn',
    ]);
    // test_create_topic_with_attributes "get-topic-attrs": SignatureVersion "2" once given.
    await sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
    expect((await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes).toMatchObject({ SignatureVersion: '2' });
  });

  it('refuses a RawMessageDelivery other than true or false in SetSubscriptionAttributes, an empty one too', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fidelity-raw' }));
    // test_create_subscriptions_with_attributes "subscribe-wrong-attr": Subscribe says "Attributes Reason: ".
    expect(await awsFailure(sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'raw@example.com', Attributes: { RawMessageDelivery: 'wrongvalue' } })))).toEqual(
      invalid('Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [wrongvalue]. Must be true or false.'),
    );
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'email', Endpoint: 'raw@example.com', ReturnSubscriptionArn: true }));
    // test_validate_set_sub_attributes "raw-message-wrong-value", "raw-message-empty-value"
    const set = (AttributeValue: string) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue }));
    expect(await awsFailure(set('test-ValUe'))).toEqual(invalid('Invalid parameter: RawMessageDelivery: Invalid value [test-ValUe]. Must be true or false.'));
    expect(await awsFailure(set(''))).toEqual(invalid('Invalid parameter: RawMessageDelivery: Invalid value []. Must be true or false.'));
    await set('TRUE');
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ RawMessageDelivery: 'true' });
  });

  it("confirms with the token whatever the TopicArn's topic name, but not with another region's", async () => {
    // test_subscribe_external_http_endpoint: "broken-topic-arn-confirm", "different-region-arn-confirm", "nonexistent-token-confirm"
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fidelity-confirm' }));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/confirm`, ReturnSubscriptionArn: true }));
    const [confirmation] = await receiver.waitFor('/confirm', 1, 'SubscriptionConfirmation');
    const token = (JSON.parse(confirmation!.body) as { Token: string }).Token;
    const confirm = (topicArn: string) => sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token }));

    expect(await awsFailure(confirm('not-an-arn'))).toEqual(invalid('Invalid parameter: Topic'));
    expect(await awsFailure(confirm(TopicArn!.replace(REGION, 'eu-central-1')))).toEqual(invalid('Invalid parameter: Topic'));
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ PendingConfirmation: 'true' });
    expect((await confirm(`${TopicArn!}-nonexistent`)).SubscriptionArn).toBe(SubscriptionArn);
    expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes).toMatchObject({ PendingConfirmation: 'false' });
  });

  it("shows a topic's DeliveryPolicy as AWS does: disableSubscriptionOverrides added, null members dropped", async () => {
    // test_topic_delivery_policy_crud: "get-topic-attrs", "get-topic-attrs-after-update", "get-topic-attrs-after-none", "get-topic-attrs-after-delete"
    const { TopicArn } = await sns.send(new CreateTopicCommand({
      Name: 'fidelity-topic-policy',
      Attributes: { DeliveryPolicy: JSON.stringify({ http: { defaultRequestPolicy: { headerContentType: 'application/json' } } }) },
    }));
    const attributes = async () => (await sns.send(new GetTopicAttributesCommand({ TopicArn }))).Attributes!;
    const set = (AttributeValue: string) => sns.send(new SetTopicAttributesCommand({ TopicArn, AttributeName: 'DeliveryPolicy', AttributeValue }));
    const defaultRetry = { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' };

    let a = await attributes();
    expect(JSON.parse(a.DeliveryPolicy!)).toEqual({ http: { disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: 'application/json' } } });
    expect(JSON.parse(a.EffectiveDeliveryPolicy!)).toEqual({
      http: { defaultHealthyRetryPolicy: defaultRetry, disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: 'application/json' } },
    });

    await set(JSON.stringify({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 } } }));
    a = await attributes();
    expect(JSON.parse(a.DeliveryPolicy!)).toEqual({ http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 }, disableSubscriptionOverrides: false } });
    expect(JSON.parse(a.EffectiveDeliveryPolicy!)).toEqual({
      http: {
        defaultHealthyRetryPolicy: { ...defaultRetry, minDelayTarget: 5, maxDelayTarget: 6, numRetries: 1 },
        disableSubscriptionOverrides: false,
        defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' },
      },
    });

    await set(JSON.stringify({ http: { defaultHealthyRetryPolicy: null } }));
    expect(JSON.parse((await attributes()).DeliveryPolicy!)).toEqual({ http: { disableSubscriptionOverrides: false } });

    await set('');
    a = await attributes();
    expect(a.DeliveryPolicy).toBeUndefined();
    expect(JSON.parse(a.EffectiveDeliveryPolicy!)).toEqual({
      http: { defaultHealthyRetryPolicy: defaultRetry, disableSubscriptionOverrides: false, defaultRequestPolicy: { headerContentType: 'text/plain; charset=UTF-8' } },
    });
  });

  it("shows an HTTP subscription's DeliveryPolicy and EffectiveDeliveryPolicy in the subscription's shape", async () => {
    // test_subscribe_external_http_endpoint_content_type[False] and [True]: "sub-attrs"; the subscription
    // DeliveryPolicy is LocalStack's sns_create_http_endpoint fixture's.
    const subscription = async (name: string) => {
      const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
      const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: `${receiver.url}/${name}`, ReturnSubscriptionArn: true }));
      const fixturePolicy = {
        healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, backoffFunction: 'linear' },
        sicklyRetryPolicy: null,
        throttlePolicy: { maxReceivesPerSecond: 1000 },
        guaranteed: false,
      };
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(fixturePolicy) }));
      return { TopicArn: TopicArn!, SubscriptionArn: SubscriptionArn! };
    };
    const policies = async (SubscriptionArn: string) => {
      const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
      return { delivery: JSON.parse(a.DeliveryPolicy!) as unknown, effective: JSON.parse(a.EffectiveDeliveryPolicy!) as unknown };
    };

    // [False]: the topic sets the Content-Type; the subscription keeps its retry and throttle policies.
    const withTopicPolicy = await subscription('fidelity-sub-policy-topic');
    await sns.send(new SetTopicAttributesCommand({
      TopicArn: withTopicPolicy.TopicArn,
      AttributeName: 'DeliveryPolicy',
      AttributeValue: JSON.stringify({ http: { defaultRequestPolicy: { headerContentType: 'application/json' } } }),
    }));
    const retry = { minDelayTarget: 1, maxDelayTarget: 1, numRetries: 0, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' };
    expect(await policies(withTopicPolicy.SubscriptionArn)).toEqual({
      delivery: { healthyRetryPolicy: retry, sicklyRetryPolicy: null, throttlePolicy: { maxReceivesPerSecond: 1000 }, requestPolicy: null, guaranteed: false },
      effective: { healthyRetryPolicy: retry, sicklyRetryPolicy: null, throttlePolicy: { maxReceivesPerSecond: 1000 }, requestPolicy: { headerContentType: 'application/json' }, guaranteed: false },
    });

    // [True]: a new subscription DeliveryPolicy replaces the whole one; the default retry policy applies.
    const own = await subscription('fidelity-sub-policy-own');
    await sns.send(new SetSubscriptionAttributesCommand({
      SubscriptionArn: own.SubscriptionArn,
      AttributeName: 'DeliveryPolicy',
      AttributeValue: JSON.stringify({ requestPolicy: { headerContentType: 'text/csv' } }),
    }));
    expect(await policies(own.SubscriptionArn)).toEqual({
      delivery: { healthyRetryPolicy: null, sicklyRetryPolicy: null, throttlePolicy: null, requestPolicy: { headerContentType: 'text/csv' }, guaranteed: false },
      effective: {
        healthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' },
        sicklyRetryPolicy: null,
        throttlePolicy: null,
        requestPolicy: { headerContentType: 'text/csv' },
        guaranteed: false,
      },
    });
  });

  it('refuses a .fifo name without FifoTopic=true, and FifoTopic=true without a .fifo name, as AWS does', async () => {
    // test_create_topic_name_constraints "name-contains-fifo", "fifo-name-not-contains-fifo";
    // test_create_topic_different_attrs "create-topic-new-attrs-fifo" (an existing standard topic's name).
    expect(await awsFailure(sns.send(new CreateTopicCommand({ Name: 'test.fifo' })))).toEqual(invalid('Invalid parameter: Topic Name'));
    expect(await awsFailure(sns.send(new CreateTopicCommand({ Name: 'test', Attributes: { FifoTopic: 'true' } })))).toEqual(invalid('Invalid parameter: Topic Name'));
    await sns.send(new CreateTopicCommand({ Name: 'fidelity-standard' }));
    expect(await awsFailure(sns.send(new CreateTopicCommand({ Name: 'fidelity-standard', Attributes: { FifoTopic: 'true' } })))).toEqual(invalid('Invalid parameter: Topic Name'));
  });
});
