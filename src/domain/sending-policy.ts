// The rules every send path obeys (SES v2, v1, Pinpoint, SMTP): account and configuration-set
// sending switches, verified senders, the sandbox, quotas, and the suppression list.
import type { AccountSettingsRepository } from '../store/account-settings-repository.js';
import type { IdentitiesRepository } from '../store/identities-repository.js';
import type { SuppressedDestination, SuppressionRepository } from '../store/suppression-repository.js';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from './account/account-settings.js';
import { AwsError, messageRejected } from './errors.js';
import { candidateIdentities } from './identities/identities-service.js';
import { parseIdentityArn, policiesAllowSending } from './identities/sending-authorization.js';
import type { Identity, Scope } from './identities/identity.js';
import { configurationSetNotFound, type ConfigurationSet } from './configuration-sets/configuration-set.js';

const SIMULATOR_DOMAIN = '@simulator.amazonses.com';

export const isSimulatorAddress = (address: string): boolean => address.toLowerCase().endsWith(SIMULATOR_DOMAIN);

export interface ConfigurationSetLookup {
  get(scope: Scope, name: string): Promise<ConfigurationSet | undefined>;
}

export interface SendingPolicyDeps {
  identities: Pick<IdentitiesRepository, 'getMany' | 'policies'>;
  accountSettings: Pick<AccountSettingsRepository, 'get' | 'recipientsSince'>;
  suppression: Pick<SuppressionRepository, 'getMany'>;
  configurationSets: ConfigurationSetLookup;
  /** Local development: every sender and recipient counts as verified. */
  autoVerify: boolean;
  now?: () => number;
}

export interface PolicyInput {
  scope: Scope;
  /** Addresses that must be verified identities: From, Source / MAIL FROM, Return-Path; with an
   * identity ARN, the named identity (possibly another account's, under sending authorization). */
  senders: { address: string; identityArn?: string }[];
  recipients: string[];
  configurationSetName?: string;
}

export interface PolicyDecision {
  /** Recipients on the account's suppression list: accepted, then bounced without delivery. */
  suppressed: Map<string, SuppressedDestination>;
}

export class SendingPolicy {
  private readonly now: () => number;

  constructor(private readonly deps: SendingPolicyDeps) {
    this.now = deps.now ?? Date.now;
  }

  async check(input: PolicyInput): Promise<PolicyDecision> {
    const settings = (await this.deps.accountSettings.get(input.scope)) ?? DEFAULT_ACCOUNT_SETTINGS;
    if (!settings.sendingEnabled) {
      throw new AwsError('SendingPausedException', 'Sending suspended for this account. For more information, please check the inbox of the email address associated with your AWS account.', 400, true, 'AccountSendingPausedException');
    }
    let suppressedReasons: string[] = settings.suppressedReasons;
    if (input.configurationSetName) {
      const set = await this.deps.configurationSets.get(input.scope, input.configurationSetName);
      if (!set) throw configurationSetNotFound(input.configurationSetName);
      if (!set.options.SendingOptions.SendingEnabled) {
        throw new AwsError('SendingPausedException', `Sending is paused for configuration set ${input.configurationSetName}.`, 400, true, 'ConfigurationSetSendingPausedException');
      }
      // A configuration set's suppression options, when it has them, replace the account's.
      const reasons = set.options.SuppressionOptions?.SuppressedReasons;
      if (reasons) suppressedReasons = reasons;
    }
    if (!this.deps.autoVerify) {
      const own = input.senders.filter((s) => !s.identityArn).map((s) => s.address);
      rejectUnusableMailFrom(own, await this.requireVerified(input.scope, own));
      for (const sender of input.senders) if (sender.identityArn) await this.requireAuthorized(input.scope, sender.address, sender.identityArn);
      if (!settings.productionAccess) await this.requireVerified(input.scope, input.recipients.filter((r) => !isSimulatorAddress(r)));
    }
    await this.checkQuotas(input.scope, settings, input.recipients);
    const listed = suppressedReasons.length ? await this.deps.suppression.getMany(input.scope, input.recipients) : [];
    const suppressed = new Map<string, SuppressedDestination>();
    for (const entry of listed) {
      if (!suppressedReasons.includes(entry.reason)) continue;
      const recipient = input.recipients.find((r) => r.toLowerCase() === entry.emailAddress);
      if (recipient) suppressed.set(recipient, entry);
    }
    return { suppressed };
  }

