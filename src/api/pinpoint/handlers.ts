// The Amazon Pinpoint operations sesd implements (the email side). An operation missing here
// answers "not supported".
import { DEFAULT_ACCOUNT_SETTINGS } from '../../domain/account/account-settings.js';
import { PinpointAppsService } from '../../domain/pinpoint/apps-service.js';
import { EmailChannelsService } from '../../domain/pinpoint/email-channels-service.js';
import { EndpointsService } from '../../domain/pinpoint/endpoints-service.js';
import { PinpointTemplatesService } from '../../domain/pinpoint/templates-service.js';
import type { Intake } from '../../intake/accept.js';
import type { Store } from '../../store/store.js';
import type { HandlerTable } from '../context.js';
import { appHandlers } from './apps.js';
import { emailChannelHandlers } from './email-channel.js';
import { endpointHandlers } from './endpoints.js';
import { sendMessagesHandlers } from './send-messages.js';
import { templateHandlers } from './templates.js';

export interface PinpointDeps {
  intake: Intake;
  store: Pick<Store, 'pinpointApps' | 'pinpointEndpoints' | 'pinpointTemplates' | 'accountSettings'>;
}

export function pinpointHandlers(deps: PinpointDeps): HandlerTable {
  const { store } = deps;
  const apps = new PinpointAppsService({ apps: store.pinpointApps });
  const channels = new EmailChannelsService({ apps: store.pinpointApps });
  const templates = new PinpointTemplatesService({ templates: store.pinpointTemplates });
  const endpoints = new EndpointsService({ apps: store.pinpointApps, endpoints: store.pinpointEndpoints });
  const sendRate = async (scope: { accountId: string; region: string }) => {
    const rate = ((await store.accountSettings.get(scope)) ?? DEFAULT_ACCOUNT_SETTINGS).maxSendRate;
    return rate >= 0 ? rate : undefined;
  };
  return {
    ...appHandlers(apps),
    ...emailChannelHandlers(channels, sendRate),
    ...templateHandlers(templates),
    ...endpointHandlers(endpoints),
    ...sendMessagesHandlers({ intake: deps.intake, channels, templates, endpoints }),
  };
}
