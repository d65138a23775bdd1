// accept(): the single door into sesd. Every API and SMTP calls it with a normalised request. It
// validates, renders, composes MIME once, and persists the message, one delivery row per recipient
// and the Send event in one (group-committed) transaction; only then does it return the MessageId.
// In capture mode the message is delivered by being stored: its recipients (but the mailbox
// simulator's, whose scenarios the delivery queue plays) are written delivered, with their Delivery
// events, in that transaction, rather than claimed, read back and settled by the queue afterwards
// (two more transactions a message, which took a fifth of SendEmail's rate on a 2-core machine).
import { parseAddress, type ParsedAddress } from '../domain/addresses.js';
import { AwsError, invalidParameter } from '../domain/errors.js';
import { messageIdHeader, newMessageId } from '../domain/message-id.js';
import { dailyQuotaExceeded, MAX_RECIPIENTS_PER_MESSAGE, sendRateExceeded } from '../domain/sending-limits.js';
import { QuotaExceededError } from '../store/quota-guard.js';
import { validateMessageTags } from '../domain/message-tags.js';
import { bounceEvent, identityArn, mailObject, renderingFailureEvent, sendEvent, sesOperation, SUPPRESSED_DIAGNOSTIC } from '../events/mail-object.js';
import { isSimulatorAddress, type PrefetchedReads, type SendingPolicy } from '../domain/sending-policy.js';
import { CAPTURED_REPLY } from '../delivery/capture-transport.js';
import { deliveryEvent } from '../delivery/delivery-events.js';
import { hasNowhereToGo, type DeliveryMode, type DeliveryPolicy } from '../delivery/policy.js';
import { composeMessage } from '../mime/compose.js';
import { headerValue, joinMessage, messageHeaders, rfc5322Date, splitAddressList, splitMessage, type Header } from '../mime/headers.js';
import { checkHeaderFields } from '../mime/single-headers.js';
import type { Destination, MessagesRepository, NewMessage } from '../store/messages-repository.js';
import type { SuppressedDestination } from '../store/suppression-repository.js';
import { checkInlineTemplate, substitute } from './inline-template.js';
import { listManagement, type ListManagementDeps, type UnsubscribeLink } from './list-management.js';
import { withSesHeaderOptions } from './ses-header-options.js';
import type { Accepted, SendRequest, SimpleContent, TemplateContent } from './send-request.js';
import { renderTemplate, TemplateRenderingError } from '../domain/templates/render.js';
import { parseRenderingData } from '../domain/templates/templates-service.js';
import { templateNotFound } from '../domain/templates/email-template.js';
import { parseResourceArn } from '../domain/tags/tags.js';
import type { Scope } from '../domain/identities/identity.js';
import { OPEN_TRACKER } from '../tracking/html-rewriter.js';
import { trackedHtml, trackedRaw } from '../tracking/tracked-copies.js';
import { trackingFor, type TrackingDeps, type TrackingPlan } from '../tracking/tracking-plan.js';

export interface IntakeDeps {
  messages: MessagesRepository;
  /** Verified senders, sandbox, quotas, suppression; not applied to sesd's own (system) mail. */
  policy: SendingPolicy;
  /** Stored templates (SendEmail Template.TemplateName, SendTemplatedEmail). */
  templates: TemplateLookup;
  /** Contact lists, for ListManagementOptions. */
  listManagement: ListManagementDeps;
  /** Open and click tracking (configuration sets with OPEN/CLICK destinations); absent: never tracked. */
  tracking?: TrackingDeps;
  /** Host part of the Message-ID header sesd writes. */
  hostname: string;
  now?: () => Date;
  /** Where a template that failed to render is reported (the client only sees a MessageId). */
  log?: { warn(fields: object, message: string): void };
  /** How the delivery queue delivers (SESD_DELIVERY_MODE, and its policy's per-account mode): capture mode delivers here. */
  delivery?: { mode: DeliveryMode; policy: Pick<DeliveryPolicy, 'deliveryMode' | 'identityNotifies'> };
}

