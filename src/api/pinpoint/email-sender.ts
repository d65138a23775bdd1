// Sends one Pinpoint email to one recipient through intake, the same door as SES, and answers the
// recipient's result. What is the same for every recipient of a request (channel, sender, template,
// content) is prepared once; what differs (address, overrides, variables) comes per call. Context is
// not passed on: Pinpoint gives it to its own event stream, and SES message tags could not carry it
// (their names and values allow only letters, digits, `_` and `-`).
import { AwsError } from '../../domain/errors.js';
import { channelUnusable, type EmailChannel } from '../../domain/pinpoint/email-channel.js';
import { renderEmail, type EmailSource, type RecipientOverrides } from '../../domain/pinpoint/email-content.js';
import {
  accepted,
  channelDisabled,
  channelMissing,
  notSendable,
  refusedBySes,
  unknownFailure,
  type DeliveryResult,
} from '../../domain/pinpoint/delivery-result.js';
import { mergeVariables, type Variables } from '../../domain/pinpoint/message-variables.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import type { Intake } from '../../intake/accept.js';
import type { SendContent } from '../../intake/send-request.js';
import { sendOrigin, type RequestContext } from '../context.js';

/** A request's message, ready to go to any number of recipients. */
export interface PreparedEmail {
  channel: EmailChannel | undefined;
  /** The message's FromAddress, else the channel's. */
  from: string | undefined;
  replyTo?: string[];
  feedbackForwardingAddress?: string;
  /** RawEmail: sent as given, with no variables and no overrides. */
  raw?: Buffer;
  source: EmailSource;
  /** Template defaults, then the message's Substitutions. */
  variables: Variables;
}

export interface EmailRecipient {
  address: string;
  overrides: RecipientOverrides;
  rawContent?: string;
  /** Endpoint data, then the address's or endpoint's Substitutions. */
  variables: Variables[];
}

export function emailSender(intake: Intake) {
  return async (ctx: RequestContext, email: PreparedEmail, to: EmailRecipient): Promise<DeliveryResult> => {
    const unusable = channelUnusable(email.channel);
    if (unusable) return unusable === 'missing' ? channelMissing() : channelDisabled();
    if (to.rawContent !== undefined) return notSendable('sesd does not support RawContent for the EMAIL channel.');
    let content: SendContent;
    try {
      content = email.raw ? { kind: 'raw', data: email.raw } : await simpleContent(email, to);
    } catch (err) {
      if (err instanceof AwsError) return notSendable(err.message);
      throw err;
    }
    try {
      const { messageId } = await intake({
        ...sendOrigin(ctx, 'pinpoint'),
        from: email.from,
        destination: { ToAddresses: [to.address] },
        replyTo: email.replyTo,
        content,
        configurationSetName: email.channel?.configurationSet,
        feedbackForwardingAddress: email.feedbackForwardingAddress,
        maxMessageBytes: MAX_MESSAGE_BYTES_V2,
      });
      return accepted(messageId);
    } catch (err) {
      if (err instanceof AwsError) return refusedBySes(err, ctx.requestId);
      // One recipient's unexpected failure must not hide the results of those already accepted.
      ctx.log.error({ err, recipient: to.address }, 'pinpoint send failed');
      return unknownFailure();
    }
  };
}

async function simpleContent(email: PreparedEmail, to: EmailRecipient): Promise<SendContent> {
  const rendered = await renderEmail(email.source, to.overrides, mergeVariables(email.variables, ...to.variables));
  return { kind: 'simple', subject: rendered.subject, text: rendered.text, html: rendered.html, headers: rendered.headers, attachments: [] };
}
