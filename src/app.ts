// Composition root: config → store → services → listeners. No logic of its own.
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { sesv2Handlers } from './api/sesv2/handlers.js';
import { pinpointHandlers } from './api/pinpoint/handlers.js';
import { sesHandlers } from './api/ses/handlers.js';
import { createHttpServer } from './api/http-listener.js';
import { cachedKeyLookup } from './api/key-lookup.js';
import { createRouter } from './api/router.js';
import type { Config } from './config/load-config.js';
import { createIntake } from './intake/accept.js';
import { startDelivery, type DeliveryHooks } from './delivery/delivery-service.js';
import { startDeliveryThread } from './delivery/delivery-thread.js';
import { storeDeliveryHooks } from './delivery/store-hooks.js';
import { startSmtpListeners, type SmtpListeners } from './smtp/listeners.js';
import type { TlsMaterial } from './smtp/tls-material.js';
import { openStore, type Store } from './store/store.js';
import { registerInspectionRoutes } from './web/inspection-routes.js';
import { provisionAccessKeys, type ProvisionedKeys } from './domain/provision-access-keys.js';
import { IdentitiesService } from './domain/identities/identities-service.js';
import { verificationEmail } from './domain/identities/verification-email.js';
import { SendingPolicy } from './domain/sending-policy.js';
import { createResolver } from './dns/resolver.js';
import { PeriodicTask } from './periodic-task.js';
import { registerVerifyRoutes, VERIFY_EMAIL_PATH } from './web/verify-routes.js';
import { registerUnsubscribeRoutes } from './web/unsubscribe-routes.js';
import { ContactsService } from './domain/contacts/contacts-service.js';
import { startRetention } from './queue/retention-reaper.js';
import { autoVerifyMode } from './domain/identities/auto-verify.js';
import { startInboundListener, type InboundListener } from './inbound/inbound-listener.js';

export interface RunningApp {
  httpUrl: string;
  /** `smtp://HOST:PORT` (STARTTLS) and `smtps://HOST:PORT` (implicit TLS), unless off. */
  smtpUrl?: string;
  smtpsUrl?: string;
  /** The SMTP listeners' certificate (self-signed when none is configured). */
  smtpTls?: TlsMaterial;
  /** `smtp://HOST:PORT` of the inbound listener (bounces and complaints), unless off. */
  inboundUrl?: string;
  identities: IdentitiesService;
  store: Store;
  keys: ProvisionedKeys;
  close(): Promise<void>;
}