export interface TemplateLookup {
  get(scope: Scope, name: string): Promise<{ content: { subject?: string; text?: string; html?: string } } | undefined>;
}

export type Intake = ((req: SendRequest) => Promise<Accepted>) & {
  /**
   * A bulk send (SendBulkEmail, SendBulkTemplatedEmail): what concerns the whole call (the stored
   * template exists, the sender may send) is checked once and fails the call; each entry then has
   * its own result, and the accepted entries are committed together in one transaction.
   */
  bulk(call: BulkCall, entries: SendRequest[]): Promise<BulkResult[]>;
};

export interface BulkCall {
  scope: Scope;
  /** The sender as the call names it (Source / FromEmailAddress), with its identity ARN. */
  from: string;
  sourceArn?: string;
  returnPath?: string;
  returnPathArn?: string;
  configurationSetName?: string;
  templateName?: string;
}

export type BulkResult = Accepted | { error: AwsError };

export function createIntake(deps: IntakeDeps): Intake {
  const now = deps.now ?? (() => new Date());
  const intake = async (request: SendRequest): Promise<Accepted> => {
    const message = await prepare(request);
    const messageId = message.id;
    // Returned, not awaited here: an async function holds its variables until it ends, even those it
    // no longer reads, and the message (its events' mail objects) would live until the commit.
    return insertCounted(deps.messages, [message]).then(() => ({ messageId }));
  };
  const bulk = async (call: BulkCall, entries: SendRequest[]): Promise<BulkResult[]> => {
    if (call.templateName && !(await deps.templates.get(call.scope, call.templateName))) throw templateNotFound(call.templateName);
    const senders = [{ address: parseAddress(call.from).address, identityArn: call.sourceArn }];
    if (call.returnPath) senders.push({ address: parseAddress(call.returnPath).address, identityArn: call.returnPathArn });
    await deps.policy.checkSenders({ scope: call.scope, senders, configurationSetName: call.configurationSetName });
    const results: (NewMessage | { error: AwsError })[] = [];
    for (const entry of entries) {
      try {
        results.push(await prepare(entry));
      } catch (err) {
        if (!(err instanceof AwsError)) throw err;
        results.push({ error: err });
      }
    }
    const accepted = results.filter((r): r is NewMessage => !('error' in r));
    try {
      await insertCounted(deps.messages, accepted);
    } catch (err) {
      // Committed together: a quota the entries go over fails every one of them.
      if (!(err instanceof AwsError)) throw err;
      return results.map((r) => ('error' in r ? r : { error: err }));
    }
    return results.map((r) => ('error' in r ? r : { messageId: r.id }));
  };
  return Object.assign(intake, { bulk });

  /**
   * The Delivery event of each recipient delivered at acceptance, as the delivery queue writes them,
   * settled at once by the queue's rule (hasNowhereToGo).
   */
  async function capturedDeliveries(scope: Scope, mail: Record<string, unknown>, at: number, recipients: NewMessage['recipients'], setName: string | undefined) {
    const delivered = recipients.filter((r) => r.status === 'delivered');
    if (!deps.delivery || delivered.length === 0) return [];
    const events = delivered.map(({ address }) => deliveryEvent(mail, { at, acceptedAt: at, recipient: address, smtpResponse: CAPTURED_REPLY, reportingMTA: deps.hostname }));
    // One sender and one configuration set: the same answer for every recipient's event.
    const nowhereToGo = await hasNowhereToGo(deps.delivery.policy, scope, events[0]!, setName);
    return events.map((e) => ({ ...e, nowhereToGo }));
  }

  /** The policy's reads for these recipients, started; none when they do not parse (composing then refuses them, as before). */
  function prefetch(scope: Scope, recipients: () => string[]): PrefetchedReads | undefined {
    let list: string[];
    try {
      list = recipients();
    } catch {
      return undefined;
    }
    return deps.policy.prefetch(scope, list);
  }

  async function prepare(request: SendRequest): Promise<NewMessage> {
    const acceptedAt = now();
    const messageId = newMessageId(acceptedAt.getTime());
    const msgIdHeader = messageIdHeader(messageId, deps.hostname);

    const req = withRawReturnPath(withSesHeaderOptions(request));
    const scope = { accountId: req.accountId, region: req.region };
    validateMessageTags(req.tags ?? []);
    const rendered = req.content.kind === 'template' ? await renderTemplateContent(req.content, scope, deps.templates) : undefined;
    // A template that fails to render is still accepted (SES has answered with a MessageId) and
    // then not delivered: a Rendering Failure event in place of Send, no delivery rows.
    const failure = rendered && 'failure' in rendered ? rendered.failure : undefined;
    if (failure) deps.log?.warn({ messageId, accountId: req.accountId, template: failure.templateName, error: failure.errorMessage }, 'template rendering failed');
    const given = rendered ? ('content' in rendered ? rendered.content : emptyContent(req)) : (req.content as SimpleContent);
    // Raw mail's recipients may come from its headers, so it is read before list management looks at them.
    const raw = req.content.kind === 'raw' ? prepareRaw(req, req.content.data, msgIdHeader, acceptedAt) : undefined;
    const managed = req.listManagement && (await listManagement(scope, req.listManagement, raw?.envelopeRecipients ?? composedRecipients(req), deps.listManagement, messageId));
    // Tracking follows the configuration set the message is sent with, an identity's default included.
    const sender = raw ? raw.from.address : req.from ? parseAddress(req.from).address : undefined;
    // The policy's reads start now, with the identity read below: one round trip for the three.
    const prefetched = req.system ? undefined : prefetch(scope, () => raw?.envelopeRecipients ?? composedRecipients(req));
    const sending = req.system ? {} : sender ? await deps.policy.sendingIdentity(scope, req.configurationSetName, sender) : { configurationSetName: req.configurationSetName };
    const setName = sending.configurationSetName;
    const tracked = deps.tracking && !req.untracked ? await trackingFor(scope, setName, deps.tracking) : undefined;
    // SES's open-image placeholder never reaches a recipient as text: the tracking rewriter takes it
    // out of tracked HTML, and composed mail loses it here otherwise (raw mail is sent as written).
    const content = withoutOpenTracker(given, tracked !== undefined);
    // Each recipient of list-managed or tracked mail gets a copy with their own unsubscribe and tracking links.
    const copyFor = async (recipient: string | undefined): Promise<Prepared> => {
      const link = managed && recipient !== undefined ? managed.linkFor(recipient) : undefined;
      if (raw) {
        const own = link ? withHeaders(raw, link.headers) : raw;
        return tracked && recipient !== undefined ? withTrackedRaw(own, tracked, messageId, recipient) : own;
      }
      const own = link ? withListManagement(content, link) : content;
      return prepareComposed(req, tracked && recipient !== undefined ? await withTracking(own, tracked, messageId, recipient) : own, msgIdHeader, acceptedAt);
    };
    const perRecipient = managed || tracked;
    const first = perRecipient ? (raw?.envelopeRecipients ?? composedRecipients(req))[0] : undefined;
    const prepared = await copyFor(first);
    const { from, envelopeRecipients, headers, subject, destination } = prepared;

    if (prepared.raw.length > req.maxMessageBytes) {
      throw invalidParameter(`Message length is more than ${req.maxMessageBytes} bytes long: '${prepared.raw.length}'.`);
    }
    const { suppressed, quota, configurationSetName } = req.system
      ? { suppressed: new Map<string, SuppressedDestination>(), quota: undefined, configurationSetName: undefined }
      : await deps.policy.check({
          scope,
          senders: sendersToVerify(req, from, headers),
          recipients: envelopeRecipients,
          configurationSetName: setName, // resolved above: the check need not look for a default set again
        }, prefetched);
    const capturing = deps.delivery && ((await deps.delivery.policy.deliveryMode(scope)) ?? deps.delivery.mode) === 'capture';
    const recipients: NewMessage['recipients'] = [];
    for (const address of envelopeRecipients) {
      const status = recipientStatus(address, suppressed, managed?.optedOut);
      // The message row holds the first recipient's copy; every other recipient sent to has its own.
      const own = perRecipient && !failure && status === 'queued' && address !== first ? (await copyFor(address)).raw : undefined;
      const captured = capturing && status === 'queued' && !isSimulatorAddress(address);
      recipients.push({ address, ...(captured ? { status: 'delivered', lastResponse: CAPTURED_REPLY } : { status }), ...(own && { raw: own }) });
    }

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
      originalMessageId: prepared.originalMessageId,
      ownHeaders: prepared.ownHeaders,
      // Sending authorization names the identity sent as; else the verified identity that covers the sender.
      sourceArn: req.sourceArn ?? (sending.identity ? identityArn(scope, sending.identity) : undefined),
    });
    return {
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
      raw: failure ? Buffer.alloc(0) : prepared.raw,
      createdAt: acceptedAt.getTime(),
      // Feedback forwarding goes to the Return-Path, else the FeedbackForwardingEmailAddress, else the Source.
      feedbackAddress: req.returnPath ? parseAddress(req.returnPath).address : req.feedbackForwardingAddress ? parseAddress(req.feedbackForwardingAddress).address : null,
      recipients: failure ? [] : recipients,
      events: failure
        ? [renderingFailureEvent(mail, failure)]
        : [
            sendEvent(mail),
            ...suppressionBounces(mail, [...suppressed.keys()], acceptedAt, messageId, deps.hostname),
            ...(await capturedDeliveries(scope, mail, acceptedAt.getTime(), recipients, configurationSetName)),
          ],
      quota,
    };
  }
}

