// SES v1 identity actions, on the same IdentitiesService as SES v2. v1 spells statuses in
// CamelCase (`Success`) where v2 uses upper case (`SUCCESS`).
import { feedbackIdentityInvalid, headersIdentityInvalid, type IdentitiesService } from '../../domain/identities/identities-service.js';
import { parseAddress } from '../../domain/addresses.js';
import type { TopicPublisher } from '../../sns/topic-publisher.js';
import { normaliseIdentity, setFeedbackForwarding, type Identity, type Scope, type VerificationStatus } from '../../domain/identities/identity.js';
import { invalidParameter } from '../../domain/errors.js';
import type { IdentitiesRepository } from '../../store/identities-repository.js';
import { policyLimitExceeded, validatePolicy } from '../../domain/identities/sending-authorization.js';
import type * as T from '../../protocol/models/types/ses.js';
import { decodeNextToken, encodeNextToken, pageSize } from '../sesv2/paging.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const scopeOf = (ctx: RequestContext): Scope => ({ accountId: ctx.accountId, region: ctx.region });

const V1_STATUS: Record<VerificationStatus, T.VerificationStatus> = {
  PENDING: 'Pending',
  SUCCESS: 'Success',
  FAILED: 'Failed',
  TEMPORARY_FAILURE: 'TemporaryFailure',
  NOT_STARTED: 'NotStarted',
};