export async function startApp(
  config: Config,
  log: Logger = pino({ level: config.logLevel }, pino.destination(2)),
  hooks: DeliveryHooks = {},
): Promise<RunningApp> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  let http: FastifyInstance | undefined;
  let smtp: SmtpListeners | undefined;
  let inbound: InboundListener | undefined;
  let delivery: { stop(): Promise<void> } | undefined;
  try {
    const keys = await provisionAccessKeys(store.accounts, { list: config.accessKeys, dataDir: config.dataDir });
    const autoVerify = autoVerifyMode(config.identities.autoVerify, config.delivery.mode === 'capture');
    const policy = new SendingPolicy({
      identities: store.identities,
      accountSettings: store.accountSettings,
      suppression: store.suppression,
      configurationSets: store.configurationSets,
      autoVerify,
    });
    let baseUrl = '';
    const intake = createIntake({
      messages: store.messages,
      policy,
      templates: store.templates,
      listManagement: { contacts: store.contacts, baseUrl: () => baseUrl },
      hostname: config.hostname,
    });
    const identities = new IdentitiesService({
      identities: store.identities,
      dns: createResolver(config.delivery.dnsServers),
      cnameDomain: config.dkim.cnameDomain,
      autoVerify,
      sendVerificationEmail: async (identity, custom) => {
        const link = `${baseUrl}${VERIFY_EMAIL_PATH}?token=${encodeURIComponent(identity.verificationToken)}`;
        if (custom) return custom(link);
        await intake(verificationEmail(identity, { link, hostname: config.hostname }));
      },
    });
    const sesv2 = sesv2Handlers({ intake, identities, store });
    const lookupKey = cachedKeyLookup(store.accounts);
    const router = createRouter({
      // Pinpoint Email is the early SES v2: same operation names, same handlers.
      handlers: {
        sesv2: sesv2,
        'pinpoint-email': sesv2,
        ses: sesHandlers({ intake, identities, store }),
        pinpoint: pinpointHandlers({ intake, store }),
      },
      lookupKey,
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
    registerUnsubscribeRoutes(http, {
      contacts: new ContactsService({ contacts: store.contacts, tags: store.tags }),
      secret: () => store.contacts.unsubscribeSecret(),
    });
    await http.listen({ host: config.http.host, port: config.http.port });
    const address = http.server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    const server = http;
    const httpUrl = `http://${formatHost(config.http.host)}:${port}`;
    baseUrl = config.publicUrl.replace(/\/+$/, '') || httpUrl;
    const smtpListeners = await startSmtpListeners({ config, intake, lookupKey, log });
    smtp = smtpListeners;
    const feedbackHooks = deliveryHooks(store, hooks);
    const inboundListener = await startInboundListener({ config, feedback: store.feedback, suppression: feedbackHooks.suppression!, policy: feedbackHooks.policy!, log });
    inbound = inboundListener;
    if (config.role === 'all') {
      // Delivery runs in its own thread (see delivery-thread.ts), unless a test replaces one of its
      // hooks: functions cannot be handed to another thread.
      delivery = Object.keys(hooks).length > 0 ? inProcessWorker(config, store, log, hooks) : startDeliveryThread(config, log);
    }
    const smtpHost = formatHost(config.smtp.host);
    const recheck = new PeriodicTask(config.identities.recheckSeconds * 1000, () =>
      identities.recheckPending(Date.now() - config.identities.recheckSeconds * 1000),
      (err) => log.warn({ err }, 'identity DNS recheck failed'),
    );
    return {
      httpUrl,
      smtpUrl: smtpListeners.port === undefined ? undefined : `smtp://${smtpHost}:${smtpListeners.port}`,
      smtpsUrl: smtpListeners.tlsPort === undefined ? undefined : `smtps://${smtpHost}:${smtpListeners.tlsPort}`,
      smtpTls: smtpListeners.tls,
      inboundUrl: inboundListener.port === undefined ? undefined : `smtp://${formatHost(config.inbound.host)}:${inboundListener.port}`,
      store,
      keys,
      identities,
      close: async () => {
        await recheck.stop();
        await smtpListeners.close();
        await inboundListener.close();
        await server.close();
        await delivery?.stop();
        await store.close();
      },
    };
  } catch (err) {
    await smtp?.close();
    await inbound?.close();
    await http?.close();
    await delivery?.stop();
    await store.close();
    throw err;
  }
}

/** `sesd start --role worker`: no listeners, only the delivery queue. */
export async function startWorkerNode(
  config: Config,
  log: Logger = pino({ level: config.logLevel }, pino.destination(2)),
  hooks: DeliveryHooks = {},
): Promise<{ store: Store; workerId: string; close(): Promise<void> }> {
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  const worker = inProcessWorker(config, store, log, hooks);
  return {
    store,
    workerId: worker.workerId,
    close: async () => {
      await worker.stop();
      await store.close();
    },
  };
}

/** Delivery and the background jobs that run where it runs (retention). */
function inProcessWorker(config: Config, store: Store, log: Logger, hooks: DeliveryHooks): { workerId: string; stop(): Promise<void> } {
  const delivery = startDelivery(config, store.deliveries, log, deliveryHooks(store, hooks));
  const retention = startRetention(config, store.retention, log);
  return {
    workerId: delivery.workerId,
    stop: async () => {
      await retention?.stop();
      await delivery.stop();
    },
  };
}

/** Delivery reads identities, configuration sets and the suppression list from the store; tests may override a hook. */
function deliveryHooks(store: Store, given: DeliveryHooks): DeliveryHooks {
  return { ...storeDeliveryHooks(store), ...given };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