/**
 * Writes the messages together; a quota they would exceed (found in the same transaction) is SES's
 * Throttling error. Not an async function, so that it holds no message while the commit is waited for.
 */
function insertCounted(messages: MessagesRepository, batch: NewMessage[]): Promise<void> {
  return messages.insertTogether(batch).catch((err: unknown) => {
    if (err instanceof QuotaExceededError) throw err.kind === 'daily' ? dailyQuotaExceeded() : sendRateExceeded();
    throw err;
  });
}

interface Prepared {
  raw: Buffer;
  from: ParsedAddress;
  envelopeRecipients: string[];
  headers: readonly Header[];
  subject: string | undefined;
  /** The Destination stored with the message: as given, or read from a raw message's headers. */
  destination: Destination;
  /** A raw message's own Message-ID, which its events report (the message goes out with sesd's). */
  originalMessageId?: string;
  /** The header fields sesd wrote that the sender's message did not have, which its events leave out (events/mail-object.ts). */
  ownHeaders: string[];
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
  // Composing writes sesd's Message-ID and Date in place of any the sender's headers name. SES's
  // events for a template's message list the Date of the rendered message (AWS's recording of a
  // SendTemplatedEmail's Delivery event, test_ses.snapshot.json), and those of a SendEmail do not.
  const ownHeaders = req.content.kind === 'template' ? ['Message-ID'] : ['Message-ID', 'Date'];
  return { raw, from, envelopeRecipients: recipients, headers: messageHeaders(raw), subject: content.subject, destination, ownHeaders };
}

