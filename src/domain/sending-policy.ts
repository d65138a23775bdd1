// The rules every send path obeys (SES v2, v1, Pinpoint, SMTP): account and configuration-set
// sending switches, verified senders, the sandbox, quotas, and the suppression list.
import type { AccountSettingsRepository } from '../store/account-settings-repository.js';
import type { IdentitiesRepository } from '../store/identities-repository.js';
import type { SuppressedDestination, SuppressionRepository } from '../store/suppression-repository.js';
import { DEFAULT_ACCOUNT_SETTINGS, type AccountSettings } from './account/account-settings.js';
import { suppressionAddress } from './addresses.js';
import { AwsError, messageRejected } from './errors.js';
import { candidateIdentities } from './identities/identities-service.js';
import { parseIdentityArn, policiesAllowSending } from './identities/sending-authorization.js';
import type { Identity, Scope } from './identities/identity.js';
import { anySenderVerified, type AutoVerifyMode } from './identities/auto-verify.js';
import { DAILY_QUOTA_WINDOW_MS, SEND_RATE_WINDOW_MS, type QuotaWindows } from './sending-limits.js';
import { configurationSetNotFound, type ConfigurationSet } from './configuration-sets/configuration-set.js';

const SIMULATOR_DOMAIN = '@simulator.amazonses.com';

export const isSimulatorAddress = (address: string): boolean => address.toLowerCase().endsWith(SIMULATOR_DOMAIN);

export interface ConfigurationSetLookup {
  get(scope: Scope, name: string): Promise<ConfigurationSet | undefined>;
}

export interface SendingPolicyDeps {
  identities: Pick<IdentitiesRepository, 'getMany' | 'policies'>;
  accountSettings: Pick<AccountSettingsRepository, 'get'>;
  suppression: Pick<SuppressionRepository, 'getMany'>;
  configurationSets: ConfigurationSetLookup;
  /** Development verification mode (auto-verify.ts); only `any` lets unverified senders through. */
  autoVerify: AutoVerifyMode;
  now?: () => number;
}

export interface PolicyInput {
  scope: Scope;
  /** Addresses that must be verified identities: From, Source / MAIL FROM, Return-Path; with an
   * identity ARN, the named identity (possibly another account's, under sending authorization). */
  senders: { address: string; identityArn?: string }[];
  recipients: string[];
  configurationSetName?: string;
  /** The sending identity's address (the From / Source): its default configuration set applies when the send names none. */
  sender?: string;
}

/**
 * The reads check() makes for a send, started before it (prefetch) so that they go to the database in
 * the same turn as the sender's identity read instead of one after the other.
 */
export interface PrefetchedReads {
  recipients: string[];
  settings: Promise<AccountSettings | undefined>;
  suppression: Promise<SuppressedDestination[]>;
}

export interface PolicyDecision {
  /** Recipients on the account's suppression list: accepted, then bounced without delivery. */
  suppressed: Map<string, SuppressedDestination>;
  /** The quotas the message counts against. They are checked where the message is written, in the
   * same transaction, so that concurrent sends cannot all pass one count (store/quota-guard.ts). */
  quota?: QuotaWindows;
  /** The configuration set the message is sent with: the one named, else the sending identity's default. */
  configurationSetName?: string;
}

export class SendingPolicy {
  private readonly now: () => number;

