// An HTTPS listener for the SNS signing certificate. Receivers' signature validators fetch
// SigningCertURL over HTTPS only (sns-validator refuses any other scheme), so unless sesd's public
// URL is HTTPS already (a TLS-terminating proxy), sesd serves the certificate itself, with the
// TLS certificate its SMTP listeners use (tls.cert, or the self-signed one in the data dir, which
// receivers then trust with NODE_EXTRA_CA_CERTS).
import Fastify from 'fastify';
import type { Config } from '../config/load-config.js';
import type { SigningKey } from '../sns/signing-key.js';
import { loadTlsMaterial, type TlsMaterial } from '../smtp/tls-material.js';
import { registerSnsCertificateRoute } from './sns-routes.js';

export interface SnsHttpsListener {
  url: string;
  tls: TlsMaterial;
  close(): Promise<void>;
}

export async function startSnsHttpsListener(config: Pick<Config, 'http' | 'tls' | 'dataDir' | 'hostname'>, port: number, signingKey: SigningKey): Promise<SnsHttpsListener> {
  const tls = loadTlsMaterial({ certFile: config.tls.cert, keyFile: config.tls.key, dataDir: config.dataDir, hostname: config.hostname, listenHost: config.http.host });
  const app = Fastify({ logger: false, https: { key: tls.key, cert: tls.cert } });
  registerSnsCertificateRoute(app, signingKey);
  await app.listen({ host: config.http.host, port });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
  return { url: `https://${host}:${bound}`, tls, close: () => app.close() };
}