/**
 * SES verifies every sender a message names: "each identity that you're going to use as a 'From',
 * 'Source', 'Sender', or 'Return-Path' address" (Verified identities in Amazon SES): the envelope
 * sender (Source / MAIL FROM), the From and Sender headers (else a raw message could claim any), and
 * the Return-Path.
 */
function sendersToVerify(req: SendRequest, envelopeFrom: ParsedAddress, headers: readonly Header[]): { address: string; identityArn?: string }[] {
  // Sending authorization has no ARN of its own for the Sender header: it goes as the From does.
  const headerSenders = ['From', 'Sender'].flatMap((name) => {
    const value = headerValue(headers, name);
    return value ? splitAddressList(value).map((a) => parseAddress(a).address) : [];
  });
  const named = [
    { address: envelopeFrom.address, identityArn: req.sourceArn },
    ...headerSenders.map((address) => ({ address, identityArn: req.fromArn ?? (address === envelopeFrom.address ? req.sourceArn : undefined) })),
    ...(req.returnPath ? [{ address: parseAddress(req.returnPath).address, identityArn: req.returnPathArn }] : []),
    // The feedback address's ARN authorises its use ("permits you to use the email address specified
    // in the FeedbackForwardingEmailAddress parameter", SendEmail's reference) as ReturnPathArn does.
    ...(req.feedbackForwardingAddress && req.feedbackForwardingArn ? [{ address: parseAddress(req.feedbackForwardingAddress).address, identityArn: req.feedbackForwardingArn }] : []),
  ];
  const unique = new Map(named.map((s) => [`${s.address} ${s.identityArn ?? ''}`, s]));
  return [...unique.values()];
}

