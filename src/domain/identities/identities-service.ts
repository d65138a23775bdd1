// SES v2 identity rules: creating email and domain identities, their verification (DNS for domains,
// a link in a verification message for addresses), DKIM (Easy DKIM and BYODKIM), MAIL FROM,
// feedback forwarding, and sending-authorization policies.
import { randomBytes } from 'node:crypto';
import type { IdentitiesRepository } from '../../store/identities-repository.js';
import { AwsError, invalidParameter } from '../errors.js';
import { parseAddress } from '../addresses.js';
import { generateEasyDkimKey, importByodkimKey, newDkimTokens } from './dkim-keys.js';
import { checkDkimRecords, checkMailFromMx, checkVerificationTxt, type DnsLookup } from './dns-check.js';
import { anySenderVerified, createsVerified, type AutoVerifyMode } from './auto-verify.js';
import { hasEasyDkim, normaliseIdentity, type Identity, type Scope, type VerificationStatus } from './identity.js';

export interface IdentitiesServiceDeps {
  identities: IdentitiesRepository;
  dns: DnsLookup;
  cnameDomain: string;
  /** Development verification mode (auto-verify.ts): whether identities are created verified, and
   * whether a custom verification email's sender must be a verified identity. */
  autoVerify: AutoVerifyMode;
  /**
   * Sends the verification message with the link (through intake, so it is captured or delivered).
   * With `custom` (SendCustomVerificationEmail), `custom(link)` sends the customer's message instead
   * and answers its MessageId, which this answers too.
   */
  sendVerificationEmail: (identity: Identity, custom?: (link: string) => Promise<string>) => Promise<string | void>;
  now?: () => number;
}

// SES leaves a domain pending for 72 hours before it gives up.
const VERIFICATION_WINDOW_MS = 72 * 3600 * 1000;

export const identityNotFound = (identity: string): AwsError =>
  new AwsError('NotFoundException', `Email identity ${identity} does not exist.`, 404, true, 'InvalidParameterValue');

/**
 * SES v2's answer to PutEmailIdentityDkimAttributes for an identity that does not exist: 400, naming
 * the domain even for an address (as reported from live AWS in floci-io/floci#723).
 */
export const dkimDomainNotVerified = (name: string): AwsError => {
  const { identity, type } = normaliseIdentity(name);
  const domain = type === 'DOMAIN' ? identity : identity.slice(identity.lastIndexOf('@') + 1);
  return invalidParameter(`Domain ${domain} is not verified for DKIM signing.`);
};

/** SES v2's answer to the identity policy operations for an identity that does not exist (as reported from live AWS in floci-io/floci#1750). */
export const policyIdentityNotFound = (name: string): AwsError =>
  new AwsError('NotFoundException', `Email identity <${name}> does not exist.`, 404, true, 'InvalidParameterValue');

/** SES's answer to SetIdentityMailFromDomain / PutEmailIdentityMailFromAttributes for an identity that does not exist (as reported from live AWS in floci-io/floci#716). */
export const mailFromIdentityNotFound = (name: string): AwsError => invalidParameter(`Identity <${name}> does not exist.`);

/** SES v1's answer to SetIdentityFeedbackForwardingEnabled for an identity that does not exist (as reported from live AWS in floci-io/floci#716). */
export const feedbackIdentityInvalid = (name: string): AwsError => invalidParameter(`Identity ${name} is invalid. Must be a verified email address or domain.`);

/**
 * SES v1's answer to SetIdentityHeadersInNotificationsEnabled for an identity that does not exist:
 * each identity setter has its own text; this one's as aws-cli got it from live AWS (floci-io/floci
 * bd3a33326, #716, 2026-05). LocalStack's snapshot has MessageRejected "Identity X is not verified or
 * does not exist." instead, but its test has no entry in test_ses.validation.json, so it is not shown
 * to be AWS's answer (docs/compatibility.md).
 */
export const headersIdentityInvalid = (name: string): AwsError => invalidParameter(`Identity ${name} is invalid. It must be a verified email address or domain.`);

