// The SES v2 operations sesd implements. An operation missing here answers "not supported".
import type { ConfigurationSetsService } from '../../domain/configuration-sets/configuration-sets-service.js';
import type { IdentitiesService } from '../../domain/identities/identities-service.js';
import type { Intake } from '../../intake/accept.js';
import type { Store } from '../../store/store.js';
import { typedHandler, type HandlerTable } from '../context.js';
import { accountHandlers } from './account.js';
import { identityHandlers } from './identities.js';
import { messageInsightsHandlers } from './message-insights.js';
import { sendEmailHandler } from './send-email.js';
import { sendBulkEmailHandler } from './send-bulk-email.js';
import { suppressionHandlers } from './suppression.js';
import { templateHandlers } from './templates.js';
import { configurationSetHandlers } from './configuration-sets.js';
import { contactListHandlers } from './contact-lists.js';
import { customVerificationEmailHandlers } from './custom-verification-email.js';
import { tagHandlers } from './tags.js';
import { refusingUnsupportedMembers } from './unsupported-members.js';

export interface Sesv2Deps {
  intake: Intake;
  identities: IdentitiesService;
  store: Store;
  configurationSets: ConfigurationSetsService;
}

export function sesv2Handlers(deps: Sesv2Deps): HandlerTable {
  return refusingUnsupportedMembers({
    SendEmail: typedHandler(sendEmailHandler(deps.intake)),
    SendBulkEmail: typedHandler(sendBulkEmailHandler(deps.intake)),
    ...identityHandlers({ identities: deps.identities, identitiesRepository: deps.store.identities, tags: deps.store.tags, configurationSets: deps.store.configurationSets }),
    ...suppressionHandlers({ suppression: deps.store.suppression }),
    ...accountHandlers({ accountSettings: deps.store.accountSettings }),
    ...messageInsightsHandlers({ messages: deps.store.messages }),
    ...templateHandlers(deps.store, deps.identities),
    ...configurationSetHandlers(deps.configurationSets),
    ...contactListHandlers(deps.store),
    ...customVerificationEmailHandlers(deps),
    ...tagHandlers(deps.store),
  });
}
