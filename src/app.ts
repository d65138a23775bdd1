// Composition root: config → store → services → listeners. No logic of its own.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from './logger.js';
import { parseDuration } from './queue/duration.js';
import { registerReadinessRoute } from './web/readiness-route.js';
import { sesv2Handlers } from './api/sesv2/handlers.js';
import { configurationSetsService } from './api/sesv2/configuration-sets.js';
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
import { inspectionGuard, registerInspectionRoutes } from './web/inspection-routes.js';
import { registerMetricsRoutes } from './web/metrics-routes.js';
import { registerPublicationsRoutes } from './web/publications-routes.js';
import { registerIdentityDnsRoutes } from './web/identity-dns-routes.js';
import { startAuthoritativeDns, type AuthoritativeDns } from './dns/authoritative-server.js';
import { provisionAccessKeys, type ProvisionedKeys } from './domain/provision-access-keys.js';
import { IdentitiesService } from './domain/identities/identities-service.js';
import { verificationEmail } from './domain/identities/verification-email.js';
import { SendingPolicy } from './domain/sending-policy.js';
import { createResolver } from './dns/resolver.js';
import { PeriodicTask } from './periodic-task.js';
import { registerVerifyRoutes, VERIFY_EMAIL_PATH } from './web/verify-routes.js';
import { registerUnsubscribeRoutes } from './web/unsubscribe-routes.js';
import { registerTrackingRoutes } from './web/tracking-routes.js';
import { EngagementRecorder } from './tracking/engagement-recorder.js';
import { ContactsService } from './domain/contacts/contacts-service.js';
import { startEventDispatch } from './events/event-service.js';
import { subscriptionEventRecorder } from './events/subscription-event.js';
import { snsHandlers } from './api/sns/handlers.js';
import { SnsService } from './sns/sns-service.js';
import { SnsDispatcher } from './sns/dispatcher.js';
import { loadSigningKey, signingCertFileName } from './sns/signing-key.js';
import { upstreamPublisher } from './sns/upstream-publisher.js';
import { registerSnsRoutes, snsLinks, SNS_CERT_PATH } from './web/sns-routes.js';
import { startSnsHttpsListener, type SnsHttpsListener } from './web/sns-https-listener.js';
import { startRetention } from './queue/retention-reaper.js';
import { autoVerifyMode } from './domain/identities/auto-verify.js';
import { startInboundListener, type InboundListener } from './inbound/inbound-listener.js';
import { registerConsole } from './web/console.js';
import { assertConsoleProtected, consoleGuessLimit, isLoopbackHost, type ListenerAccess } from './web/console-auth.js';
import { DEFAULT_ACCOUNT_ID } from './domain/access-keys.js';

