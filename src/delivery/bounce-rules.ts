// Which SES bounce type and subtype a final (5xx) SMTP reply means. The rules are data, read top to
// bottom, first match wins; each row has a test (test/unit/delivery/bounce-rules.test.ts). SES files
// mailbox-full, too-large and content/attachment rejections under Transient even when the remote
// answer was 5xx, so the type is part of each row rather than implied by the reply code.
import type { SmtpReply } from './smtp-reply.js';

export type BounceType = 'Permanent' | 'Transient' | 'Undetermined';
export type BounceSubType =
  | 'Undetermined'
  | 'General'
  | 'NoEmail'
  | 'Suppressed'
  | 'OnAccountSuppressionList'
  | 'MailboxFull'
  | 'MessageTooLarge'
  | 'ContentRejected'
  | 'AttachmentRejected';

export interface BounceRule {
  /** Matched against `code status text` of the reply, case-insensitively. */
  match: RegExp;
  bounceType: BounceType;
  bounceSubType: BounceSubType;
  /** A reply this rule is meant for; the rule's test checks it. */
  example: string;
}

export const BOUNCE_RULES: readonly BounceRule[] = [
  { match: /\b5\.2\.2\b|mailbox (is )?full|over ?quota|quota exceeded|insufficient storage/i, bounceType: 'Transient', bounceSubType: 'MailboxFull',
    example: '552 5.2.2 The email account that you tried to reach is over quota' },
  { match: /\b5\.3\.4\b|\b5\.2\.3\b|message (size )?(is )?too (big|large)|exceeds .*size limit/i, bounceType: 'Transient', bounceSubType: 'MessageTooLarge',
    example: '552 5.3.4 Message size exceeds fixed maximum message size' },
  { match: /attachment|\.exe\b|file type/i, bounceType: 'Transient', bounceSubType: 'AttachmentRejected',
    example: '552 5.7.0 This message was blocked because its content presents a potential security issue: attachment type not allowed' },
  { match: /\bspam\b|content (was )?rejected|message content|blocked .*content|\b5\.7\.1\b.*(policy|reject)/i, bounceType: 'Transient', bounceSubType: 'ContentRejected',
    example: '550 5.7.1 Message rejected as spam by Content Filtering' },
  { match: /\b5\.1\.1\b|\b5\.1\.10\b|\b5\.1\.6\b|user unknown|no such (user|mailbox)|mailbox (unavailable|not found|does not exist)|recipient (address )?rejected|does not exist|invalid recipient/i,
    bounceType: 'Permanent', bounceSubType: 'NoEmail', example: '550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown' },
  { match: /^5/, bounceType: 'Permanent', bounceSubType: 'General',
    example: '554 5.7.26 Unauthenticated email is not accepted from this domain' },
];

export interface BounceClass {
  bounceType: BounceType;
  bounceSubType: BounceSubType;
}

/** SES: "Amazon SES was unable to determine a specific bounce reason" (its bounce types table: Undetermined / Undetermined). */
export const UNDETERMINED: BounceClass = { bounceType: 'Undetermined', bounceSubType: 'Undetermined' };

/** The bounce class of a final reply; anything that is not 5xx is Undetermined. */
export function classifyBounce(reply: SmtpReply, rules: readonly BounceRule[] = BOUNCE_RULES): BounceClass {
  if (reply.code < 500 || reply.code > 599) return UNDETERMINED;
  const line = `${reply.code} ${reply.status} ${reply.text}`;
  const rule = rules.find((r) => r.match.test(line));
  return rule ? { bounceType: rule.bounceType, bounceSubType: rule.bounceSubType } : { bounceType: 'Permanent', bounceSubType: 'General' };
}
