// SendCustomVerificationEmail, for SES v2 and (through the same function) SES v1: the address becomes
// an email identity and receives the customer's custom verification template, with the link that
// verifies it, from the template's FromEmailAddress.
//
// The message is the customer's mail, not sesd's: it comes from the customer's verified address, so
// it goes through intake like any message (not as `system` mail). The sending policy applies
// (sending switches, the configuration set, quotas, suppression) and it counts in the account's
// statistics and events, as SES counts it. The rules of this action are checked first, with SES's
// answers: the template exists, the account is out of the sandbox (the address being verified could
// not receive mail otherwise), the configuration set exists, and the sender is verified
// (IdentitiesService, which also creates the identity or restarts its verification).
import { DEFAULT_ACCOUNT_SETTINGS } from '../../domain/account/account-settings.js';
import { configurationSetNotFound } from '../../domain/configuration-sets/configuration-set.js';
import { AwsError } from '../../domain/errors.js';
import type { IdentitiesService } from '../../domain/identities/identities-service.js';
import { MAX_MESSAGE_BYTES_V2 } from '../../domain/sending-limits.js';
import { CustomVerificationTemplatesService } from '../../domain/templates/custom-verification-templates-service.js';
import type { Intake } from '../../intake/accept.js';
import type * as T from '../../protocol/models/types/sesv2.js';
import type { Store } from '../../store/store.js';
import { typedHandler, type HandlerTable, type RequestContext, sendOrigin } from '../context.js';

export interface CustomVerificationEmailDeps {
  intake: Intake;
  identities: IdentitiesService;
  store: Pick<Store, 'customVerificationTemplates' | 'tags' | 'accountSettings' | 'configurationSets'>;
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
  api: { sourceApi: string; maxMessageBytes: number },
): (ctx: RequestContext, input: CustomVerificationEmailRequest) => Promise<string> {
  const templates = new CustomVerificationTemplatesService({ templates: deps.store.customVerificationTemplates, tags: deps.store.tags });
  return async (ctx, input) => {
    const scope = { accountId: ctx.accountId, region: ctx.region };
    const template = await templates.get(scope, input.TemplateName);
    if (!((await deps.store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS).productionAccess) throw productionAccessNotGranted();
    const set = input.ConfigurationSetName;
    if (set !== undefined && !(await deps.store.configurationSets.get(scope, set))) throw configurationSetNotFound(set);
    return deps.identities.sendCustomVerificationEmail(scope, { address: input.EmailAddress, from: template.fromEmailAddress }, async (link) => {
      const { messageId } = await deps.intake({
        ...sendOrigin(ctx, api.sourceApi),
        from: template.fromEmailAddress,
        destination: { ToAddresses: [input.EmailAddress] },
        content: { kind: 'simple', subject: template.subject, html: withVerificationLink(template.content, link), headers: [], attachments: [] },
        configurationSetName: set,
        maxMessageBytes: api.maxMessageBytes,
      });
      return messageId;
    });
  };
}

export function customVerificationEmailHandlers(deps: CustomVerificationEmailDeps): HandlerTable {
  const send = customVerificationEmailSender(deps, { sourceApi: 'sesv2', maxMessageBytes: MAX_MESSAGE_BYTES_V2 });
  return {
    SendCustomVerificationEmail: typedHandler(
      async (ctx, input: T.SendCustomVerificationEmailRequest): Promise<T.SendCustomVerificationEmailResponse> => ({ MessageId: await send(ctx, input) }),
    ),
  };
}

/** The template's HTML with the verification link added at its end (inside `<body>` when it has one). */
function withVerificationLink(html: string, link: string): string {
  const href = link.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  const paragraph = `<p><a href="${href}">${href}</a></p>`;
  const bodyEnd = html.search(/<\/body\s*>/i);
  return bodyEnd < 0 ? `${html}\n${paragraph}\n` : `${html.slice(0, bodyEnd)}${paragraph}\n${html.slice(bodyEnd)}`;
}
