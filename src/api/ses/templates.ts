// SES v1 email template actions. They are the SES v2 template operations in v1 shapes (Template
// {TemplateName, SubjectPart, TextPart, HtmlPart}, TemplateMetadata {Name}): the v1 action maps its
// input onto the v2 handler and the answer back, so both APIs share every rule, limit and error
// (the domain errors carry the v1 codes: TemplateDoesNotExist, AlreadyExists, InvalidTemplate,
// MissingRenderingAttribute, InvalidRenderingParameter).
import type * as T from '../../protocol/models/types/ses.js';
import type * as V2 from '../../protocol/models/types/sesv2.js';
import { templateHandlers as v2TemplateHandlers } from '../sesv2/templates.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';

/** The SES v2 handler of `operation` in `table`, typed by the v2 model. */
export function v2Operation<Op extends keyof V2.Operations>(
  table: HandlerTable,
  operation: Op,
): (ctx: RequestContext, input: V2.Operations[Op]['input']) => Promise<V2.Operations[Op]['output']> {
  const handler = table[operation];
  if (!handler) throw new Error(`sesd has no SES v2 handler for ${operation}`);
  return (ctx, input) => handler(ctx, input as unknown as Record<string, unknown>) as Promise<V2.Operations[Op]['output']>;
}

const toV2Template = (t: T.Template): V2.UpdateEmailTemplateRequest => ({
  TemplateName: t.TemplateName,
  TemplateContent: { Subject: t.SubjectPart, Text: t.TextPart, Html: t.HtmlPart },
});

export function templateHandlers(...v2Deps: Parameters<typeof v2TemplateHandlers>): HandlerTable {
  const v2 = v2TemplateHandlers(...v2Deps);
  const create = v2Operation(v2, 'CreateEmailTemplate');
  const get = v2Operation(v2, 'GetEmailTemplate');
  const list = v2Operation(v2, 'ListEmailTemplates');
  const update = v2Operation(v2, 'UpdateEmailTemplate');
  return {
    CreateTemplate: typedHandler(async (ctx, input: T.CreateTemplateRequest) => create(ctx, toV2Template(input.Template))),

    GetTemplate: typedHandler(async (ctx, input: T.GetTemplateRequest): Promise<T.GetTemplateResponse> => {
      const { TemplateContent: c } = await get(ctx, { TemplateName: input.TemplateName });
      return { Template: { TemplateName: input.TemplateName, SubjectPart: c.Subject, TextPart: c.Text, HtmlPart: c.Html } };
    }),

    // MaxItems as v2's PageSize: 10 unless given, at most 100.
    ListTemplates: typedHandler(async (ctx, input: T.ListTemplatesRequest): Promise<T.ListTemplatesResponse> => {
      const page = await list(ctx, { NextToken: input.NextToken, PageSize: input.MaxItems });
      return {
        TemplatesMetadata: page.TemplatesMetadata?.map((t) => ({ Name: t.TemplateName, CreatedTimestamp: t.CreatedTimestamp })),
        NextToken: page.NextToken,
      };
    }),

    UpdateTemplate: typedHandler(async (ctx, input: T.UpdateTemplateRequest) => update(ctx, toV2Template(input.Template))),

    // The same input and output members as v2.
    DeleteTemplate: v2.DeleteEmailTemplate!,
    TestRenderTemplate: v2.TestRenderEmailTemplate!,
  };
}
