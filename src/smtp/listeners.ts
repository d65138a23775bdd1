// Starts the SMTP interface from the configuration: a STARTTLS listener and an implicit-TLS
// listener (either can be off), sharing one certificate, one set of limits and one intake.
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Intake } from '../intake/accept.js';
import { AuthFailureLimit } from '../net/auth-failure-limit.js';
import { createAuthenticator, type KeyLookup } from './authenticator.js';
import { ConnectionLimit } from '../net/connection-limit.js';
import { createSubmissionServer, type SubmissionServer } from './submission-server.js';
import { loadTlsMaterial, type TlsMaterial } from './tls-material.js';

export interface SmtpListenersDeps {
  config: Pick<Config, 'smtp' | 'tls' | 'dataDir' | 'hostname' | 'region'>;
  intake: Intake;
  lookupKey: KeyLookup;
  log: Logger;
  /** How long close() lets open SMTP sessions finish. */
  closeTimeoutMs?: number;
}

export interface SmtpListeners {
  /** Port of the STARTTLS listener, unless it is off. */
  port?: number;
  /** Port of the implicit-TLS listener, unless it is off. */
  tlsPort?: number;
  /** The certificate in use, when a listener is on. */
  tls?: TlsMaterial;
  /** Whether every listener that is on accepts connections (readiness). */
  listening(): boolean;
  close(): Promise<void>;
}

const AUTH_FAILURES_PER_ADDRESS = 10;
const AUTH_FAILURE_WINDOW_MS = 15 * 60_000;

export async function startSmtpListeners(deps: SmtpListenersDeps): Promise<SmtpListeners> {
  const { smtp, tls } = deps.config;
  if (smtp.port === 'off' && smtp.tlsPort === 'off') return { listening: () => true, close: async () => undefined };
  const material = loadTlsMaterial({ certFile: tls.cert, keyFile: tls.key, dataDir: deps.config.dataDir, hostname: deps.config.hostname, listenHost: smtp.host });
  const shared = {
    intake: deps.intake,
    authenticate: createAuthenticator({ lookupKey: deps.lookupKey, region: deps.config.region }),
    region: deps.config.region,
    hostname: deps.config.hostname,
    tls: material,
    connections: new ConnectionLimit({ maxConnections: smtp.maxConnections, maxPerAddress: smtp.maxConnectionsPerIp }),
    // A share of the slots for sessions that have not logged in yet: idle connections that never
    // authenticate can fill only this share, and only for authTimeout.
    unauthenticated: new ConnectionLimit({
      maxConnections: Math.min(smtp.maxUnauthenticatedConnections, smtp.maxConnections),
      maxPerAddress: Math.min(smtp.maxUnauthenticatedConnectionsPerIp, smtp.maxConnectionsPerIp),
    }),
    authFailures: new AuthFailureLimit({ maxFailures: AUTH_FAILURES_PER_ADDRESS, windowMs: AUTH_FAILURE_WINDOW_MS, exemptLoopback: smtp.authLockoutExemptLoopback }),
    idleTimeoutMs: smtp.idleTimeout * 1000,
    authTimeoutMs: smtp.authTimeout * 1000,
    closeTimeoutMs: deps.closeTimeoutMs,
    log: deps.log,
  };
  const started: SubmissionServer[] = [];
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
  };
  try {
    const result: SmtpListeners = { tls: material, listening: () => started.every((s) => s.server.server.listening), close };
    if (smtp.port !== 'off') {
      const server = createSubmissionServer(shared, { implicitTls: false });
      started.push(server);
      result.port = await listen(server, smtp.host, smtp.port, smtp.maxConnections);
    }
    if (smtp.tlsPort !== 'off') {
      const server = createSubmissionServer(shared, { implicitTls: true });
      started.push(server);
      result.tlsPort = await listen(server, smtp.host, smtp.tlsPort, smtp.maxConnections);
    }
    return result;
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * Connections a listener accepts beyond the shared limit, to answer them `421 Too many concurrent
 * SMTP connections`; past these the kernel's accept is closed at once, costing nothing.
 */
export const SMTP_REFUSAL_MARGIN = 32;

export function listen(submission: Pick<SubmissionServer, 'server'>, host: string, port: number, maxConnections: number): Promise<number> {
  const net = submission.server.server;
  net.maxConnections = maxConnections + SMTP_REFUSAL_MARGIN;
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    net.once('error', onError);
    net.listen(port, host, () => {
      net.off('error', onError);
      const address = net.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
