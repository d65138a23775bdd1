// An SES identity: an email address or a domain that may send once verified.
import { invalidParameter } from '../errors.js';
export type IdentityType = 'EMAIL_ADDRESS' | 'DOMAIN';
export type VerificationStatus = 'PENDING' | 'SUCCESS' | 'FAILED' | 'TEMPORARY_FAILURE' | 'NOT_STARTED';
export type DkimOrigin = 'AWS_SES' | 'EXTERNAL';

export interface Scope {
  accountId: string;
  region: string;
}

export interface Identity extends Scope {
  /** Lower-cased domain, or the email address as given (local parts are case-sensitive). */
  identity: string;
  type: IdentityType;
  verificationStatus: VerificationStatus;
  /** Secret token of the email verification link (email identities) and TXT value (domains). */
  verificationToken: string;
  dkim: {
    origin: DkimOrigin;
    signingEnabled: boolean;
    status: VerificationStatus;
    /** Easy DKIM: three selectors (SES calls them tokens); BYODKIM: the one selector. */
    tokens: string[];
    privateKeyPem: string | null;
    /** Base64 of the DER SubjectPublicKeyInfo, as the DKIM `p=` tag wants it. */
    publicKey: string | null;
    keyLength: string | null;
    /** When the current key was generated (Easy DKIM) or imported (BYODKIM); absent without a key. A rotation changes it, the identity's creation does not. */
    keyGeneratedAt?: number;
  };
  /** `status`: the MX check of the custom MAIL FROM domain; it is used only once SUCCESS. */
  mailFrom: { domain: string | null; behaviorOnMxFailure: string; status: VerificationStatus };
  feedbackForwarding: boolean;
  configurationSet: string | null;
  createdAt: number;
  verifiedAt: number | null;
  checkedAt: number | null;
  notifications: IdentityNotifications;
}

/** Where SES v1 publishes an identity's bounce, complaint and delivery notifications (SNS topic ARNs). */
export interface IdentityNotifications {
  bounceTopic?: string;
  complaintTopic?: string;
  deliveryTopic?: string;
  headersInBounce?: boolean;
  headersInComplaint?: boolean;
  headersInDelivery?: boolean;
}

/** The topic an identity notifies of `type`, if it has one. */
export function notificationTopic(n: IdentityNotifications | undefined, type: 'Bounce' | 'Complaint' | 'Delivery'): string | undefined {
  return n && { Bounce: n.bounceTopic, Complaint: n.complaintTopic, Delivery: n.deliveryTopic }[type];
}

/** Whether the identity signs with Easy DKIM keys it already has (tokens published or to be). */
export const hasEasyDkim = (identity: Identity): boolean => identity.dkim.origin === 'AWS_SES' && identity.dkim.tokens.length > 0;

export const identityArn = (scope: Scope, identity: string): string => `arn:aws:ses:${scope.region}:${scope.accountId}:identity/${identity}`;

/** Domains compare case-insensitively; the local part of an address is kept as given. */
export function normaliseIdentity(identity: string): { identity: string; type: IdentityType } {
  const at = identity.lastIndexOf('@');
  if (at < 0) return { identity: identity.toLowerCase(), type: 'DOMAIN' };
  return { identity: `${identity.slice(0, at)}@${identity.slice(at + 1).toLowerCase()}`, type: 'EMAIL_ADDRESS' };
}

/**
 * Feedback forwarding (v1 SetIdentityFeedbackForwardingEnabled, v2 PutEmailIdentityFeedbackAttributes):
 * SES refuses to turn it off unless bounce and complaint notifications have topics to go to, so
 * that bounces and complaints always reach the sender one way or the other.
 */
export function setFeedbackForwarding(identity: Identity, enabled: boolean): void {
  if (!enabled && !(identity.notifications.bounceTopic && identity.notifications.complaintTopic)) {
    throw invalidParameter('Feedback notification topic not set.');
  }
  identity.feedbackForwarding = enabled;
}
