// Unsubscribe links for list-managed mail (SendEmail with ListManagementOptions). The link carries
// who and what to unsubscribe, signed with an HMAC under a secret only sesd knows, so nobody can
// unsubscribe someone else by making up a link. Mail gets the RFC 2369 List-Unsubscribe header with
// the RFC 8058 one-click companion, and templates get the same URL as {{amazonSESUnsubscribeUrl}}.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface UnsubscribeTarget {
  accountId: string;
  region: string;
  contactListName: string;
  emailAddress: string;
  /** Without a topic the contact is unsubscribed from the whole list. */
  topicName?: string;
  /** The message the link was sent in (its Subscription event names it). */
  messageId?: string;
}

export interface UnsubscribeLinkOptions extends UnsubscribeTarget {
  /** Where recipients reach sesd, e.g. `https://mail.example.com` (no trailing slash needed). */
  baseUrl: string;
  /** The signing secret (ContactsRepository.unsubscribeSecret()). */
  secret: string;
}

export const UNSUBSCRIBE_PATH = '/_sesd/unsubscribe/';

/** The signed token for a target: base64url(JSON) "." base64url(HMAC-SHA256). */
export function signUnsubscribeToken(target: UnsubscribeTarget, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify([target.accountId, target.region, target.contactListName, target.emailAddress, target.topicName ?? null, ...(target.messageId ? [target.messageId] : [])]),
  ).toString('base64url');
  return `${payload}.${mac(payload, secret).toString('base64url')}`;
}

/** The target a token names, or undefined when it is malformed or its signature does not match. */
export function verifyUnsubscribeToken(token: string, secret: string): UnsubscribeTarget | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const [accountId, region, contactListName, emailAddress, topicName, messageId] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (![accountId, region, contactListName, emailAddress].every((v) => typeof v === 'string')) return undefined;
    const target: UnsubscribeTarget = {
      accountId: accountId as string,
      region: region as string,
      contactListName: contactListName as string,
      emailAddress: emailAddress as string,
    };
    if (typeof topicName === 'string') target.topicName = topicName;
    if (typeof messageId === 'string') target.messageId = messageId;
    return target;
  } catch {
    return undefined;
  }
}

export function unsubscribeUrl(opts: UnsubscribeLinkOptions): string {
  return `${opts.baseUrl.replace(/\/+$/, '')}${UNSUBSCRIBE_PATH}${signUnsubscribeToken(opts, opts.secret)}`;
}

/** The headers a list-managed message carries for one recipient. */
export function listUnsubscribeHeaders(opts: UnsubscribeLinkOptions): { name: string; value: string }[] {
  return [
    { name: 'List-Unsubscribe', value: `<${unsubscribeUrl(opts)}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
  ];
}

// The purpose is part of what is signed, so a MAC made for something else with the same secret
// can never pass as an unsubscribe token.
function mac(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`sesd-unsubscribe\n${payload}`).digest();
}