export interface RunningApp {
  httpUrl: string;
  /** `smtp://HOST:PORT` (STARTTLS) and `smtps://HOST:PORT` (implicit TLS), unless off. */
  smtpUrl?: string;
  smtpsUrl?: string;
  /** The SMTP listeners' certificate (self-signed when none is configured). */
  smtpTls?: TlsMaterial;
  /** Port of the DKIM zone's DNS listener (UDP and TCP), unless off. */
  dnsPort?: number;
  /** `smtp://HOST:PORT` of the inbound listener (bounces and complaints), unless off. */
  inboundUrl?: string;
  identities: IdentitiesService;
  /** SNS topics and publishing; also the TopicPublisher of SES event publishing. */
  sns: SnsService;
  /** The listener serving the SNS signing certificate (unless off) and the TLS certificate receivers must trust. */
  snsHttps?: { url: string; certFile: string };
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
  let snsHttps: SnsHttpsListener | undefined;
  let snsDispatcher: SnsDispatcher | undefined;
  let dns: AuthoritativeDns | undefined;
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
      tracking: { configurationSets: store.configurationSets, secret: () => store.tracking.secret(), baseUrl: () => baseUrl },
      hostname: config.hostname,
      log,
      // The delivery queue's own policy (deliveryHooks below), so both agree on each account's mode.
      delivery: { mode: config.delivery.mode, policy: hooks.policy ?? storeDeliveryHooks(store).policy },
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
    const snsKey = await loadSigningKey(store.sns, config.hostname);
    const sns = snsService(store, config, () => snsDispatcher?.poke());
    // SNS event destinations are checked against, and greeted through, sesd's SNS service.
    const configurationSets = configurationSetsService(store, sns);
    const sesv2 = sesv2Handlers({ intake, identities, store, configurationSets });
    const lookupKey = cachedKeyLookup(store.accounts);
    const keysHint = keys.provisioned.length > 0 ? 'SESD_ACCESS_KEYS and `sesd keys list`' : `${keys.credentialsFile} (profile "sesd") and \`sesd keys list\``;
    const router = createRouter({
      // Pinpoint Email is the early SES v2: same operation names, same handlers.
      handlers: {
        sesv2: sesv2,
        'pinpoint-email': sesv2,
        ses: sesHandlers({ intake, identities, store, configurationSets, topics: sns }),
        pinpoint: pinpointHandlers({ intake, store }),
        sns: snsHandlers(sns),
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
      trustProxy: config.http.trustProxy,
      requestTimeoutMs: config.http.requestTimeout * 1000,
    });
    const access: ListenerAccess = {
      password: config.console.password,
      listensOnLoopback: isLoopbackHost(config.http.host),
      allowedHosts: config.publicUrl ? [new URL(config.publicUrl).hostname.toLowerCase()] : [],
      guesses: consoleGuessLimit(),
    };
    const guard = inspectionGuard(access);
    registerInspectionRoutes(http, {
      ...access,
      messages: store.messages,
      health: () => ({ database: store.dialect, deliveryMode: config.delivery.mode }),
      deleteAllowed: config.delivery.mode === 'capture',
    });
    const consoleUi = registerConsole(http, {
      store,
      identities,
      dns: createResolver(config.delivery.dnsServers),
      access,
      secureCookies: config.publicUrl.startsWith('https:'),
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
    registerPublicationsRoutes(http, { messages: store.messages, eventDispatch: store.eventDispatch, guard });
    registerMetricsRoutes(http, { eventDispatch: store.eventDispatch, guard });
    registerIdentityDnsRoutes(http, {
      identities,
      cnameDomain: config.dkim.cnameDomain,
      mailHost: config.hostname,
      defaultRegion: config.region,
      guard,
    });
    registerVerifyRoutes(http, identities);
    registerUnsubscribeRoutes(http, {
      contacts: new ContactsService({ contacts: store.contacts, tags: store.tags }),
      secret: () => store.contacts.unsubscribeSecret(),
      onUnsubscribe: subscriptionEventRecorder({ events: (id) => store.messages.events(id), insert: (e) => store.eventDispatch.insertEvent(e) }),
    });
    registerSnsRoutes(http, { sns, store: store.sns, signingKey: snsKey, access });
    const recorder = new EngagementRecorder({ store: store.tracking, log });
    registerTrackingRoutes(http, { recorder, secret: () => store.tracking.secret() });
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
    if (config.sns.httpsPort !== 'off') snsHttps = await startSnsHttpsListener(config, config.sns.httpsPort, snsKey);
    // SigningCertURL must be HTTPS for validators: the public URL when it is, else sesd's own HTTPS listener.
    const certBase = baseUrl.startsWith('https:') ? baseUrl : snsHttps?.url ?? baseUrl;
    // Info, not a warning: the default local setup has no HTTPS, and a warning at every start is one people learn to ignore.
    if (!certBase.startsWith('https:')) log.info('SNS SigningCertURL is not HTTPS: validators that require HTTPS refuse the signatures; set SESD_SNS_HTTPS_PORT, or an https SESD_PUBLIC_URL (README: Bounce and complaint notifications)');
    if (config.role !== 'worker') {
      // Nodes with intake run the SNS dispatcher (email subscriptions are sent through intake); the outbox is shared under leases.
      const links = snsLinks(() => baseUrl);
      const dispatcher = new SnsDispatcher({
        store: store.sns,
        signingKey: snsKey,
        urls: { ...links, signingCertUrl: () => `${certBase}${SNS_CERT_PATH}/${signingCertFileName(snsKey)}` },
        sendMail: intake,
        hostname: config.hostname,
        allowPrivateEndpoints: config.sns.allowPrivateEndpoints === 'auto' ? config.delivery.mode === 'capture' : config.sns.allowPrivateEndpoints === 'true',
        defaultRetryDelaySeconds: parseDuration(config.sns.retryDelay) / 1000,
        concurrency: config.sns.concurrency,
        leaseMs: parseDuration(config.queue.lease),
        pollMs: parseDuration(config.queue.pollInterval),
        log,
      });
      dispatcher.start();
      snsDispatcher = dispatcher;
    }
    if (config.dns.port !== 'off') {
      dns = await startAuthoritativeDns({
        zone: config.dkim.cnameDomain,
        host: config.dns.host,
        port: config.dns.port,
        nameServer: config.hostname,
        publicKey: (token) => store.identities.easyDkimPublicKey(token),
        log,
      });
    }
    const dnsListener = dns;
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
      sns,
      snsHttps: snsHttps && { url: snsHttps.url, certFile: snsHttps.tls.certFile },
      dnsPort: dnsListener?.port,
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
          await Promise.all([smtpListeners.close(), inboundListener.close(), server.close(), dnsListener?.close()]);
        } finally {
          clearTimeout(cutOff);
        }
        log.info({ ms: Date.now() - started }, 'listeners drained');
        await recorder.close();
        await consoleUi.close();
        await snsDispatcher?.stop();
        await snsHttps?.close();
        await delivery?.stop();
        await store.close();
      },
    };
  } catch (err) {
    await smtp?.close();
    await dns?.close();
    await inbound?.close();
    await http?.close();
    await snsDispatcher?.stop();
    await snsHttps?.close();
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

/** A worker's background work: delivery, event publishing and retention (never in role `api`). */
function inProcessWorker(config: Config, store: Store, log: Logger, hooks: DeliveryHooks): { workerId: string; stop(): Promise<void> } {
  const delivery = startDelivery(config, store.deliveries, log, deliveryHooks(store, hooks));
  const events = startEventDispatch(config, store, log, snsService(store, config));
  const retention = startRetention(config, store.retention, log);
  return {
    workerId: delivery.workerId,
    stop: async () => {
      await retention?.stop();
      await delivery.stop();
      await events.stop();
    },
  };
}

/** sesd's SNS service; it is also where SES events for SNS topics go (hosted topics, or the upstream endpoint). */
function snsService(store: Store, config: Config, onEnqueued?: () => void): SnsService {
  return new SnsService({
    store: store.sns,
    upstreamTopics: config.sns.upstreamTopics.split(',').map((t) => t.trim()).filter(Boolean),
    upstream: config.sns.upstreamUrl
      ? upstreamPublisher({ url: config.sns.upstreamUrl, accessKeyId: config.sns.upstreamAccessKeyId, secretAccessKey: config.sns.upstreamSecretAccessKey })
      : undefined,
    defaultRetryDelaySeconds: parseDuration(config.sns.retryDelay) / 1000,
    onEnqueued,
  });
}

/** Delivery reads identities, configuration sets and the suppression list from the store; tests may override a hook. */
function deliveryHooks(store: Store, given: DeliveryHooks): DeliveryHooks {
  return { ...storeDeliveryHooks(store), ...given };
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
