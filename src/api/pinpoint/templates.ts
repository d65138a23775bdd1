// Pinpoint email template operations: CreateEmailTemplate, GetEmailTemplate, UpdateEmailTemplate,
// DeleteEmailTemplate, ListTemplates, ListTemplateVersions and UpdateTemplateActiveVersion.
import { pinpointDate } from '../../domain/pinpoint/app.js';
import { pinpointTemplateArn, type EmailTemplateContent, type MessageHeader } from '../../domain/pinpoint/template.js';
import type { PinpointTemplatesService, TemplateWithVersion } from '../../domain/pinpoint/templates-service.js';
import type * as T from '../../protocol/models/types/pinpoint.js';
import { typedHandler, type HandlerTable } from '../context.js';
import { scopeOf } from './apps.js';
import { decodeNextToken, encodeNextToken, pinpointPageSize } from './paging.js';

export function templateHandlers(templates: PinpointTemplatesService): HandlerTable {
  return {
    CreateEmailTemplate: typedHandler(async (ctx, input: T.CreateEmailTemplateRequest): Promise<T.CreateEmailTemplateResponse> => {
      const req = input.EmailTemplateRequest;
      const arn = await templates.create(scopeOf(ctx), input.TemplateName, toContent(req), req.tags);
      return { CreateTemplateMessageBody: { Arn: arn, Message: 'Created', RequestID: ctx.requestId } };
    }),

    GetEmailTemplate: typedHandler(async (ctx, input: T.GetEmailTemplateRequest): Promise<T.GetEmailTemplateResponse> => {
      const found = await templates.get(scopeOf(ctx), input.TemplateName, input.Version);
      const c = found.version.content;
      return {
        EmailTemplateResponse: {
          ...templateSummary(found),
          Subject: c.subject,
          HtmlPart: c.html,
          TextPart: c.text,
          Headers: c.headers.length ? c.headers.map(toHeader) : undefined,
          RecommenderId: c.recommenderId,
          TemplateType: 'EMAIL',
        },
      };
    }),

    UpdateEmailTemplate: typedHandler(async (ctx, input: T.UpdateEmailTemplateRequest): Promise<T.UpdateEmailTemplateResponse> => {
      await templates.update(scopeOf(ctx), input.TemplateName, toContent(input.EmailTemplateRequest), {
        createNewVersion: input.CreateNewVersion,
        version: input.Version,
      });
      return { MessageBody: { Message: 'Accepted', RequestID: ctx.requestId } };
    }),

    DeleteEmailTemplate: typedHandler(async (ctx, input: T.DeleteEmailTemplateRequest): Promise<T.DeleteEmailTemplateResponse> => {
      await templates.delete(scopeOf(ctx), input.TemplateName, input.Version);
      return { MessageBody: { Message: 'Accepted', RequestID: ctx.requestId } };
    }),

    ListTemplates: typedHandler(async (ctx, input: T.ListTemplatesRequest): Promise<T.ListTemplatesResponse> => {
      // sesd keeps email templates only: asking for another type finds none.
      if (input.TemplateType !== undefined && input.TemplateType.toUpperCase() !== 'EMAIL') return { TemplatesResponse: { Item: [] } };
      const limit = pinpointPageSize(input.PageSize, 20, 1000);
      const page = await templates.list(scopeOf(ctx), {
        prefix: input.Prefix,
        after: decodeNextToken<string>(input.NextToken, 'string'),
        limit: limit + 1,
      });
      const shown = page.slice(0, limit);
      return {
        TemplatesResponse: {
          Item: shown.map((t) => ({ ...templateSummary(t), TemplateType: 'EMAIL' })),
          NextToken: page.length > limit ? encodeNextToken(shown.at(-1)!.template.name) : undefined,
        },
      };
    }),

    ListTemplateVersions: typedHandler(async (ctx, input: T.ListTemplateVersionsRequest): Promise<T.ListTemplateVersionsResponse> => {
      const limit = pinpointPageSize(input.PageSize, 20, 1000);
      const { template, versions } = await templates.versions(scopeOf(ctx), input.TemplateName, input.TemplateType, {
        after: decodeNextToken<number>(input.NextToken, 'number'),
        limit: limit + 1,
      });
      const shown = versions.slice(0, limit);
      return {
        TemplateVersionsResponse: {
          Item: shown.map((v) => ({
            CreationDate: pinpointDate(v.createdAt),
            LastModifiedDate: pinpointDate(v.updatedAt),
            DefaultSubstitutions: v.content.defaultSubstitutions,
            TemplateDescription: v.content.description,
            TemplateName: template.name,
            TemplateType: template.type,
            Version: String(v.version),
          })),
          NextToken: versions.length > limit ? encodeNextToken(shown.at(-1)!.version) : undefined,
        },
      };
    }),

    UpdateTemplateActiveVersion: typedHandler(async (ctx, input: T.UpdateTemplateActiveVersionRequest): Promise<T.UpdateTemplateActiveVersionResponse> => {
      await templates.setActiveVersion(scopeOf(ctx), input.TemplateName, input.TemplateType, input.TemplateActiveVersionRequest.Version);
      return { MessageBody: { Message: 'Accepted', RequestID: ctx.requestId } };
    }),
  };
}

function toContent(req: T.EmailTemplateRequest): EmailTemplateContent {
  return {
    subject: req.Subject,
    html: req.HtmlPart,
    text: req.TextPart,
    headers: toMessageHeaders(req.Headers),
    defaultSubstitutions: req.DefaultSubstitutions,
    description: req.TemplateDescription,
    recommenderId: req.RecommenderId,
  };
}

export const toMessageHeaders = (headers: T.Header[] | undefined): MessageHeader[] => (headers ?? []).map((h) => ({ name: h.Name ?? '', value: h.Value ?? '' }));

const toHeader = (h: MessageHeader): T.Header => ({ Name: h.name, Value: h.value });

/** What GetEmailTemplate and ListTemplates share: the template with its (active or asked-for) version. */
function templateSummary({ template, version }: TemplateWithVersion) {
  return {
    Arn: pinpointTemplateArn(template, template.name, template.type),
    CreationDate: pinpointDate(template.createdAt),
    LastModifiedDate: pinpointDate(version.updatedAt),
    DefaultSubstitutions: version.content.defaultSubstitutions,
    TemplateDescription: version.content.description,
    TemplateName: template.name,
    tags: template.tags,
    Version: String(version.version),
  };
}
