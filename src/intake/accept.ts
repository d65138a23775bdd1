// accept(): the single door into sesd. Every API and SMTP calls it with a normalised request. It
// validates, renders, composes MIME once, and persists the message, one delivery row per recipient
// and the Send event in one (group-committed) transaction; only then does it return the MessageId.
import { parseAddress, type ParsedAddress } from '../domain/addresses.js';
import { invalidParameter } from '../domain/errors.js';
import { messageIdHeader, newMessageId } from '../domain/message-id.js';
import { MAX_RECIPIENTS_PER_MESSAGE } from '../domain/sending-limits.js';
import { validateMessageTags } from '../domain/message-tags.js';
import { bounceEvent, mailObject, renderingFailureEvent, sendEvent, SUPPRESSED_DIAGNOSTIC } from '../events/mail-object.js';
import type { SendingPolicy } from '../domain/sending-policy.js';
import { composeMessage } from '../mime/compose.js';
import { headerValue, joinMessage, rfc5322Date, splitAddressList, splitMessage, type Header } from '../mime/headers.js';
import type { Destination, MessagesRepository } from '../store/messages-repository.js';
import type { SuppressedDestination } from '../store/suppression-repository.js';
import { substitute } from './inline-template.js';
import { listManagement, type ListManagement, type ListManagementDeps } from './list-management.js';
import type { Accepted, SendRequest, SimpleContent, TemplateContent } from './send-request.js';
import { renderTemplate, TemplateRenderingError } from '../domain/templates/render.js';
import { parseRenderingData } from '../domain/templates/templates-service.js';
import { templateNotFound } from '../domain/templates/email-template.js';
import { parseResourceArn } from '../domain/tags/tags.js';
import type { Scope } from '../domain/identities/identity.js';

export interface IntakeDeps {
  messages: MessagesRepository;
  /** Verified senders, sandbox, quotas, suppression; not applied to sesd's own (system) mail. */
  policy: SendingPolicy;
  /** Stored templates (SendEmail Template.TemplateName, SendTemplatedEmail). */
  templates: TemplateLookup;
  /** Contact lists, for ListManagementOptions. */
  listManagement: ListManagementDeps;
  /** Host part of the Message-ID header sesd writes. */
  hostname: string;
  now?: () => Date;
}

export interface TemplateLookup {
  get(scope: Scope, name: string): Promise<{ content: { subject?: string; text?: string; html?: string } } | undefined>;
}

export type Intake = (req: SendRequest) => Promise<Accepted>;

export function createIntake(deps: IntakeDeps): Intake {
  const now = deps.now ?? (() => new Date());
  return async (req) => {
    const acceptedAt = now();
    const messageId = newMessageId(acceptedAt.getTime());
    const msgIdHeader = messageIdHeader(messageId, deps.hostname);

    const scope = { accountId: req.accountId, region: req.region };
    validateMessageTags(req.tags ?? []);
    const rendered = req.content.kind === 'template' ? await renderTemplateContent(req.content, scope, deps.templates) : undefined;
    // A template that fails to render is still accepted (SES has answered with a MessageId) and
    // then not delivered: a Rendering Failure event in place of Send, no delivery rows.
    const failure = rendered && 'failure' in rendered ? rendered.failure : undefined;
    let content = rendered ? ('content' in rendered ? rendered.content : emptyContent(req)) : (req.content as SimpleContent);
    const managed = req.listManagement && (await listManagement(scope, req.listManagement, composedRecipients(req), deps.listManagement, messageId));
    if (managed && req.content.kind !== 'raw') content = withListManagement(content, managed);
    const prepared =
      req.content.kind === 'raw' ? prepareRaw(req, req.content.data, msgIdHeader, acceptedAt) : await prepareComposed(req, content, msgIdHeader, acceptedAt);
    if (managed && req.content.kind === 'raw') {
      prepared.headers = [...prepared.headers, ...managed.headers];
      prepared.raw = joinMessage(prepared.headers, splitMessage(prepared.raw).body);
    }
    const { raw, from, envelopeRecipients, headers, subject, destination } = prepared;

    if (raw.length > req.maxMessageBytes) {
      throw invalidParameter(`Message length is more than ${req.maxMessageBytes} bytes long: '${raw.length}'.`);
    }
    const { suppressed, configurationSetName } = req.system
      ? { suppressed: new Map<string, SuppressedDestination>(), configurationSetName: undefined }
      : await deps.policy.check({
          scope,
          senders: sendersToVerify(req, from, headers),
          recipients: envelopeRecipients,
          configurationSetName: req.configurationSetName,
          sender: from.address,
        });

    const mail = mailObject({
      messageId,
      timestamp: acceptedAt,
      source: from.address,
      sourceDomain: from.domain,
      accountId: req.accountId,
      region: req.region,
      destination: envelopeRecipients,
      headers,
      tags: eventTags(req, from, configurationSetName),
    });
    await deps.messages.insert({
      id: messageId,
      accountId: req.accountId,
      region: req.region,
      sourceApi: req.sourceApi,
      envelopeFrom: from.address,
      fromHeader: headerValue(headers, 'From') ?? null,
      subject: subject ?? null,
      destination,
      configurationSet: configurationSetName ?? null,
      tags: req.tags ?? [],
      raw: failure ? Buffer.alloc(0) : raw,
      createdAt: acceptedAt.getTime(),
      // Feedback forwarding goes to the Return-Path, else the FeedbackForwardingEmailAddress, else the Source.
      feedbackAddress: req.returnPath ? parseAddress(req.returnPath).address : req.feedbackForwardingAddress ? parseAddress(req.feedbackForwardingAddress).address : null,
      recipients: failure ? [] : envelopeRecipients.map((address) => ({ address, status: recipientStatus(address, suppressed, managed?.optedOut) })),
      events: failure
        ? [renderingFailureEvent(mail, failure)]
        : [sendEvent(mail), ...suppressionBounces(mail, [...suppressed.keys()], acceptedAt, messageId, deps.hostname)],
    });
    return { messageId };
  };
}

