// SES v2 SendEmail: maps the wire input (Simple, Raw, Template content) onto intake.
import type { Intake } from '../../intake/accept.js';
import type { SendContent } from '../../intake/send-request.js';
import { invalidParameter } from '../../domain/errors.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import type { RequestContext } from '../context.js';
import type { SendEmailRequest } from '../../protocol/models/types/sesv2.js';

type EmailContent = SendEmailRequest['Content'];

export function sendEmailHandler(intake: Intake) {
  return async (ctx: RequestContext, input: SendEmailRequest) => {
    const { messageId } = await intake({
      accountId: ctx.accountId,
      region: ctx.region,
      sourceApi: 'sesv2',
      callerIdentity: ctx.accessKeyId,
      sourceIp: ctx.sourceIp,
      from: input.FromEmailAddress,
      destination: input.Destination,
      replyTo: input.ReplyToAddresses,
      content: toSendContent(input.Content),
      tags: input.EmailTags,
      configurationSetName: input.ConfigurationSetName,
      feedbackForwardingAddress: input.FeedbackForwardingEmailAddress,
      maxMessageBytes: MAX_MESSAGE_BYTES_V2,
    });
    return { MessageId: messageId };
  };
}

function toSendContent(content: EmailContent): SendContent {
  const headers = (list?: { Name: string; Value: string }[]) => (list ?? []).map((h) => ({ name: h.Name, value: h.Value }));
  if (content.Raw) return { kind: 'raw', data: Buffer.from(content.Raw.Data) };
  if (content.Simple) {
    const s = content.Simple;
    return {
      kind: 'simple',
      subject: s.Subject.Data,
      text: s.Body.Text?.Data,
      html: s.Body.Html?.Data,
      headers: headers(s.Headers),
      attachments: (s.Attachments ?? []).map((a) => ({
        content: Buffer.from(a.RawContent),
        filename: a.FileName,
        contentType: a.ContentType,
        disposition: a.ContentDisposition?.toLowerCase(),
        cid: a.ContentId,
        description: a.ContentDescription,
        transferEncoding: a.ContentTransferEncoding && TRANSFER_ENCODINGS[a.ContentTransferEncoding],
      })),
    };
  }
  if (content.Template) {
    const t = content.Template;
    return {
      kind: 'template',
      inline: t.TemplateContent && { subject: t.TemplateContent.Subject, text: t.TemplateContent.Text, html: t.TemplateContent.Html },
      templateName: t.TemplateName,
      templateArn: t.TemplateArn,
      templateData: t.TemplateData ?? '{}',
      headers: headers(t.Headers),
    };
  }
  throw invalidParameter('Content must contain one of Simple, Raw or Template.');
}

const TRANSFER_ENCODINGS: Record<string, string> = { BASE64: 'base64', QUOTED_PRINTABLE: 'quoted-printable', SEVEN_BIT: '7bit' };