/**
 * Raw mail sent without a Source has its feedback forwarded to its Return-Path header, which is then
 * an address it sends as (verified like the Source): "[Source] takes precedence over any
 * Return-Path header that you might include in the raw text of the message" (SendRawEmail's API
 * reference).
 */
function withRawReturnPath(req: SendRequest): SendRequest {
  if (req.content.kind !== 'raw' || req.from !== undefined || req.returnPath !== undefined) return req;
  const value = headerValue(splitMessage(req.content.data).headers, 'Return-Path');
  const address = value?.replace(/^<|>$/g, '').trim();
  return address ? { ...req, returnPath: address } : req;
}

/** SES does not send to a suppressed address (it bounces it) nor to a contact who opted out. */
function recipientStatus(address: string, suppressed: Map<string, unknown>, optedOut?: Set<string>): 'queued' | 'suppressed' | 'unsubscribed' {
  if (suppressed.has(address)) return 'suppressed';
  return optedOut?.has(address) ? 'unsubscribed' : 'queued';
}

const composedRecipients = (req: SendRequest): string[] =>
  [...(req.destination?.ToAddresses ?? []), ...(req.destination?.CcAddresses ?? []), ...(req.destination?.BccAddresses ?? [])].map((a) => parseAddress(a).address);

/** Adds the recipient's unsubscribe headers and fills {{amazonSESUnsubscribeUrl}} in the body, as SES does. */
function withListManagement(content: SimpleContent, link: UnsubscribeLink): SimpleContent {
  const fill = (part?: string) => part?.replaceAll('{{amazonSESUnsubscribeUrl}}', link.url);
  return { ...content, text: fill(content.text), html: fill(content.html), headers: [...content.headers, ...link.headers] };
}

/** Content without `{{ses:openTracker}}`: always out of the text part, out of the HTML unless the tracking rewriter will place the image there. */
function withoutOpenTracker(content: SimpleContent, tracked: boolean): SimpleContent {
  const html = !tracked && content.html?.includes(OPEN_TRACKER) ? content.html.replaceAll(OPEN_TRACKER, '') : content.html;
  const text = content.text?.includes(OPEN_TRACKER) ? content.text.replaceAll(OPEN_TRACKER, '') : content.text;
  return html === content.html && text === content.text ? content : { ...content, html, text };
}

/** The HTML part with the recipient's tracking links and open image; the text part is not tracked (as SES). */
async function withTracking(content: SimpleContent, plan: TrackingPlan, messageId: string, recipient: string): Promise<SimpleContent> {
  return content.html === undefined ? content : { ...content, html: await trackedHtml(plan, content.html, messageId, recipient) };
}