interface Prepared {
  raw: Buffer;
  from: ParsedAddress;
  envelopeRecipients: string[];
  headers: Header[];
  subject: string | undefined;
  /** The Destination stored with the message: as given, or read from a raw message's headers. */
  destination: Destination;
}

async function prepareComposed(req: SendRequest, content: SimpleContent, msgIdHeader: string, date: Date): Promise<Prepared> {
  if (!req.from) throw invalidParameter("Missing required header 'From'.");
  const from = parseAddress(req.from);
  const to = (req.destination?.ToAddresses ?? []).map(parseAddress);
  const cc = (req.destination?.CcAddresses ?? []).map(parseAddress);
  const bcc = (req.destination?.BccAddresses ?? []).map(parseAddress);
  const replyTo = (req.replyTo ?? []).map(parseAddress);
  const recipients = checkRecipientCount([...to, ...cc, ...bcc].map((a) => a.address));
  if (content.text === undefined && content.html === undefined) {
    throw invalidParameter('Message body must have at least one of Text or Html.');
  }
  const raw = await composeMessage({
    from: req.from,
    to: req.destination?.ToAddresses ?? [],
    cc: req.destination?.CcAddresses ?? [],
    replyTo: replyTo.map((a) => a.address),
    subject: content.subject,
    text: content.text,
    html: content.html,
    headers: content.headers,
    attachments: content.attachments,
    messageIdHeader: msgIdHeader,
    date,
  });
  const destination = req.destination ?? {};
  return { raw, from, envelopeRecipients: recipients, headers: splitMessage(raw).headers, subject: content.subject, destination };
}

/**
 * SES verifies every sender a message names: the envelope sender (Source / MAIL FROM), the From
 * header (else a raw message could claim any From), and the Return-Path.
 */
function sendersToVerify(req: SendRequest, envelopeFrom: ParsedAddress, headers: Header[]): { address: string; identityArn?: string }[] {
  const fromHeader = headerValue(headers, 'From');
  const named = [
    { address: envelopeFrom.address, identityArn: req.sourceArn },
    ...(fromHeader
      ? splitAddressList(fromHeader).map((a) => {
          const address = parseAddress(a).address;
          return { address, identityArn: req.fromArn ?? (address === envelopeFrom.address ? req.sourceArn : undefined) };
        })
      : []),
    ...(req.returnPath ? [{ address: parseAddress(req.returnPath).address, identityArn: req.returnPathArn }] : []),
  ];
  const unique = new Map(named.map((s) => [`${s.address} ${s.identityArn ?? ''}`, s]));
  return [...unique.values()];
}

/** SES does not send to a suppressed address (it bounces it) nor to a contact who opted out. */
function recipientStatus(address: string, suppressed: Map<string, unknown>, optedOut?: Set<string>): 'queued' | 'suppressed' | 'unsubscribed' {
  if (suppressed.has(address)) return 'suppressed';
  return optedOut?.has(address) ? 'unsubscribed' : 'queued';
}

const composedRecipients = (req: SendRequest): string[] =>
  [...(req.destination?.ToAddresses ?? []), ...(req.destination?.CcAddresses ?? []), ...(req.destination?.BccAddresses ?? [])].map((a) => parseAddress(a).address);

/** Adds the unsubscribe headers and fills {{amazonSESUnsubscribeUrl}} in the body, as SES does. */
function withListManagement(content: SimpleContent, managed: ListManagement): SimpleContent {
  const fill = (part?: string) => part?.replaceAll('{{amazonSESUnsubscribeUrl}}', managed.unsubscribeUrl);
  return { ...content, text: fill(content.text), html: fill(content.html), headers: [...content.headers, ...managed.headers] };
}

