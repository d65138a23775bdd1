// The normalised send request: what every door (SES v2, SES v1, Pinpoint, SMTP) hands to intake.
import type { ComposeAttachment } from '../mime/compose.js';
import type { Destination } from '../store/messages-repository.js';

/** An attachment as intake composes it (Simple and template content). */
export type Attachment = ComposeAttachment;

export interface SimpleContent {
  kind: 'simple';
  subject: string;
  text?: string;
  html?: string;
  headers: { name: string; value: string }[];
  attachments: Attachment[];
}

export interface RawContent {
  kind: 'raw';
  data: Buffer;
}

export interface TemplateContent {
  kind: 'template';
  /** Inline template (simple substitution only). Stored templates are named instead. */
  inline?: { subject?: string; text?: string; html?: string };
  templateName?: string;
  templateArn?: string;
  /** JSON object text, as SES takes it. */
  templateData: string;
  headers: { name: string; value: string }[];
  /** SES v2 Template.Attachments: every recipient gets the same ones (SES v1 templates have none). */
  attachments: Attachment[];
}

export type SendContent = SimpleContent | RawContent | TemplateContent;

export interface Tag {
  Name: string;
  Value: string;
}

export interface SendRequest {
  accountId: string;
  region: string;
  /** Which door: sesv2 | ses | pinpoint | smtp. */
  sourceApi: string;
  /** The action that sent it, for the `ses:operation` tag, where it is not the door's own (sesOperation). */
  operation?: string;
  /** The caller, for the `ses:caller-identity` and `ses:source-ip` tags. */
  callerIdentity: string;
  sourceIp: string;
  from?: string;
  destination?: Destination;
  replyTo?: string[];
  content: SendContent;
  tags?: Tag[];
  configurationSetName?: string;
  /** Where bounces and complaints are forwarded when there is no Return-Path (SES v2, Pinpoint). */
  feedbackForwardingAddress?: string;
  /** SES v2 FeedbackForwardingEmailAddressIdentityArn: sending authorization for that address. */
  feedbackForwardingArn?: string;
  /** SES v1 ReturnPath / SMTP: must be a verified identity too. */
  returnPath?: string;
  /** Sending authorization: the identities (by ARN) that authorise the envelope sender, the From
   * header and the Return-Path (SES v2 FromEmailAddressIdentityArn; v1 SourceArn, FromArn, ReturnPathArn). */
  sourceArn?: string;
  fromArn?: string;
  returnPathArn?: string;
  /** SES v2 ListManagementOptions / X-SES-LIST-MANAGEMENT-OPTIONS. */
  listManagement?: { contactListName: string; topicName?: string };
  /** sesd's own mail (verification messages): no sending policy applies. */
  system?: boolean;
  /** Mail SES never tracks, whatever its configuration set asks (custom verification emails). */
  untracked?: boolean;
  /** Largest message accepted through this door (40 MB for v2 and SMTP, 10 MB for v1). */
  maxMessageBytes: number;
}

export interface Accepted {
  messageId: string;
}
