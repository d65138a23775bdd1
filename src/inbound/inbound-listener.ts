// Starts the inbound listener from the configuration (off unless SESD_INBOUND_PORT is set), with its
// own connection limits and the TLS certificate of the SMTP interface for STARTTLS.
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { DeliveryPolicy, SuppressionSink } from '../delivery/policy.js';
import { ConnectionLimit } from '../net/connection-limit.js';
import { listen } from '../smtp/listeners.js';
import { loadTlsMaterial } from '../smtp/tls-material.js';
import type { FeedbackRepository } from '../store/feedback-repository.js';
import { createFeedbackHandler } from './feedback-handler.js';
import { createInboundServer } from './inbound-server.js';

export interface InboundListenerDeps {
  config: Pick<Config, 'inbound' | 'smtp' | 'tls' | 'dataDir' | 'hostname'>;
  feedback: FeedbackRepository;
  suppression: SuppressionSink;
  policy: Pick<DeliveryPolicy, 'feedbackAddress'>;
  log: Logger;
}

export interface InboundListener {
  /** The port bound, unless the listener is off. */
  port?: number;
  close(): Promise<void>;
}

export async function startInboundListener(deps: InboundListenerDeps): Promise<InboundListener> {
  const { inbound, smtp, tls } = deps.config;
  if (inbound.port === 'off') return { close: async () => undefined };
  const log = deps.log.child({ listener: 'inbound' });
  const server = createInboundServer({
    hostname: deps.config.hostname,
    feedbackAddress: inbound.feedbackAddress.toLowerCase(),
    isMailFromDomain: (domain) => deps.feedback.isMailFromDomain(domain),
    handle: createFeedbackHandler({
      store: deps.feedback,
      suppression: deps.suppression,
      feedbackAddress: (scope, domain, returnPath) => deps.policy.feedbackAddress(scope, domain, returnPath),
      hostname: deps.config.hostname,
      log,
    }),
    tls: loadTlsMaterial({ certFile: tls.cert, keyFile: tls.key, dataDir: deps.config.dataDir, hostname: deps.config.hostname, listenHost: inbound.host }),
    connections: new ConnectionLimit({ maxConnections: smtp.maxConnections, maxPerAddress: smtp.maxConnectionsPerIp }),
    idleTimeoutMs: smtp.idleTimeout * 1000,
    log,
  });
  try {
    return { port: await listen(server, inbound.host, inbound.port, smtp.maxConnections), close: () => server.close() };
  } catch (err) {
    await server.close();
    throw err;
  }
}
