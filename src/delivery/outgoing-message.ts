// What a message looks like on the wire when it leaves sesd: the stored MIME (Message-ID and Date
// were set at intake) with a Feedback-ID header in front, signed with the From domain's DKIM key when
// its identity has one; and the envelope sender, an address sesd owns that names the message.
import { createHash } from 'node:crypto';
import { parseAddress } from '../domain/addresses.js';
import { headerValue, splitAddressList, splitMessage } from '../mime/headers.js';
import type { DkimKey } from './dkim-sign.js';

export type Signer = (raw: Buffer, key: DkimKey) => Promise<Buffer>;

/** Feedback-ID (as Gmail's feedback loop reads it): campaign-ish parts, then the sender id. */
export function feedbackIdHeader(accountId: string, region: string, configurationSet: string | null): string {
  const digest = createHash('sha256').update(`${accountId}:${configurationSet ?? ''}`).digest('base64url').slice(0, 43);
  return `Feedback-ID: 1.${region}.${digest}:sesd\r\n`;
}

export async function outgoingMessage(raw: Buffer, opts: { feedbackId: string; key?: DkimKey; sign: Signer }): Promise<Buffer> {
  const withFeedback = Buffer.concat([Buffer.from(opts.feedbackId, 'latin1'), raw]);
  return opts.key ? opts.sign(withFeedback, opts.key) : withFeedback;
}

/** The domain of the message's From header, for the DKIM key and custom MAIL FROM lookups. */
export function fromDomain(raw: Buffer): string | undefined {
  const from = headerValue(splitMessage(raw).headers, 'From');
  const first = from && splitAddressList(from)[0];
  if (!first) return undefined;
  try {
    return parseAddress(first).domain;
  } catch {
    return undefined;
  }
}

/** MAIL FROM: `<MessageId>@<bounce domain>`, so a bounce that comes back names its message. */
export function envelopeSender(messageId: string, domain: string): string {
  return `${messageId}@${domain}`;
}
