// SES v2 email template and custom verification email template operations: wire shapes ↔
// TemplatesService and CustomVerificationTemplatesService.
import type { IdentitiesService } from '../../domain/identities/identities-service.js';
import { CustomVerificationTemplatesService } from '../../domain/templates/custom-verification-templates-service.js';
import type { TemplateContent } from '../../domain/templates/render.js';
import { TemplatesService } from '../../domain/templates/templates-service.js';
import type { Store } from '../../store/store.js';
import type { TemplateCursor } from '../../store/templates-repository.js';
import { AwsError } from '../../domain/errors.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import { typedHandler, type HandlerTable, type RequestContext } from '../context.js';
import { decodeNextToken, encodeNextToken, pageSize } from './paging.js';

const scopeOf = (ctx: RequestContext) => ({ accountId: ctx.accountId, region: ctx.region });

const toContent = (c: T.EmailTemplateContent): TemplateContent => ({ subject: c.Subject, text: c.Text, html: c.Html });

// A templates page resumes after (created, name): they are listed newest first.
const templateToken = (c: TemplateCursor): string => encodeNextToken(`${c.createdAt}:${c.name}`);

function templateCursor(token: string | undefined): TemplateCursor | undefined {
  const position = decodeNextToken<string>(token, 'string');
  if (position === undefined) return undefined;
  const colon = position.indexOf(':');
  const createdAt = Number(position.slice(0, colon));
  if (colon < 0 || !Number.isSafeInteger(createdAt)) throw new AwsError('BadRequestException', 'Invalid NextToken.', 400, true, 'InvalidNextToken');
  return { createdAt, name: position.slice(colon + 1) };
}

export function templateHandlers(store: Pick<Store, 'templates' | 'customVerificationTemplates' | 'tags'>, identities: Pick<IdentitiesService, 'isVerifiedSender'>): HandlerTable {
  const templates = new TemplatesService({ templates: store.templates, tags: store.tags });
  const cvTemplates = new CustomVerificationTemplatesService({
    templates: store.customVerificationTemplates,
    tags: store.tags,
    isVerifiedSender: (scope, address) => identities.isVerifiedSender(scope, address),
  });
  return {
    CreateEmailTemplate: typedHandler(async (ctx, input: T.CreateEmailTemplateRequest) => {
      await templates.create(scopeOf(ctx), input.TemplateName, toContent(input.TemplateContent), input.Tags);
      return {};
    }),

    GetEmailTemplate: typedHandler(async (ctx, input: T.GetEmailTemplateRequest): Promise<T.GetEmailTemplateResponse> => {
      const t = await templates.get(scopeOf(ctx), input.TemplateName);
      return { TemplateName: t.name, TemplateContent: { Subject: t.content.subject, Text: t.content.text, Html: t.content.html }, Tags: t.tags };
    }),

    ListEmailTemplates: typedHandler(async (ctx, input: T.ListEmailTemplatesRequest): Promise<T.ListEmailTemplatesResponse> => {
      const limit = pageSize(input.PageSize, 10, 100);
      const page = await templates.list(scopeOf(ctx), { after: templateCursor(input.NextToken), limit: limit + 1 });
      const shown = page.slice(0, limit);
      return {
        TemplatesMetadata: shown.map((t) => ({ TemplateName: t.name, CreatedTimestamp: new Date(t.createdAt) })),
        NextToken: page.length > limit ? templateToken(shown.at(-1)!) : undefined,
      };
    }),

    UpdateEmailTemplate: typedHandler(async (ctx, input: T.UpdateEmailTemplateRequest) => {
      await templates.update(scopeOf(ctx), input.TemplateName, toContent(input.TemplateContent));
      return {};
    }),

    DeleteEmailTemplate: typedHandler(async (ctx, input: T.DeleteEmailTemplateRequest) => {
      await templates.delete(scopeOf(ctx), input.TemplateName);
      return {};
    }),

    TestRenderEmailTemplate: typedHandler(async (ctx, input: T.TestRenderEmailTemplateRequest): Promise<T.TestRenderEmailTemplateResponse> => ({
      RenderedTemplate: await templates.testRender(scopeOf(ctx), input.TemplateName, input.TemplateData),
    })),

    CreateCustomVerificationEmailTemplate: typedHandler(async (ctx, input: T.CreateCustomVerificationEmailTemplateRequest) => {
      await cvTemplates.create(scopeOf(ctx), toCustomVerification(input), input.Tags);
      return {};
    }),

    GetCustomVerificationEmailTemplate: typedHandler(
      async (ctx, input: T.GetCustomVerificationEmailTemplateRequest): Promise<T.GetCustomVerificationEmailTemplateResponse> => {
        const t = await cvTemplates.get(scopeOf(ctx), input.TemplateName);
        return { ...customVerificationMetadata(t), TemplateContent: t.content, Tags: t.tags };
      },
    ),

    ListCustomVerificationEmailTemplates: typedHandler(
      async (ctx, input: T.ListCustomVerificationEmailTemplatesRequest): Promise<T.ListCustomVerificationEmailTemplatesResponse> => {
        const limit = pageSize(input.PageSize, 50, 50);
        const page = await cvTemplates.list(scopeOf(ctx), { after: decodeNextToken<string>(input.NextToken, 'string'), limit: limit + 1 });
        const shown = page.slice(0, limit);
        return {
          CustomVerificationEmailTemplates: shown.map(customVerificationMetadata),
          NextToken: page.length > limit ? encodeNextToken(shown.at(-1)!.name) : undefined,
        };
      },
    ),

    UpdateCustomVerificationEmailTemplate: typedHandler(async (ctx, input: T.UpdateCustomVerificationEmailTemplateRequest) => {
      await cvTemplates.update(scopeOf(ctx), toCustomVerification(input));
      return {};
    }),

    DeleteCustomVerificationEmailTemplate: typedHandler(async (ctx, input: T.DeleteCustomVerificationEmailTemplateRequest) => {
      await cvTemplates.delete(scopeOf(ctx), input.TemplateName);
      return {};
    }),
  };
}

function toCustomVerification(input: T.UpdateCustomVerificationEmailTemplateRequest) {
  return {
    name: input.TemplateName,
    fromEmailAddress: input.FromEmailAddress,
    subject: input.TemplateSubject,
    content: input.TemplateContent,
    successRedirectionUrl: input.SuccessRedirectionURL,
    failureRedirectionUrl: input.FailureRedirectionURL,
  };
}

function customVerificationMetadata(t: {
  name: string;
  fromEmailAddress: string;
  subject: string;
  successRedirectionUrl: string;
  failureRedirectionUrl: string;
}): T.CustomVerificationEmailTemplateMetadata {
  return {
    TemplateName: t.name,
    FromEmailAddress: t.fromEmailAddress,
    TemplateSubject: t.subject,
    SuccessRedirectionURL: t.successRedirectionUrl,
    FailureRedirectionURL: t.failureRedirectionUrl,
  };
}
