// SES v1 sending actions: SendEmail, SendRawEmail (intake applies its X-SES-* headers), SendTemplatedEmail
// and SendBulkTemplatedEmail (whole-call errors fail the call; entries committed together), all
// through the same intake as SES v2.
import { MAX_MESSAGE_BYTES_V1 } from '../../domain/sending-limits.js';
import type { Intake } from '../../intake/accept.js';
import { parseRenderingData } from '../../domain/templates/templates-service.js';
import { bulkFailureStatus, checkBulkEntryCount, entryTemplateData } from '../../domain/bulk-sending.js';
import type * as T from '../../protocol/models/types/ses.js';
import { sendOrigin, typedHandler, type HandlerTable, type RequestContext } from '../context.js';

const common = (ctx: RequestContext) => ({ ...sendOrigin(ctx, 'ses'), maxMessageBytes: MAX_MESSAGE_BYTES_V1 });

/** The sender parameters SendEmail, SendTemplatedEmail and SendBulkTemplatedEmail share. */
const sender = (input: { Source: string; SourceArn?: string; ReturnPath?: string; ReturnPathArn?: string; ReplyToAddresses?: string[] }) => ({
  from: input.Source,
  sourceArn: input.SourceArn,
  returnPath: input.ReturnPath,
  returnPathArn: input.ReturnPathArn,
  replyTo: input.ReplyToAddresses,
});

export function sendingHandlers(intake: Intake): HandlerTable {
  return {
    SendEmail: typedHandler(async (ctx, input: T.SendEmailRequest): Promise<T.SendEmailResponse> => {
      const { messageId } = await intake({
        ...common(ctx),
        ...sender(input),
        destination: input.Destination,
        content: {
          kind: 'simple',
          subject: input.Message.Subject.Data,
          text: input.Message.Body.Text?.Data,
          html: input.Message.Body.Html?.Data,
          headers: [],
          attachments: [],
        },
        tags: input.Tags,
        configurationSetName: input.ConfigurationSetName,
      });
      return { MessageId: messageId };
    }),

    SendRawEmail: typedHandler(async (ctx, input: T.SendRawEmailRequest): Promise<T.SendRawEmailResponse> => {
      // Intake reads the X-SES-* headers (the API parameters win over them).
      const { messageId } = await intake({
        ...common(ctx),
        operation: 'SendRawEmail',
        from: input.Source,
        sourceArn: input.SourceArn,
        fromArn: input.FromArn,
        returnPathArn: input.ReturnPathArn,
        destination: input.Destinations?.length ? { ToAddresses: input.Destinations } : undefined,
        content: { kind: 'raw', data: Buffer.from(input.RawMessage.Data) },
        tags: input.Tags,
        configurationSetName: input.ConfigurationSetName,
      });
      return { MessageId: messageId };
    }),

    SendTemplatedEmail: typedHandler(async (ctx, input: T.SendTemplatedEmailRequest): Promise<T.SendTemplatedEmailResponse> => {
      const { messageId } = await intake({
        ...common(ctx),
        operation: 'SendTemplatedEmail',
        ...sender(input),
        destination: input.Destination,
        content: { kind: 'template', templateName: input.Template, templateArn: input.TemplateArn, templateData: input.TemplateData, headers: [], attachments: [] },
        tags: input.Tags,
        configurationSetName: input.ConfigurationSetName,
      });
      return { MessageId: messageId };
    }),

    SendBulkTemplatedEmail: typedHandler(async (ctx, input: T.SendBulkTemplatedEmailRequest): Promise<T.SendBulkTemplatedEmailResponse> => {
      checkBulkEntryCount(input.Destinations.length, 'Destinations');
      const defaults = parseRenderingData(input.DefaultTemplateData);
      const entries = input.Destinations.map((destination) => ({
        ...common(ctx),
        operation: 'SendBulkTemplatedEmail',
        ...sender(input),
        destination: destination.Destination,
        content: { kind: 'template' as const, templateName: input.Template, templateArn: input.TemplateArn, templateData: entryTemplateData(defaults, destination.ReplacementTemplateData), headers: [], attachments: [] },
        tags: destination.ReplacementTags ?? input.DefaultTags,
        configurationSetName: input.ConfigurationSetName,
      }));
      const results = await intake.bulk(
        {
          scope: { accountId: ctx.accountId, region: ctx.region },
          from: input.Source,
          sourceArn: input.SourceArn,
          returnPath: input.ReturnPath,
          returnPathArn: input.ReturnPathArn,
          configurationSetName: input.ConfigurationSetName,
          templateName: input.Template,
        },
        entries,
      );
      return { Status: results.map((r) => ('error' in r ? { Status: bulkFailureStatus(r.error), Error: r.error.message } : { Status: 'Success', MessageId: r.messageId })) };
    }),
  };
}
