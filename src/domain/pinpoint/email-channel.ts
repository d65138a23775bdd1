// An application's email channel: who mail is from (FromAddress, covered by an SES identity), the SES
// configuration set applied to it, and whether the channel is enabled. A send through a missing or
// disabled channel fails per address, not for the whole request.
import { parseAddress } from '../addresses.js';
import { invalidParameter } from '../errors.js';
import { candidateIdentities } from '../identities/identities-service.js';
import type { Scope } from '../identities/identity.js';
import { parseResourceArn } from '../tags/tags.js';

export interface EmailChannel extends Scope {
  applicationId: string;
  fromAddress: string;
  /** ARN of the SES identity (`arn:aws:ses:REGION:ACCOUNT:identity/NAME`). */
  identity: string;
  configurationSet?: string;
  roleArn?: string;
  orchestrationSendingRoleArn?: string;
  enabled: boolean;
  /** Counts the channel's updates, as Pinpoint's `Version` does. */
  version: number;
  createdAt: number;
  updatedAt: number;
}

export type EmailChannelSettings = Pick<EmailChannel, 'fromAddress' | 'identity' | 'configurationSet' | 'roleArn' | 'orchestrationSendingRoleArn' | 'enabled'>;

/**
 * The identity must be one of the caller's SES identities (same account and region: sesd has no
 * cross-account sending authorization), and it must cover the FromAddress: the address itself, its
 * domain or a parent domain.
 */
export function validateChannelSettings(scope: Scope, settings: EmailChannelSettings): void {
  const from = parseAddress(settings.fromAddress);
  const ref = parseResourceArn(scope, settings.identity);
  if (ref.type !== 'identity') throw invalidParameter(`Identity must be the ARN of an Amazon SES identity: ${settings.identity}`);
  const identity = candidateIdentities(ref.name)[0];
  if (!identity || !candidateIdentities(from.address).includes(identity)) {
    throw invalidParameter(`FromAddress ${from.address} does not belong to the identity ${settings.identity}.`);
  }
}

/** Why a channel cannot send, or undefined when it can. */
export function channelUnusable(channel: EmailChannel | undefined): 'missing' | 'disabled' | undefined {
  if (!channel) return 'missing';
  return channel.enabled ? undefined : 'disabled';
}
