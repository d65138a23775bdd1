// SES v1 actions whose message SES composes for the customer: custom verification emails (their
// templates and SendCustomVerificationEmail) and SendBounce. The custom verification actions have
// the v2 members, so they are the v2 handlers (v1 names errors by the codes the domain errors carry:
// CustomVerificationEmailTemplateDoesNotExist, FromEmailAddressNotVerified, ...); only v1's update
// may leave members out, keeping what the template has.
import { AwsError, messageRejected } from '../../domain/errors.js';
import { MAX_MESSAGE_BYTES_V1 } from '../../domain/sending-limits.js';
import type * as T from '../../protocol/models/types/ses.js';
import { customVerificationEmailSender, type CustomVerificationEmailDeps } from '../sesv2/custom-verification-email.js';
import { templateHandlers as v2TemplateHandlers } from '../sesv2/templates.js';
import { typedHandler, type HandlerTable } from '../context.js';
import { v2Operation } from './templates.js';

/**
 * v1's SendCustomVerificationEmail words a missing template more briefly than the template
 * operations do (floci-io/floci#2191, verified against real AWS: CustomVerificationEmailTemplateDoesNotExist,
 * "Template <name> does not exist").
 */
const sendTemplateNotFound = (name: string): AwsError =>
  new AwsError('NotFoundException', `Template <${name}> does not exist`, 404, true, 'CustomVerificationEmailTemplateDoesNotExist');

export function customVerificationHandlers(deps: CustomVerificationEmailDeps & { store: Parameters<typeof v2TemplateHandlers>[0] }): HandlerTable {
  const v2 = v2TemplateHandlers(deps.store, deps.identities);
  const get = v2Operation(v2, 'GetCustomVerificationEmailTemplate');
  const update = v2Operation(v2, 'UpdateCustomVerificationEmailTemplate');
  const list = v2Operation(v2, 'ListCustomVerificationEmailTemplates');
  const send = customVerificationEmailSender(deps, { sourceApi: 'ses', maxMessageBytes: MAX_MESSAGE_BYTES_V1, templateNotFound: sendTemplateNotFound });
  return {
    CreateCustomVerificationEmailTemplate: v2.CreateCustomVerificationEmailTemplate!,
    GetCustomVerificationEmailTemplate: v2.GetCustomVerificationEmailTemplate!,
    UpdateCustomVerificationEmailTemplate: typedHandler(async (ctx, input: T.UpdateCustomVerificationEmailTemplateRequest) => {
      const current = await get(ctx, { TemplateName: input.TemplateName });
      return update(ctx, {
        TemplateName: input.TemplateName,
        FromEmailAddress: input.FromEmailAddress ?? current.FromEmailAddress!,
        TemplateSubject: input.TemplateSubject ?? current.TemplateSubject!,
        TemplateContent: input.TemplateContent ?? current.TemplateContent!,
        SuccessRedirectionURL: input.SuccessRedirectionURL ?? current.SuccessRedirectionURL!,
        FailureRedirectionURL: input.FailureRedirectionURL ?? current.FailureRedirectionURL!,
      });
    }),
    DeleteCustomVerificationEmailTemplate: v2.DeleteCustomVerificationEmailTemplate!,
    // MaxResults is v2's PageSize (1–50, 50 unless given).
    ListCustomVerificationEmailTemplates: typedHandler(async (ctx, input: T.ListCustomVerificationEmailTemplatesRequest) =>
      list(ctx, { NextToken: input.NextToken, PageSize: input.MaxResults }),
    ),

    SendCustomVerificationEmail: typedHandler(
      async (ctx, input: T.SendCustomVerificationEmailRequest): Promise<T.SendCustomVerificationEmailResponse> => ({ MessageId: await send(ctx, input) }),
    ),

    // SendBounce answers mail SES received (receipt rules). sesd receives none, so no
    // OriginalMessageId is one it could bounce: SES's answer for a message it does not have.
    SendBounce: typedHandler(async (_ctx, input: T.SendBounceRequest) => {
      throw messageRejected(
        `Could not find the original message ${input.OriginalMessageId} to bounce: sesd receives no mail (no receipt rules), so SendBounce has no message to answer.`,
      );
    }),
  };
}
