// Tracking links carry what they stand for (message, recipient, link index, and for clicks the
// original link and its tags), signed with an HMAC under a secret only sesd knows: a link cannot be
// made up or edited to redirect elsewhere or to count an open for someone else, and the redirect
// needs no database read. Tokens: base64url(JSON) "." base64url(HMAC-SHA256("kind." + payload)).
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface OpenTarget {
  kind: 'open';
  messageId: string;
  recipient: string;
}

export interface ClickTarget {
  kind: 'click';
  messageId: string;
  recipient: string;
  index: number;
  link: string;
  linkTags: Record<string, string[]>;
}

export type TrackingTarget = OpenTarget | ClickTarget;

export function signTrackingToken(target: TrackingTarget, secret: string): string {
  const fields = target.kind === 'open' ? [target.messageId, target.recipient] : [target.messageId, target.recipient, target.index, target.link, target.linkTags];
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${mac(target.kind, payload, secret).toString('base64url')}`;
}

/** What a token names, or undefined when it is malformed or not signed by sesd for this kind. */
export function verifyTrackingToken(kind: TrackingTarget['kind'], token: string, secret: string): TrackingTarget | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = mac(kind, payload, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let fields: unknown[];
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
  } catch {
    return undefined;
  }
  const [messageId, recipient, index, link, linkTags] = fields;
  if (typeof messageId !== 'string' || typeof recipient !== 'string') return undefined;
  if (kind === 'open') return { kind, messageId, recipient };
  if (typeof index !== 'number' || typeof link !== 'string' || typeof linkTags !== 'object' || linkTags === null) return undefined;
  return { kind, messageId, recipient, index, link, linkTags: linkTags as Record<string, string[]> };
}

function mac(kind: string, payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${kind}.${payload}`).digest();
}
