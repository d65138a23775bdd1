// SendMessages (to addresses and endpoints) and SendUsersMessages (to every endpoint of each user).
// Each recipient gets its own message and its own result; a recipient that cannot be sent to (another
// channel, opted out, inactive, a duplicate, refused by SES) fails alone and never as a fake success.
import { invalidParameter } from '../../domain/errors.js';
import type { EmailChannelsService } from '../../domain/pinpoint/email-channels-service.js';
import { isOptedOut, type Endpoint } from '../../domain/pinpoint/endpoint.js';
import type { EndpointsService } from '../../domain/pinpoint/endpoints-service.js';
import {
  channelNotSupported,
  duplicateAddress,
  endpointInactive,
  endpointNotFound,
  optedOut,
  type DeliveryResult,
} from '../../domain/pinpoint/delivery-result.js';
import { endpointVariables, mergeVariables, substitutionVariables } from '../../domain/pinpoint/message-variables.js';
import { parseDefaultSubstitutions, validateHeaders } from '../../domain/pinpoint/template.js';
import type { PinpointTemplatesService } from '../../domain/pinpoint/templates-service.js';
import type { Intake } from '../../intake/accept.js';
import type * as T from '../../protocol/models/types/pinpoint.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { scopeOf } from './apps.js';
import { emailSender, type EmailRecipient, type PreparedEmail } from './email-sender.js';
import { toMessageHeaders } from './templates.js';

/** Pinpoint's limit on addresses plus endpoints in one SendMessages call, and on users in SendUsersMessages. */
export const MAX_RECIPIENTS_PER_REQUEST = 100;

export interface SendMessagesDeps {
  intake: Intake;
  channels: EmailChannelsService;
  templates: PinpointTemplatesService;
  endpoints: EndpointsService;
}

type MessageContent = Pick<T.MessageRequest, 'MessageConfiguration' | 'TemplateConfiguration'>;

