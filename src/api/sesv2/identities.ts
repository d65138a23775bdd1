// SES v2 identity operations: wire shapes ↔ IdentitiesService.
import { feedbackIdentityInvalid, policyIdentityNotFound, type IdentitiesService } from '../../domain/identities/identities-service.js';
import { hasEasyDkim, identityArn, normaliseIdentity, setFeedbackForwarding, type Identity } from '../../domain/identities/identity.js';
import { validateTags } from '../../domain/tags/tags.js';
import { policyLimitExceeded, validatePolicy } from '../../domain/identities/sending-authorization.js';
import type { TagsRepository } from '../../store/tags-repository.js';
import { AwsError, invalidParameter } from '../../domain/errors.js';
import type { IdentitiesRepository } from '../../store/identities-repository.js';
import type { ConfigurationSetsRepository } from '../../store/configuration-sets-repository.js';
import { configurationSetNotFound } from '../../domain/configuration-sets/configuration-set.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { decodeNextToken, encodeNextToken, pageSize } from './paging.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

/**
 * As AWS answers (terraform-provider-aws's acceptance tests of aws_sesv2_email_identity, run against
 * AWS): a domain with Easy DKIM shows its key length as current and next and when its key was
 * generated; an identity without DKIM keys shows only NextSigningKeyLength RSA_1024_BIT. Easy DKIM
 * also names the zone its CNAMEs point into (SES: `dkim.amazonses.com`; sesd: dkim.cnameDomain).
 */
export function dkimAttributes(identity: Identity, signingHostedZone: string): T.DkimAttributes {
  const { dkim } = identity;
  const keyLength = (dkim.keyLength ?? undefined) as T.DkimSigningKeyLength | undefined;
  const easyDkim = hasEasyDkim(identity);
  return {
    SigningEnabled: dkim.signingEnabled,
    Status: dkim.status,
    Tokens: dkim.tokens,
    SigningAttributesOrigin: dkim.origin,
    CurrentSigningKeyLength: keyLength,
    NextSigningKeyLength: dkim.origin !== 'AWS_SES' ? undefined : easyDkim ? keyLength : 'RSA_1024_BIT',
    LastKeyGenerationTimestamp: dkim.tokens.length && dkim.keyGeneratedAt !== undefined ? new Date(dkim.keyGeneratedAt) : undefined,
    SigningHostedZone: easyDkim ? signingHostedZone : undefined,
  };
}

const verifiedForSending = (identity: Identity): boolean => identity.verificationStatus === 'SUCCESS';

