// Starts the SMTP interface from the configuration: a STARTTLS listener and an implicit-TLS
// listener (either can be off), sharing one certificate, one set of limits and one intake.
import type { Logger } from 'pino';
import type { Config } from '../config/load-config.js';
import type { Intake } from '../intake/accept.js';
import { AuthFailureLimit } from './auth-failure-limit.js';
import { createAuthenticator, type KeyLookup } from './authenticator.js';
import { ConnectionLimit } from './connection-limit.js';
import { createSubmissionServer, type SubmissionServer } from './submission-server.js';
import { loadTlsMaterial, type TlsMaterial } from './tls-material.js';

export interface SmtpListenersDeps {
  config: Pick<Config, 'smtp' | 'tls' | 'dataDir' | 'hostname' | 'region'>;
  intake: Intake;
  lookupKey: KeyLookup;
  log: Logger;
}

export interface SmtpListeners {
  /** Port of the STARTTLS listener, unless it is off. */
  port?: number;
  /** Port of the implicit-TLS listener, unless it is off. */
  tlsPort?: number;
  /** The certificate in use, when a listener is on. */
  tls?: TlsMaterial;
  close(): Promise<void>;
}

const AUTH_FAILURES_PER_ADDRESS = 10;
const AUTH_FAILURE_WINDOW_MS = 15 * 60_000;

export async function startSmtpListeners(deps: SmtpListenersDeps): Promise<SmtpListeners> {
  const { smtp, tls } = deps.config;
  if (smtp.port === 'off' && smtp.tlsPort === 'off') return { close: async () => undefined };
  const material = loadTlsMaterial({ certFile: tls.cert, keyFile: tls.key, dataDir: deps.config.dataDir, hostname: deps.config.hostname, listenHost: smtp.host });
  const shared = {
    intake: deps.intake,
    authenticate: createAuthenticator({ lookupKey: deps.lookupKey, region: deps.config.region }),
    region: deps.config.region,
    hostname: deps.config.hostname,
    tls: material,
    connections: new ConnectionLimit({ maxConnections: smtp.maxConnections, maxPerAddress: smtp.maxConnectionsPerIp }),
    authFailures: new AuthFailureLimit({ maxFailures: AUTH_FAILURES_PER_ADDRESS, windowMs: AUTH_FAILURE_WINDOW_MS }),
    idleTimeoutMs: smtp.idleTimeout * 1000,
    log: deps.log,
  };
  const started: SubmissionServer[] = [];
  const close = async () => {
    await Promise.all(started.map((s) => s.close()));
  };
  try {
    const result: SmtpListeners = { tls: material, close };
    if (smtp.port !== 'off') {
      const server = createSubmissionServer(shared, { implicitTls: false });
      started.push(server);
      result.port = await listen(server, smtp.host, smtp.port);
    }
    if (smtp.tlsPort !== 'off') {
      const server = createSubmissionServer(shared, { implicitTls: true });
      started.push(server);
      result.tlsPort = await listen(server, smtp.host, smtp.tlsPort);
    }
    return result;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Starts `submission` (or any smtp-server wrapper) on host:port and resolves with the port bound. */
export function listen(submission: Pick<SubmissionServer, 'server'>, host: string, port: number): Promise<number> {
  const net = submission.server.server;
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