  constructor(private readonly deps: SendingPolicyDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Starts the reads of check() for a send to `recipients`. Each is a round trip on PostgreSQL; made
   * one after the other, with the identity read before them, they were three in a row for every
   * send (PostgreSQL, one node, SendEmail at c=50: the machine a third idle while sends waited).
   * The suppression entries are read even when the account suppresses nothing: an empty list then.
   */
  prefetch(scope: Scope, recipients: string[]): PrefetchedReads {
    const reads = { recipients, settings: this.deps.accountSettings.get(scope), suppression: this.deps.suppression.getMany(scope, recipients) };
    // A check that fails before it reads them (an unverified sender) leaves them unread: not an unhandled rejection.
    reads.settings.catch(() => undefined);
    reads.suppression.catch(() => undefined);
    return reads;
  }

  /** `prefetched`: from prefetch() for the same scope; its suppression entries are used when it read the same recipients. */
  async check(input: PolicyInput, prefetched?: PrefetchedReads): Promise<PolicyDecision> {
    const sameRecipients = prefetched && prefetched.recipients.length === input.recipients.length && prefetched.recipients.every((r, i) => r === input.recipients[i]);
    const { settings, suppressedReasons, configurationSetName } = await this.checkSenders(input, prefetched?.settings);
    if (!anySenderVerified(this.deps.autoVerify) && !settings.productionAccess) {
      await this.requireVerified(input.scope, input.recipients.filter((r) => !isSimulatorAddress(r)));
    }
    const listed = suppressedReasons.length ? await (sameRecipients ? prefetched.suppression : this.deps.suppression.getMany(input.scope, input.recipients)) : [];
    const entries = new Map(listed.filter((entry) => suppressedReasons.includes(entry.reason)).map((entry) => [entry.emailAddress, entry]));
    const suppressed = new Map<string, SuppressedDestination>();
    for (const recipient of input.recipients) {
      const entry = entries.size > 0 ? entries.get(suppressionAddress(recipient)) : undefined;
      if (entry) suppressed.set(recipient, entry);
    }
    return { suppressed, quota: this.quotaWindows(settings, input.recipients), configurationSetName };
  }

  /**
   * What does not depend on the recipients: the account's and the configuration set's sending
   * switches and the senders' verification. A bulk send checks these once for the whole call.
   */
  async checkSenders(
    input: Omit<PolicyInput, 'recipients'>,
    prefetchedSettings?: Promise<AccountSettings | undefined>,
  ): Promise<{ settings: AccountSettings; suppressedReasons: string[]; configurationSetName?: string }> {
    const settings = (await (prefetchedSettings ?? this.deps.accountSettings.get(input.scope))) ?? DEFAULT_ACCOUNT_SETTINGS;
    if (!settings.sendingEnabled) {
      throw new AwsError('SendingPausedException', 'Sending paused for this account. For more information, please check the inbox of the email address associated with your AWS account.', 400, true, 'AccountSendingPausedException');
    }
    let suppressedReasons: string[] = settings.suppressedReasons;
    const configurationSetName = await this.configurationSetFor(input.scope, input.configurationSetName, input.sender);
    if (configurationSetName) {
      const set = await this.deps.configurationSets.get(input.scope, configurationSetName);
      if (!set) throw configurationSetNotFound(configurationSetName);
      if (!set.options.SendingOptions.SendingEnabled) {
        throw new AwsError('SendingPausedException', `Sending is paused for configuration set ${configurationSetName}.`, 400, true, 'ConfigurationSetSendingPausedException');
      }
      // A configuration set's suppression options, when it has them, replace the account's.
      const reasons = set.options.SuppressionOptions?.SuppressedReasons;
      if (reasons) suppressedReasons = reasons;
    }
    if (!anySenderVerified(this.deps.autoVerify)) {
      const own = input.senders.filter((s) => !s.identityArn).map((s) => s.address);
      rejectUnusableMailFrom(own, await this.requireVerified(input.scope, own));
      for (const sender of input.senders) if (sender.identityArn) await this.requireAuthorized(input.scope, sender.address, sender.identityArn);
    }
    return { settings, suppressedReasons, configurationSetName };
  }

  /** The configuration set a send uses: the one it names, else its sending identity's default (which must exist). */
  async configurationSetFor(scope: Scope, named: string | undefined, sender: string | undefined): Promise<string | undefined> {
    return named ?? (sender ? (await this.sendingIdentity(scope, undefined, sender)).configurationSetName : undefined);
  }

  /**
   * What the sender's identities say of a send: its configuration set (the one it names, else SES v2
   * PutEmailIdentityConfigurationSetAttributes's default of the most specific identity covering the
   * sender, the address then its domain) and the verified identity it
   * sends as (the most specific one), whose ARN its events carry as `sourceArn`.
   */
  async sendingIdentity(scope: Scope, named: string | undefined, sender: string): Promise<{ configurationSetName?: string; identity?: string }> {
    const names = candidateIdentities(sender);
    const found = await this.deps.identities.getMany(scope, names);
    const covering = names.map((n) => found.find((i) => i.identity === n)).filter((i) => i !== undefined);
    const identity = covering.find((i) => i.verificationStatus === 'SUCCESS')?.identity;
    if (named) return { configurationSetName: named, identity };
    const name = covering[0]?.configurationSet ?? undefined;
    if (name && !(await this.deps.configurationSets.get(scope, name))) throw defaultConfigurationSetMissing(name);
    return { configurationSetName: name, identity };
  }

  /** SES lists every address that failed, with the region in upper case. Answers the identities it read (every candidate identity of the addresses). */
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

  /** Simulator recipients do not count against the daily quota (and a message only to them is not held to it). */
  private quotaWindows(settings: AccountSettings, recipients: string[]): QuotaWindows | undefined {
    const quota: QuotaWindows = {};
    if (settings.maxSendRate >= 0) quota.rateSince = this.now() - SEND_RATE_WINDOW_MS;
    if (settings.max24HourSend >= 0 && recipients.some((r) => !isSimulatorAddress(r))) quota.dailySince = this.now() - DAILY_QUOTA_WINDOW_MS;
    return quota.rateSince === undefined && quota.dailySince === undefined ? undefined : quota;
  }
}

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

/**
 * SES's guide: "If you delete a configuration set that's designated as the default configuration set
 * for an identity, and then attempt to send email through that identity, your call to Amazon SES
 * fails with a 'bad request' error." (The text is sesd's.)
 */
const defaultConfigurationSetMissing = (name: string): AwsError =>
  new AwsError('BadRequestException', `Configuration set <${name}> does not exist: it is the sending identity's default configuration set.`, 400, true, 'ConfigurationSetDoesNotExist');
