// The SES v1 (Query API) actions sesd implements. An action missing here answers "not supported"
// in the v1 error shape; receipt rules (inbound mail) are among them.
import type { ConfigurationSetsService } from '../../domain/configuration-sets/configuration-sets-service.js';
import type { IdentitiesService } from '../../domain/identities/identities-service.js';
import type { Intake } from '../../intake/accept.js';
import type { Store } from '../../store/store.js';
import type { TopicPublisher } from '../../sns/topic-publisher.js';
import type { HandlerTable } from '../context.js';
import { accountHandlers } from './account.js';
import { configurationSetHandlers } from './configuration-sets.js';
import { customVerificationHandlers } from './custom-verification.js';
import { identityHandlers } from './identities.js';
import { sendingHandlers } from './sending.js';
import { templateHandlers } from './templates.js';

export interface SesDeps {
  intake: Intake;
  identities: IdentitiesService;
  store: Store;
  configurationSets: ConfigurationSetsService;
  /** sesd's SNS service: identity notification topics must exist in it. */
  topics?: Pick<TopicPublisher, 'topicExists'>;
}

export function sesHandlers(deps: SesDeps): HandlerTable {
  return {
    ...sendingHandlers(deps.intake),
    ...identityHandlers({ identities: deps.identities, repository: deps.store.identities, topics: deps.topics }),
    ...accountHandlers({ accountSettings: deps.store.accountSettings, statistics: deps.store.sendStatistics }),
    ...templateHandlers(deps.store, deps.identities),
    ...customVerificationHandlers(deps),
    ...configurationSetHandlers(deps.configurationSets),
  };
}