/** Raw mail with the recipient's tracking links in its HTML parts. */
async function withTrackedRaw(prepared: Prepared, plan: TrackingPlan, messageId: string, recipient: string): Promise<Prepared> {
  const raw = await trackedRaw(plan, prepared.raw, messageId, recipient);
  return raw === prepared.raw ? prepared : { ...prepared, raw, headers: messageHeaders(raw) };
}

/** Raw mail with the recipient's unsubscribe headers added. */
function withHeaders(prepared: Prepared, added: Header[]): Prepared {
  const headers = [...prepared.headers, ...added];
  return { ...prepared, headers, raw: joinMessage(headers, splitMessage(prepared.raw).body) };
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
  // A template may have no body parts (SES only requires its subject): it is sent with an empty text part.
  const asSimple = (r: { subject?: string; text?: string; html?: string }): Rendered => ({
    content: { kind: 'simple', subject: r.subject ?? '', text: r.text || (r.html ? undefined : ''), html: r.html || undefined, headers: content.headers, attachments: content.attachments },
  });
  if (content.inline) {
    const { subject, text, html } = content.inline;
    checkInlineTemplate([subject, text, html]);
    return asSimple({ subject: substitute(subject ?? '', data), text: text === undefined ? undefined : substitute(text, data), html: html === undefined ? undefined : substitute(html, data) });
  }
  const name = content.templateName ?? (content.templateArn ? parseResourceArn(scope, content.templateArn).name : undefined);
  if (!name) throw invalidParameter('Template must name a TemplateName, a TemplateArn or TemplateContent.');
  const template = await templates.get(scope, name);
  if (!template) throw templateNotFound(name);
  try {
    return asSimple(await renderTemplate(template.content, data));
  } catch (err) {
    if (err instanceof TemplateRenderingError) return { failure: { templateName: name, errorMessage: err.message } };
    throw err;
  }
}

function prepareRaw(req: SendRequest, data: Buffer, msgIdHeader: string, date: Date): Prepared {
  const { headers, body } = splitMessage(data);
  checkHeaderFields(data, headers);
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
  const dated = Boolean(headerValue(kept, 'Date'));
  if (!dated) rewritten.push({ name: 'Date', value: rfc5322Date(date) });
  const originalMessageId = headerValue(headers, 'Message-ID') || undefined;
  return {
    raw: joinMessage(rewritten, body),
    from,
    envelopeRecipients: recipients,
    headers: rewritten,
    subject: headerValue(headers, 'Subject'),
    destination,
    originalMessageId,
    // sesd's Message-ID stands in the sender's place when there was one (the event shows the sender's).
    ownHeaders: [...(originalMessageId ? [] : ['Message-ID']), ...(dated ? [] : ['Date'])],
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
  // SES v1 names the header it would compose (live SES for SendEmail with three empty lists, logged in
  // dwyl/elixir-invoke-lambda-example's README; aristidb/aws#73 for SendRawEmail without a To header).
  if (recipients.length === 0) throw new AwsError('BadRequestException', 'Recipient count must be greater than 0.', 400, true, 'InvalidParameterValue', "Missing required header 'To'.");
  if (recipients.length > MAX_RECIPIENTS_PER_MESSAGE) {
    throw invalidParameter(`Recipient count exceeds ${MAX_RECIPIENTS_PER_MESSAGE}.`);
  }
  return recipients;
}

function eventTags(req: SendRequest, from: ParsedAddress, configurationSetName: string | undefined): Record<string, string[]> {
  const tags: Record<string, string[]> = {
    'ses:operation': [sesOperation(req.sourceApi, req.operation)],
    'ses:source-ip': [req.sourceIp],
    'ses:from-domain': [from.domain],
    'ses:caller-identity': [req.callerIdentity],
  };
  if (configurationSetName) tags['ses:configuration-set'] = [configurationSetName];
  for (const tag of req.tags ?? []) (tags[tag.Name] ??= []).push(tag.Value);
  return tags;
}
