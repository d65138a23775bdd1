// SendCustomVerificationEmail, for SES v2 and (through the same function) SES v1: the address becomes
// an email identity and receives the customer's custom verification template, with the link that
// verifies it, from the template's FromEmailAddress.
//
// The message is the customer's mail, not sesd's: it comes from the customer's verified address, so
// it goes through intake like any message (not as `system` mail). The sending policy applies
// (sending switches, the configuration set, quotas, suppression) and it counts in the account's
// statistics and events, as SES counts it. The rules of this action are checked first, with SES's
// answers: the address is one (before anything else, as SES), the template exists, the account is
// out of the sandbox (the address being verified could not receive mail otherwise), the
// configuration set exists, and the sender is verified (IdentitiesService, which also creates the
// identity or restarts its verification).
import { DEFAULT_ACCOUNT_SETTINGS } from '../../domain/account/account-settings.js';
import { configurationSetNotFound } from '../../domain/configuration-sets/configuration-set.js';
import { checkAddressToVerify, parseAddress } from '../../domain/addresses.js';
import { AwsError } from '../../domain/errors.js';
import type { IdentitiesService } from '../../domain/identities/identities-service.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import { customVerificationTemplateNotFound } from '../../domain/templates/custom-verification-template.js';
import type { Intake } from '../../intake/accept.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import type { Store } from '../../store/store.js';
import { typedHandler, type HandlerTable, type RequestContext, sendOrigin } from '../context.js';

export interface CustomVerificationEmailDeps {
  intake: Intake;
  identities: IdentitiesService;
  store: Pick<Store, 'customVerificationTemplates' | 'accountSettings' | 'configurationSets'>;
}

/** What differs between the two APIs' SendCustomVerificationEmail. */
export interface CustomVerificationEmailApi {
  sourceApi: string;
  maxMessageBytes: number;
  /** Each API words a missing template its own way. */
  templateNotFound: (name: string) => AwsError;
}

/** What both APIs send: SES v1's and v2's requests have the same members. */
export interface CustomVerificationEmailRequest {
  EmailAddress: string;
  TemplateName: string;
  ConfigurationSetName?: string;
}

const productionAccessNotGranted = (): AwsError =>
  new AwsError(
    'BadRequestException',
    'Custom verification emails can only be sent by accounts with production access (out of the sandbox).',
    400,
    true,
    'ProductionAccessNotGranted',
  );

/** Sends the custom verification message of one request and answers its MessageId. */
export function customVerificationEmailSender(
  deps: CustomVerificationEmailDeps,
  api: CustomVerificationEmailApi,
): (ctx: RequestContext, input: CustomVerificationEmailRequest) => Promise<string> {
  return async (ctx, input) => {
    const scope = { accountId: ctx.accountId, region: ctx.region };
    checkAddressToVerify(input.EmailAddress);
    const template = await deps.store.customVerificationTemplates.get(scope, input.TemplateName);
    if (!template) throw api.templateNotFound(input.TemplateName);
    if (!((await deps.store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS).productionAccess) throw productionAccessNotGranted();
    const set = input.ConfigurationSetName;
    if (set !== undefined && !(await deps.store.configurationSets.get(scope, set))) throw configurationSetNotFound(set);
    return deps.identities.sendCustomVerificationEmail(scope, { address: input.EmailAddress, from: template.fromEmailAddress }, async (link) => {
      const { messageId } = await deps.intake({
        ...sendOrigin(ctx, api.sourceApi),
        from: template.fromEmailAddress,
        destination: { ToAddresses: [input.EmailAddress] },
        content: { kind: 'simple', subject: template.subject, html: withVerificationFooter(template.content, link, parseAddress(template.fromEmailAddress).address), headers: [], attachments: [] },
        configurationSetName: set,
        // "Custom verification emails don't support open and click tracking" (the Developer Guide's
        // custom verification FAQ, Q8): a tracked link would stand between the address and its verification.
        untracked: true,
        maxMessageBytes: api.maxMessageBytes,
      });
      return messageId;
    });
  };
}

export function customVerificationEmailHandlers(deps: CustomVerificationEmailDeps): HandlerTable {
  // v2 words a missing template as its CRUD operations do, as a 404 (floci-io/floci#2191, verified
  // against real AWS).
  const send = customVerificationEmailSender(deps, { sourceApi: 'sesv2', maxMessageBytes: MAX_MESSAGE_BYTES_V2, templateNotFound: customVerificationTemplateNotFound });
  return {
    SendCustomVerificationEmail: typedHandler(
      async (ctx, input: T.SendCustomVerificationEmailRequest): Promise<T.SendCustomVerificationEmailResponse> => ({ MessageId: await send(ctx, input) }),
    ),
  };
}

/**
 * The template's HTML followed by what SES adds to every custom verification email (AWS SES Developer
 * Guide, "Using custom verification email templates", FAQ Q2 and Q10): the verification link, then a
 * disclaimer the customer cannot remove. Both go at the end of `<body>` when there is one.
 *
 * SES's disclaimer links "email address" to the SES team's inbox (aws-email-domain-verification@
 * amazon.com); sesd is not SES, so the link names the sender who asked for the verification instead.
 */
function withVerificationFooter(html: string, link: string, sender: string): string {
  const href = escapeAttribute(link);
  const footer = [
    `<p><a href="${href}">${href}</a></p>`,
    '<p>If you did not request to verify this email address, please disregard this message. If you have any concerns, please forward this message to the ' +
      `following <a href="mailto:${escapeAttribute(sender)}">email address</a> along with your questions or comments.</p>`,
  ].join('\n');
  const bodyEnd = html.search(/<\/body\s*>/i);
  return bodyEnd < 0 ? `${html}\n${footer}\n` : `${html.slice(0, bodyEnd)}${footer}\n${html.slice(bodyEnd)}`;
}

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
