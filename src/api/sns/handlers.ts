// The SNS (Query API) actions sesd implements: topics, subscriptions (http, https, email,
// email-json), publishing and tags. Every other action of the SNS model answers NotImplemented
// through the router. Handlers map wire shapes onto the SNS service (src/sns) and nothing more.
import { AwsError } from '../../domain/errors.js';
import type * as T from '../../protocol/models/types/sns.js';
import type { SnsService } from '../../sns/sns-service.js';
import type { Subscription } from '../../sns/sns-model.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const scope = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

const wireSubscription = (s: Subscription): T.Subscription => ({
  SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation',
  Owner: s.owner,
  Protocol: s.protocol,
  Endpoint: s.endpoint,
  TopicArn: s.topicArn,
});

export function snsHandlers(sns: SnsService): HandlerTable {
  return {
    CreateTopic: typedHandler(async (ctx, input: T.CreateTopicRequest): Promise<T.CreateTopicResponse> => {
      if (input.DataProtectionPolicy !== undefined) throw new AwsError('InvalidParameter', 'Invalid parameter: DataProtectionPolicy: sesd does not support message data protection');
      return { TopicArn: await sns.createTopic(scope(ctx), input.Name, input.Attributes, input.Tags) };
    }),
    DeleteTopic: typedHandler(async (ctx, input: T.DeleteTopicRequest) => {
      await sns.deleteTopic(scope(ctx), input.TopicArn);
      return {};
    }),
    ListTopics: typedHandler(async (ctx, input: T.ListTopicsRequest): Promise<T.ListTopicsResponse> => {
      const page = await sns.listTopics(scope(ctx), input.NextToken);
      return { Topics: page.items.map((TopicArn) => ({ TopicArn })), NextToken: page.nextToken };
    }),
    GetTopicAttributes: typedHandler(async (ctx, input: T.GetTopicAttributesRequest): Promise<T.GetTopicAttributesResponse> => ({
      Attributes: await sns.topicAttributes(scope(ctx), input.TopicArn),
    })),
    SetTopicAttributes: typedHandler(async (ctx, input: T.SetTopicAttributesRequest) => {
      await sns.setTopicAttribute(scope(ctx), input.TopicArn, input.AttributeName, input.AttributeValue);
      return {};
    }),
    Subscribe: typedHandler(async (ctx, input: T.SubscribeRequest): Promise<T.SubscribeResponse> => ({
      SubscriptionArn: await sns.subscribe(scope(ctx), {
        topicArn: input.TopicArn,
        protocol: input.Protocol,
        endpoint: input.Endpoint,
        attributes: input.Attributes,
        returnSubscriptionArn: input.ReturnSubscriptionArn,
      }),
    })),
    ConfirmSubscription: typedHandler(async (_ctx, input: T.ConfirmSubscriptionRequest): Promise<T.ConfirmSubscriptionResponse> => ({
      SubscriptionArn: await sns.confirmSubscription(input.TopicArn, input.Token),
    })),
    Unsubscribe: typedHandler(async (ctx, input: T.UnsubscribeRequest) => {
      await sns.unsubscribe(scope(ctx), input.SubscriptionArn);
      return {};
    }),
    ListSubscriptions: typedHandler(async (ctx, input: T.ListSubscriptionsRequest): Promise<T.ListSubscriptionsResponse> => {
      const page = await sns.listSubscriptions(scope(ctx), input.NextToken);
      return { Subscriptions: page.items.map(wireSubscription), NextToken: page.nextToken };
    }),
    ListSubscriptionsByTopic: typedHandler(async (ctx, input: T.ListSubscriptionsByTopicRequest): Promise<T.ListSubscriptionsByTopicResponse> => {
      const page = await sns.listSubscriptionsByTopic(scope(ctx), input.TopicArn, input.NextToken);
      return { Subscriptions: page.items.map(wireSubscription), NextToken: page.nextToken };
    }),
    GetSubscriptionAttributes: typedHandler(async (ctx, input: T.GetSubscriptionAttributesRequest): Promise<T.GetSubscriptionAttributesResponse> => ({
      Attributes: await sns.subscriptionAttributes(scope(ctx), input.SubscriptionArn),
    })),
    SetSubscriptionAttributes: typedHandler(async (ctx, input: T.SetSubscriptionAttributesRequest) => {
      await sns.setSubscriptionAttribute(scope(ctx), input.SubscriptionArn, input.AttributeName, input.AttributeValue);
      return {};
    }),
    Publish: typedHandler(async (ctx, input: T.PublishRequest): Promise<T.PublishResponse> => {
      if (input.PhoneNumber !== undefined) throw new AwsError('InvalidParameter', 'Invalid parameter: PhoneNumber: sesd does not send SMS');
      const topicArn = input.TopicArn ?? input.TargetArn;
      // An empty TopicArn is an ARN of one element to AWS, not a missing one (localstack/localstack
      // tests/aws/services/sns/test_sns.snapshot.json, test_publish_wrong_arn_format "empty-topic").
      if (topicArn === undefined) throw new AwsError('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
      if (input.TopicArn !== undefined && input.TargetArn !== undefined) {
        throw new AwsError('InvalidParameter', 'Invalid parameter: TopicArn Reason: Only one of TopicArn, TargetArn or PhoneNumber may be specified');
      }
      return sns.publishRequest(scope(ctx), {
        topicArn,
        message: input.Message,
        subject: input.Subject,
        messageStructure: input.MessageStructure,
        messageAttributes: input.MessageAttributes,
        messageGroupId: input.MessageGroupId,
        messageDeduplicationId: input.MessageDeduplicationId,
      }).then(({ messageId }) => ({ MessageId: messageId }));
    }),
    TagResource: typedHandler(async (ctx, input: T.TagResourceRequest) => {
      await sns.tagResource(scope(ctx), input.ResourceArn, input.Tags);
      return {};
    }),
    UntagResource: typedHandler(async (ctx, input: T.UntagResourceRequest) => {
      await sns.untagResource(scope(ctx), input.ResourceArn, input.TagKeys);
      return {};
    }),
    ListTagsForResource: typedHandler(async (ctx, input: T.ListTagsForResourceRequest): Promise<T.ListTagsForResourceResponse> => ({
      Tags: await sns.listTags(scope(ctx), input.ResourceArn),
    })),
  };
}
