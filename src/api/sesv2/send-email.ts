// SES v2 SendEmail: maps the wire input (Simple, Raw, Template content) onto intake.
import type { Intake } from '../../intake/accept.js';
import type { Attachment, SendContent } from '../../intake/send-request.js';
import { invalidParameter } from '../../domain/errors.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import { sendOrigin, type RequestContext } from '../context.js';
import type { Attachment as WireAttachment, SendEmailRequest, Template } from '../../protocol/models/types/sesv2.js';

type EmailContent = SendEmailRequest['Content'];

export function sendEmailHandler(intake: Intake) {
  return async (ctx: RequestContext, input: SendEmailRequest) => {
    const { messageId } = await intake({
      ...sendOrigin(ctx, 'sesv2'),
      from: input.FromEmailAddress,
      sourceArn: input.FromEmailAddressIdentityArn,
      destination: input.Destination,
      replyTo: input.ReplyToAddresses,
      content: toSendContent(input.Content),
      tags: input.EmailTags,
      configurationSetName: input.ConfigurationSetName,
      feedbackForwardingAddress: input.FeedbackForwardingEmailAddress,
      feedbackForwardingArn: input.FeedbackForwardingEmailAddressIdentityArn,
      listManagement: input.ListManagementOptions && { contactListName: input.ListManagementOptions.ContactListName, topicName: input.ListManagementOptions.TopicName },
      maxMessageBytes: MAX_MESSAGE_BYTES_V2,
    });
    return { MessageId: messageId };
  };
}

function toSendContent(content: EmailContent): SendContent {
  if (content.Raw) return { kind: 'raw', data: Buffer.from(content.Raw.Data) };
  if (content.Simple) {
    const s = content.Simple;
    return {
      kind: 'simple',
      subject: s.Subject.Data,
      text: s.Body.Text?.Data,
      html: s.Body.Html?.Data,
      headers: headerList(s.Headers),
      attachments: attachmentList(s.Attachments),
    };
  }
  if (content.Template) return templateContent(content.Template);
  throw invalidParameter('Content must contain one of Simple, Raw or Template.');
}

/** Template content (inline or stored), with the template data to render it with. */
export function templateContent(t: Template, templateData = t.TemplateData ?? '{}'): SendContent {
  return {
    kind: 'template',
    inline: t.TemplateContent && { subject: t.TemplateContent.Subject, text: t.TemplateContent.Text, html: t.TemplateContent.Html },
    templateName: t.TemplateName,
    templateArn: t.TemplateArn,
    templateData,
    headers: headerList(t.Headers),
    attachments: attachmentList(t.Attachments),
  };
}

const headerList = (list?: { Name: string; Value: string }[]) => (list ?? []).map((h) => ({ name: h.Name, value: h.Value }));

const attachmentList = (list?: WireAttachment[]): Attachment[] =>
  (list ?? []).map((a) => ({
    content: Buffer.from(a.RawContent),
    filename: a.FileName,
    contentType: a.ContentType,
    disposition: a.ContentDisposition?.toLowerCase(),
    cid: a.ContentId,
    description: a.ContentDescription,
    transferEncoding: a.ContentTransferEncoding && TRANSFER_ENCODINGS[a.ContentTransferEncoding],
  }));

const TRANSFER_ENCODINGS: Record<string, string> = { BASE64: 'base64', QUOTED_PRINTABLE: 'quoted-printable', SEVEN_BIT: '7bit' };