/** SES v1 `FromEmailAddressNotVerified`; SES v2 refuses unverified senders with `MessageRejected`. */
export const fromAddressNotVerified = (scope: Scope, address: string): AwsError =>
  new AwsError(
    'MessageRejected',
    `The custom verification email sender ${address} is not a verified identity in region ${scope.region.toUpperCase()}.`,
    400,
    true,
    'FromEmailAddressNotVerified',
  );

export class IdentitiesService {
  private readonly now: () => number;

  constructor(private readonly deps: IdentitiesServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The zone Easy DKIM CNAMEs point into (`TOKEN.<zone>`), as SES's `dkim.amazonses.com`: SES v2's SigningHostedZone. */
  get signingHostedZone(): string {
    return this.deps.cnameDomain;
  }

  async create(
    scope: Scope,
    input: {
      identity: string;
      configurationSet?: string;
      byodkim?: { selector: string; privateKey: string };
      keyLength?: 'RSA_1024_BIT' | 'RSA_2048_BIT';
      /** SES v2 sets up Easy DKIM for every new domain; SES v1's VerifyDomainIdentity does not. */
      easyDkim?: boolean;
      /** false: no verification message (SendCustomVerificationEmail sends its own). */
      verificationEmail?: boolean;
    },
  ): Promise<Identity> {
    const { identity, type } = normaliseIdentity(input.identity.trim());
    validateIdentityName(identity, type);
    const verified = createsVerified(this.deps.autoVerify);
    const base: Identity = {
      ...scope,
      identity,
      type,
      verificationStatus: verified ? 'SUCCESS' : 'PENDING',
      verificationToken: randomBytes(24).toString('base64url'),
      dkim: { origin: 'AWS_SES', signingEnabled: false, status: 'NOT_STARTED', tokens: [], privateKeyPem: null, publicKey: null, keyLength: null },
      mailFrom: { domain: null, behaviorOnMxFailure: 'USE_DEFAULT_VALUE', status: 'NOT_STARTED' },
      feedbackForwarding: true,
      configurationSet: input.configurationSet ?? null,
      createdAt: this.now(),
      verifiedAt: verified ? this.now() : null,
      checkedAt: null,
      notifications: {},
    };
    if (type === 'DOMAIN' && (input.easyDkim ?? true)) base.dkim = await newDkimState(input, verified, this.now());
    if (!(await this.deps.identities.create(base))) {
      // SES's wording, grammar and all (AWS answers quoted in anomalyco/sst#4556 and namuh-eng/opensend#259).
      throw new AwsError('AlreadyExistsException', `Email identity ${identity} already exist.`, 400, true, 'AlreadyExists');
    }
    if (type === 'EMAIL_ADDRESS' && !verified && input.verificationEmail !== false) await this.deps.sendVerificationEmail(base);
    return base;
  }

  /** `notFound` words the refusal where SES words it its own way for the operation. */
  async get(scope: Scope, name: string, notFound: (name: string) => AwsError = identityNotFound): Promise<Identity> {
    const identity = await this.deps.identities.get(scope, normaliseIdentity(name).identity);
    if (!identity) throw notFound(name);
    return identity;
  }

  async list(scope: Scope, opts: { after?: string; limit: number }): Promise<Identity[]> {
    return this.deps.identities.list(scope, opts);
  }

  async delete(scope: Scope, name: string): Promise<void> {
    if (!(await this.deps.identities.delete(scope, normaliseIdentity(name).identity))) throw identityNotFound(name);
  }

  /** Applies `change` to a stored identity and saves it (`notFound` as for get). */
  async update(
    scope: Scope,
    name: string,
    change: (identity: Identity) => void | Promise<void>,
    notFound: (name: string) => AwsError = identityNotFound,
  ): Promise<Identity> {
    const identity = await this.get(scope, name, notFound);
    await change(identity);
    await this.deps.identities.update(identity);
    return identity;
  }

  /**
   * DKIM signing on or off. An address signs with its domain's keys, so its own setting changes
   * nothing: AWS answers success when the domain is an identity (floci-io/floci#723, #1904), and SES
   * v1 lets an address "enable" signing only once the domain has keys.
   */
  async setDkimSigning(scope: Scope, name: string, enabled: boolean): Promise<void> {
    const { identity: key, type } = normaliseIdentity(name);
    if (type === 'DOMAIN') {
      await this.update(scope, name, (identity) => void (identity.dkim.signingEnabled = enabled), dkimDomainNotVerified);
      return;
    }
    const domain = await this.domainIdentity(scope, key);
    if (domain && (!enabled || domain.dkim.tokens.length > 0)) return;
    if (!domain && !(await this.deps.identities.get(scope, key))) throw dkimDomainNotVerified(name);
    if (enabled) throw invalidParameter(`DKIM signing cannot be enabled for ${key}: verify its domain for DKIM first.`);
  }

  /** Whose DKIM an identity shows: an address shows its domain's when the domain is an identity (as AWS answers). */
  async dkimOf(scope: Scope, identity: Identity): Promise<Identity> {
    return identity.type === 'EMAIL_ADDRESS' ? ((await this.domainIdentity(scope, identity.identity)) ?? identity) : identity;
  }

  /** The identity of an address's own domain, if there is one. */
  private async domainIdentity(scope: Scope, address: string): Promise<Identity | undefined> {
    return this.deps.identities.get(scope, normaliseIdentity(address.slice(address.lastIndexOf('@') + 1)).identity);
  }

  /**
   * SES v1 VerifyEmailIdentity / VerifyDomainIdentity of an identity that exists. SES: after 72 hours
   * of failed checks "you must restart the verification process from the beginning", i.e. call it
   * again: a Failed identity is Pending again and its 72 hours count from now (`createdAt`). An address
   * not yet verified is sent a new verification message, as the action says it sends one.
   */
  async restartVerification(scope: Scope, identity: Identity): Promise<Identity> {
    if (identity.verificationStatus === 'SUCCESS') return identity;
    if (identity.verificationStatus === 'FAILED') {
      identity.verificationStatus = 'PENDING';
      identity.createdAt = this.now();
      identity.checkedAt = null;
      await this.deps.identities.update(identity);
    }
    if (identity.type === 'EMAIL_ADDRESS') await this.deps.sendVerificationEmail(identity);
    return identity;
  }

  async setDkimSigningAttributes(
    scope: Scope,
    name: string,
    input: { origin: string; selector?: string; privateKey?: string; keyLength?: 'RSA_1024_BIT' | 'RSA_2048_BIT' },
  ): Promise<Identity> {
    return this.update(scope, name, async (identity) => {
      if (identity.type !== 'DOMAIN') throw invalidParameter('DKIM signing attributes can be set for domain identities only.');
      if (input.origin !== 'EXTERNAL' && hasEasyDkim(identity)) return this.changeEasyDkimKeyLength(identity, input.keyLength);
      if (input.origin === 'EXTERNAL') {
        if (!input.selector || !input.privateKey) throw invalidParameter('SigningAttributes with DomainSigningSelector and DomainSigningPrivateKey are required for EXTERNAL origin.');
        identity.dkim = await newDkimState({ byodkim: { selector: input.selector, privateKey: input.privateKey } }, createsVerified(this.deps.autoVerify), this.now());
      } else {
        identity.dkim = await newDkimState({ keyLength: input.keyLength }, createsVerified(this.deps.autoVerify), this.now());
      }
      // New selectors start DKIM over; they do not take back the identity's verification (SES keeps a
      // rotated domain verified for sending: floci-io/floci#1904, checked against AWS).
      identity.checkedAt = null;
    });
  }

  /**
   * Easy DKIM stays Easy DKIM: a new key of the asked length behind the same tokens. SES rotates its
   * keys behind the CNAMEs its customers published (they point into SES's zone), so the tokens, the
   * DNS records and the DKIM status stay; only the key and its generation time change (AWS Messaging
   * blog "DKIM Troubleshooting Series: Your DKIM Status is Pending"). SES refuses a switch "to the same
   * key length as is already configured" as invalid input (SES Developer Guide, "Change the Easy DKIM
   * signing key length"); the wording here is sesd's. Without a key length sesd changes nothing (what
   * SES answers then is not known). Whoever published the key as TXT instead of delegating must
   * publish the new one.
   */
  private async changeEasyDkimKeyLength(identity: Identity, keyLength: 'RSA_1024_BIT' | 'RSA_2048_BIT' | undefined): Promise<void> {
    if (keyLength === undefined) return;
    if (keyLength === identity.dkim.keyLength) throw invalidParameter(`The DKIM signing key length of ${identity.identity} is already ${keyLength}.`);
    identity.dkim = { ...identity.dkim, ...(await generateEasyDkimKey(keyLength)), keyGeneratedAt: this.now() };
  }

  /** SES v1 VerifyDomainDkim: Easy DKIM for a domain, created (as v1 does) when it is new. */
  async enableEasyDkim(scope: Scope, domain: string): Promise<Identity> {
    const name = normaliseIdentity(domain).identity;
    const existing = await this.deps.identities.get(scope, name);
    if (!existing) return this.create(scope, { identity: name });
    // Called again after DKIM failed, it starts over with new tokens (as SES's VerifyDomainDkim does),
    // and their 72 hours count from now.
    if (existing.dkim.tokens.length > 0 && existing.dkim.status !== 'FAILED') return existing;
    return this.update(scope, name, async (identity) => {
      identity.dkim = await newDkimState({}, createsVerified(this.deps.autoVerify), this.now());
      if (existing.dkim.status === 'FAILED') identity.createdAt = this.now();
      identity.checkedAt = null;
    });
  }

  /** Whether `address` may send: it, its domain or a parent domain is verified (or the auto-verify mode lets any sender). */
  async isVerifiedSender(scope: Scope, address: string): Promise<boolean> {
    if (anySenderVerified(this.deps.autoVerify)) return true;
    const senders = await this.deps.identities.getMany(scope, candidateIdentities(address));
    return senders.some((i) => i.verificationStatus === 'SUCCESS');
  }

  /**
   * SendCustomVerificationEmail: `address` becomes an email identity (or the verification of one not
   * yet verified starts again) and `send` sends the customer's message with the link that verifies
   * it. The message comes from `from`, which must be verified itself. Answers its MessageId.
   */
  async sendCustomVerificationEmail(scope: Scope, input: { address: string; from: string }, send: (link: string) => Promise<string>): Promise<string> {
    const from = parseAddress(input.from).address;
    if (!(await this.isVerifiedSender(scope, from))) throw fromAddressNotVerified(scope, from);
    const address = parseAddress(input.address).address;
    const existing = await this.deps.identities.get(scope, normaliseIdentity(address).identity);
    const identity = existing ?? (await this.create(scope, { identity: address, verificationEmail: false }));
    if (identity.verificationStatus !== 'SUCCESS' && identity.verificationStatus !== 'PENDING') {
      identity.verificationStatus = 'PENDING';
      await this.deps.identities.update(identity);
    }
    const messageId = await this.deps.sendVerificationEmail(identity, send);
    if (!messageId) throw new Error('the verification sender did not send the custom verification message');
    return messageId;
  }

  /**
   * SES: the MAIL FROM domain must "be a subdomain of the verified identity" (for an address, of its
   * domain), a proper one: the identity's own domain is refused, in SES's words, quoted from live AWS
   * through Terraform's aws_ses_domain_mail_from (v1 SetIdentityMailFromDomain) and a CloudFormation
   * deploy (v2): "Provided MAIL-FROM domain <X> is not subdomain of the domain of the identity <Y>."
   * (the names as the caller gave them; what AWS names for an address identity is not on record).
   */
  async setMailFrom(scope: Scope, name: string, domain: string | undefined, behaviorOnMxFailure: string): Promise<void> {
    await this.update(scope, name, (identity) => {
      const mailFrom = domain?.toLowerCase();
      const parent = identity.type === 'DOMAIN' ? identity.identity : identity.identity.slice(identity.identity.lastIndexOf('@') + 1);
      if (mailFrom && !DOMAIN_NAME.test(mailFrom)) throw invalidParameter(`Invalid MAIL FROM domain ${mailFrom}.`);
      if (mailFrom && !mailFrom.endsWith(`.${parent}`)) {
        throw invalidParameter(`Provided MAIL-FROM domain <${domain}> is not subdomain of the domain of the identity <${name}>.`);
      }
      // Checked by recheckPending (its MX record) before it is used; auto-verify trusts it at once.
      identity.mailFrom = { domain: mailFrom || null, behaviorOnMxFailure, status: !mailFrom ? 'NOT_STARTED' : createsVerified(this.deps.autoVerify) ? 'SUCCESS' : 'PENDING' };
      identity.checkedAt = null;
    }, mailFromIdentityNotFound);
  }

  async verifyEmailToken(token: string): Promise<Identity | undefined> {
    const identity = await this.deps.identities.findByVerificationToken(token);
    if (!identity) return undefined;
    await this.deps.identities.setVerification(identity, identity.identity, 'SUCCESS', this.now());
    return { ...identity, verificationStatus: 'SUCCESS' };
  }

  /** Checks the DNS records of pending domain identities; run periodically. Returns how many were checked. */
  async recheckPending(checkedBefore: number, limit = 100): Promise<number> {
    const pending = await this.deps.identities.pending(checkedBefore, limit);
    const expire = (identity: Identity, status: VerificationStatus): VerificationStatus =>
      status !== 'SUCCESS' && this.now() - identity.createdAt > VERIFICATION_WINDOW_MS ? 'FAILED' : status;
    for (const identity of pending) {
      const mailFrom = identity.mailFrom;
      if (mailFrom.domain && (mailFrom.status === 'PENDING' || mailFrom.status === 'TEMPORARY_FAILURE')) {
        mailFrom.status = expire(identity, await checkMailFromMx(mailFrom.domain, this.deps.dns));
      }
      if (identity.type !== 'DOMAIN') {
        identity.checkedAt = this.now();
        await this.deps.identities.saveCheck(identity);
        continue;
      }
      if (identity.dkim.tokens.length > 0 && identity.dkim.status !== 'SUCCESS') {
        identity.dkim.status = expire(identity, await checkDkimRecords(identity, this.deps.dns, this.deps.cnameDomain));
      }
      // A domain is verified by its DKIM records (SES v2) or by the `_amazonses` TXT token (SES v1).
      if (identity.verificationStatus !== 'SUCCESS') {
        const txt = identity.dkim.status === 'SUCCESS' ? 'SUCCESS' : await checkVerificationTxt(identity, this.deps.dns);
        identity.verificationStatus = expire(identity, txt);
        if (txt === 'SUCCESS') identity.verifiedAt = this.now();
      }
      identity.checkedAt = this.now();
      await this.deps.identities.saveCheck(identity);
    }
    return pending.length;
  }
}

/** New DKIM keys and selectors, DKIM started over; `now` is the key's generation time. */
async function newDkimState(
  input: { byodkim?: { selector: string; privateKey: string }; keyLength?: 'RSA_1024_BIT' | 'RSA_2048_BIT' },
  verified: boolean,
  now: number,
): Promise<Identity['dkim']> {
  const status = verified ? 'SUCCESS' : 'PENDING';
  if (input.byodkim) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(input.byodkim.selector)) {
      throw invalidParameter(`Invalid DomainSigningSelector: ${input.byodkim.selector}`);
    }
    const key = importByodkimKey(input.byodkim.privateKey);
    return { origin: 'EXTERNAL', signingEnabled: true, status, tokens: [input.byodkim.selector], ...key, keyGeneratedAt: now };
  }
  const key = await generateEasyDkimKey(input.keyLength);
  return { origin: 'AWS_SES', signingEnabled: true, status, tokens: newDkimTokens(), ...key, keyGeneratedAt: now };
}

/** A domain name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters (lower case). */
const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

function validateIdentityName(identity: string, type: Identity['type']): void {
  if (type === 'EMAIL_ADDRESS') {
    parseAddress(identity);
    return;
  }
  if (!DOMAIN_NAME.test(identity)) {
    throw invalidParameter(`Invalid domain name ${identity}.`);
  }
}

/** The identities that can authorise sending from `address`: the address, its domain and parent domains. */
export function candidateIdentities(address: string): string[] {
  const { identity } = normaliseIdentity(address);
  const domain = identity.slice(identity.lastIndexOf('@') + 1);
  const labels = domain.split('.');
  const domains = labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
  return [identity, ...domains];
}