export function identityHandlers(deps: { identities: IdentitiesService; repository: IdentitiesRepository; topics?: Pick<TopicPublisher, 'topicExists'> }): HandlerTable {
  const { identities, repository } = deps;

  /** v1 creates the identity if needed and (re)starts verification, where v2 refuses duplicates. */
  const verify = async (scope: Scope, name: string, easyDkim: boolean): Promise<Identity> => {
    const existing = await repository.get(scope, normaliseIdentity(name).identity);
    return existing ? identities.restartVerification(scope, existing) : identities.create(scope, { identity: name, easyDkim });
  };

  /** VerifyEmailIdentity / VerifyEmailAddress take an address only (a name without @ would make a domain identity). */
  const verifyAddress = async (scope: Scope, given: string): Promise<void> => {
    if (!given.includes('@')) throw invalidParameter(`Invalid email address<${given}>.`);
    await verify(scope, parseAddress(given).address, false);
  };

  /** The stored identities among `names` (or their ARNs), keyed as the caller spelled them (unknown ones are left out, as in v1). */
  const lookup = async (scope: Scope, names: string[]): Promise<[string, Identity][]> => {
    if (names.length > 100) throw invalidParameter('You can request attributes for at most 100 identities at a time.');
    const key = (n: string) => normaliseIdentity(identityName(scope, n)).identity;
    const found = await repository.getMany(scope, names.map(key));
    const byName = new Map(found.map((i) => [i.identity, i]));
    return names.flatMap((n) => {
      const identity = byName.get(key(n));
      return identity ? [[n, identity] as [string, Identity]] : [];
    });
  };

  /** SES refuses a notification topic it cannot publish to. */
  const checkTopic = async (scope: Scope, topicArn: string | undefined): Promise<void> => {
    if (!topicArn || !deps.topics || (await deps.topics.topicExists({ ...scope, topicArn }).catch(() => false))) return;
    throw invalidParameter(`SNS topic ${topicArn} not found.`);
  };

  const deleteIdentity = async (scope: Scope, name: string) => {
    // DeleteIdentity succeeds for an identity that does not exist.
    await repository.delete(scope, normaliseIdentity(name).identity);
    return {};
  };

  return {
    VerifyEmailIdentity: typedHandler(async (ctx, input: T.VerifyEmailIdentityRequest) => {
      await verifyAddress(scopeOf(ctx), input.EmailAddress);
      return {};
    }),
    VerifyEmailAddress: typedHandler(async (ctx, input: T.VerifyEmailAddressRequest) => {
      await verifyAddress(scopeOf(ctx), input.EmailAddress);
      return {};
    }),
    VerifyDomainIdentity: typedHandler(async (ctx, input: T.VerifyDomainIdentityRequest): Promise<T.VerifyDomainIdentityResponse> => {
      if (input.Domain.includes('@')) throw invalidParameter(`Invalid domain name ${input.Domain}.`);
      const identity = await verify(scopeOf(ctx), input.Domain, false);
      return { VerificationToken: identity.verificationToken };
    }),
    VerifyDomainDkim: typedHandler(async (ctx, input: T.VerifyDomainDkimRequest): Promise<T.VerifyDomainDkimResponse> => {
      if (input.Domain.includes('@')) throw invalidParameter(`Invalid domain name ${input.Domain}.`);
      const identity = await identities.enableEasyDkim(scopeOf(ctx), input.Domain);
      return { DkimTokens: identity.dkim.tokens };
    }),

    ListIdentities: typedHandler(async (ctx, input: T.ListIdentitiesRequest): Promise<T.ListIdentitiesResponse> => {
      const limit = pageSize(input.MaxItems, 1000, 1000);
      const type = input.IdentityType === 'Domain' ? 'DOMAIN' : input.IdentityType === 'EmailAddress' ? 'EMAIL_ADDRESS' : undefined;
      let after = decodeNextToken<string>(input.NextToken, 'string');
      const out: string[] = [];
      // Filtering by type happens after paging by name, so keep reading until the page is full.
      for (;;) {
        const page = await identities.list(scopeOf(ctx), { after, limit: limit + 1 });
        for (const i of page) if (!type || i.type === type) out.push(i.identity);
        if (page.length <= limit || out.length > limit) break;
        after = page.at(-1)!.identity;
      }
      return { Identities: out.slice(0, limit), NextToken: out.length > limit ? encodeNextToken(out[limit - 1]!) : undefined };
    }),
    ListVerifiedEmailAddresses: typedHandler(async (ctx): Promise<T.ListVerifiedEmailAddressesResponse> => {
      const all = await identities.list(scopeOf(ctx), { limit: 10_000 });
      return { VerifiedEmailAddresses: all.filter((i) => i.type === 'EMAIL_ADDRESS' && i.verificationStatus === 'SUCCESS').map((i) => i.identity) };
    }),
    DeleteIdentity: typedHandler(async (ctx, input: T.DeleteIdentityRequest) => deleteIdentity(scopeOf(ctx), input.Identity)),
    DeleteVerifiedEmailAddress: typedHandler(async (ctx, input: T.DeleteVerifiedEmailAddressRequest) => deleteIdentity(scopeOf(ctx), input.EmailAddress)),

    GetIdentityVerificationAttributes: typedHandler(async (ctx, input: T.GetIdentityVerificationAttributesRequest): Promise<T.GetIdentityVerificationAttributesResponse> => ({
      VerificationAttributes: Object.fromEntries(
        (await lookup(scopeOf(ctx), input.Identities)).map(([name, i]) => [
          name,
          { VerificationStatus: V1_STATUS[i.verificationStatus], VerificationToken: i.type === 'DOMAIN' ? i.verificationToken : undefined },
        ]),
      ),
    })),
    GetIdentityDkimAttributes: typedHandler(async (ctx, input: T.GetIdentityDkimAttributesRequest): Promise<T.GetIdentityDkimAttributesResponse> => {
      const found = await lookup(scopeOf(ctx), input.Identities);
      const entries = [];
      for (const [name, identity] of found) {
        const { dkim } = await identities.dkimOf(scopeOf(ctx), identity);
        entries.push([name, { DkimEnabled: dkim.signingEnabled, DkimVerificationStatus: V1_STATUS[dkim.status], DkimTokens: dkim.tokens.length ? dkim.tokens : undefined }]);
      }
      return { DkimAttributes: Object.fromEntries(entries) };
    }),
    SetIdentityDkimEnabled: typedHandler(async (ctx, input: T.SetIdentityDkimEnabledRequest) => {
      await identities.setDkimSigning(scopeOf(ctx), input.Identity, input.DkimEnabled);
      return {};
    }),

    GetIdentityMailFromDomainAttributes: typedHandler(async (ctx, input: T.GetIdentityMailFromDomainAttributesRequest): Promise<T.GetIdentityMailFromDomainAttributesResponse> => ({
      MailFromDomainAttributes: Object.fromEntries(
        (await lookup(scopeOf(ctx), input.Identities))
          .filter(([, i]) => i.mailFrom.domain)
          .map(([name, i]) => [
            name,
            {
              MailFromDomain: i.mailFrom.domain!,
              MailFromDomainStatus: v1MailFromStatus(i.mailFrom.status),
              BehaviorOnMXFailure: i.mailFrom.behaviorOnMxFailure === 'REJECT_MESSAGE' ? 'RejectMessage' : 'UseDefaultValue',
            },
          ]),
      ),
    })),
    SetIdentityMailFromDomain: typedHandler(async (ctx, input: T.SetIdentityMailFromDomainRequest) => {
      const behavior = input.BehaviorOnMXFailure === 'RejectMessage' ? 'REJECT_MESSAGE' : 'USE_DEFAULT_VALUE';
      await identities.setMailFrom(scopeOf(ctx), input.Identity, input.MailFromDomain, behavior);
      return {};
    }),

    GetIdentityNotificationAttributes: typedHandler(async (ctx, input: T.GetIdentityNotificationAttributesRequest): Promise<T.GetIdentityNotificationAttributesResponse> => ({
      NotificationAttributes: Object.fromEntries(
        (await lookup(scopeOf(ctx), input.Identities)).map(([name, i]) => [
          name,
          {
            BounceTopic: i.notifications.bounceTopic ?? '',
            ComplaintTopic: i.notifications.complaintTopic ?? '',
            DeliveryTopic: i.notifications.deliveryTopic ?? '',
            ForwardingEnabled: i.feedbackForwarding,
            HeadersInBounceNotificationsEnabled: i.notifications.headersInBounce ?? false,
            HeadersInComplaintNotificationsEnabled: i.notifications.headersInComplaint ?? false,
            HeadersInDeliveryNotificationsEnabled: i.notifications.headersInDelivery ?? false,
          },
        ]),
      ),
    })),
    SetIdentityNotificationTopic: typedHandler(async (ctx, input: T.SetIdentityNotificationTopicRequest) => {
      const scope = scopeOf(ctx);
      await checkTopic(scope, input.SnsTopic);
      await identities.update(
        scope,
        identityName(scope, input.Identity),
        (identity) => {
          const key = `${input.NotificationType.toLowerCase()}Topic` as 'bounceTopic' | 'complaintTopic' | 'deliveryTopic';
          identity.notifications = { ...identity.notifications, [key]: input.SnsTopic || undefined };
        },
        () => feedbackIdentityInvalid(input.Identity),
      );
      return {};
    }),
    SetIdentityFeedbackForwardingEnabled: typedHandler(async (ctx, input: T.SetIdentityFeedbackForwardingEnabledRequest) => {
      const scope = scopeOf(ctx);
      await identities.update(scope, identityName(scope, input.Identity), (identity) => setFeedbackForwarding(identity, input.ForwardingEnabled), () => feedbackIdentityInvalid(input.Identity));
      return {};
    }),
    SetIdentityHeadersInNotificationsEnabled: typedHandler(async (ctx, input: T.SetIdentityHeadersInNotificationsEnabledRequest) => {
      await identities.update(
        scopeOf(ctx),
        identityName(scopeOf(ctx), input.Identity),
        (identity) => {
          const key = `headersIn${input.NotificationType}` as 'headersInBounce' | 'headersInComplaint' | 'headersInDelivery';
          identity.notifications = { ...identity.notifications, [key]: input.Enabled };
        },
        () => headersIdentityInvalid(input.Identity),
      );
      return {};
    }),

    PutIdentityPolicy: typedHandler(async (ctx, input: T.PutIdentityPolicyRequest) => {
      const identity = await identities.get(scopeOf(ctx), identityName(scopeOf(ctx), input.Identity));
      validatePolicy(input.PolicyName, input.Policy);
      // v1 answers a 21st policy with InvalidParameterValue (floci's SesPolicyService.enforcePolicyLimit).
      const overLimit = policyLimitExceeded(await repository.policies(scopeOf(ctx), identity.identity), input.PolicyName, input.Identity);
      if (overLimit) throw invalidParameter(overLimit);
      await repository.putPolicy(scopeOf(ctx), identity.identity, input.PolicyName, input.Policy);
      return {};
    }),
    GetIdentityPolicies: typedHandler(async (ctx, input: T.GetIdentityPoliciesRequest): Promise<T.GetIdentityPoliciesResponse> => {
      const identity = await identities.get(scopeOf(ctx), identityName(scopeOf(ctx), input.Identity));
      const all = await repository.policies(scopeOf(ctx), identity.identity);
      return { Policies: Object.fromEntries(Object.entries(all).filter(([name]) => input.PolicyNames.includes(name))) };
    }),
    ListIdentityPolicies: typedHandler(async (ctx, input: T.ListIdentityPoliciesRequest): Promise<T.ListIdentityPoliciesResponse> => {
      const identity = await identities.get(scopeOf(ctx), identityName(scopeOf(ctx), input.Identity));
      return { PolicyNames: Object.keys(await repository.policies(scopeOf(ctx), identity.identity)) };
    }),
    DeleteIdentityPolicy: typedHandler(async (ctx, input: T.DeleteIdentityPolicyRequest) => {
      const identity = await identities.get(scopeOf(ctx), identityName(scopeOf(ctx), input.Identity));
      await repository.deletePolicy(scopeOf(ctx), identity.identity, input.PolicyName);
      return {};
    }),
  };
}

/** SES v1 spells the MAIL FROM status in title case (`Pending`, `Success`, `Failed`, `TemporaryFailure`). */
function v1MailFromStatus(status: string): 'Pending' | 'Success' | 'Failed' | 'TemporaryFailure' {
  return status === 'SUCCESS' ? 'Success' : status === 'FAILED' ? 'Failed' : status === 'TEMPORARY_FAILURE' ? 'TemporaryFailure' : 'Pending';
}

/**
 * The identity an `Identity` member names: the model takes its name or its ARN
 * (`arn:aws:ses:REGION:ACCOUNT:identity/NAME`, as Terraform passes it). Another account's or
 * region's ARN stays as given, and so is not found.
 */
function identityName(scope: Scope, given: string): string {
  const arn = /^arn:aws[\w-]*:ses:([^:]+):(\d{12}):identity\/(.+)$/.exec(given);
  return arn && arn[1] === scope.region && arn[2] === scope.accountId ? arn[3]! : given;
}