export function sendMessagesHandlers(deps: SendMessagesDeps): HandlerTable {
  const send = emailSender(deps.intake);

  async function prepare(ctx: RequestContext, applicationId: string, req: MessageContent): Promise<PreparedEmail> {
    const channel = await deps.channels.find(scopeOf(ctx), applicationId);
    const email = req.MessageConfiguration.EmailMessage;
    const defaults = req.MessageConfiguration.DefaultMessage;
    const chosen = req.TemplateConfiguration?.EmailTemplate;
    const template = chosen?.Name === undefined ? undefined : (await deps.templates.get(scopeOf(ctx), chosen.Name, chosen.Version)).version.content;
    const simple = email?.SimpleEmail;
    const headers = toMessageHeaders(simple?.Headers);
    validateHeaders(headers);
    return {
      channel,
      from: email?.FromAddress ?? channel?.fromAddress,
      replyTo: email?.ReplyToAddresses,
      feedbackForwardingAddress: email?.FeedbackForwardingAddress,
      raw: email?.RawEmail?.Data ? Buffer.from(email.RawEmail.Data) : undefined,
      source: {
        simple: simple && { subject: simple.Subject?.Data, html: simple.HtmlPart?.Data, text: simple.TextPart?.Data, headers },
        template,
        body: email?.Body ?? defaults?.Body,
      },
      variables: mergeVariables(
        substitutionVariables(template?.defaultSubstitutions === undefined ? undefined : parseDefaultSubstitutions(template.defaultSubstitutions)),
        substitutionVariables({ ...defaults?.Substitutions, ...email?.Substitutions }),
      ),
    };
  }

  /** Sends to endpoints in order; an address already sent to in this request is a DUPLICATE. */
  async function toEndpoint(ctx: RequestContext, email: PreparedEmail, endpoint: Endpoint | undefined, config: T.EndpointSendConfiguration, sent: Set<string>): Promise<T.EndpointMessageResult> {
    if (!endpoint) return endpointResult(endpointNotFound());
    const refusal =
      endpoint.channelType !== 'EMAIL'
        ? channelNotSupported(endpoint.channelType)
        : endpoint.endpointStatus !== 'ACTIVE'
          ? endpointInactive()
          : isOptedOut(endpoint)
            ? optedOut()
            : sent.has(endpoint.address)
              ? duplicateAddress()
              : undefined;
    if (refusal) return endpointResult(refusal, endpoint.address);
    sent.add(endpoint.address);
    const result = await send(ctx, email, recipient(endpoint.address, config, endpoint));
    return endpointResult(result, endpoint.address);
  }

  return {
    SendMessages: typedHandler(async (ctx, input: T.SendMessagesRequest): Promise<T.SendMessagesResponse> => {
      const req = input.MessageRequest;
      const addresses = Object.entries(req.Addresses ?? {});
      const endpointIds = Object.keys(req.Endpoints ?? {});
      if (addresses.length + endpointIds.length > MAX_RECIPIENTS_PER_REQUEST) {
        throw invalidParameter(`A request can have at most ${MAX_RECIPIENTS_PER_REQUEST} addresses and endpoints together.`);
      }
      const email = await prepare(ctx, input.ApplicationId, req);
      const sent = new Set<string>();
      const response: T.MessageResponse = { ApplicationId: input.ApplicationId, RequestId: ctx.requestId };
      if (req.Addresses) {
        response.Result = {};
        for (const [address, config] of addresses) {
          if (config.ChannelType !== 'EMAIL') {
            response.Result[address] = messageResult(channelNotSupported(config.ChannelType));
            continue;
          }
          sent.add(address);
          response.Result[address] = messageResult(await send(ctx, email, recipient(address, config)));
        }
      }
      if (req.Endpoints) {
        const endpoints = await deps.endpoints.getMany(scopeOf(ctx), input.ApplicationId, endpointIds);
        response.EndpointResult = {};
        for (const [id, config] of Object.entries(req.Endpoints)) {
          response.EndpointResult[id] = await toEndpoint(ctx, email, endpoints.get(id), config, sent);
        }
      }
      return { MessageResponse: response };
    }),

    SendUsersMessages: typedHandler(async (ctx, input: T.SendUsersMessagesRequest): Promise<T.SendUsersMessagesResponse> => {
      const req = input.SendUsersMessageRequest;
      const users = Object.entries(req.Users);
      if (users.length > MAX_RECIPIENTS_PER_REQUEST) throw invalidParameter(`A request can have at most ${MAX_RECIPIENTS_PER_REQUEST} users.`);
      const email = await prepare(ctx, input.ApplicationId, req);
      const sent = new Set<string>();
      const result: Record<string, Record<string, T.EndpointMessageResult>> = {};
      for (const [userId, config] of users) {
        const perEndpoint: Record<string, T.EndpointMessageResult> = {};
        for (const endpoint of await deps.endpoints.ofUser(scopeOf(ctx), input.ApplicationId, userId)) {
          perEndpoint[endpoint.id] = await toEndpoint(ctx, email, endpoint, config, sent);
        }
        result[userId] = perEndpoint;
      }
      return { SendUsersMessageResponse: { ApplicationId: input.ApplicationId, RequestId: ctx.requestId, Result: result } };
    }),
  };
}

function recipient(address: string, config: T.EndpointSendConfiguration, endpoint?: Endpoint): EmailRecipient {
  return {
    address,
    overrides: { titleOverride: config.TitleOverride, bodyOverride: config.BodyOverride },
    rawContent: config.RawContent,
    variables: [endpoint && endpointVariables(endpoint), substitutionVariables(config.Substitutions)].filter((v) => v !== undefined),
  };
}

function messageResult(r: DeliveryResult): T.MessageResult {
  return { DeliveryStatus: r.deliveryStatus, StatusCode: r.statusCode, StatusMessage: r.statusMessage, MessageId: r.messageId };
}

function endpointResult(r: DeliveryResult, address?: string): T.EndpointMessageResult {
  return { ...messageResult(r), Address: address };
}
