// Composition root: config → store → services → listeners. No logic of its own.
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { sesv2Handlers } from './api/sesv2/handlers.js';
import { createHttpServer } from './api/http-listener.js';
import { cachedKeyLookup } from './api/key-lookup.js';
import { createRouter } from './api/router.js';
import type { Config } from './config/load-config.js';
import { createIntake } from './intake/accept.js';
import { openStore, type Store } from './store/store.js';
import { registerInspectionRoutes } from './web/inspection-routes.js';
import { provisionAccessKeys, type ProvisionedKeys } from './domain/provision-access-keys.js';
import { IdentitiesService } from './domain/identities/identities-service.js';
import { verificationEmail } from './domain/identities/verification-email.js';
import { SendingPolicy } from './domain/sending-policy.js';
import { createResolver } from './dns/resolver.js';
import { PeriodicTask } from './periodic-task.js';
import { registerVerifyRoutes, VERIFY_EMAIL_PATH } from './web/verify-routes.js';

export interface RunningApp {
  httpUrl: string;
  identities: IdentitiesService;
  store: Store;
  keys: ProvisionedKeys;
  close(): Promise<void>;
}

export async function startApp(config: Config, log: Logger = pino({ level: config.logLevel }, pino.destination(2))): Promise<RunningApp> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  let http: FastifyInstance | undefined;
  try {
    const keys = await provisionAccessKeys(store.accounts, { list: config.accessKeys, dataDir: config.dataDir });
    const autoVerify = config.identities.autoVerify === 'auto' ? config.delivery.mode === 'capture' : config.identities.autoVerify === 'true';
    const policy = new SendingPolicy({
      identities: store.identities,
      accountSettings: store.accountSettings,
      suppression: store.suppression,
      autoVerify,
    });
    const intake = createIntake({ messages: store.messages, policy, hostname: config.hostname });
    let baseUrl = '';
    const identities = new IdentitiesService({
      identities: store.identities,
      dns: createResolver(config.dns.servers),
      cnameDomain: config.dkim.cnameDomain,
      autoVerify,
      sendVerificationEmail: async (identity) => {
        const link = `${baseUrl}${VERIFY_EMAIL_PATH}?token=${encodeURIComponent(identity.verificationToken)}`;
        await intake(verificationEmail(identity, { link, hostname: config.hostname }));
      },
    });
    const router = createRouter({
      handlers: { sesv2: sesv2Handlers({ intake, identities, store }) },
      lookupKey: cachedKeyLookup(store.accounts),
      defaultRegion: config.region,
      log,
    });
    http = createHttpServer(router);
    registerInspectionRoutes(http, {
      messages: store.messages,
      password: config.console.password,
      listensOnLoopback: isLoopback(config.http.host),
      health: () => ({ database: store.dialect, deliveryMode: config.delivery.mode }),
    });
    registerVerifyRoutes(http, identities);
    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const server = http;
    baseUrl = `http://${formatHost(config.http.host)}:${port}`;
    const recheck = new PeriodicTask(config.identities.recheckSeconds * 1000, () =>
      identities.recheckPending(Date.now() - config.identities.recheckSeconds * 1000),
      (err) => log.warn({ err }, 'identity DNS recheck failed'),
    );
    return {
      httpUrl: baseUrl,
      store,
      keys,
      identities,
      close: async () => {
        await recheck.stop();
        await server.close();
        await store.close();
      },
    };
  } catch (err) {
    await http?.close();
    await store.close();
    throw err;
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
