// SES v1 sending actions: SendEmail, SendRawEmail (with the X-SES-* headers), SendTemplatedEmail
// and SendBulkTemplatedEmail, all through the same intake as SES v2.
import { AwsError } from '../../domain/errors.js';
import { MAX_MESSAGE_BYTES_V1 } from '../../domain/sending-limits.js';
import type { Intake } from '../../intake/accept.js';
import { parseRenderingData } from '../../domain/templates/templates-service.js';
import { bulkFailureStatus, entryTemplateData } from '../../domain/bulk-sending.js';
import type * as T from '../../protocol/models/types/ses.js';
import { takeSesHeaders } from '../../mime/ses-headers.js';
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
      const { raw, options } = takeSesHeaders(Buffer.from(input.RawMessage.Data));
      const { messageId } = await intake({
        ...common(ctx),
        from: input.Source,
        // API parameters win over the X-SES-*-ARN headers, as for tags and the configuration set.
        sourceArn: input.SourceArn ?? options.sourceArn,
        fromArn: input.FromArn ?? options.fromArn,
        returnPathArn: input.ReturnPathArn ?? options.returnPathArn,
        destination: input.Destinations?.length ? { ToAddresses: input.Destinations } : undefined,
        content: { kind: 'raw', data: raw },
        // API tags win over header tags; SES does not merge them.
        tags: input.Tags?.length ? input.Tags : options.tags,
        configurationSetName: input.ConfigurationSetName ?? options.configurationSetName,
        listManagement: options.listManagement,
      });
      return { MessageId: messageId };
    }),

    SendTemplatedEmail: typedHandler(async (ctx, input: T.SendTemplatedEmailRequest): Promise<T.SendTemplatedEmailResponse> => {
      const { messageId } = await intake({
        ...common(ctx),
        ...sender(input),
        destination: input.Destination,
        content: { kind: 'template', templateName: input.Template, templateArn: input.TemplateArn, templateData: input.TemplateData, headers: [] },
        tags: input.Tags,
        configurationSetName: input.ConfigurationSetName,
      });
      return { MessageId: messageId };
    }),

    SendBulkTemplatedEmail: typedHandler(async (ctx, input: T.SendBulkTemplatedEmailRequest): Promise<T.SendBulkTemplatedEmailResponse> => {
      const defaults = parseRenderingData(input.DefaultTemplateData);
      const statuses: T.BulkEmailDestinationStatus[] = [];
      for (const destination of input.Destinations) {
        try {
          const { messageId } = await intake({
            ...common(ctx),
            ...sender(input),
            destination: destination.Destination,
            content: { kind: 'template', templateName: input.Template, templateArn: input.TemplateArn, templateData: entryTemplateData(defaults, destination.ReplacementTemplateData), headers: [] },
            tags: destination.ReplacementTags ?? input.DefaultTags,
            configurationSetName: input.ConfigurationSetName,
          });
          statuses.push({ Status: 'Success', MessageId: messageId });
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          statuses.push({ Status: bulkFailureStatus(err), Error: err.message });
        }
      }
      return { Status: statuses };
    }),
  };
}
