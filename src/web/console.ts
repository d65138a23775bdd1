// Puts the console together on the HTTP server: its auth, the change feed, the pages and assets,
// and the JSON API. Returns what app.ts closes on shutdown.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ConfigurationSetsService } from '../domain/configuration-sets/configuration-sets-service.js';
import type { IdentitiesService } from '../domain/identities/identities-service.js';
import type { Scope } from '../domain/identities/identity.js';
import type { Store } from '../store/store.js';
import { ChangeFeed } from './api/change-feed.js';
import type { RecordLookup } from './api/identity-records.js';
import { registerMessagesApi } from './api/messages-api.js';
import { registerResourcesApi } from './api/resources-api.js';
import { registerStream } from './api/stream.js';
import { ConsoleAuth, type ListenerAccess } from './console-auth.js';
import { registerConsoleRoutes } from './console-routes.js';

export interface ConsoleDeps {
  store: Store;
  identities: IdentitiesService;
  dns: RecordLookup;
  access: ListenerAccess;
  /** Session cookies only over https (SESD_PUBLIC_URL is https). */
  secureCookies: boolean;
  cnameDomain: string;
  mailHost: string;
  defaultScope: Scope;
  deliveryMode: string;
  log: Logger;
  assetsDir?: string;
}

const SESSION_SECRET = 'console_session_secret';

export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): { close(): Promise<void> } {
  const queries = deps.store.console;
  let secret: Promise<string> | undefined;
  const auth = new ConsoleAuth({
    ...deps.access,
    secureCookies: deps.secureCookies,
    secret: () =>
      (secret ??= queries.secret(SESSION_SECRET).catch((err: unknown) => {
        secret = undefined;
        throw err;
      })),
    sessions: queries,
  });
  const feed = new ChangeFeed({ queries, onError: (err) => deps.log.warn({ err }, 'console change feed poll failed') });
  registerConsoleRoutes(app, { auth, assetsDir: deps.assetsDir });
  registerMessagesApi(app, { auth, queries, messages: deps.store.messages, publications: deps.store.eventDispatch, sns: deps.store.sns, feed, deleteAllowed: deps.deliveryMode === 'capture' });
  registerResourcesApi(app, {
    auth,
    queries,
    identities: deps.identities,
    suppression: deps.store.suppression,
    configurationSets: new ConfigurationSetsService({ sets: deps.store.configurationSets, tags: deps.store.tags }),
    dns: deps.dns,
    cnameDomain: deps.cnameDomain,
    mailHost: deps.mailHost,
    defaultScope: deps.defaultScope,
    deliveryMode: deps.deliveryMode,
  });
  registerStream(app, { auth, feed });
  return { close: () => feed.close() };
}