const emptyContent = (req: SendRequest): SimpleContent => ({
  kind: 'simple',
  subject: '',
  text: '',
  headers: req.content.kind === 'template' ? req.content.headers : [],
  attachments: [],
});

type Rendered = { content: SimpleContent } | { failure: { templateName: string; errorMessage: string } };

/**
 * Inline TemplateContent: simple substitution. A stored template: Handlebars, as SES renders it; a
 * render failure does not refuse the call (SES has accepted it) but becomes a Rendering Failure event.
 */
async function renderTemplateContent(content: TemplateContent, scope: Scope, templates: TemplateLookup): Promise<Rendered> {
  const data = parseRenderingData(content.templateData);
  const asSimple = (r: { subject?: string; text?: string; html?: string }): Rendered => ({
    content: { kind: 'simple', subject: r.subject ?? '', text: r.text || undefined, html: r.html || undefined, headers: content.headers, attachments: [] },
  });
  if (content.inline) {
    const { subject, text, html } = content.inline;
    return asSimple({ subject: substitute(subject ?? '', data), text: text === undefined ? undefined : substitute(text, data), html: html === undefined ? undefined : substitute(html, data) });
  }
  const name = content.templateName ?? (content.templateArn ? parseResourceArn(scope, content.templateArn).name : undefined);
  if (!name) throw invalidParameter('Template must name a TemplateName, a TemplateArn or TemplateContent.');
  const template = await templates.get(scope, name);
  if (!template) throw templateNotFound(name);
  try {
    return asSimple(renderTemplate(template.content, data));
  } catch (err) {
    if (err instanceof TemplateRenderingError) return { failure: { templateName: name, errorMessage: err.message } };
    throw err;
  }
}

function prepareRaw(req: SendRequest, data: Buffer, msgIdHeader: string, date: Date): Prepared {
  const { headers, body } = splitMessage(data);
  const fromValue = req.from ?? headerValue(headers, 'From');
  if (!fromValue) throw invalidParameter("Missing required header 'From'.");
  const from = parseAddress(splitAddressList(fromValue)[0] ?? '');
  // Without an explicit Destination, SES sends to the To, Cc and Bcc headers of the message.
  const fromHeaders = (name: string) => splitAddressList(headerValue(headers, name) ?? '');
  const destination: Destination = req.destination ?? {
    ToAddresses: fromHeaders('To'),
    CcAddresses: fromHeaders('Cc'),
    BccAddresses: fromHeaders('Bcc'),
  };
  const all = [...(destination.ToAddresses ?? []), ...(destination.CcAddresses ?? []), ...(destination.BccAddresses ?? [])];
  const recipients = checkRecipientCount(all.map((a) => parseAddress(a).address));
  // SES sets its own Message-ID on raw mail and adds a Date when there is none; Bcc is not sent.
  const kept = headers.filter((h) => !/^(message-id|bcc)$/i.test(h.name));
  const rewritten: Header[] = [{ name: 'Message-ID', value: msgIdHeader }, ...kept];
  if (!headerValue(kept, 'Date')) rewritten.push({ name: 'Date', value: rfc5322Date(date) });
  return {
    raw: joinMessage(rewritten, body),
    from,
    envelopeRecipients: recipients,
    headers: rewritten,
    subject: headerValue(headers, 'Subject'),
    destination,
  };
}

/** SES still counts a send to a suppressed address, and bounces it at once without delivering. */
function suppressionBounces(mail: Record<string, unknown>, recipients: string[], at: Date, messageId: string, hostname: string) {
  if (recipients.length === 0) return [];
  return [
    bounceEvent(mail, {
      bounceType: 'Permanent',
      bounceSubType: 'OnAccountSuppressionList',
      bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1', diagnosticCode: SUPPRESSED_DIAGNOSTIC })),
      timestamp: at,
      feedbackId: `${messageId}-suppressed`,
      reportingMTA: `dns; ${hostname}`,
    }),
  ];
}

function checkRecipientCount(recipients: string[]): string[] {
  if (recipients.length === 0) throw invalidParameter('Recipient count must be greater than 0.');
  if (recipients.length > MAX_RECIPIENTS_PER_MESSAGE) {
    throw invalidParameter(`Recipient count exceeds ${MAX_RECIPIENTS_PER_MESSAGE}.`);
  }
  return recipients;
}

function eventTags(req: SendRequest, from: ParsedAddress, configurationSetName: string | undefined): Record<string, string[]> {
  const tags: Record<string, string[]> = {
    'ses:operation': [req.sourceApi === 'smtp' ? 'SendSmtpEmail' : 'SendEmail'],
    'ses:source-ip': [req.sourceIp],
    'ses:from-domain': [from.domain],
    'ses:caller-identity': [req.callerIdentity],
  };
  if (configurationSetName) tags['ses:configuration-set'] = [configurationSetName];
  for (const tag of req.tags ?? []) (tags[tag.Name] ??= []).push(tag.Value);
  return tags;
}
