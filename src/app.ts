// Composition root: config → store → services → listeners. No logic of its own.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import { parseDuration } from './queue/duration.js';
import { registerReadinessRoute } from './web/readiness-route.js';
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
import { fitListenersToOpenFiles } from './net/listener-budgets.js';
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
import { registerConsole } from './web/console.js';
import { assertConsoleProtected, isLoopbackHost } from './web/console-auth.js';
import { DEFAULT_ACCOUNT_ID } from './domain/access-keys.js';

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
  log: Logger = createLogger(config),
  hooks: DeliveryHooks = {},
): Promise<RunningApp> {
  assertConsoleProtected(config.http.host, config.console.password);
  const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, log });
  let http: FastifyInstance | undefined;
  let smtp: SmtpListeners | undefined;
  let inbound: InboundListener | undefined;
  let delivery: { stop(): Promise<void>; running?(): boolean } | undefined;
  let closing = false;
  try {
    const keys = await provisionAccessKeys(store.accounts, { list: config.accessKeys, dataDir: config.dataDir });
    if (keys.removed.length > 0) log.warn({ accessKeyIds: keys.removed }, 'access keys no longer in SESD_ACCESS_KEYS were removed');
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
      log,
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
    const keysHint = keys.provisioned.length > 0 ? 'SESD_ACCESS_KEYS and `sesd keys list`' : `${keys.credentialsFile} (profile "sesd") and \`sesd keys list\``;
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
      keysHint,
    });
    const limited = fitListenersToOpenFiles(config, log);
    http = createHttpServer(router, {
      maxConnections: limited.http.maxConnections,
      maxConnectionsPerIp: limited.http.maxConnectionsPerIp,
      headersTimeoutMs: config.http.headersTimeout * 1000,
      keepAliveTimeoutMs: config.http.keepAliveTimeout * 1000,
      requestTimeoutMs: config.http.requestTimeout * 1000,
    });
    registerInspectionRoutes(http, {
      messages: store.messages,
      password: config.console.password,
      listensOnLoopback: isLoopbackHost(config.http.host),
      health: () => ({ database: store.dialect, deliveryMode: config.delivery.mode }),
    });
    const consoleUi = registerConsole(http, {
      store,
      identities,
      dns: createResolver(config.delivery.dnsServers),
      password: config.console.password,
      listensOnLoopback: isLoopbackHost(config.http.host),
      cnameDomain: config.dkim.cnameDomain,
      mailHost: config.hostname,
      defaultScope: { accountId: DEFAULT_ACCOUNT_ID, region: config.region },
      deliveryMode: config.delivery.mode,
      log,
    });
    let smtpListening = () => false;
    registerReadinessRoute(http, {
      shutdown: () => (closing ? 'shutting down' : undefined),
      database: () => store.ping().then(() => undefined),
      delivery: () => (config.role !== 'all' || delivery?.running?.() !== false ? undefined : 'the delivery thread is not running'),
      listeners: () => (smtpListening() ? undefined : 'an SMTP listener is not accepting connections'),
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
    const shutdownTimeoutMs = parseDuration(config.shutdownTimeout);
    const smtpListeners = await startSmtpListeners({ config: limited, intake, lookupKey, log, closeTimeoutMs: shutdownTimeoutMs });
    smtp = smtpListeners;
    const feedbackHooks = deliveryHooks(store, hooks);
    const inboundListener = await startInboundListener({ config, feedback: store.feedback, suppression: feedbackHooks.suppression!, policy: feedbackHooks.policy!, log });
    inbound = inboundListener;
    smtpListening = () => smtpListeners.listening();
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
        // Drain: stop accepting, let the requests and SMTP transactions in flight finish, and only
        // after SESD_SHUTDOWN_TIMEOUT cut the connections still open (smtp-server does the same
        // for its sessions: 421 to new commands, hang-up at the deadline).
        closing = true;
        await recheck.stop();
        const started = Date.now();
        const cutOff = setTimeout(() => {
          log.warn({ timeout: config.shutdownTimeout }, 'shutdown timeout: closing the connections still open');
          server.server.closeAllConnections();
        }, shutdownTimeoutMs);
        try {
          await Promise.all([smtpListeners.close(), inboundListener.close(), server.close()]);
        } finally {
          clearTimeout(cutOff);
        }
        log.info({ ms: Date.now() - started }, 'listeners drained');
        await consoleUi.close();
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
  log: Logger = createLogger(config),
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

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
