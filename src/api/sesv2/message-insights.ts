// GetMessageInsights: a message's recipients and the events each of them had.
import { AwsError } from '../../domain/errors.js';
import { isSimulatorAddress } from '../../domain/sending-policy.js';
import type { MessagesRepository } from '../../store/messages-repository.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { typedHandler, type HandlerTable } from '../context.js';

// Event documents name their recipients in different places; insights group them per recipient.
function recipientsOf(payload: Record<string, unknown>, type: string, all: string[]): string[] {
  const detail = payload[type.charAt(0).toLowerCase() + type.slice(1)] as Record<string, unknown> | undefined;
  const listed =
    (detail?.bouncedRecipients as { emailAddress: string }[] | undefined)?.map((r) => r.emailAddress) ??
    (detail?.complainedRecipients as { emailAddress: string }[] | undefined)?.map((r) => r.emailAddress) ??
    (detail?.delayedRecipients as { emailAddress: string }[] | undefined)?.map((r) => r.emailAddress) ??
    (detail?.recipients as string[] | undefined);
  return listed ?? all;
}

const INSIGHT_TYPES = new Set(['Send', 'Delivery', 'Bounce', 'Complaint', 'Open', 'Click', 'DeliveryDelay', 'Reject', 'RenderingFailure', 'Subscription']);

// What SES leaves out of insights (API reference, InsightsEvent Type): deliveries, bounces,
// complaints, opens and clicks of mail addressed to more than one recipient; deliveries, bounces and
// complaints of the mailbox simulator; complaints that come from the account's suppression list.
const SINGLE_RECIPIENT_ONLY = new Set(['Delivery', 'Bounce', 'Complaint', 'Open', 'Click']);
const NOT_FOR_THE_SIMULATOR = new Set(['Delivery', 'Bounce', 'Complaint']);

function shownInInsights(type: string, event: StoredEvent, recipient: string, recipientCount: number): boolean {
  if (recipientCount > 1 && SINGLE_RECIPIENT_ONLY.has(type)) return false;
  if (NOT_FOR_THE_SIMULATOR.has(type) && isSimulatorAddress(recipient)) return false;
  const complaint = (event.payload as { complaint?: { complaintSubType?: string | null } }).complaint;
  return !(type === 'Complaint' && complaint?.complaintSubType === 'OnAccountSuppressionList');
}

type StoredEvent = Awaited<ReturnType<MessagesRepository['events']>>[number];

export function messageInsightsHandlers(deps: { messages: MessagesRepository }): HandlerTable {
  return {
    GetMessageInsights: typedHandler(async (ctx, input: T.GetMessageInsightsRequest): Promise<T.GetMessageInsightsResponse> => {
      const [message] = await deps.messages.list({ id: input.MessageId, accountId: ctx.accountId });
      if (!message || message.region !== ctx.region) throw new AwsError('NotFoundException', `Message ${input.MessageId} does not exist.`, 404);
      const recipients = (await deps.messages.recipients(message.id)).map((r) => r.recipient);
      const events = await deps.messages.events(message.id);
      const insights: T.EmailInsights[] = recipients.map((destination) => ({ Destination: destination, Isp: ispOf(destination), Events: [] }));
      for (const event of events) {
        const type = event.type.replace(/\s/g, '');
        if (!INSIGHT_TYPES.has(type)) continue;
        for (const recipient of event.recipient ? [event.recipient] : recipientsOf(event.payload as Record<string, unknown>, type, recipients)) {
          if (!shownInInsights(type, event, recipient, recipients.length)) continue;
          insights.find((i) => i.Destination?.toLowerCase() === recipient.toLowerCase())?.Events?.push(insightsEvent(event, type, recipient));
        }
      }
      return {
        MessageId: message.id,
        FromEmailAddress: message.fromHeader ?? message.envelopeFrom,
        Subject: message.subject ?? undefined,
        EmailTags: message.tags,
        Insights: insights,
      };
    }),
  };
}

function insightsEvent(event: StoredEvent, type: string, recipient: string): T.InsightsEvent {
  const details = eventDetails(event.payload as Record<string, unknown>, type, recipient);
  return {
    Timestamp: new Date(event.createdAt),
    Type: type.toUpperCase().replace('DELIVERYDELAY', 'DELIVERY_DELAY').replace('RENDERINGFAILURE', 'RENDERING_FAILURE'),
    ...(details ? { Details: details } : {}),
  };
}

interface BounceRecord {
  bounceType?: string;
  bounceSubType?: string;
  bouncedRecipients?: { emailAddress: string; diagnosticCode?: string }[];
}
interface ComplaintRecord {
  complaintSubType?: string | null;
  complaintFeedbackType?: string;
}

/**
 * SES's API reference (InsightsEvent, EventDetails, Bounce): a BOUNCE or COMPLAINT event carries
 * Details, "additional details about the bounce"/"the complaint"; BounceType is one of UNDETERMINED,
 * TRANSIENT or PERMANENT, and DiagnosticCode "only appears if ... the Diagnostic-Code was provided in
 * the DSN". Other events have none. The subtypes are given as the event record spells them (the
 * reference types them as free strings).
 */
function eventDetails(payload: Record<string, unknown>, type: string, recipient: string): T.EventDetails | undefined {
  if (type === 'Bounce') return { Bounce: bounceDetails(payload.bounce as BounceRecord | undefined, recipient) };
  if (type === 'Complaint') return { Complaint: complaintDetails(payload.complaint as ComplaintRecord | undefined) };
  return undefined;
}

function bounceDetails(bounce: BounceRecord | undefined, recipient: string): T.Bounce {
  const diagnosticCode = bounce?.bouncedRecipients?.find((r) => r.emailAddress.toLowerCase() === recipient.toLowerCase())?.diagnosticCode;
  return {
    ...(bounce?.bounceType ? { BounceType: bounce.bounceType.toUpperCase() } : {}),
    ...(bounce?.bounceSubType ? { BounceSubType: bounce.bounceSubType } : {}),
    ...(diagnosticCode ? { DiagnosticCode: diagnosticCode } : {}),
  };
}

function complaintDetails(complaint: ComplaintRecord | undefined): T.Complaint {
  return {
    ...(complaint?.complaintSubType ? { ComplaintSubType: complaint.complaintSubType } : {}),
    ...(complaint?.complaintFeedbackType ? { ComplaintFeedbackType: complaint.complaintFeedbackType } : {}),
  };
}

function ispOf(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return domain;
}