  /** SES lists every address that failed, with the region in upper case. */
  /** Answers the identities it read (every candidate identity of the addresses). */
  private async requireVerified(scope: Scope, addresses: string[]): Promise<Identity[]> {
    const unique = [...new Set(addresses)];
    const candidates = unique.map((a) => ({ address: a, names: candidateIdentities(a) }));
    const found = await this.deps.identities.getMany(scope, [...new Set(candidates.flatMap((c) => c.names))]);
    const verified = new Set(found.filter((i) => i.verificationStatus === 'SUCCESS').map((i) => i.identity));
    const failed = candidates.filter((c) => !c.names.some((n) => verified.has(n))).map((c) => c.address);
    if (failed.length) {
      throw messageRejected(`Email address is not verified. The following identities failed the check in region ${scope.region.toUpperCase()}: ${failed.join(', ')}`);
    }
    return found;
  }

  /** The ARN's identity must cover the address, be verified, and (another account's) allow the caller. */
  private async requireAuthorized(caller: Scope, address: string, arn: string): Promise<void> {
    const named = parseIdentityArn(arn);
    const owner = { accountId: named.accountId, region: named.region };
    const identity = named.region === caller.region && candidateIdentities(address).includes(named.identity)
      ? (await this.deps.identities.getMany(owner, [named.identity]))[0]
      : undefined;
    if (!identity || identity.verificationStatus !== 'SUCCESS') {
      throw messageRejected(`Email address is not verified. The following identities failed the check in region ${caller.region.toUpperCase()}: ${address}, ${arn}`);
    }
    if (owner.accountId !== caller.accountId && !policiesAllowSending(Object.values(await this.deps.identities.policies(owner, identity.identity)), caller.accountId)) {
      throw messageRejected(`User arn:aws:iam::${caller.accountId}:root is not authorized to send from identity ${arn}.`);
    }
  }

  private async checkQuotas(scope: Scope, settings: AccountSettings, recipients: string[]): Promise<void> {
    const counted = recipients.length;
    if (settings.maxSendRate >= 0) {
      const lastSecond = await this.deps.accountSettings.recipientsSince(scope, this.now() - 1000);
      if (lastSecond + counted > settings.maxSendRate) throw throttled('Maximum sending rate exceeded.');
    }
    if (settings.max24HourSend >= 0) {
      const quotaCounted = recipients.filter((r) => !isSimulatorAddress(r)).length;
      const lastDay = await this.deps.accountSettings.recipientsSince(scope, this.now() - 24 * 3600 * 1000);
      if (quotaCounted > 0 && lastDay + quotaCounted > settings.max24HourSend) throw throttled('Daily message quota exceeded.');
    }
  }
}

const throttled = (message: string): AwsError => new AwsError('TooManyRequestsException', message, 429, true, 'Throttling');

/**
 * BehaviorOnMxFailure RejectMessage: a sender whose identity (the address's own, else its most
 * specific domain's) has a custom MAIL FROM domain whose MX check has not succeeded is refused, as
 * SES refuses it (UseDefaultValue sends with sesd's default MAIL FROM instead, see store-hooks.ts).
 */
function rejectUnusableMailFrom(senders: string[], identities: Identity[]): void {
  for (const sender of senders) {
    const identity = candidateIdentities(sender).map((n) => identities.find((i) => i.identity === n && i.mailFrom.domain)).find(Boolean);
    if (identity?.mailFrom.behaviorOnMxFailure === 'REJECT_MESSAGE' && identity.mailFrom.status !== 'SUCCESS') {
      throw new AwsError(
        'MailFromDomainNotVerifiedException',
        `The message can't be sent because the custom MAIL FROM domain ${identity.mailFrom.domain} of ${identity.identity} isn't verified (status ${identity.mailFrom.status}).`,
        400,
        true, // SES v1's code is the same (botocore's email model: error code MailFromDomainNotVerifiedException)
      );
    }
  }
}