export function identityHandlers(deps: {
  identities: IdentitiesService;
  identitiesRepository: IdentitiesRepository;
  tags: TagsRepository;
  configurationSets: Pick<ConfigurationSetsRepository, 'get'>;
}): HandlerTable {
  const { identities } = deps;
  /** A default configuration set must exist (SES answers NotFoundException before it creates the identity: floci-io/floci#1812). */
  const requireConfigurationSet = async (ctx: RequestContext, name: string | undefined): Promise<void> => {
    if (name && !(await deps.configurationSets.get(scopeOf(ctx), name))) throw configurationSetNotFound(name);
  };
  return {
    CreateEmailIdentity: typedHandler(async (ctx, input: T.CreateEmailIdentityRequest): Promise<T.CreateEmailIdentityResponse> => {
      const signing = input.DkimSigningAttributes;
      if (input.Tags) validateTags(input.Tags);
      await requireConfigurationSet(ctx, input.ConfigurationSetName);
      const identity = await identities.create(scopeOf(ctx), {
        identity: input.EmailIdentity,
        configurationSet: input.ConfigurationSetName,
        byodkim: signing?.DomainSigningSelector && signing.DomainSigningPrivateKey ? { selector: signing.DomainSigningSelector, privateKey: signing.DomainSigningPrivateKey } : undefined,
        keyLength: signing?.NextSigningKeyLength,
      });
      // Tags of every resource live in one place, so TagResource and GetEmailIdentity agree.
      if (input.Tags?.length) await deps.tags.put(identityArn(identity, identity.identity), input.Tags);
      return { IdentityType: identity.type, VerifiedForSendingStatus: verifiedForSending(identity), DkimAttributes: identity.type === 'DOMAIN' ? dkimAttributes(identity, identities.signingHostedZone) : undefined };
    }),

    GetEmailIdentity: typedHandler(async (ctx, input: T.GetEmailIdentityRequest): Promise<T.GetEmailIdentityResponse> => {
      const identity = await identities.get(scopeOf(ctx), input.EmailIdentity);
      const dkimOf = await identities.dkimOf(scopeOf(ctx), identity);
      return {
        IdentityType: identity.type,
        FeedbackForwardingStatus: identity.feedbackForwarding,
        VerifiedForSendingStatus: verifiedForSending(identity),
        VerificationStatus: identity.verificationStatus,
        VerificationInfo: {
          LastCheckedTimestamp: identity.checkedAt ? new Date(identity.checkedAt) : undefined,
          LastSuccessTimestamp: identity.verifiedAt ? new Date(identity.verifiedAt) : undefined,
        },
        DkimAttributes: dkimAttributes(dkimOf, identities.signingHostedZone),
        // Always there, with the behaviour only when no domain is set (as AWS answers: getmoto/moto#9771).
        MailFromAttributes: identity.mailFrom.domain
          ? { MailFromDomain: identity.mailFrom.domain, MailFromDomainStatus: identity.mailFrom.status as T.MailFromDomainStatus, BehaviorOnMxFailure: identity.mailFrom.behaviorOnMxFailure as T.BehaviorOnMxFailure }
          : ({ BehaviorOnMxFailure: identity.mailFrom.behaviorOnMxFailure } as T.MailFromAttributes),
        Policies: await deps.identitiesRepository.policies(scopeOf(ctx), identity.identity),
        Tags: await deps.tags.list(identityArn(identity, identity.identity)),
        ConfigurationSetName: identity.configurationSet ?? undefined,
      };
    }),

    ListEmailIdentities: typedHandler(async (ctx, input: T.ListEmailIdentitiesRequest): Promise<T.ListEmailIdentitiesResponse> => {
      const limit = pageSize(input.PageSize, 100, 1000);
      const after = decodeNextToken<string>(input.NextToken, 'string');
      const page = await identities.list(scopeOf(ctx), { after, limit: limit + 1 });
      const shown = page.slice(0, limit);
      return {
        EmailIdentities: shown.map((i) => ({ IdentityType: i.type, IdentityName: i.identity, SendingEnabled: verifiedForSending(i), VerificationStatus: i.verificationStatus })),
        NextToken: page.length > limit ? encodeNextToken(shown.at(-1)!.identity) : undefined,
      };
    }),

    DeleteEmailIdentity: typedHandler(async (ctx, input: T.DeleteEmailIdentityRequest) => {
      await identities.delete(scopeOf(ctx), input.EmailIdentity);
      await deps.tags.removeAll(identityArn(scopeOf(ctx), normaliseIdentity(input.EmailIdentity).identity));
      return {};
    }),

    PutEmailIdentityDkimAttributes: typedHandler(async (ctx, input: T.PutEmailIdentityDkimAttributesRequest) => {
      await identities.setDkimSigning(scopeOf(ctx), input.EmailIdentity, input.SigningEnabled ?? false);
      return {};
    }),

    PutEmailIdentityDkimSigningAttributes: typedHandler(async (ctx, input: T.PutEmailIdentityDkimSigningAttributesRequest): Promise<T.PutEmailIdentityDkimSigningAttributesResponse> => {
      // Checked before the identity is looked up, in AWS's words (floci-io/floci ff0201a, checked against AWS).
      if (!input.EmailIdentity.trim() || input.EmailIdentity.includes('@')) throw invalidParameter('The EmailIdentity value must be a valid domain.');
      const identity = await identities.setDkimSigningAttributes(scopeOf(ctx), input.EmailIdentity, {
        origin: input.SigningAttributesOrigin === 'EXTERNAL' ? 'EXTERNAL' : 'AWS_SES',
        selector: input.SigningAttributes?.DomainSigningSelector,
        privateKey: input.SigningAttributes?.DomainSigningPrivateKey,
        keyLength: input.SigningAttributes?.NextSigningKeyLength,
      });
      return { DkimStatus: identity.dkim.status, DkimTokens: identity.dkim.tokens, SigningHostedZone: hasEasyDkim(identity) ? identities.signingHostedZone : undefined };
    }),

    PutEmailIdentityMailFromAttributes: typedHandler(async (ctx, input: T.PutEmailIdentityMailFromAttributesRequest) => {
      await identities.setMailFrom(scopeOf(ctx), input.EmailIdentity, input.MailFromDomain, input.BehaviorOnMxFailure ?? 'USE_DEFAULT_VALUE');
      return {};
    }),

    // An unknown identity is refused as v1's SetIdentityFeedbackForwardingEnabled refuses it: 400
    // BadRequestException, "Identity X is invalid. ..." (floci-io/floci bd3a33326, #716: "matching the
    // verified live AWS response" on the v2 path too), not NotFoundException.
    PutEmailIdentityFeedbackAttributes: typedHandler(async (ctx, input: T.PutEmailIdentityFeedbackAttributesRequest) => {
      const enabled = input.EmailForwardingEnabled ?? false;
      await identities.update(scopeOf(ctx), input.EmailIdentity, (identity) => setFeedbackForwarding(identity, enabled), feedbackIdentityInvalid);
      return {};
    }),

    PutEmailIdentityConfigurationSetAttributes: typedHandler(async (ctx, input: T.PutEmailIdentityConfigurationSetAttributesRequest) => {
      await requireConfigurationSet(ctx, input.ConfigurationSetName);
      await identities.update(scopeOf(ctx), input.EmailIdentity, (identity) => {
        identity.configurationSet = input.ConfigurationSetName ?? null;
      });
      return {};
    }),

    // The policy operations word their refusals their own way (as reported from live AWS in floci-io/floci#1750).
    CreateEmailIdentityPolicy: typedHandler(async (ctx, input: T.CreateEmailIdentityPolicyRequest) => {
      const identity = await identities.get(scopeOf(ctx), input.EmailIdentity, policyIdentityNotFound);
      const existing = await deps.identitiesRepository.policies(scopeOf(ctx), identity.identity);
      if (existing[input.PolicyName] !== undefined) {
        throw new AwsError('AlreadyExistsException', `Policy <${input.PolicyName}> already exists`, 400, true, 'AlreadyExists');
      }
      validatePolicy(input.PolicyName, input.Policy);
      const overLimit = policyLimitExceeded(existing, input.PolicyName, input.EmailIdentity);
      if (overLimit) throw new AwsError('LimitExceededException', overLimit, 400);
      await deps.identitiesRepository.putPolicy(scopeOf(ctx), identity.identity, input.PolicyName, input.Policy);
      return {};
    }),

    // SES answers success for a policy name the identity does not have yet and stores the policy
    // (as v1 PutIdentityPolicy does); only the identity must exist.
    UpdateEmailIdentityPolicy: typedHandler(async (ctx, input: T.UpdateEmailIdentityPolicyRequest) => {
      const identity = await identities.get(scopeOf(ctx), input.EmailIdentity, policyIdentityNotFound);
      validatePolicy(input.PolicyName, input.Policy);
      await deps.identitiesRepository.putPolicy(scopeOf(ctx), identity.identity, input.PolicyName, input.Policy);
      return {};
    }),

    // "This API returns successfully even if a policy with the specified name does not exist" (SES
    // API reference, DeleteEmailIdentityPolicy and v1 DeleteIdentityPolicy alike).
    DeleteEmailIdentityPolicy: typedHandler(async (ctx, input: T.DeleteEmailIdentityPolicyRequest) => {
      const identity = await identities.get(scopeOf(ctx), input.EmailIdentity, policyIdentityNotFound);
      await deps.identitiesRepository.deletePolicy(scopeOf(ctx), identity.identity, input.PolicyName);
      return {};
    }),

    GetEmailIdentityPolicies: typedHandler(async (ctx, input: T.GetEmailIdentityPoliciesRequest): Promise<T.GetEmailIdentityPoliciesResponse> => {
      const name = normaliseIdentity(input.EmailIdentity).identity;
      if (!(await deps.identitiesRepository.get(scopeOf(ctx), name))) throw policyIdentityNotFound(input.EmailIdentity);
      return { Policies: await deps.identitiesRepository.policies(scopeOf(ctx), name) };
    }),
  };
}
